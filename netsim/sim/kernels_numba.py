"""The daily diffusion step compiled with numba: the default kernels (the numpy ones are the
reference).

:func:`talk` does what one day of :func:`netsim.sim.model.day_process` does with the numpy
kernels (:func:`netsim.sim.daily.who_talks`, :func:`netsim.sim.kernels.draw_ties` and
:func:`netsim.sim.kernels.diffuse`) in one loop over the employees, with the same arithmetic in
the same order, so both give bit-for-bit the same results (``tests/test_kernels_numba.py``).
numpy pays a fixed cost for each of the thirty-odd array operations of a day, and has to
gather every would-be talker's tie strengths into a padded table before it can add them up;
the loop adds them where they are. That matters most for small organisations run many times.
:func:`days` runs several days (pressure, then talking) in one call: what the model does
up to a meeting day or the week's end; with the organisation without its networks
(:class:`netsim.sim.account.Shadow`) in the same pass, which shares the pressure, the
would-be talkers and each row's neighbour ids, and draws over its own strengths into its own
knowledge. :func:`relax_toward` is the weekly fading in one pass over memory.

It is the default; ``NETSIM_KERNELS=numpy`` (or ``kernels="numpy"``) runs the numpy
reference instead. The compiled code is cached next to this file: the first
process on a machine compiles it (a few seconds), later ones load it (about 0.35 s with
importing numba, once per process, when the backend is first asked for).
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["days", "pressures", "relax_toward", "talk", "talk_days", "week_end"]


def _prefetch_typer(typingctx: Any, array: Any, index: Any) -> Any:  # pragma: no cover
    """Ask the processor to start fetching ``array[index]``'s cache line (LLVM's prefetch, for
    reading, into all cache levels); returns at once. The step touches a few thousand rows
    scattered over megabytes; fetching the next rows while working on this one hides most of
    the time each would otherwise wait for memory."""
    sig = types.void(array, index)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary, [args[1]], wraparound=False)
        i8p, i32 = ir.IntType(8).as_pointer(), ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
        builder.call(fn, [builder.bitcast(ptr, i8p), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return sig, codegen


_prefetch: Any = intrinsic(_prefetch_typer)

#: How many talkers ahead the next rows are fetched.
_AHEAD = 8

# One signature each, compiled (or loaded from the cache) when this module is imported; the
# helpers they call are compiled into them.
_SIGNATURE = (
    "int64(float64[::1], float64[::1], float64[::1], boolean[::1], float64, int64[::1],"
    " int32[::1], float64[::1], float64[:, ::1], float64)"
)


@numba.njit(cache=True, nogil=True)
def _would_talk(  # pragma: no cover - compiled
    u_talk: np.ndarray, pressure: np.ndarray, has_ties: np.ndarray, q: float, would: np.ndarray
) -> int:
    """Into ``would``: who would talk today (``u_talk[i] < q * (1 - pressure[i])`` and a row
    of ties); returns how many."""
    m = 0
    for i in range(u_talk.shape[0]):  # no branch: who would talk is random, a branch mispredicts
        would[m] = i
        m += (u_talk[i] < q * (1.0 - pressure[i])) & has_ties[i]
    return m


@numba.njit(cache=True, nogil=True)
def _inverse_cdf(running: np.ndarray, length: int, target: float) -> int:  # pragma: no cover
    """The place in its row of the first tie whose running sum (``running[:length]``, the
    last being the row's positive total) exceeds ``target``.

    Strengths are never negative, so the running sums never decrease and that place is the
    count of running sums at or below the target (a count has no unpredictable exit); where
    ``u * total`` rounded up to the total, it is the last positive tie: the count of running
    sums below the total."""
    pick = 0
    for j in range(length):
        pick += running[j] <= target
    if pick >= length:
        total = running[length - 1]
        pick = 0
        for j in range(length):
            pick += running[j] < total
    return pick


@numba.njit(cache=True, nogil=True)
def _draw(  # pragma: no cover - compiled
    would: np.ndarray,
    m: int,
    u_pick: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    w: np.ndarray,
    learners: np.ndarray,
    sources: np.ndarray,
    w0: np.ndarray,
    learners0: np.ndarray,
    sources0: np.ndarray,
    shadow: bool,
) -> tuple[int, int]:
    """Each would-be talker's neighbour, drawn in proportion to tie strength over ``w`` and,
    with ``shadow``, with the same number over the starting strengths ``w0`` too (the row's
    ids fetched once for both). Returns how many talk in each."""
    running = np.empty(indptr.shape[0])  # a row's running sums (no row is longer)
    running0 = np.empty(indptr.shape[0] if shadow else 0)
    talked = talked0 = 0
    for r in range(m):
        if r + _AHEAD < m:  # the row a few talkers on: its first 32 ties and their ids
            ahead = indptr[would[r + _AHEAD]]
            for line in range(4):
                _prefetch(w, ahead + 8 * line)
            _prefetch(indices, ahead)
            _prefetch(indices, ahead + 16)
            if shadow:
                for line in range(4):
                    _prefetch(w0, ahead + 8 * line)
        i = would[r]
        start, end = indptr[i], indptr[i + 1]
        length = end - start
        total = 0.0
        for j in range(start, end):  # added in the row's order, as numpy's cumsum does
            total += w[j]
            running[j - start] = total
        if total > 0.0:  # nobody talks over ties of strength zero
            pick = _inverse_cdf(running, length, u_pick[i] * total)
            learners[talked] = i
            sources[talked] = indices[start + pick]
            talked += 1
        if shadow:
            total = 0.0
            for j in range(start, end):
                total += w0[j]
                running0[j - start] = total
            if total > 0.0:
                pick = _inverse_cdf(running0, length, u_pick[i] * total)
                learners0[talked0] = i
                sources0[talked0] = indices[start + pick]
                talked0 += 1
    return talked, talked0


@numba.njit(cache=True, nogil=True)
def _learn(  # pragma: no cover - compiled
    knowledge: np.ndarray, learners: np.ndarray, sources: np.ndarray, talked: int, share: float
) -> None:
    """Talkers close ``share`` of the positive gap to their neighbour on every topic, all from
    the knowledge as it was before anyone talked today."""
    n, topics = knowledge.shape
    # (Indexed element by element: a row view, knowledge[i], is an object numba counts
    # references to.)
    flat = knowledge.reshape(n * topics)  # the same memory, for fetching rows ahead
    gain = np.empty((talked, topics))
    for r in range(talked):
        if r + _AHEAD < talked:
            source_ahead, learner_ahead = sources[r + _AHEAD], learners[r + _AHEAD]
            for line in range(0, topics, 8):
                _prefetch(flat, source_ahead * topics + line)
                _prefetch(flat, learner_ahead * topics + line)
        source, learner = sources[r], learners[r]
        for t in range(topics):
            g = knowledge[source, t] - knowledge[learner, t]
            gain[r, t] = (g if g > 0.0 else 0.0) * share
    for r in range(talked):
        learner = learners[r]
        for t in range(topics):
            knowledge[learner, t] += gain[r, t]


@numba.njit(_SIGNATURE, cache=True, nogil=True)
def talk(  # pragma: no cover - compiled; tested against the numpy path
    u_talk: np.ndarray,
    u_pick: np.ndarray,
    pressure: np.ndarray,
    has_ties: np.ndarray,
    q: float,
    indptr: np.ndarray,
    indices: np.ndarray,
    w: np.ndarray,
    knowledge: np.ndarray,
    share: float,
) -> int:
    """One day's informal diffusion, in place on ``knowledge``; returns how many talked.

    Employee ``i`` talks when ``u_talk[i] < q * (1 - pressure[i])`` and their row of the tie
    matrix (``indptr``, ``indices``, ``w``) has a tie of positive strength; ``u_pick[i]``
    draws the neighbour in proportion to strength; talkers close ``share`` of the positive
    gap to their neighbour on every topic, from the knowledge as it was before the day.
    """
    n = knowledge.shape[0]
    would = np.empty(n + 1, dtype=np.int64)
    m = _would_talk(u_talk, pressure, has_ties, q, would)
    learners = np.empty(m, dtype=np.int64)
    sources = np.empty(m, dtype=np.int64)
    none = np.empty(0, dtype=np.int64)
    talked, _ = _draw(would, m, u_pick, indptr, indices, w, learners, sources, w, none, none, False)
    _learn(knowledge, learners, sources, talked, share)
    return talked


@numba.njit(
    "void(float64[::1], float64[::1], float64[:, ::1], int64[::1], float64[:, ::1], float64,"
    " float64, float64[:, :, ::1], boolean[::1], float64, int64[::1], int32[::1], float64[::1],"
    " float64[:, ::1], float64, float64[::1], float64[:, ::1], boolean, float64[::1])",
    cache=True,
    nogil=True,
)
def days(  # pragma: no cover - compiled; tested against the numpy path
    p: np.ndarray,
    mu: np.ndarray,
    busy_raise: np.ndarray,
    department: np.ndarray,
    eps: np.ndarray,
    theta: float,
    sigma: float,
    u: np.ndarray,
    has_ties: np.ndarray,
    q: float,
    indptr: np.ndarray,
    indices: np.ndarray,
    w: np.ndarray,
    knowledge: np.ndarray,
    share: float,
    w0: np.ndarray,
    knowledge_shadow: np.ndarray,
    shadow: bool,
    out: np.ndarray,
) -> None:
    """Several working days of the organisation, one after the other, into ``out``: each day
    :func:`netsim.sim.kernels.pressure_step` (towards ``mu`` plus the day's ``busy_raise`` of the
    employee's department, ``eps[d]`` the day's noise), then :func:`talk` under the new
    pressure (``u[d, 0]`` and ``u[d, 1]`` the day's numbers). ``out`` ends as the last day's
    pressure; ``knowledge`` is updated in place.

    With ``shadow``, the same days of the organisation without its networks
    (:class:`netsim.sim.account.Shadow`) in the same pass: the same pressure and the same
    would-be talkers (who would talk depends on pressure and the numbers, not on strengths),
    each drawing its neighbour with the same number over the starting strengths (``w0``) and
    learning from ``knowledge_shadow``.
    That is what running :func:`talk` on each does, with the shared work done once."""
    n = out.shape[0]
    would = np.empty(n + 1, dtype=np.int64)
    learners = np.empty(n, dtype=np.int64)
    sources = np.empty(n, dtype=np.int64)
    learners0 = np.empty(n if shadow else 0, dtype=np.int64)
    sources0 = np.empty(n if shadow else 0, dtype=np.int64)
    out[:] = p
    for d in range(eps.shape[0]):
        # netsim.sim.kernels.pressure_step, operation for operation, towards the day's level
        # (a busy period adds its raise to its department's; x + 0.0 is x).
        for i in range(n):
            level = mu[i] + busy_raise[d, department[i]]
            v = (level - out[i]) * theta
            v += out[i]
            v += sigma * eps[d, i]
            out[i] = min(max(v, 0.0), 1.0)
        m = _would_talk(u[d, 0], out, has_ties, q, would)
        talked, talked0 = _draw(
            would, m, u[d, 1], indptr, indices, w, learners, sources, w0, learners0,
            sources0, shadow,
        )  # fmt: skip
        _learn(knowledge, learners, sources, talked, share)
        if shadow:
            _learn(knowledge_shadow, learners0, sources0, talked0, share)


@numba.njit(
    "void(float64[::1], float64[::1], float64[:, ::1], int64[::1], float64[:, ::1], float64,"
    " float64, float64[:, ::1])",
    cache=True,
    nogil=True,
)
def pressures(  # pragma: no cover - compiled; tested against the numpy path
    p: np.ndarray,
    mu: np.ndarray,
    busy_raise: np.ndarray,
    department: np.ndarray,
    eps: np.ndarray,
    theta: float,
    sigma: float,
    out: np.ndarray,
) -> None:
    """Into ``out[d]``: each day's pressure as :func:`days` computes it, from ``p`` the day
    before the first."""
    for d in range(eps.shape[0]):
        for i in range(p.shape[0]):
            before = p[i] if d == 0 else out[d - 1, i]
            level = mu[i] + busy_raise[d, department[i]]
            v = (level - before) * theta
            v += before
            v += sigma * eps[d, i]
            out[d, i] = min(max(v, 0.0), 1.0)


@numba.njit(
    "void(float64[:, ::1], float64[:, :, ::1], boolean[::1], float64, int64[::1], int32[::1],"
    " float64[::1], float64[:, ::1], float64)",
    cache=True,
    nogil=True,
)
def talk_days(  # pragma: no cover - compiled; tested against the numpy path
    pressure: np.ndarray,
    u: np.ndarray,
    has_ties: np.ndarray,
    q: float,
    indptr: np.ndarray,
    indices: np.ndarray,
    w: np.ndarray,
    knowledge: np.ndarray,
    share: float,
) -> None:
    """:func:`talk` on each of several days (``pressure[d]``, ``u[d, 0]``, ``u[d, 1]``), in
    place on ``knowledge``: one organisation's part of :func:`days`, for running an
    organisation and its shadow on two threads."""
    n = knowledge.shape[0]
    would = np.empty(n + 1, dtype=np.int64)
    learners = np.empty(n, dtype=np.int64)
    sources = np.empty(n, dtype=np.int64)
    none = np.empty(0, dtype=np.int64)
    for d in range(pressure.shape[0]):
        m = _would_talk(u[d, 0], pressure[d], has_ties, q, would)
        talked, _ = _draw(
            would, m, u[d, 1], indptr, indices, w, learners, sources, w, none, none, False
        )
        _learn(knowledge, learners, sources, talked, share)


@numba.njit(cache=True, nogil=True)
def _relax(x: np.ndarray, base: np.ndarray, keep: float) -> None:  # pragma: no cover
    """:func:`relax_toward`'s loop (for the compiled callers)."""
    for i in range(x.shape[0]):
        v = x[i] - base[i]
        v *= keep
        x[i] = v + base[i]


@numba.njit(
    "void(float64[::1], float64[::1], float64, float64[::1], float64[::1], float64, float64[::1])",
    cache=True,
    nogil=True,
)
def week_end(  # pragma: no cover - compiled; tested against the numpy path
    w: np.ndarray,
    w0: np.ndarray,
    tie_keep: float,
    knowledge: np.ndarray,
    knowledge0: np.ndarray,
    forget_keep: float,
    shadow_knowledge: np.ndarray,
) -> None:
    """The week's end in one call: ties fade toward ``w0`` (``tie_keep``), knowledge and,
    unless it is empty, the shadow's knowledge toward ``knowledge0`` (``forget_keep``), each
    as :func:`relax_toward` (all flattened)."""
    _relax(w, w0, tie_keep)
    _relax(knowledge, knowledge0, forget_keep)
    if shadow_knowledge.shape[0]:
        _relax(shadow_knowledge, knowledge0, forget_keep)


@numba.njit("void(float64[::1], float64[::1], float64)", cache=True, nogil=True)
def relax_toward(x: np.ndarray, base: np.ndarray, keep: float) -> None:  # pragma: no cover
    """:func:`netsim.sim.kernels.relax_toward` in one pass over memory (numpy's makes three),
    operation for operation: ``x = (x - base) * keep + base``, in place (``x``, ``base``
    flattened)."""
    for i in range(x.shape[0]):
        v = x[i] - base[i]
        v *= keep
        x[i] = v + base[i]
