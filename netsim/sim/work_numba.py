"""The compiled twin of :func:`netsim.sim.work.problem_hours`: the same arithmetic in the same
order, one loop over employees and their ties, so both give the same result to the bit."""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["problem_hours"]


@numba.njit(cache=True, nogil=True, inline="always")
def _solve(k: float, h_max: float, h_min: float, gamma: float) -> float:  # pragma: no cover
    gap = 1.0 - k
    return h_max * (gap * gap if gamma == 2.0 else gap**gamma) + h_min


@numba.njit(cache=True, nogil=True)
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
            best = 0.0
            for e in range(indptr[i], indptr[i + 1]):
                j = indices[e]
                theirs = _solve(knowledge[j, t], h_max, h_min, gamma)
                save = (w[e] * available[j]) * max(own - theirs - ask_hours, 0.0)
                if save > best:
                    best = save
            out[r, m] = own - best
    return out
