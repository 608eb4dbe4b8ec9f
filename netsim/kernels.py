"""Pure, vectorised kernels of the model: no SimPy, no I/O, no hidden state.

Every function works on numpy arrays indexed by employee (daily step) or by
``(group, slot)`` for the groups of one network meeting on the same day (meetings), and
draws nothing itself: random numbers are passed in, so the caller decides which stream they
come from and in which order.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

__all__ = [
    "attendance_probability",
    "choose_neighbours",
    "diffuse",
    "meeting_learning",
    "pressure_step",
    "relax_toward",
    "tie_increment",
]


def pressure_step(
    p: np.ndarray, mu: np.ndarray, eps: np.ndarray, *, theta: float, sigma: float
) -> np.ndarray:
    """One day of the mean-reverting AR(1) time pressure, clipped to [0, 1].

    ``p <- clip(p + theta * (mu - p) + sigma * eps, 0, 1)``

    Examples
    --------
    >>> pressure_step(np.array([0.5, 0.99]), np.array([0.5, 1.0]), np.array([0.0, 9.0]),
    ...               theta=0.1, sigma=0.1).tolist()
    [0.5, 1.0]
    """
    return np.clip(p + theta * (mu - p) + sigma * eps, 0.0, 1.0)


def attendance_probability(
    logit: np.ndarray, pressure: np.ndarray, *, overload: float
) -> np.ndarray:
    """Attendance probability from the decision's logit; zero when operations come first.

    Parameters
    ----------
    logit : ndarray
        ``b0 + bv*vhat + bo*o + bs*a - bp*p - bc*h`` for each invited member.
    pressure : ndarray
        The member's time pressure today, same shape.
    overload : float
        Above this pressure a member cannot attend, whatever they think of the network.

    Examples
    --------
    >>> attendance_probability(np.array([0.0, 0.0]), np.array([0.5, 0.95]), overload=0.9).tolist()
    [0.5, 0.0]
    """
    return np.where(pressure > overload, 0.0, expit(logit))


def meeting_learning(
    k: np.ndarray,
    attend: np.ndarray,
    efficiency: float | np.ndarray,
    participation: float | np.ndarray,
    *,
    lecture_rate: float,
    peer_rate: float,
) -> np.ndarray:
    """Knowledge gains at the meetings of several groups at once.

    Parameters
    ----------
    k : ndarray, shape (groups, slots, topics)
        Knowledge of each slot's person on the network's topics (any value where not attending).
    attend : ndarray of bool, shape (groups, slots)
        Who is in the room.
    efficiency : float or ndarray broadcastable to (groups, 1, 1)
        ``eff_m`` in [0, 1], from goal clarity and facilitation.
    participation : float or ndarray broadcastable to (groups, 1, 1)
        0 = lecture, 1 = fully participatory.
    lecture_rate, peer_rate : float
        Shares of the gap closed in each format, in [0, 1].

    Returns
    -------
    ndarray, shape (groups, slots, topics)
        The gain of each attendee (zero for those absent). The lecture part closes a share of
        the gap to the best present; the participatory part ``peer_rate * mean_j max(0, k_j -
        k_i)`` over the other attendees. Both are bounded by the gap to the best present, so
        nobody ends above the highest level in the room.

    Examples
    --------
    >>> k = np.array([[[0.2], [0.6], [0.9]]])
    >>> meeting_learning(k, np.array([[True, True, False]]), 1.0, 1.0,
    ...                  lecture_rate=0.0, peer_rate=0.5)[..., 0].round(3).tolist()
    [[0.2, 0.0, 0.0]]
    """
    a = attend[..., None]
    kmax = np.where(a, k, -np.inf).max(axis=1, keepdims=True)
    lecture_gap = np.where(a, kmax - k, 0.0)
    # gap[g, i, j, t] = max(0, k_j - k_i), over attending j only (self-gap is zero).
    gap = np.maximum(k[:, None, :, :] - k[:, :, None, :], 0.0)
    gap *= attend[:, None, :, None]
    others = np.maximum(attend.sum(axis=1) - 1, 1)[:, None, None]
    peer_gap = np.where(a, gap.sum(axis=2) / others, 0.0)
    gain = efficiency * (
        (1.0 - participation) * lecture_rate * lecture_gap + participation * peer_rate * peer_gap
    )
    return np.where(a, gain, 0.0)


def tie_increment(w: np.ndarray, together: np.ndarray, rate: float | np.ndarray) -> np.ndarray:
    """Tie strengthening between people who met: ``rate * (1 - w)`` where ``together``.

    Examples
    --------
    >>> tie_increment(np.array([0.0, 0.5, 0.5]), np.array([True, True, False]), 0.2).tolist()
    [0.2, 0.1, 0.0]
    """
    return np.where(together, rate * (1.0 - w), 0.0)


def relax_toward(x: np.ndarray, base: np.ndarray, keep: float) -> np.ndarray:
    """``base + keep * (x - base)``: what was gained above ``base`` fades, in place.

    Used for weekly tie decay and forgetting. Returns ``x``.
    """
    x -= base
    x *= keep
    x += base
    return x


def choose_neighbours(
    talkers: np.ndarray,
    u: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    cum_weight: np.ndarray,
) -> np.ndarray:
    """For each talker, one neighbour drawn in proportion to tie strength.

    Parameters
    ----------
    talkers : ndarray of int
        Rows of the CSR tie matrix; each must have positive total strength.
    u : ndarray of float in [0, 1)
        One uniform number per talker.
    indptr, indices : ndarray
        The CSR structure of the tie matrix.
    cum_weight : ndarray
        ``np.cumsum(data)`` of the tie matrix (zero-strength entries are never chosen).

    Examples
    --------
    >>> indptr, indices = np.array([0, 2, 3]), np.array([0, 1, 0])
    >>> cum = np.cumsum([0.0, 2.0, 1.0])
    >>> choose_neighbours(np.array([0, 1]), np.array([0.99, 0.0]), indptr, indices, cum).tolist()
    [1, 0]
    """
    start, end = indptr[talkers], indptr[talkers + 1]
    lo = np.where(start > 0, cum_weight[start - 1], 0.0)
    hi = cum_weight[end - 1]
    target = lo + u * (hi - lo)
    pos = np.searchsorted(cum_weight, target, side="right")
    # Guard the float edge where target rounds onto the row's end.
    pos = np.minimum(pos, end - 1)
    return indices[pos]


def diffuse(k: np.ndarray, learners: np.ndarray, sources: np.ndarray, share: float) -> np.ndarray:
    """Each learner closes ``share`` of the positive gap to their source, on every topic.

    All learners learn from the knowledge as it was at the start of the step (synchronous
    update); a learner appears at most once. Modifies and returns ``k``.

    Examples
    --------
    >>> k = np.array([[0.1, 0.8], [0.5, 0.2]])
    >>> diffuse(k, np.array([0]), np.array([1]), 0.5).tolist()
    [[0.30000000000000004, 0.8], [0.5, 0.2]]
    """
    gain = np.maximum(k[sources] - k[learners], 0.0)
    gain *= share
    k[learners] += gain
    return k
