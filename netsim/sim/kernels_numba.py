"""The daily diffusion step compiled with numba: the default kernels (the numpy ones are the
reference).

:func:`talk` does what one day of :func:`netsim.sim.model.day_process` does with the numpy
kernels (:func:`netsim.sim.model.who_talks`, :func:`netsim.sim.kernels.draw_ties` and
:func:`netsim.sim.kernels.diffuse`) in one loop over the employees, with the same arithmetic in
the same order, so both give bit-for-bit the same results (``tests/test_kernels_numba.py``).
numpy pays a fixed cost for each of the thirty-odd array operations of a day, and has to
gather every would-be talker's tie strengths into a padded table before it can add them up;
the loop adds them where they are. That matters most for small organisations run many times.
:func:`days` runs several days (pressure, then talking) in one call: what the model does
up to a meeting day or the week's end.

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

__all__ = ["days", "talk"]


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

# One signature each, compiled (or loaded from the cache) when this module is imported.
_SIGNATURE = (
    "int64(float64[::1], float64[::1], float64[::1], boolean[::1], float64, int64[::1],"
    " int32[::1], float64[::1], float64[:, ::1], float64)"
)


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
    n, topics = knowledge.shape
    would = np.empty(n + 1, dtype=np.int64)
    m = 0
    for i in range(n):  # without a branch: who would talk is random, a branch mispredicts
        would[m] = i
        m += (u_talk[i] < q * (1.0 - pressure[i])) & has_ties[i]
    learners = np.empty(m, dtype=np.int64)
    sources = np.empty(m, dtype=np.int64)
    running = np.empty(indptr.shape[0])  # a row's running sums (no row is longer)
    talked = 0
    for r in range(m):
        if r + _AHEAD < m:  # the row a few talkers on: its first 32 ties and their ids
            ahead = indptr[would[r + _AHEAD]]
            for line in range(4):
                _prefetch(w, ahead + 8 * line)
            _prefetch(indices, ahead)
            _prefetch(indices, ahead + 16)
        i = would[r]
        start, end = indptr[i], indptr[i + 1]
        total = 0.0
        for j in range(start, end):  # added in the row's order, as numpy's cumsum does
            total += w[j]
            running[j - start] = total
        if not total > 0.0:
            continue  # nobody talks over ties of strength zero
        # The first tie whose running sum exceeds u * total (the row's inverse CDF): strengths
        # are never negative, so the running sums never decrease and that tie's place is the
        # count of running sums at or below u * total (a count has no unpredictable exit) ...
        target = u_pick[i] * total
        length = end - start
        pick = 0
        for j in range(length):
            pick += running[j] <= target
        if pick >= length:  # ... or, where u * total rounded up to the total, the last
            pick = 0  # positive tie: the count of running sums below the total
            for j in range(length):
                pick += running[j] < total
        learners[talked] = i
        sources[talked] = indices[start + pick]
        talked += 1
    # Everybody learns from the knowledge as it was before anyone talked today. (Indexed
    # element by element: a row view, knowledge[i], is an object numba counts references to.)
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
    return talked


@numba.njit(
    "void(float64[::1], float64[::1], float64[:, ::1], int64[::1], float64[:, ::1], float64,"
    " float64, float64[:, :, ::1], boolean[::1], float64, int64[::1], int32[::1], float64[::1],"
    " float64[:, ::1], float64, float64[::1])",
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
    out: np.ndarray,
) -> None:
    """Several working days of the organisation, one after the other, into ``out``: each day
    :func:`netsim.sim.kernels.pressure_step` (towards ``mu`` plus the day's ``busy_raise`` of the
    employee's department, ``eps[d]`` the day's noise), then :func:`talk` under the new
    pressure (``u[d, 0]`` and ``u[d, 1]`` the day's numbers). ``out`` ends as the last day's
    pressure; ``knowledge`` is updated in place."""
    out[:] = p
    for d in range(eps.shape[0]):
        # netsim.sim.kernels.pressure_step, operation for operation, towards the day's level
        # (a busy period adds its raise to its department's; x + 0.0 is x).
        for i in range(out.shape[0]):
            level = mu[i] + busy_raise[d, department[i]]
            v = (level - out[i]) * theta
            v += out[i]
            v += sigma * eps[d, i]
            out[i] = min(max(v, 0.0), 1.0)
        talk(u[d, 0], u[d, 1], out, has_ties, q, indptr, indices, w, knowledge, share)
