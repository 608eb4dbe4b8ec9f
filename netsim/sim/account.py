"""The hours the networks save: both accounts, against the same organisation without them.

The counterfactual is exact. Nothing a network does changes anyone's time pressure, and the
daily random numbers are drawn in full whatever the state, so the organisation *without* its
networks is the same run with the tie strengths of its start (``State.w0``: no meeting ever
strengthened a tie) and knowledge that only informal talk and forgetting change. The
:class:`Shadow` is that run, carried beside the real one from the first meeting on (until
then the two are the same): each day its talks are drawn with the same numbers over the
starting ties and applied to its own knowledge, exactly what a run of the same scenario
without networks (common random numbers) does.

Every ``work.value_every_weeks`` weeks the :class:`Account` measures each employee's hours a
working day on problems (:mod:`netsim.sim.work`) in both runs; the difference, integrated over
the working days (trapezoid rule), is what the networks saved each employee so far: on all
their topics (the participant's account) and on the sponsored networks' topics only (the
sponsor's account: what the organisation asked its networks for).
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import numpy as np

from netsim.scenario.schema import Scenario
from netsim.sim.org import Org
from netsim.sim.rng import Streams
from netsim.sim.work import (
    ProblemPlan,
    daily_hours,
    planned_problem_hours,
    problem_plan,
    topic_mix,
)

if TYPE_CHECKING:
    from netsim.sim.kernels import StartingTies
    from netsim.sim.state import Batch, State

__all__ = ["Account", "Shadow", "build_account"]


class Shadow:
    """The organisation without its networks: what the daily step reads of a state, with the
    starting tie strengths and knowledge of its own. Pressure, busy periods and parameters
    are the real run's (nothing a network does changes them).

    Nothing of the run with networks reads the shadow's knowledge but the measurement of
    hours, so a large organisation's compiled step hands the shadow's days (and its week's
    fading) to the run's helper thread (:meth:`later`), in order, and goes on with the run
    meanwhile; reading :attr:`knowledge` waits until they are done. Each step does what
    it did, in the same order, so the results are the same to the bit."""

    def __init__(self, state: State) -> None:
        self._state = state
        self._knowledge = state.knowledge.copy()
        self.pressure = state.pressure
        # The same tie structure (zero-strength entries never talk), at the starting strengths.
        self.w = state.w0
        self.indptr, self.indices = state.indptr, state.indices
        self.has_ties, self.long_row = state.has_ties, state.long_row
        self._thread: ThreadPoolExecutor | None = None
        self._pending: list[Future[Any]] = []

    @property
    def knowledge(self) -> np.ndarray:
        """The shadow's knowledge, once every step handed to its thread is done."""
        self.settle()
        return self._knowledge

    def later(self, step: Callable[[np.ndarray], Any]) -> None:
        """Run ``step(knowledge)`` on a thread of its own, after the steps given before it;
        this thread goes on meanwhile. The thread is the run's helper (``State.helper``)
        where it has one, so that the next week's random numbers, drawn there too, take
        their turn instead of a third thread's; otherwise one of the shadow's own."""
        if self._thread is None:
            self._thread = self._state.helper or ThreadPoolExecutor(
                1, thread_name_prefix="netsim-shadow"
            )
        self._pending.append(self._thread.submit(step, self._knowledge))

    @property
    def has_thread(self) -> bool:
        """Whether steps were handed to a thread (:meth:`later`)."""
        return self._thread is not None

    def settle(self) -> None:
        """Wait for the steps handed to the shadow's thread (raising the first one's error)."""
        pending, self._pending = self._pending, []
        for done in pending:
            done.result()

    def close(self) -> None:
        """Let the shadow's thread end (after its steps): the run is over. (The run's helper
        is the run's to end.)"""
        if self._thread is not None:
            if self._thread is not self._state.helper:
                self._thread.shutdown(wait=True)
            else:
                self.settle()
            self._thread = None

    @property
    def scenario(self) -> Scenario:
        return self._state.scenario

    @property
    def mu(self) -> np.ndarray:
        return self._state.mu

    @property
    def busy(self) -> np.ndarray:
        return self._state.busy

    @property
    def org(self) -> Org:
        return self._state.org

    @property
    def starting_ties(self) -> StartingTies:
        return self._state.starting_ties


class _Now(NamedTuple):
    """What a measurement reads of a state, as it is when the measurement is asked for."""

    scenario: Scenario
    mu: np.ndarray
    org: Org
    indptr: np.ndarray
    indices: np.ndarray
    knowledge: np.ndarray


@dataclass(eq=False)
class Account:
    """Each employee's problem mix, and the hours problems took and the networks saved."""

    mix_topic: np.ndarray  # (N, M) problem topics
    mix_weight: np.ndarray  # (N, M) their shares
    goal_weight: np.ndarray  # (N, M) the shares on the sponsored networks' topics
    rate: np.ndarray  # (N,) problems a working day
    spent: np.ndarray  # (N,) hours spent on problems so far
    saved: np.ndarray  # (N,) hours the networks saved so far, all topics
    saved_goal: np.ndarray  # (N,) hours saved so far, the sponsor's topics
    shadow: Shadow | None = None  # None until the first meeting: the two runs are the same
    last_day: int = -1  # the day of the last measurement; -1: none yet
    last: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # (N,) hours a day then
    # The organisation without networks' hours per problem (:meth:`per_problem`) by day of
    # measurement: kept here when ``record`` is a dict; taken from ``replay`` instead of
    # carrying a shadow, when a run of the same organisation, numbers and parameters (all but
    # the networks) has kept them (netsim.sim.model.sharing): the shadow is the same run.
    record: dict[int, np.ndarray] | None = None
    replay: dict[int, np.ndarray] | None = None
    # ``1 - mu`` (each employee's availability) and the ``mu`` it was worked out from: a
    # scheduled change replaces ``State.mu``, never changes it in place.
    _available: tuple[np.ndarray, np.ndarray] | None = None
    # Where the numpy measurement of everybody reads (netsim.sim.work.problem_plan), worked
    # out at the first.
    everybody: ProblemPlan | None = None

    def available(self, state: State) -> np.ndarray:
        """(N,) ``1 - mu``: the share of their time each employee can give a colleague."""
        if self._available is None or self._available[0] is not state.mu:
            self._available = (state.mu, 1.0 - state.mu)
        return self._available[1]

    def start_shadow(self, state: State) -> None:
        """Begin carrying the organisation without networks (at the first meeting), unless
        its measurements are replayed."""
        if self.shadow is None and self.replay is None:
            self.shadow = Shadow(state)

    def measure(self, state: State, day: int, *, backend: str) -> None:
        """Measure hours a working day on problems (with and without the networks) as they
        are after working day ``day - 1``, and add up the hours since the last measurement
        (the trapezoid rule over working days).

        Where the shadow steps on a thread of its own (:meth:`Shadow.later`), its
        measurement and the adding up follow its steps there, in order: the run goes on
        meanwhile, and reading the shadow's knowledge waits for them (as the run's end
        does)."""
        actual = self.per_problem(state, state.knowledge, state.w, backend=backend)
        rows = np.arange(state.org.n)
        real = self.hours_a_day(state, actual, rows, backend)
        shadow = self.shadow
        if shadow is not None and self.replay is None and shadow.has_thread:
            alone_now = self._alone(state, shadow.w, rows, backend)
            shadow.later(lambda knowledge: self._add_up(day, real, *alone_now(knowledge)))
            return
        if self.replay is not None:
            without = self.replay[day]
        elif shadow is None:
            without = actual
        else:
            without = self.per_problem(state, shadow.knowledge, shadow.w, backend=backend)
        alone = real if without is actual else self.hours_a_day(state, without, rows, backend)
        self._add_up(day, real, without, alone)

    def _alone(
        self, state: State, w: np.ndarray, rows: np.ndarray, backend: str
    ) -> Callable[[np.ndarray], tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]]:
        """The measurement of the shadow with its knowledge (the argument) and strengths
        ``w``, with the parameters and availability as they are now (a scheduled change
        replaces the scenario and ``mu``, never changes them in place)."""
        now = cast("State", _Now(state.scenario, state.mu, state.org, state.indptr,
                                 state.indices, state.knowledge))  # fmt: skip

        def alone(knowledge: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
            without = self.per_problem(now, knowledge, w, backend=backend)
            return without, self.hours_a_day(now, without, rows, backend)

        return alone

    def _add_up(
        self,
        day: int,
        real: tuple[np.ndarray, np.ndarray],
        without: np.ndarray,
        alone: tuple[np.ndarray, np.ndarray],
    ) -> None:
        """Keep the shadow's measurement (``record``) and add the hours since the last
        measurement to the totals."""
        if self.record is not None:
            self.record[day] = without
        spent = real[0]
        now = (spent, alone[0] - spent, alone[1] - real[1])
        if self.last is not None:
            half = 0.5 * (day - self.last_day)
            for total, before, after in zip(
                (self.spent, self.saved, self.saved_goal), self.last, now, strict=True
            ):
                total += half * (before + after)
        self.last_day, self.last = day, now

    def per_problem(
        self,
        state: State,
        knowledge: np.ndarray,
        w: np.ndarray,
        *,
        rows: np.ndarray | None = None,
        backend: str,
        plan: ProblemPlan | None = None,
    ) -> np.ndarray:
        """Expected hours a problem takes each of ``rows`` (all by default), per topic of their
        mix, with this knowledge and these tie strengths (:func:`netsim.sim.work.problem_hours`,
        compiled with ``backend="numba"``: the same to the bit; for an exponent other than 2,
        where numpy's and numba's pow need not round alike, always numpy's). ``plan``: where
        numpy reads for ``rows`` (:meth:`plan`), for a caller that measures them again."""
        work = state.scenario.work
        params = (work.solve_hours_max, work.solve_hours_min, work.solve_exponent)
        available = self.available(state)
        if self.compiled(state, backend):
            compiled = _work_numba()
            todo = np.arange(state.org.n) if rows is None else np.asarray(rows, dtype=np.intp)
            return in_halves(
                lambda part: compiled.problem_hours(
                    knowledge,
                    self.mix_topic,
                    self.mix_weight,
                    state.indptr,
                    state.indices,
                    w,
                    available,
                    *params,
                    work.ask_hours,
                    todo[part],
                ),
                todo.size,
            )
        solve = {"h_max": params[0], "h_min": params[1], "gamma": params[2]}
        if plan is None and (state.org.n if rows is None else len(rows)) >= KEPT_PLAN_ROWS:
            # Many rows: a plan of a part of them at a time, not kept (a whole one of 45,000
            # employees takes over 100 MB). Each row's result depends on its row only.
            todo = np.arange(state.org.n) if rows is None else np.asarray(rows, dtype=np.intp)
            return np.concatenate(
                [
                    planned_problem_hours(
                        self.plan(state, todo[start : start + PLAN_PART_ROWS]),
                        knowledge,
                        w,
                        available,
                        **solve,
                        ask_hours=work.ask_hours,
                    )
                    for start in range(0, todo.size, PLAN_PART_ROWS)
                ]
            )
        return planned_problem_hours(
            self.plan(state, rows) if plan is None else plan, knowledge, w, available,
            **solve, ask_hours=work.ask_hours,
        )  # fmt: skip

    def plan(self, state: State, rows: np.ndarray | None = None) -> ProblemPlan:
        """Where the numpy measurement of ``rows`` (all by default) reads
        (:func:`netsim.sim.work.problem_plan`); everybody's is worked out once."""
        if rows is None and self.everybody is not None:
            return self.everybody
        plan = problem_plan(
            self.mix_topic, self.mix_weight, state.indptr, state.indices,
            state.knowledge.shape[1], rows=rows,
        )  # fmt: skip
        if rows is None:
            self.everybody = plan
        return plan

    def hours_a_day(
        self, state: State, per_problem: np.ndarray, rows: np.ndarray, backend: str
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each of ``rows``'s hours a working day on problems (``per_problem``, one row each,
        from :meth:`per_problem`): on all their topics, and on the sponsor's
        (:func:`netsim.sim.work.daily_hours`; compiled with ``backend="numba"``, the same to
        the bit)."""
        if backend == "numba":
            both = _work_numba().hours_a_day(
                np.ascontiguousarray(per_problem), self.mix_weight, self.goal_weight, self.rate,
                np.asarray(rows, dtype=np.intp),
            )  # fmt: skip
            return both[:, 0], both[:, 1]
        rate = self.rate[rows]
        return (
            daily_hours(per_problem, self.mix_weight[rows], rate),
            daily_hours(per_problem, self.goal_weight[rows], rate),
        )

    def compiled(self, state: State, backend: str) -> bool:
        """Whether the problem hours are worked out by the compiled twin: with
        ``backend="numba"`` and the default exponent, 2 (pow need not round alike in numpy
        and numba)."""
        return backend == "numba" and state.scenario.work.solve_exponent == 2.0

    def per_problem_kept(self, state: State, rows: np.ndarray, best: np.ndarray) -> np.ndarray:
        """:meth:`per_problem` of the real run for ``rows``, compiled, keeping each entry's
        best saving through a tie in ``best`` for :meth:`per_problem_since`."""
        compiled = _work_numba()
        rows = np.asarray(rows, dtype=np.intp)
        return in_halves(
            lambda part: compiled.problem_hours_kept(
                *self._arguments(state, rows[part]), best[part]
            ),
            rows.size,
        )

    def per_problem_since(
        self,
        state: State,
        rows: np.ndarray,
        best: np.ndarray,
        changed: np.ndarray,
        grown: np.ndarray,
    ) -> np.ndarray:
        """:meth:`per_problem` of the real run for ``rows`` again, compiled, when since
        :meth:`per_problem_kept` (which kept ``best``) only knowledge on the topics
        ``changed`` and the strengths of the ties at ``grown`` (their positions, per row;
        -1: none) changed, and those only grew
        (:func:`netsim.sim.work_numba.problem_hours_since`: the same to the bit)."""
        compiled = _work_numba()
        rows = np.asarray(rows, dtype=np.intp)
        return in_halves(
            lambda part: compiled.problem_hours_since(
                *self._arguments(state, rows[part]), best[part], changed, grown[part]
            ),
            rows.size,
        )

    def _arguments(self, state: State, rows: np.ndarray) -> tuple[Any, ...]:
        work = state.scenario.work
        return (
            state.knowledge, self.mix_topic, self.mix_weight, state.indptr, state.indices,
            state.w, self.available(state),
            work.solve_hours_max, work.solve_hours_min, work.solve_exponent, work.ask_hours,
            np.asarray(rows, dtype=np.intp),
        )  # fmt: skip


def _work_numba() -> Any:
    """The compiled problem hours (:mod:`netsim.sim.work_numba`; numba's types are partial)."""
    return sys.modules.get(_WORK_NUMBA) or importlib.import_module(_WORK_NUMBA)


_WORK_NUMBA = "netsim.sim.work_numba"

#: Rows from which a compiled measurement is split between two threads (the kernels release
#: the GIL): at 45,000 employees a measurement takes milliseconds, far more than a thread's
#: start; a small organisation's never is.
PARALLEL_ROWS = 4096
#: From this many rows, the numpy measurement reads through a plan of
#: :data:`PLAN_PART_ROWS` rows at a time, made anew each time, instead of one plan of them all
#: kept for the run (netsim.sim.work.problem_plan): its memory grows with rows times ties.
KEPT_PLAN_ROWS = 10_000
PLAN_PART_ROWS = 4096


def in_halves(measure: Callable[[slice], np.ndarray], rows: int) -> np.ndarray:
    """``measure(slice(0, rows))``, as two halves measured at once on two threads when the
    rows are many (:data:`PARALLEL_ROWS`), joined in order. Each row's result depends on
    that row alone, so it is the same to the bit."""
    if rows < PARALLEL_ROWS:
        return measure(slice(0, rows))
    half = rows // 2
    first: list[Any] = [None, None]

    def run() -> None:
        try:
            first[0] = measure(slice(0, half))
        except BaseException as exc:  # raised again in the calling thread
            first[1] = exc

    helper = threading.Thread(target=run, name="netsim-measure", daemon=True)
    helper.start()
    second = measure(slice(half, rows))
    helper.join()
    if first[1] is not None:
        raise first[1]
    return np.concatenate([first[0], second])


def build_account(
    scenario: Scenario,
    org: Org,
    streams: Streams,
    batches: list[Batch],
) -> Account:
    """Each employee's problems: their mix of topics (with one partner department, drawn
    from the ``work`` stream, whose practice their cross-department cases need), the rate,
    and which topics are the sponsor's (those of its sponsored networks)."""
    n, n_depts = org.n, len(org.department_names)
    rng = streams.get("work")
    partner = (org.department + rng.integers(1, max(n_depts, 2), n)) % max(n_depts, 1)
    work = scenario.work
    shares = np.asarray(work.mix.as_array())
    topic, weight = topic_mix(
        org.role, org.specialty, org.department, partner, shares,
        n_specialties=len(org.specialties),
    )  # fmt: skip
    goal = np.zeros(len(org.topics), dtype=bool)
    for batch in batches:
        if batch.spec.kind == "sponsored":
            goal[batch.topics] = True
    # Each person's load: a log-normal multiplier of median 1 (drawn after the partners).
    rate = work.problems_per_day * np.exp(work.problems_sd * rng.standard_normal(n))
    return Account(
        mix_topic=topic,
        mix_weight=weight,
        goal_weight=weight * goal[topic],
        rate=rate,
        spent=np.zeros(n),
        saved=np.zeros(n),
        saved_goal=np.zeros(n),
    )
