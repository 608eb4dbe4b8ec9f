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

from typing import NamedTuple

import numpy as np

__all__ = [
    "KINDS",
    "ProblemPlan",
    "daily_hours",
    "planned_problem_hours",
    "problem_hours",
    "problem_plan",
    "solve_hours",
    "topic_mix",
]

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
    plan = problem_plan(mix_topic, mix_weight, indptr, indices, knowledge.shape[1], rows=rows)
    return planned_problem_hours(
        plan, knowledge, w, available, h_max=h_max, h_min=h_min, gamma=gamma, ask_hours=ask_hours
    )


class ProblemPlan(NamedTuple):
    """Where :func:`problem_hours` reads, worked out once for a tie structure, topic mixes and
    rows (:func:`problem_plan`); the knowledge, strengths and availability are read anew at
    each measurement (:func:`planned_problem_hours`).

    A *cell* is one row's topic of positive share with at least one tie; a *pair* one such
    cell and one of the row's ties, in the row's order, the cells' pairs one after another.
    Positions in the knowledge matrix are flat (row-major)."""

    own: np.ndarray  # (R, M) position of each row's knowledge on each topic of their mix
    zero: np.ndarray  # (R, M) bool: the topic's share is 0 (not worked out)
    their: np.ndarray  # (P,) position of the colleague's knowledge on the cell's topic
    own_of: np.ndarray  # (P,) the pair's cell, a flat position in (R, M)
    tie: np.ndarray  # (P,) the pair's tie, a position in the strengths
    colleague: np.ndarray  # (P,) the employee it reaches
    starts: np.ndarray  # (C,) where each cell's pairs begin
    cells: np.ndarray  # (C,) each cell, a flat position in (R, M)


def problem_plan(
    mix_topic: np.ndarray,
    mix_weight: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    topics: int,
    *,
    rows: np.ndarray | None = None,
) -> ProblemPlan:
    """What :func:`planned_problem_hours` reads for ``rows`` (all by default) of a knowledge
    matrix with ``topics`` columns: depends only on the structure, so a run works it out
    once (:class:`netsim.sim.account.Account`)."""
    rows = np.arange(mix_topic.shape[0]) if rows is None else np.asarray(rows, dtype=np.intp)
    topic = mix_topic[rows]  # (R, M)
    zero = mix_weight[rows] == 0.0
    start = indptr[rows]
    length = indptr[rows + 1] - start
    cells = np.flatnonzero(~zero & (length > 0)[:, None])
    cell_row = cells // topic.shape[1]
    count = length[cell_row]
    starts = np.cumsum(count) - count
    # Pair p of a cell is the tie start + (p - the cell's first pair).
    tie = np.arange(int(count.sum())) + np.repeat(start[cell_row] - starts, count)
    colleague = indices.take(tie).astype(np.intp)
    colleague_topic = colleague * topics
    colleague_topic += np.repeat(topic.reshape(-1)[cells], count)
    return ProblemPlan(
        own=rows[:, None] * topics + topic,
        zero=zero,
        their=colleague_topic,
        own_of=np.repeat(cells, count),
        tie=tie,
        colleague=colleague,
        starts=starts,
        cells=cells,
    )


def planned_problem_hours(
    plan: ProblemPlan,
    knowledge: np.ndarray,
    w: np.ndarray,
    available: np.ndarray,
    *,
    h_max: float,
    h_min: float,
    gamma: float,
    ask_hours: float,
) -> np.ndarray:
    """:func:`problem_hours` where ``plan`` (:func:`problem_plan`) says where to read: the
    same numbers, worked out for the topics of positive share only."""
    params = {"h_max": h_max, "h_min": h_min, "gamma": gamma}
    own = solve_hours(knowledge.take(plan.own), **params)  # (R, M)
    best = np.zeros(own.size)
    if plan.cells.size:
        reach = w.take(plan.tie) * available.take(plan.colleague)
        theirs = solve_hours(knowledge.take(plan.their), **params)
        gain = own.take(plan.own_of)
        gain -= theirs
        gain -= ask_hours
        np.maximum(gain, 0.0, out=gain)
        gain *= reach
        best[plan.cells] = np.maximum.reduceat(gain, plan.starts)
    return np.where(plan.zero, 0.0, own - best.reshape(own.shape))


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
