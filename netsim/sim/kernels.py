"""Pure, vectorised kernels of the model: no SimPy, no I/O, no hidden state.

Every function works on numpy arrays indexed by employee (daily step) or by
``(group, slot)`` for the groups of one network meeting on the same day (meetings), and
draws nothing itself: random numbers are passed in, so the caller decides which stream they
come from and in which order.

The daily diffusion step and the problem-hours measurement also have compiled versions
(:mod:`netsim.sim.kernels_numba`, :mod:`netsim.sim.work_numba`), the default since value is
measured in hours (measuring 45,000 employees' problem hours takes 14 ms compiled and 310 ms
with numpy); this module's numpy kernels are the reference, chosen with
``NETSIM_KERNELS=numpy``, ``kernels="numpy"`` or :func:`use`, and both give bit-for-bit the
same results.
"""

from __future__ import annotations

import importlib.util
import os

import numpy as np

from netsim.errors import NetsimError

__all__ = [
    "BACKENDS",
    "StartingTies",
    "attendance_probability",
    "backend",
    "diffuse",
    "draw_ties",
    "load_compiled",
    "meeting_learning",
    "pressure_step",
    "relax_toward",
    "tie_increment",
    "use",
]

#: The implementations of the daily step: the numpy reference and the compiled default.
BACKENDS = ("numpy", "numba")
ENV = "NETSIM_KERNELS"


def backend(name: str | None = None) -> str:
    """The kernels a run uses: ``name`` if given, else ``$NETSIM_KERNELS`` (as :func:`use`
    sets it), or ``numba`` where it is unset.

    Asking for numba loads the compiled step (compiling it on a machine's first use), a
    one-off cost per process.

    Parameters
    ----------
    name : {"numpy", "numba"}, optional
        The kernels asked for by the caller (``simulate(..., kernels=...)``).

    Raises
    ------
    NetsimError
        The name, or the variable, names no backend, or asks for numba where it is not
        installed.

    Examples
    --------
    >>> backend("numpy")
    'numpy'
    """
    if name is not None:
        if name not in BACKENDS:
            raise NetsimError(f"kernels: must be one of {', '.join(BACKENDS)} (got {name!r})")
        if name == "numba":
            load_compiled("kernels='numba'")
        return name
    name = os.environ.get(ENV, "").strip().lower() or "numba"
    if name not in BACKENDS:
        raise NetsimError(f"{ENV}: must be one of {', '.join(BACKENDS)} (got {os.environ[ENV]!r})")
    if name == "numba":
        load_compiled(f"{ENV}=numba")
    return name


def load_compiled(asked: str) -> None:
    """Load the compiled step (:mod:`netsim.sim.kernels_numba`).

    Raises
    ------
    NetsimError
        numba is not installed; ``asked``, how the user asked for it (``"--kernels numba"``),
        begins the message.
    """
    if importlib.util.find_spec("numba") is None:
        raise NetsimError(
            f"{asked}: numba is not installed (it comes with netsim: pip install netsim); "
            "or run the numpy kernels: NETSIM_KERNELS=numpy"
        )
    import netsim.sim.kernels_numba
    import netsim.sim.meeting_numba
    import netsim.sim.work_numba  # noqa: F401


def use(name: str) -> None:
    """Choose the kernels for this process and for the worker processes it starts later.

    Sets ``NETSIM_KERNELS``, which a local sweep's workers inherit (a dask cluster's workers
    need it in their own environment). Both give the same results; only speed differs.

    Examples
    --------
    >>> use("numpy"); backend()
    'numpy'
    """
    previous = os.environ.get(ENV)
    os.environ[ENV] = name
    try:
        backend()
    except NetsimError:
        if previous is None:
            del os.environ[ENV]
        else:
            os.environ[ENV] = previous
        raise


def pressure_step(
    p: np.ndarray,
    mu: np.ndarray,
    eps: np.ndarray,
    *,
    theta: float,
    sigma: float,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """One day of the mean-reverting AR(1) time pressure, clipped to [0, 1].

    ``p <- clip(p + theta * (mu - p) + sigma * eps, 0, 1)``, into ``out`` if given (not
    ``p``).

    Examples
    --------
    >>> pressure_step(np.array([0.5, 0.99]), np.array([0.5, 1.0]), np.array([0.0, 9.0]),
    ...               theta=0.1, sigma=0.1).tolist()
    [0.5, 1.0]
    """
    out = np.subtract(mu, p, out=out)
    out *= theta
    out += p
    out += sigma * eps
    np.maximum(out, 0.0, out=out)
    return np.minimum(out, 1.0, out=out)


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
    from scipy.special import expit  # here, not at start-up (netsim.sim.model loads it)

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
        Knowledge in [0, 1] of each slot's person on the network's topics (any value where
        not attending).
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
    kmax = np.where(a, k, 0.0).max(axis=1, keepdims=True)  # levels are >= 0
    # peer_sum[g, i, t] = sum over attending j of max(0, k_j - k_i) (the self-gap is zero),
    # one topic at a time so the (groups, slots, slots) gaps stay small.
    peer_sum = np.empty_like(k)
    present = attend[:, :, None].astype(k.dtype)
    for t in range(k.shape[2]):
        kt = np.ascontiguousarray(k[:, :, t])
        gap = kt[:, None, :] - kt[:, :, None]  # gap[g, i, j] = k_j - k_i
        np.maximum(gap, 0.0, out=gap)
        peer_sum[:, :, t] = np.matmul(gap, present)[:, :, 0]
    others = np.maximum(attend.sum(axis=1) - 1, 1)[:, None, None]
    lecture = efficiency * (1.0 - participation) * lecture_rate  # per unit of lecture gap
    peer = efficiency * participation * peer_rate / others  # per unit of peer_sum
    return np.where(a, lecture * (kmax - k) + peer * peer_sum, 0.0)


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


def draw_ties(
    rows: np.ndarray,
    u: np.ndarray,
    indptr: np.ndarray,
    w: np.ndarray,
    *,
    long_row: int,
) -> np.ndarray:
    """For each row of the tie matrix, one of its ties drawn in proportion to strength.

    Row ``i`` picks its ``k``-th tie (in the row's order) for the first ``k`` whose running
    sum of strengths exceeds ``u_i`` times the row's total: the inverse of the row's
    cumulative distribution, with the running sums added in the row's order, one tie after
    the other, exactly as a loop over the row would add them. Ties of strength zero are never
    drawn.

    Parameters
    ----------
    rows : ndarray of int
        Rows of the CSR tie matrix (people who would talk today), each with at least one
        tie (of any strength).
    u : ndarray of float in [0, 1)
        One uniform number per row.
    indptr, w : ndarray
        The CSR row pointers and tie strengths.
    long_row : int
        Rows with more ties than this are drawn in a second pass, so that the rest need not
        be padded to the length of the longest row.

    Returns
    -------
    ndarray of int
        Position in ``w`` of the drawn tie; -1 where all the row's ties have strength zero.

    Examples
    --------
    >>> indptr, w = np.array([0, 3, 4]), np.array([2.0, 0.0, 1.0, 0.0])
    >>> draw_ties(np.array([0, 0, 1]), np.array([0.5, 0.9, 0.5]), indptr, w,
    ...           long_row=8).tolist()
    [0, 2, -1]
    """
    start = indptr[rows]
    length = indptr[rows + 1] - start
    if rows.size == 0:
        return np.empty(0, dtype=np.int64)
    if rows.size * int(length.max()) <= _SMALL_TABLE:
        return _draw_in_rows(start, length, u, w)
    pos = np.empty(rows.size, dtype=np.int64)
    short = length <= long_row
    for part in (short, ~short):
        where = np.flatnonzero(part)
        # A few thousand rows at a time, so that the padded table stays in the cache.
        for chunk in np.array_split(where, -(-where.size // _CHUNK_ROWS)) if where.size else []:
            pos[chunk] = _draw_in_rows(start[chunk], length[chunk], u[chunk], w)
    return pos


#: Up to this many cells, padding every row to the longest costs less than splitting them.
_SMALL_TABLE = 1 << 16
#: Rows drawn together at most (the table of a long day at 45,000 employees).
_CHUNK_ROWS = 6000


class StartingTies:
    """Each row's running sums of one set of tie strengths (a run's starting ones), worked out
    once to draw ties (:func:`draw_ties`) many times over: a row whose strengths are still
    these draws by a search in its sums, and only the rows whose strengths moved are summed
    again.

    The sums are added in the row's order, one tie after the other, as :func:`draw_ties` adds
    them, so a draw is the same to the bit. Strengths are not negative.

    Examples
    --------
    >>> indptr, w0 = np.array([0, 3, 4]), np.array([2.0, 0.0, 1.0, 0.0])
    >>> ties = StartingTies(indptr, w0, long_row=8)
    >>> ties.draw(np.array([0, 0, 1]), np.array([0.5, 0.9, 0.5]), w0).tolist()
    [0, 2, -1]
    >>> w = np.array([0.0, 0.0, 1.0, 0.0])  # row 0 moved
    >>> ties.draw(np.array([0, 0, 1]), np.array([0.5, 0.9, 0.5]), w).tolist()
    [2, 2, -1]
    """

    def __init__(self, indptr: np.ndarray, w0: np.ndarray, *, long_row: int) -> None:
        self.indptr, self.w0, self.long_row = indptr, w0, long_row
        length = np.diff(indptr)
        self.row_of = np.repeat(np.arange(length.size), length)  # each tie's row
        sums = np.array(w0, dtype=float)
        # Tie k of every row with more than k ties, added to tie k - 1 (longest rows first).
        order = np.argsort(-length, kind="stable")
        first, longest = indptr[:-1][order], length[order]
        for k in range(1, int(longest[0]) if longest.size else 0):
            at = first[: np.count_nonzero(longest > k)] + k
            sums[at] += sums[at - 1]
        # (row, running sum) as one complex number: numpy orders complex numbers by their
        # real part, then their imaginary part, so a row's draw is one search of all rows'.
        self.keys = np.empty(sums.size, dtype=complex)
        self.keys.real, self.keys.imag = self.row_of, sums
        self.total = np.where(length > 0, sums[np.maximum(indptr[1:] - 1, 0)], 0.0)

    def draw(
        self, rows: np.ndarray, u: np.ndarray, w: np.ndarray, *, searched: np.ndarray | None = None
    ) -> np.ndarray:
        """``draw_ties(rows, u, indptr, w, long_row=long_row)``, to the bit, for strengths
        ``w`` on the same ties (the starting ones, or moved from them). ``searched``:
        ``search(rows, u)``, where the caller has it (it is the same for every ``w``)."""
        found = self.search(rows, u) if searched is None else searched
        if w is self.w0:
            return found
        moved = np.zeros(self.total.size, dtype=bool)
        moved[self.row_of[(w != self.w0).nonzero()[0]]] = True
        again = moved[rows].nonzero()[0]
        if not again.size:
            return found
        out = found.copy()
        out[again] = draw_ties(rows[again], u[again], self.indptr, w, long_row=self.long_row)
        return out

    def search(self, rows: np.ndarray, u: np.ndarray) -> np.ndarray:
        """The draws of ``rows`` with the starting strengths."""
        total = self.total[rows]
        at = np.empty(rows.size, dtype=complex)
        at.real, at.imag = rows, u * total
        # The first tie whose running sum exceeds u times the total ...
        pos = np.searchsorted(self.keys, at, side="right")
        # ... unless u * total rounded up to the total: the row's last tie of positive strength.
        edge = (pos >= self.indptr[rows + 1]).nonzero()[0]
        if edge.size:
            at.imag[edge] = total[edge]
            pos[edge] = np.searchsorted(self.keys, at[edge], side="left")
        return np.where(total > 0, pos, -1)


def _draw_in_rows(
    start: np.ndarray, length: np.ndarray, u: np.ndarray, w: np.ndarray
) -> np.ndarray:
    """:func:`draw_ties` for rows of positive length, padded to the longest of them."""
    # cum[k, r]: the k-th tie of row r. Past its end a column runs on into the following
    # rows' ties; they only add to the running sum, so a draw below the row's total never
    # reaches them.
    cum = w.take(start + np.arange(length.max())[:, None], mode="clip")
    if cum.shape[1] >= 128:  # many rows: add tie k to tie k - 1 for all rows at once
        for k in range(1, cum.shape[0]):
            cum[k] += cum[k - 1]
    else:
        np.cumsum(cum, axis=0, out=cum)
    total = cum[length - 1, np.arange(start.size)]
    k = (cum <= u * total).sum(axis=0)
    # u * total can round up to the total: then it is the row's last tie of positive strength.
    edge = np.flatnonzero(k >= length)
    if edge.size:
        k[edge] = (cum[:, edge] < total[edge]).sum(axis=0)
    return np.where(total > 0, start + k, -1)


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
    before = k.take(learners, axis=0)
    gain = k.take(sources, axis=0)
    gain -= before
    np.maximum(gain, 0.0, out=gain)
    gain *= share
    before += gain
    k[learners] = before
    return k
