"""The compiled twin of :func:`netsim.sim.work.problem_hours`: the same arithmetic in the same
order, one loop over employees and their ties, so both give the same result to the bit."""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["problem_hours"]


@numba.njit(cache=True, nogil=True)
def problem_hours(  # pragma: no cover - compiled; tested against the numpy path
    hours: np.ndarray,
    mix_topic: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    w: np.ndarray,
    available: np.ndarray,
    ask_hours: float,
    rows: np.ndarray,
) -> np.ndarray:
    """:func:`netsim.sim.work.problem_hours` for ``rows`` (all employees: ``arange(N)``)."""
    m_topics = mix_topic.shape[1]
    out = np.empty((rows.shape[0], m_topics))
    for r in range(rows.shape[0]):
        i = rows[r]
        for m in range(m_topics):
            t = mix_topic[i, m]
            own = hours[i, t]
            best = 0.0
            for e in range(indptr[i], indptr[i + 1]):
                j = indices[e]
                save = (w[e] * available[j]) * max(own - hours[j, t] - ask_hours, 0.0)
                if save > best:
                    best = save
            out[r, m] = own - best
    return out
