"""The work the networks exist to help: problems, and the hours they take to solve.

Every working day employee ``i`` meets problems at a rate ``r_i`` (by role). A problem is on
one of a few topics of the employee's *mix* (``M`` topics with weights summing to 1: a
specialist's mostly in the specialty, a leader's in leadership and strategy, everyone's partly
in their own department's practice and partly in a partner department's). Solving a problem
on topic ``t`` with knowledge ``K`` takes

    h(K) = h_max * (1 - K) ** gamma + h_min

hours. Before solving it alone, the employee may ask a colleague through a tie: colleague
``j`` is reached with probability ``w_ij * a_j`` (tie strength times availability, one minus
time pressure) and then the problem takes ``h(K_jt) + c_ask``. People know whom to ask, so the
colleague asked is the one whose help saves most in expectation:

    E_it = h(K_it) - max_j  w_ij a_j max(0, h(K_it) - h(K_jt) - c_ask)

and employee ``i`` spends ``H_i = r_i * sum_m weight_im * E_i,topic_im`` hours a working day on
problems (:func:`problem_hours` gives ``E``, :func:`daily_hours` weighs it into ``H``).
Knowledge and ties gained in a network lower ``H``: that is what a network is worth, in the
same currency as its cost.

Everything here is a pure function of arrays; :func:`problem_hours` has a compiled twin in
:mod:`netsim.sim.kernels_numba` that gives the same result to the bit.
"""

from __future__ import annotations

import numpy as np

__all__ = ["KINDS", "daily_hours", "problem_hours", "solve_hours", "topic_mix"]

#: The kinds of problem topic an employee's mix is made of.
KINDS = ("specialty", "leadership", "strategy", "own_practice", "partner_practice")


def solve_hours(knowledge: np.ndarray, *, h_max: float, h_min: float, gamma: float) -> np.ndarray:
    """Hours to solve one problem with this knowledge: ``h_max (1 - K)^gamma + h_min``.

    Examples
    --------
    >>> solve_hours(np.array([0.0, 0.5, 1.0]), h_max=2.0, h_min=0.25, gamma=2.0).tolist()
    [2.25, 0.75, 0.25]
    """
    gap = 1.0 - knowledge
    # The default exponent squares exactly and fast; others go through pow (as the compiled
    # twin does, element by element).
    return h_max * (gap * gap if gamma == 2.0 else gap**gamma) + h_min


def problem_hours(
    knowledge: np.ndarray,
    mix_topic: np.ndarray,
    mix_weight: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    w: np.ndarray,
    available: np.ndarray,
    *,
    h_max: float,
    h_min: float,
    gamma: float,
    ask_hours: float,
    rows: np.ndarray | None = None,
) -> np.ndarray:
    """Expected hours one problem takes each employee, on each topic of their mix.

    Parameters
    ----------
    knowledge : ndarray, (N, T)
        The knowledge matrix; a problem on topic ``t`` takes :func:`solve_hours` of it alone.
    mix_topic, mix_weight : ndarray, (N, M)
        Each employee's problem topics (columns of ``knowledge``) and their shares; a topic of
        share 0 is not worked out (its entry is 0).
    indptr, indices, w : ndarray
        The tie matrix in CSR form (strengths ``w``; ties of strength zero reach nobody).
    available : ndarray, (N,)
        The chance each employee has time to help (one minus time pressure).
    h_max, h_min, gamma : float
        Of :func:`solve_hours`.
    ask_hours : float
        What asking costs on top of the colleague's solving time.
    rows : ndarray of int, optional
        Only these employees (in this order); all by default.

    Returns
    -------
    ndarray, (len(rows), M)
        ``E_it`` for each employee of ``rows`` and each topic of their mix;
        :func:`daily_hours` weighs them into hours a working day. Solving hours are computed
        only for the knowledge the rows and their ties bring.

    Examples
    --------
    Employee 0 knows nothing (2 h alone); employee 1, their only tie (strength 0.5, always
    available), knows half (0.5 h), and asking costs 0.1 h: 2 - 0.5 * (2 - 0.6) = 1.3 h.

    >>> k = np.array([[0.0], [0.5]])
    >>> one = np.zeros((2, 1), dtype=np.intp)
    >>> problem_hours(k, one, np.ones((2, 1)), np.array([0, 1, 2]), np.array([1, 0]),
    ...               np.array([0.5, 0.5]), np.ones(2), h_max=2.0, h_min=0.0, gamma=2.0,
    ...               ask_hours=0.1).tolist()
    [[1.3], [0.5]]
    """
    params = {"h_max": h_max, "h_min": h_min, "gamma": gamma}
    rows = np.arange(knowledge.shape[0]) if rows is None else np.asarray(rows, dtype=np.intp)
    topic = mix_topic[rows]  # (R, M)
    own = solve_hours(np.take_along_axis(knowledge[rows], topic, axis=1), **params)
    start = indptr[rows]
    length = indptr[rows + 1] - start
    best = np.zeros_like(own)
    if int(length.sum()):
        first = np.cumsum(length) - length  # where each row's ties begin in the flat arrays
        entry_row = np.repeat(np.arange(rows.size), length)
        pos = np.arange(entry_row.size) - first[entry_row] + start[entry_row]
        col = indices[pos]
        reach = w[pos] * available[col]
        theirs = solve_hours(knowledge[col[:, None], topic[entry_row]], **params)
        save = reach[:, None] * np.maximum(own[entry_row] - theirs - ask_hours, 0.0)
        some = length > 0
        best[some] = np.maximum.reduceat(save, first[some], axis=0)
    return np.where(mix_weight[rows] == 0.0, 0.0, own - best)


def daily_hours(per_problem: np.ndarray, mix_weight: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Hours a working day on problems: ``rate * sum_m weight_m * E_m``, added left to right.

    Examples
    --------
    >>> daily_hours(np.array([[1.0, 2.0]]), np.array([[0.5, 0.5]]), np.array([3.0])).tolist()
    [4.5]
    """
    parts = per_problem * mix_weight
    total = parts[:, 0].copy()
    for m in range(1, parts.shape[1]):
        total += parts[:, m]
    return rate * total


def topic_mix(
    role: np.ndarray,
    specialty: np.ndarray,
    department: np.ndarray,
    partner: np.ndarray,
    shares: np.ndarray,
    *,
    n_specialties: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Each employee's problem topics and their shares.

    Parameters
    ----------
    role : ndarray of int, (N,)
        Role index (:data:`netsim.scenario.organisation.ROLES` order).
    specialty : ndarray of int, (N,)
        Specialty index, -1 for none.
    department, partner : ndarray of int, (N,)
        Own department, and the one department whose practice the employee's cross-department
        cases need.
    shares : ndarray, (roles, len(KINDS))
        Per role, the share of problems of each kind (:data:`KINDS`); rows sum to 1. Someone
        without a specialty has the specialty share on their own practice instead.
    n_specialties : int
        Topic columns are specialties first, then leadership, strategy, and one practice
        topic per department (:meth:`netsim.scenario.schema.Organisation.topics`).

    Returns
    -------
    (mix_topic, mix_weight) : ndarray, (N, len(KINDS))

    Examples
    --------
    A leader (role 2) of department 1, partner department 0, two specialties:

    >>> shares = np.zeros((5, 5)); shares[2] = [0, 0.4, 0.1, 0.35, 0.15]
    >>> t, w = topic_mix(np.array([2]), np.array([-1]), np.array([1]), np.array([0]), shares,
    ...                  n_specialties=2)
    >>> t.tolist(), w.tolist()
    ([[5, 2, 3, 5, 4]], [[0.0, 0.4, 0.1, 0.35, 0.15]])
    """
    own = n_specialties + 2 + department
    topic = np.stack(
        [
            np.where(specialty >= 0, specialty, own),
            np.full_like(own, n_specialties),
            np.full_like(own, n_specialties + 1),
            own,
            n_specialties + 2 + partner,
        ],
        axis=1,
    ).astype(np.intp)
    weight = shares[role].astype(float)
    none = specialty < 0
    weight[none, 3] += weight[none, 0]
    weight[none, 0] = 0.0
    return topic, weight
