"""The compiled twin of :func:`netsim.sim.work.problem_hours`: the same arithmetic in the same
order, one loop over employees and their ties, so both give the same result to the bit.

:func:`problem_hours_kept` also keeps each entry's best saving through a tie, and
:func:`problem_hours_since` uses it to measure the same rows again after a meeting, walking
only what the meeting can have changed (:func:`netsim.sim.meeting.learn_in_groups`)."""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["hours_a_day", "problem_hours", "problem_hours_kept", "problem_hours_since"]

# Typed, so that they are compiled (or loaded from the cache) when this module is imported,
# with the daily step, not inside a run's first measurement.
_ARGUMENTS = (
    "float64[:, ::1], int64[:, ::1], float64[:, ::1], int64[::1], int32[::1], float64[::1],"
    " float64[::1], float64, float64, float64, float64, int64[::1]"
)


@numba.njit(cache=True, nogil=True, inline="always")
def _solve(k: float, h_max: float, h_min: float, gamma: float) -> float:  # pragma: no cover
    gap = 1.0 - k
    return h_max * (gap * gap if gamma == 2.0 else gap**gamma) + h_min


@numba.njit(cache=True, nogil=True, inline="always")
def _best(  # pragma: no cover - compiled
    knowledge: np.ndarray,
    indices: np.ndarray,
    w: np.ndarray,
    available: np.ndarray,
    t: int,
    own: float,
    first: int,
    last: int,
    h_max: float,
    h_min: float,
    gamma: float,
    ask_hours: float,
) -> float:
    """The most a tie ``first .. last - 1`` saves on a problem of topic ``t`` (0 if none)."""
    best = 0.0
    for e in range(first, last):
        j = indices[e]
        theirs = _solve(knowledge[j, t], h_max, h_min, gamma)
        save = (w[e] * available[j]) * max(own - theirs - ask_hours, 0.0)
        if save > best:
            best = save
    return best


@numba.njit(f"float64[:, ::1]({_ARGUMENTS}, float64[:, ::1])", cache=True, nogil=True)
def problem_hours_kept(  # pragma: no cover - compiled; tested against the numpy path
    knowledge: np.ndarray,
    mix_topic: np.ndarray,
    mix_weight: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    w: np.ndarray,
    available: np.ndarray,
    h_max: float,
    h_min: float,
    gamma: float,
    ask_hours: float,
    rows: np.ndarray,
    best: np.ndarray,
) -> np.ndarray:
    """:func:`problem_hours`, with each entry's best saving through a tie into ``best``
    (``(len(rows), M)``; 0 where the topic's share is 0)."""
    m_topics = mix_topic.shape[1]
    out = np.empty((rows.shape[0], m_topics))
    for r in range(rows.shape[0]):
        i = rows[r]
        for m in range(m_topics):
            if mix_weight[i, m] == 0.0:  # no problems on this topic: nothing to work out
                out[r, m] = 0.0
                best[r, m] = 0.0
                continue
            t = mix_topic[i, m]
            own = _solve(knowledge[i, t], h_max, h_min, gamma)
            b = _best(knowledge, indices, w, available, t, own, indptr[i], indptr[i + 1],
                      h_max, h_min, gamma, ask_hours)  # fmt: skip
            best[r, m] = b
            out[r, m] = own - b
    return out


@numba.njit(f"float64[:, ::1]({_ARGUMENTS})", cache=True, nogil=True)
def problem_hours(  # pragma: no cover - compiled; tested against the numpy path
    knowledge: np.ndarray,
    mix_topic: np.ndarray,
    mix_weight: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    w: np.ndarray,
    available: np.ndarray,
    h_max: float,
    h_min: float,
    gamma: float,
    ask_hours: float,
    rows: np.ndarray,
) -> np.ndarray:
    """:func:`netsim.sim.work.problem_hours` for ``rows`` (all employees: ``arange(N)``)."""
    best = np.empty((rows.shape[0], mix_topic.shape[1]))
    return problem_hours_kept(knowledge, mix_topic, mix_weight, indptr, indices, w, available,
                              h_max, h_min, gamma, ask_hours, rows, best)  # fmt: skip


@numba.njit(
    f"float64[:, ::1]({_ARGUMENTS}, float64[:, ::1], boolean[::1], int32[:, ::1])",
    cache=True,
    nogil=True,
)
def problem_hours_since(  # pragma: no cover - compiled; tested against the numpy path
    knowledge: np.ndarray,
    mix_topic: np.ndarray,
    mix_weight: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    w: np.ndarray,
    available: np.ndarray,
    h_max: float,
    h_min: float,
    gamma: float,
    ask_hours: float,
    rows: np.ndarray,
    best: np.ndarray,
    changed: np.ndarray,
    grown: np.ndarray,
) -> np.ndarray:
    """:func:`problem_hours` for ``rows`` again, after only these changes since
    :func:`problem_hours_kept` measured them (keeping ``best``): knowledge on the topics
    ``changed`` (bool, ``(T,)``), and tie strengths that grew, at most at the positions
    ``grown[r]`` (``(len(rows), S)``, -1: none) of row ``r``'s ties.

    A topic that changed is worked out anew. On any other, the employee's own hours and
    every colleague's are as they were, and a tie's saving (strength times availability
    times a gap that is never negative) can only have grown where its strength did, since
    rounding keeps order; so the best over all ties is the larger of the best before and the
    best over the grown ties, exactly: the same to the bit as measuring anew."""
    m_topics = mix_topic.shape[1]
    out = np.empty((rows.shape[0], m_topics))
    for r in range(rows.shape[0]):
        i = rows[r]
        for m in range(m_topics):
            if mix_weight[i, m] == 0.0:  # no problems on this topic: nothing to work out
                out[r, m] = 0.0
                continue
            t = mix_topic[i, m]
            own = _solve(knowledge[i, t], h_max, h_min, gamma)
            if changed[t]:
                b = _best(knowledge, indices, w, available, t, own, indptr[i], indptr[i + 1],
                          h_max, h_min, gamma, ask_hours)  # fmt: skip
            else:
                b = best[r, m]
                for s in range(grown.shape[1]):
                    e = grown[r, s]
                    if e >= 0:
                        save = _best(knowledge, indices, w, available, t, own, e, e + 1,
                                     h_max, h_min, gamma, ask_hours)  # fmt: skip
                        if save > b:
                            b = save
            out[r, m] = own - b
    return out


@numba.njit(
    "float64[:, ::1](float64[:, ::1], float64[:, ::1], float64[:, ::1], float64[::1], int64[::1])",
    cache=True,
    nogil=True,
)
def hours_a_day(  # pragma: no cover - compiled; tested against the numpy path
    per_problem: np.ndarray,
    mix_weight: np.ndarray,
    goal_weight: np.ndarray,
    rate: np.ndarray,
    rows: np.ndarray,
) -> np.ndarray:
    """:func:`netsim.sim.work.daily_hours` of ``per_problem`` (one row per employee of
    ``rows``) weighed by ``mix_weight`` and by ``goal_weight``, in one pass: ``(len(rows),
    2)``, all topics then the sponsor's. The same products, added left to right, then times
    the rate, as numpy's."""
    out = np.empty((rows.shape[0], 2))
    for r in range(rows.shape[0]):
        i = rows[r]
        total = per_problem[r, 0] * mix_weight[i, 0]
        goal = per_problem[r, 0] * goal_weight[i, 0]
        for m in range(1, per_problem.shape[1]):
            total += per_problem[r, m] * mix_weight[i, m]
            goal += per_problem[r, m] * goal_weight[i, m]
        out[r, 0] = rate[i] * total
        out[r, 1] = rate[i] * goal
    return out
