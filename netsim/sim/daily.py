"""The organisation's working day: time pressure, who talks to whom and what they learn, and
the week's fading, with the numpy kernels or compiled (:mod:`netsim.sim.kernels_numba`).

:func:`netsim.sim.model.day_process` calls these for runs of days (up to a meeting day or the
week's end). The organisation without its networks (:class:`netsim.sim.account.Shadow`)
talks on the same days with the same numbers over its starting ties: with numpy in the same
call (:func:`who_talks_all`), compiled in the same pass (:func:`days_compiled`; from
:data:`AHEAD_EMPLOYEES` employees on two threads). Every way gives the same result to the bit.
"""

from __future__ import annotations

import importlib
import itertools
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from netsim.sim import kernels
from netsim.sim.account import Shadow
from netsim.sim.state import State

__all__ = [
    "AHEAD_EMPLOYEES",
    "days_compiled",
    "pressure_days",
    "talk",
    "week_end_compiled",
    "who_talks",
    "who_talks_all",
]

#: From this many employees a run has a helper thread (``State.helper``, netsim.sim.model):
#: the shadow talks there while the organisation talks here, and the next week's numbers
#: are drawn there while a week is simulated.
AHEAD_EMPLOYEES = 10_000


def pressure_days(state: State, first: int, eps: np.ndarray) -> np.ndarray:
    """(days, N) time pressure on ``days = len(eps)`` working days from ``first`` on, each
    day's from the day before (``state.pressure`` is the day before ``first``'s); ``state``
    is not changed."""
    tp = state.scenario.time_pressure
    days = len(eps)
    out = np.empty((days, state.pressure.size))
    busy = state.busy[:, first : first + days]
    busy_days: list[bool] = np.asarray(busy.any(axis=0), dtype=bool).tolist()
    p = state.pressure
    for k in range(days):
        p = kernels.pressure_step(
            p,
            _mean_pressure(state, busy[:, k]) if busy_days[k] else state.mu,
            eps[k],
            theta=tp.reversion_per_day,
            sigma=tp.noise_sd_per_day,
            out=out[k],
        )
    return out


def _mean_pressure(state: State, busy: np.ndarray) -> np.ndarray:
    """(N,) the level each employee's pressure reverts to on a day when the departments
    ``busy`` have a busy period (which raises it)."""
    raise_ = state.scenario.time_pressure.busy_period_raise
    return state.mu + raise_ * busy[state.org.department]


def who_talks(
    state: State | Shadow,
    pressures: list[np.ndarray] | np.ndarray,
    u_talk: np.ndarray,
    u_pick: np.ndarray,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Who talks to whom on each of several days with the ties as they are now.

    Employee ``i`` talks on day ``k`` when ``u_talk[k, i] < q * (1 - pressures[k][i])`` and
    some tie of theirs has a positive strength; ``u_pick[k, i]`` draws the neighbour in
    proportion to tie strength. Returns, per day, the talkers and the neighbours they talk to.
    All days' draws are made in one call, so that a run of days costs little more than one.
    A run's state (and its shadow) draws through the running sums of the starting strengths
    (:class:`netsim.sim.kernels.StartingTies`); anything else with what is read here, by
    :func:`netsim.sim.kernels.draw_ties`: the same draws.
    """
    [talks] = who_talks_all([state], pressures, u_talk, u_pick)
    return talks


def who_talks_all(
    states: Sequence[State | Shadow],
    pressures: list[np.ndarray] | np.ndarray,
    u_talk: np.ndarray,
    u_pick: np.ndarray,
) -> list[list[tuple[np.ndarray, np.ndarray]]]:
    """:func:`who_talks` of each of ``states`` on the same days with the same numbers: an
    organisation and its shadow (:class:`netsim.sim.account.Shadow`), which share the tie
    structure and the pressure. Who would talk is worked out once, and so are the draws
    through the starting strengths, which are the same for both where their ties are."""
    first = states[0]
    q = first.scenario.diffusion.talk_prob_per_day
    days, n = np.shape(u_talk)
    # All days at once, in (day, employee) order: one array operation each, whatever the days.
    would = ((u_talk < q * (1.0 - np.asarray(pressures))) & first.has_ties).reshape(-1).nonzero()[0]
    day, rows = np.divmod(would, n)
    u = u_pick[day, rows]
    searched: tuple[kernels.StartingTies, np.ndarray] | None = None
    out = []
    for state in states:
        starting: kernels.StartingTies | None = getattr(state, "starting_ties", None)
        if starting is None:
            tie = kernels.draw_ties(rows, u, state.indptr, state.w, long_row=state.long_row)
        else:
            if searched is None or searched[0] is not starting:
                searched = (starting, starting.search(rows, u))
            tie = starting.draw(rows, u, state.w, searched=searched[1])
        silent = tie < 0  # nobody talks over ties of strength zero
        if silent.any():
            talks = (~silent).nonzero()[0]
            learners, sources, on = rows[talks], state.indices[tie[talks]], day[talks]
        else:
            learners, sources, on = rows, state.indices[tie], day
        cut = [0, *np.searchsorted(on, np.arange(1, days)).tolist(), on.size]
        out.append([(learners[a:b], sources[a:b]) for a, b in itertools.pairwise(cut)])
    return out


def talk(
    state: State, u_talk: np.ndarray, u_pick: np.ndarray, *, backend: str | None = None
) -> int:
    """One day's informal diffusion: who talks, to whom, and what they learn.

    Employee ``i`` talks when ``u_talk[i] < q * (1 - p_i)`` and some tie of theirs has a
    positive strength; ``u_pick[i]`` draws the neighbour in proportion to tie strength. All
    talkers learn from the knowledge as it was before anyone talked today. Returns how many
    talked. (:func:`netsim.sim.model.day_process` draws the talks of several days at once.)
    ``backend``: ``"numpy"`` or ``"numba"``, by default :func:`netsim.sim.kernels.backend`.
    """
    if (backend or kernels.backend()) == "numba":
        return _talk_compiled(state, u_talk, u_pick)
    [(learners, sources)] = who_talks(state, [state.pressure], u_talk[None], u_pick[None])
    kernels.diffuse(state.knowledge, learners, sources, state.scenario.diffusion.gap_share)
    return int(learners.size)


def days_compiled(
    state: State, first: int, eps: np.ndarray, u: np.ndarray, shadow: Shadow | None = None
) -> None:
    """Days ``first, first + 1, ...`` (``len(eps)`` of them) of pressure and talking with the
    compiled kernel: what :func:`pressure_days`, :func:`who_talks` and diffusing each day's
    talks do with numpy, with the same result; with ``shadow``, the organisation without its
    networks the same days in the same pass (its pressure is the organisation's)."""
    compiled = _kernels_numba()

    tp = state.scenario.time_pressure
    busy = np.ascontiguousarray(state.busy[:, first : first + len(eps)].T)  # (days, depts)
    if shadow is not None and state.org.n >= AHEAD_EMPLOYEES:
        # A large organisation and its shadow talk on two threads at once: given the days'
        # pressure they are independent (the kernels release the GIL), and each does what
        # the one pass does for it. The shadow's days go to the run's helper thread, after
        # what was given to it before (Shadow.later), and the run goes on without waiting
        # for them: nothing but the measurement of hours reads the shadow's knowledge, and
        # reading it waits.
        pressure = np.empty((len(eps), state.org.n))
        compiled.pressures(
            state.pressure, state.mu, np.where(busy, tp.busy_period_raise, 0.0),
            state.org.department, eps, tp.reversion_per_day, tp.noise_sd_per_day, pressure,
        )  # fmt: skip
        has_ties, q, indptr, indices, w, knowledge, share = _talk_arguments(state)
        w0 = shadow.w
        shadow.later(
            lambda alone: compiled.talk_days(
                pressure, u, has_ties, q, indptr, indices, w0, alone, share
            )
        )
        compiled.talk_days(pressure, u, has_ties, q, indptr, indices, w, knowledge, share)
        state.pressure = shadow.pressure = pressure[-1].copy()
        return
    out = np.empty_like(state.pressure)
    compiled.days(
        state.pressure,
        state.mu,
        np.where(busy, tp.busy_period_raise, 0.0),
        state.org.department,
        eps,
        tp.reversion_per_day,
        tp.noise_sd_per_day,
        u,
        *_talk_arguments(state),
        state.w if shadow is None else shadow.w,
        state.knowledge if shadow is None else shadow.knowledge,
        shadow is not None,
        out,
    )
    state.pressure = out
    if shadow is not None:
        shadow.pressure = out


def _kernels_numba() -> Any:
    """The compiled kernels (:mod:`netsim.sim.kernels_numba`; numba's types are partial),
    imported when first asked for."""
    return sys.modules.get(_KERNELS_NUMBA) or importlib.import_module(_KERNELS_NUMBA)


_KERNELS_NUMBA = "netsim.sim.kernels_numba"


def week_end_compiled(
    state: State, shadow: Shadow | None, tie_keep: float, forget_keep: float
) -> None:
    """The week's fading (ties toward their start, knowledge and the shadow's toward the
    working level) compiled, in one call (:func:`netsim.sim.kernels_numba.week_end`): the same
    result to the bit as :func:`netsim.sim.kernels.relax_toward` on each."""
    compiled = _kernels_numba()

    knowledge0 = state.knowledge0.reshape(-1)
    if shadow is not None and state.org.n >= AHEAD_EMPLOYEES:
        # The shadow's days are on the helper thread (days_compiled): its fading follows them
        # there.
        compiled.week_end(
            state.w, state.w0, tie_keep, state.knowledge.reshape(-1), knowledge0, forget_keep,
            _NO_SHADOW,
        )  # fmt: skip
        shadow.later(
            lambda alone: compiled.relax_toward(alone.reshape(-1), knowledge0, forget_keep)
        )
        return
    compiled.week_end(
        state.w, state.w0, tie_keep, state.knowledge.reshape(-1), knowledge0,
        forget_keep, _NO_SHADOW if shadow is None else shadow.knowledge.reshape(-1),
    )  # fmt: skip


#: The compiled week's end's stand-in for no shadow.
_NO_SHADOW = np.empty(0)


def _talk_compiled(state: State, u_talk: np.ndarray, u_pick: np.ndarray) -> int:
    """:func:`talk` with the compiled kernel (:mod:`netsim.sim.kernels_numba`)."""
    compiled = _kernels_numba()

    return int(compiled.talk(u_talk, u_pick, state.pressure, *_talk_arguments(state)))


def _talk_arguments(state: State | Shadow) -> tuple[Any, ...]:
    """The compiled talking step's arguments after the day's numbers and pressure."""
    dif = state.scenario.diffusion
    return (
        state.has_ties,
        dif.talk_prob_per_day,
        state.indptr,
        state.indices,
        state.w,
        state.knowledge,
        dif.gap_share,
    )
