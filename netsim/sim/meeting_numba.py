"""The compiled twins of a meeting day's first and last steps (:mod:`netsim.sim.meeting`):
who comes (:func:`decide`, :func:`netsim.sim.meeting.decide_attendance` but the random
draw), and what follows the learning (:func:`after_learning`: experience, obligation and
leaving, the attendees' charges, the review window). A meeting of a small network is a few
dozen array operations on arrays of a few hundred entries, each costing numpy a fixed
microsecond or two: a paired replication holds about a hundred such meetings. Each loop does
the same arithmetic in the same order as numpy's (the logistic function as scipy's expit
computes it, ``1 / (1 + exp(-x))``; no sum of floats), so both give the same results to the
bit. The learning itself, whose sums numpy and its BLAS make in their own order, stays
numpy's."""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = [
    "after_learning",
    "count_at_least",
    "decide",
    "gains",
    "gaps",
    "gather",
    "grow_ties",
    "learnt",
]

_DECIDE = (
    "Tuple((boolean[:, ::1], float64[:, ::1], float64[:, ::1], boolean[:, ::1], int64[::1],"
    " int64[::1], boolean[::1], boolean[:, ::1]))"
    "(boolean[:, ::1], boolean[::1], int64[:, ::1], float64[::1], float64[:, ::1],"
    " float64[:, ::1], float64[::1], float64[:, ::1], float64, float64, float64, float64,"
    " float64, float64, float64, int64)"
)


@numba.njit(_DECIDE, cache=True, nogil=True)
def decide(  # pragma: no cover - compiled; tested against the numpy path
    member: np.ndarray,
    closed: np.ndarray,
    idx: np.ndarray,
    pressure_now: np.ndarray,
    vhat: np.ndarray,
    obligation: np.ndarray,
    room: np.ndarray,
    u: np.ndarray,
    intercept: float,
    value_weight: float,
    obligation_weight: float,
    room_weight: float,
    pressure_weight: float,
    hours_term: float,
    overload: float,
    quorum: int,
) -> tuple[np.ndarray, ...]:
    """:func:`netsim.sim.meeting.decide_attendance` with the attendance stream's numbers
    ``u`` drawn: ``(invited, pressure, probability, came, invited_count, came_count, held,
    attended)``. ``hours_term`` is ``hours_weight * hours_day`` (as numpy's expression
    takes it, a number)."""
    groups, slots = idx.shape
    invited = np.empty((groups, slots), dtype=np.bool_)
    pressure = np.empty((groups, slots))
    probability = np.empty((groups, slots))
    came = np.empty((groups, slots), dtype=np.bool_)
    invited_count = np.zeros(groups, dtype=np.int64)
    came_count = np.zeros(groups, dtype=np.int64)
    held = np.empty(groups, dtype=np.bool_)
    attended = np.empty((groups, slots), dtype=np.bool_)
    for g in range(groups):
        for s in range(slots):
            asked = member[g, s] and not closed[g]
            p = pressure_now[idx[g, s]]
            logit = intercept + value_weight * vhat[g, s]
            logit = logit + obligation_weight * obligation[g, s]
            logit = logit + room_weight * room[g]
            logit = logit - pressure_weight * p
            logit = logit - hours_term
            chance = 0.0 if p > overload else 1.0 / (1.0 + math.exp(-logit))
            chance = chance if asked else 0.0
            invited[g, s], pressure[g, s], probability[g, s] = asked, p, chance
            came[g, s] = u[g, s] < chance
            invited_count[g] += asked
            came_count[g] += came[g, s]
        held[g] = (came_count[g] >= quorum) and (invited_count[g] > 0)
        for s in range(slots):
            attended[g, s] = came[g, s] and held[g]
    return invited, pressure, probability, came, invited_count, came_count, held, attended


@numba.njit(cache=True, nogil=True, inline="always")
def _count(flags: np.ndarray, g: int) -> int:  # pragma: no cover - compiled
    """How many of row ``g`` of ``flags`` are set."""
    n = 0
    for s in range(flags.shape[1]):
        n += flags[g, s]
    return n


_AFTER = (
    "void(boolean[:, ::1], boolean[:, ::1], boolean[:, ::1], int64[::1], int64[::1],"
    " float64[:, ::1], float64, float64[:, ::1], float64[::1], float64[:, ::1], float64,"
    " boolean, float64, int64, int64[:, ::1], boolean[:, ::1], boolean[:, ::1], int64[:, ::1],"
    " float64, float64[:, ::1], float64[::1], float64[::1], int64[::1], int64[::1],"
    " float64[::1], float64[::1], float64[::1], int64[::1])"
)


@numba.njit(_AFTER, cache=True, nogil=True)
def after_learning(  # pragma: no cover - compiled; tested against the numpy path
    invited: np.ndarray,
    came: np.ndarray,
    attended: np.ndarray,
    invited_count: np.ndarray,
    came_count: np.ndarray,
    value: np.ndarray,
    eta: float,
    vhat: np.ndarray,
    room: np.ndarray,
    obligation: np.ndarray,
    fade: float,
    can_leave: bool,
    leave_threshold: float,
    leave_after: int,
    low: np.ndarray,
    member: np.ndarray,
    left: np.ndarray,
    idx: np.ndarray,
    per_person: float,
    wage: np.ndarray,
    hours: np.ndarray,
    cost: np.ndarray,
    attended_total: np.ndarray,
    invited_total: np.ndarray,
    window_hours: np.ndarray,
    window_value: np.ndarray,
    sponsor_value: np.ndarray,
    window_meetings: np.ndarray,
) -> None:
    """In place, what :func:`netsim.sim.meeting.learn_from_experience`,
    :func:`~netsim.sim.meeting.fade_obligation_and_leave`,
    :func:`~netsim.sim.meeting.charge_attendees` and
    :func:`~netsim.sim.meeting.add_to_review_window` (but its count of meetings since the
    review) do, in that order. A network's member is in one of its groups only, so each
    employee is charged once."""
    groups, slots = idx.shape
    keep = 1 - eta
    for g in range(groups):
        for s in range(slots):
            if came[g, s]:
                vhat[g, s] = keep * vhat[g, s] + eta * value[g, s]
        if invited_count[g] > 0:
            room[g] = came_count[g] / max(invited_count[g], 1)
        any_invited = False
        for s in range(slots):
            obligation[g, s] *= fade
            if can_leave:
                low[g, s] = low[g, s] + 1 if invited[g, s] and vhat[g, s] < leave_threshold else 0
                if low[g, s] >= leave_after:
                    member[g, s] = False
                    left[g, s] = True
            i = idx[g, s]
            if attended[g, s]:
                hours[i] += per_person
                cost[i] += per_person * wage[g, s]
                attended_total[i] += 1
            if invited[g, s]:
                invited_total[i] += 1
                any_invited = True
        window_hours[g] += _count(attended, g) * per_person
        window_value[g] += sponsor_value[g]
        window_meetings[g] += any_invited


_GROW = (
    "Tuple((float64[:, ::1], float64[:, ::1]))(float64[::1], int32[:, ::1], boolean[:, ::1],"
    " float64[::1], boolean[:, ::1], boolean[:, ::1])"
)


@numba.njit(_GROW, cache=True, nogil=True)
def grow_ties(  # pragma: no cover - compiled; tested against the numpy path
    w: np.ndarray,
    tie_pos: np.ndarray,
    together: np.ndarray,
    rate: np.ndarray,
    new_cross: np.ndarray,
    cross: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The ties of a block's attendees (one row each, ``tie_pos`` their positions in ``w``)
    grow where ``together``: ``w += rate * (1 - w)`` (:func:`netsim.sim.kernels.tie_increment`)
    in place, reading every strength before writing any, as numpy's gather and scatter do
    (each position is one attendee's tie to one slot: no two are alike). Returns each
    increment times ``new_cross`` and times ``cross`` (booleans as 1.0 and 0.0), for numpy to
    sum as it did."""
    rows, slots = tie_pos.shape
    increment = np.zeros((rows, slots))
    for a in range(rows):
        for s in range(slots):
            if together[a, s]:
                increment[a, s] = rate[a] * (1.0 - w[tie_pos[a, s]])
    bridging = np.empty((rows, slots))
    crossing = np.empty((rows, slots))
    for a in range(rows):
        for s in range(slots):
            inc = increment[a, s]
            if together[a, s]:
                w[tie_pos[a, s]] = w[tie_pos[a, s]] + inc
            bridging[a, s] = inc * (1.0 if new_cross[a, s] else 0.0)
            crossing[a, s] = inc * (1.0 if cross[a, s] else 0.0)
    return bridging, crossing


@numba.njit("void(float64[:, :, ::1], int64, float64[:, :, ::1])", cache=True, nogil=True)
def gaps(  # pragma: no cover - compiled; tested against the numpy path
    k: np.ndarray, t: int, gap: np.ndarray
) -> None:
    """Into ``gap[g, i, j]``: ``max(k[g, j, t] - k[g, i, t], 0)`` as numpy's subtraction and
    ``np.maximum`` give it (the difference where it is not below zero, or NaN)."""
    groups, slots, _ = k.shape
    for g in range(groups):
        for i in range(slots):
            mine = k[g, i, t]
            for j in range(slots):
                d = k[g, j, t] - mine
                gap[g, i, j] = d if (d >= 0.0 or d != d) else 0.0


@numba.njit(
    "float64[:, :, ::1](float64[:, :, ::1], boolean[:, ::1], float64[::1], float64[::1],"
    " float64, float64, float64[:, :, ::1])",
    cache=True,
    nogil=True,
)
def gains(  # pragma: no cover - compiled; tested against the numpy path
    k: np.ndarray,
    attend: np.ndarray,
    efficiency: np.ndarray,
    participation: np.ndarray,
    lecture_rate: float,
    peer_rate: float,
    peer_sum: np.ndarray,
) -> np.ndarray:
    """:func:`netsim.sim.kernels.meeting_learning`'s gains from the peer sums it has
    (``peer_sum[t, g, i]``, numpy's): the same products and sums in the same order."""
    groups, slots, topics = k.shape
    out = np.empty((groups, slots, topics))
    best = np.empty(topics)
    for g in range(groups):
        for t in range(topics):  # the best level present (levels are >= 0; a maximum is exact)
            m = 0.0
            first = True
            for i in range(slots):
                v = k[g, i, t] if attend[g, i] else 0.0
                if first or v > m or v != v:
                    m = v
                    first = False
            best[t] = m
        present = 0
        for i in range(slots):
            present += attend[g, i]
        others = max(present - 1, 1)
        lecture = efficiency[g] * (1.0 - participation[g]) * lecture_rate
        peer = efficiency[g] * participation[g] * peer_rate / others
        for i in range(slots):
            for t in range(topics):
                if attend[g, i]:
                    out[g, i, t] = lecture * (best[t] - k[g, i, t]) + peer * peer_sum[t, g, i]
                else:
                    out[g, i, t] = 0.0
    return out


@numba.njit(
    "float64[:, :, ::1](float64[:, ::1], int64[:, ::1], int64[::1])", cache=True, nogil=True
)
def gather(  # pragma: no cover - compiled; tested against the numpy path
    knowledge: np.ndarray, ids: np.ndarray, topics: np.ndarray
) -> np.ndarray:
    """``knowledge[ids[:, :, None], topics]``: each slot's person's levels on the topics."""
    groups, slots = ids.shape
    out = np.empty((groups, slots, topics.shape[0]))
    for g in range(groups):
        for s in range(slots):
            i = ids[g, s]
            for t in range(topics.shape[0]):
                out[g, s, t] = knowledge[i, topics[t]]
    return out


@numba.njit(
    "void(float64[:, ::1], int64[:, ::1], boolean[:, ::1], int64[::1], float64[:, :, ::1],"
    " float64[:, :, ::1])",
    cache=True,
    nogil=True,
)
def learnt(  # pragma: no cover - compiled; tested against the numpy path
    knowledge: np.ndarray,
    ids: np.ndarray,
    attended: np.ndarray,
    topics: np.ndarray,
    before: np.ndarray,
    gain: np.ndarray,
) -> None:
    """``knowledge[ids[attended][:, None], topics] = before[attended] + gain[attended]``, in
    the same order."""
    groups, slots = ids.shape
    for g in range(groups):
        for s in range(slots):
            if attended[g, s]:
                i = ids[g, s]
                for t in range(topics.shape[0]):
                    knowledge[i, topics[t]] = before[g, s, t] + gain[g, s, t]


@numba.njit("int64(float64[::1], int64[::1], float64)", cache=True, nogil=True)
def count_at_least(  # pragma: no cover - compiled; tested against the numpy path
    w: np.ndarray, positions: np.ndarray, threshold: float
) -> int:
    """``np.count_nonzero(w[positions] >= threshold)``, without the gathered copy."""
    n = 0
    for p in positions:
        n += w[p] >= threshold
    return n
