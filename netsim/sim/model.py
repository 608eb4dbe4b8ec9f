"""The SimPy model: one daily process for the organisation, one process per network.

Processes are plain generator functions taking ``env`` first (SimPy's habit). All
per-employee work is done by the kernels over whole arrays; a network's process handles all
its groups in one step. Within a working day ``d`` the order is fixed: the organisation's day
at ``d`` (pressure, informal diffusion, and at the week's end tie decay, forgetting and the
weekly record), scheduled changes at ``d + 0.25``, meetings at ``d + 0.5``
(:mod:`netsim.sim.meeting`), the sponsor's reviews at ``d + 0.6`` (:mod:`netsim.sim.review`),
recruitment at ``d + 0.75``.

Which kernels run the daily step (numpy or the compiled one) is decided once, when a run
starts (:func:`run`'s ``kernels``), passed down to :func:`day_process` and recorded on the
result.
"""

from __future__ import annotations

import bisect
import contextvars
import itertools
import math
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import scipy.special  # noqa: F401  (kernels.attendance_probability's, loaded before a run)
import simpy

from netsim.scenario.load import with_graph
from netsim.scenario.overrides import replace_validated
from netsim.scenario.schema import Scenario
from netsim.sim import daily, kernels
from netsim.sim.account import Shadow
from netsim.sim.meeting import MEETING_OFFSET, meeting_days, run_meeting
from netsim.sim.metrics import Recorder
from netsim.sim.org import Org, build_organisation
from netsim.sim.result import RunResult
from netsim.sim.review import review_process
from netsim.sim.rng import Streams
from netsim.sim.state import Batch, State, build_state, personal_mean

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "Run",
    "day_process",
    "meeting_days",
    "network_process",
    "recruitment_process",
    "run",
    "schedule_process",
    "sharing",
    "simulate",
    "summarise",
]

SCHEDULE_OFFSET = 0.25
RECRUITMENT_OFFSET = 0.75


def day_process(env: simpy.Environment, state: State, rec: Recorder, *, backend: str):
    """The organisation's working days: time pressure, informal diffusion; weekly: tie decay,
    forgetting and the weekly record. ``backend``: the kernels of the daily step,
    ``"numpy"`` or ``"numba"`` (:func:`netsim.sim.kernels.backend`).

    Nothing else in the model reads or changes pressure, knowledge or ties between two
    meeting days (or scheduled changes), and within a week the tie strengths change only at
    meetings. So the days from one such event to the next (within a week) are simulated
    together, as one SimPy step at the first of them: with numpy, the talks of all those
    days are drawn in one vectorised call (who talks to whom depends on the ties and each
    day's pressure, not on what was learnt) and each day's are then applied to the knowledge
    as it is that day; with the compiled step, in one call, which also advances the
    organisation without its networks (:mod:`netsim.sim.account`). A meeting on day ``d``
    (at ``d + 0.5``) sees the state after day ``d``, as it would if each day were a step of
    its own, and the results are the same to the bit. The days' random numbers come from
    ``_week_numbers``.
    """
    sc = state.scenario
    per_week = sc.simulation.days_per_week
    weeks_per_year = sc.simulation.days_per_year / per_week
    p_rng, d_rng = state.streams.pressure, state.streams.diffusion
    n, horizon = state.org.n, sc.horizon_days
    # Days after which the ties or the day's parameters may change: meeting days (ties form
    # at d + 0.5) and scheduled changes (applied at d + 0.25).
    changes = sorted(
        {d for b in state.batches for d in meeting_days(b, sc)}
        | {round(c.at_week * per_week) for c in sc.schedule}
        | {horizon}
    )
    fast = backend == "numba"
    account = state.account
    measure_every = sc.work.value_every_weeks
    account.measure(state, 0, backend=backend)
    weeks = _week_numbers(p_rng, d_rng, n, per_week, horizon, state.helper)
    day = 0
    while day < horizon:
        if day % per_week == 0:
            eps_week, u_week = next(weeks)
        week_end = day - day % per_week + per_week
        end = min(week_end, changes[bisect.bisect_left(changes, day)] + 1, horizon)
        sc = state.scenario  # a scheduled change may have replaced it
        k = slice(day % per_week, day % per_week + end - day)
        # The organisation without its networks talks on the same days with the same numbers
        # over its starting ties (netsim.sim.account): the exact counterfactual.
        shadow = account.shadow
        if fast:  # pressure, who talks to whom and what they learn, day by day, compiled
            daily.days_compiled(state, day, eps_week[k], u_week[k], shadow)
        else:
            pressures = daily.pressure_days(state, day, eps_week[k])
            gap = sc.diffusion.gap_share
            both: list[State | Shadow] = [state] if shadow is None else [state, shadow]
            talks = daily.who_talks_all(both, pressures, u_week[k, 0], u_week[k, 1])
            for org, days in zip(both, talks, strict=True):
                for learners, sources in days:
                    kernels.diffuse(org.knowledge, learners, sources, gap)
            state.pressure = pressures[-1].copy()
        if end == week_end:
            tie_keep = 1.0 - sc.diffusion.tie_decay_per_week
            forget_keep = float(np.exp(-sc.learning.forgetting_per_year / weeks_per_year))
            if fast:  # the three in one pass, compiled
                daily.week_end_compiled(state, shadow, tie_keep, forget_keep)
            else:
                kernels.relax_toward(state.w, state.w0, tie_keep)
                kernels.relax_toward(state.knowledge, state.knowledge0, forget_keep)
                if shadow is not None:
                    kernels.relax_toward(shadow.knowledge, state.knowledge0, forget_keep)
            rec.week(state, end - 1)
            if (end // per_week) % measure_every == 0 and end < horizon:
                account.measure(state, end, backend=backend)
        if end == horizon:
            account.measure(state, end, backend=backend)
        yield env.timeout(end - day)
        day = end


def _week_numbers(
    p_rng: np.random.Generator,
    d_rng: np.random.Generator,
    n: int,
    per_week: int,
    horizon: int,
    ahead: ThreadPoolExecutor | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Each week's random numbers of the daily step: ``(eps, u)``, ``(days, n)`` N(0, 1) from
    ``p_rng`` and ``(days, 2, n)`` uniform from ``d_rng`` (talk numbers for everybody, then
    neighbour numbers). With ``ahead`` (the run's helper thread, ``State.helper``), each
    week's are drawn there while the week before is simulated.

    They come a week at a time: the same numbers in the same order as drawing each day's,
    drawn in full whatever the state. So a run that starts from the same generator states
    with the same size and calendar draws the same numbers; within :func:`sharing` the
    first such run keeps them and the others replay them (and leave the generators where
    drawing would have)."""
    memo = _SHARED.get()
    size = horizon * 3 * n * 8
    weeks = [min(per_week, horizon - day) for day in range(0, horizon, per_week)]

    def arrays(days: int) -> tuple[np.ndarray, np.ndarray]:
        return np.empty((days, n)), np.empty((days, 2, n))

    def draw(eps: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return p_rng.standard_normal(out=eps), d_rng.random(out=u)

    if memo is None or size > _SHARED_BYTES:
        if ahead is None or not weeks:
            yield from (draw(*arrays(days)) for days in weeks)
            return
        # A large organisation's next week is drawn on the run's helper thread while this
        # one is simulated (numpy draws without the GIL): the same generator, the same
        # order, so the same numbers. The shadow's steps take their turns on the same
        # thread, after the draws given before them.
        # (The arrays are made here: memory a helper thread allocates stays in its own heap.)
        coming = ahead.submit(draw, *arrays(weeks[0]))
        for k in range(len(weeks)):
            week = coming.result()
            if k + 1 < len(weeks):
                coming = ahead.submit(draw, *arrays(weeks[k + 1]))
            yield week
        return
    gens = (p_rng.bit_generator, d_rng.bit_generator)
    key = (repr(gens[0].state), repr(gens[1].state), n, per_week, horizon)
    # Only the latest run's are kept. The daily step only reads them (both kernels), so a
    # replay gives the numbers drawn.
    if memo.get("draws", (None,))[0] == key:
        drawn, ends = memo["draws"][1]
        for gen, end in zip(gens, ends, strict=True):
            gen.state = end
        yield from drawn
        return
    # The first run draws each week's when it comes to it (while they are in the caches),
    # and keeps them; the others may replay them once it has drawn them all.
    memo.pop("draws", None)
    kept: list[tuple[np.ndarray, np.ndarray]] = []
    for days in weeks:
        kept.append(draw(*arrays(days)))
        if len(kept) == len(weeks):  # all drawn (a run asks for no week after its last)
            memo["draws"] = (key, (kept, [g.state for g in gens]))
        yield kept[-1]


#: What :func:`sharing` keeps of one run's random numbers at most (bytes): two years of
#: 2,000 employees take 21 MB; a large organisation's are drawn week by week as always.
_SHARED_BYTES = 64 << 20
_SHARED: contextvars.ContextVar[dict[Any, Any] | None] = contextvars.ContextVar(
    "netsim_sharing", default=None
)


@contextmanager
def sharing(kept: dict[Any, Any] | None = None) -> Iterator[None]:
    """Within this block, runs that start alike share what they would compute alike.

    Paired replications (the same seed, scenarios with the same organisation: common random
    numbers) build the same organisation and draw the same daily random numbers, whatever
    their networks. Inside the block the first run of such a group builds and draws them and
    the others reuse them: the same organisation object (nothing in a run changes it) and
    the same numbers, so every result is the same to the bit as without the block. Runs that
    also share every setting but the networks and the evaluation share the organisation
    without its networks too: the first keeps its measurements, the others replay them
    instead of carrying it (:class:`netsim.sim.account.Account`'s ``record`` and
    ``replay``). Only the latest organisation and numbers
    are kept (at most ``_SHARED_BYTES`` of numbers), so runs
    of one group must follow each other; all is released when the block ends. The
    replication runner runs each worker's group of paired tasks in one block
    (:func:`netsim.study.runner.run_group`). ``kept``: a dict that carries what is kept
    from one block to the next, for a caller that must leave the block between runs (a
    generator that yields each result).

    Examples
    --------
    >>> from netsim.scenario.load import parse_scenario
    >>> sc = parse_scenario({"organisation": {"employees": 200}, "networks": {"leaders": {
    ...     "purpose": "leader_forum", "select": {"roles": ["leader"]},
    ...     "enrollment": "automatic"}}})
    >>> with sharing():
    ...     a = summarise(sc, seed=3, years=0.2)
    ...     b = summarise(sc, seed=3, years=0.2)
    >>> alone = summarise(sc, seed=3, years=0.2)
    >>> all(a[k] == b[k] == alone[k] or a[k] != a[k] for k in alone)  # equal, or NaN
    True
    """
    token = _SHARED.set({} if kept is None else kept)
    try:
        yield
    finally:
        _SHARED.reset(token)


def _organisation(scenario: Scenario, streams: Streams) -> Org:
    """The run's organisation, built from its ``organisation`` stream; within
    :func:`sharing`, the one already built from the same seed and specification."""
    memo = _SHARED.get()
    if memo is None:
        return build_organisation(scenario.organisation, rng=streams.organisation)
    # The files or graph an organisation came from are not in its dump: their digest is.
    roster = scenario.organisation.roster
    key = (streams.seed, scenario.organisation.model_dump_json(), roster and roster.digest)
    if memo.get("org", (None,))[0] != key:  # only the latest is kept
        memo["org"] = (key, build_organisation(scenario.organisation, rng=streams.organisation))
    org: Org = memo["org"][1]
    return org


def network_process(
    env: simpy.Environment, state: State, batch: Batch, rec: Recorder, *, backend: str
):
    """One designed network (all its groups): wait for each meeting day and hold it."""
    for day in meeting_days(batch, state.scenario):
        yield env.timeout(day + MEETING_OFFSET - env.now)
        run_meeting(state, batch, day, rec, backend=backend)


def recruitment_process(env: simpy.Environment, state: State, batch: Batch):
    """A voluntary network admits candidates whose expectation passed the join threshold.

    Runs between meetings (midway), so what was heard after one meeting can bring new
    members to the next.
    """
    days = meeting_days(batch, state.scenario)
    threshold = state.scenario.attendance.join_threshold
    for a, b in itertools.pairwise(days):
        yield env.timeout((a + b) // 2 + RECRUITMENT_OFFSET - env.now)
        join = batch.slot & ~batch.member & ~batch.left & (batch.vhat > threshold)
        join &= ~batch.closed[:, None]
        batch.obligation[join] = state.scenario.attendance.obligation.voluntary
        batch.member |= join
        batch.ever |= join


def schedule_process(env: simpy.Environment, state: State):
    """Apply the scenario's scheduled changes at the start of their weeks."""
    per_week = state.scenario.simulation.days_per_week
    for change in sorted(state.scenario.schedule, key=lambda c: c.at_week):
        day = round(change.at_week * per_week)
        yield env.timeout(day + SCHEDULE_OFFSET - env.now)
        apply_change(state, change.set)


def apply_change(state: State, values: dict[str, Any]) -> None:
    """Replace the scenario by one with ``values`` set, and carry it into the run's state."""
    new = replace_validated(state.scenario, values)
    state.scenario = new
    state.mu = personal_mean(new, state.org, state.mu_offset)
    for batch in state.batches:
        old, spec = batch.spec, new.networks[batch.name]
        batch.spec = spec
        if spec.participation != old.participation:
            batch.participation[:] = spec.participation
        if spec.facilitation != old.facilitation:
            batch.facilitated[:] = spec.facilitation == "professional"


def simulate(
    scenario: Scenario,
    seed: int | None = None,
    *,
    years: float | None = None,
    trace: bool = False,
    org: Org | None = None,
    kernels: str | None = None,
    graph: nx.Graph | None = None,
) -> RunResult:
    """Run one replication of a scenario.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (:func:`netsim.load_scenario`).
    seed : int, optional
        Defaults to ``scenario.simulation.seed``. The same scenario and seed give identical
        results; two scenarios with the same organisation and seed share the organisation and
        the time-pressure trajectories (common random numbers).
    years : float, optional
        Overrides the scenario's horizon.
    trace : bool
        Also record ``attendance``: one row per invited member per meeting, with the inputs
        of their decision (pressure, expectation, obligation, room) and what they gained.
    org : Org, optional
        Use this organisation instead of generating one from ``scenario.organisation``
        (whose department names and specialties it must share).
    kernels : {"numpy", "numba"}, optional
        The daily step's kernels; both give the same results to the bit. By default
        ``$NETSIM_KERNELS`` (or :func:`netsim.sim.kernels.use`'s choice), read once when the
        run starts. Recorded as ``result.kernels``.
    graph : networkx.Graph, optional
        Take the organisation's people and all its informal ties from this graph: a
        shortcut for ``simulate(netsim.with_graph(scenario, graph), ...)``, which see (node
        attributes ``department``, ``unit``, ``role``, optional ``specialty``; edge
        attribute ``strength``). Not with ``org``.

    Returns
    -------
    RunResult
        ``summary`` (dict), ``meetings``, ``weekly`` and ``employees`` (DataFrames), and the
        tie graphs at the start and the end (``result.graph("start")``, ``result.graph()``).

    Examples
    --------
    >>> from netsim.scenario.load import parse_scenario
    >>> sc = parse_scenario({"organisation": {"employees": 200}, "networks": {"leaders": {
    ...     "purpose": "leader_forum", "select": {"roles": ["leader"]},
    ...     "enrollment": "automatic"}}})
    >>> r = simulate(sc, seed=3, years=0.5)
    >>> r.summary["meetings_held"] + r.summary["meetings_cancelled"] == len(r.meetings)
    True
    """
    if graph is not None:
        if org is not None:
            raise ValueError("give org or graph, not both")
        scenario = with_graph(scenario, graph)
    return run(scenario, seed, years=years, trace=trace, org=org, kernels=kernels).result


class Run(NamedTuple):
    """A finished run: its result, the state it ended in, how many SimPy events it took, and
    where the time went (building the organisation and state; simulating and recording)."""

    result: RunResult
    state: State
    events: int
    build_seconds: float
    run_seconds: float


def run(
    scenario: Scenario,
    seed: int | None = None,
    *,
    years: float | None = None,
    trace: bool = False,
    org: Org | None = None,
    kernels: str | None = None,
) -> Run:
    """:func:`simulate`, also returning the final state (knowledge, ties, groups) and the
    number of SimPy events processed; for tests and benchmarks."""
    # Resolved before the clock starts: loading the compiled step is a one-off cost, like an
    # import, and a bad choice fails here, before any work.
    backend = _backend(kernels)
    start = time.perf_counter()
    scenario, seed, state, rec, events, built = _execute(
        scenario, seed, years, trace, org, backend=backend
    )
    result = rec.result(state, scenario, seed=seed, kernels=backend)
    return Run(result, state, events, built - start, time.perf_counter() - built)


def summarise(
    scenario: Scenario,
    seed: int | None = None,
    *,
    years: float | None = None,
    org: Org | None = None,
    kernels: str | None = None,
) -> dict[str, Any]:
    """One replication's summary alone: ``simulate(...).summary``, without building the
    result's tables, which a comparison or a sweep does not keep. ``kernels`` as in
    :func:`simulate`.

    Examples
    --------
    >>> from netsim.scenario.load import parse_scenario
    >>> sc = parse_scenario({"organisation": {"employees": 200}, "networks": {"leaders": {
    ...     "purpose": "leader_forum", "select": {"roles": ["leader"]},
    ...     "enrollment": "automatic"}}})
    >>> summarise(sc, seed=3, years=0.5) == simulate(sc, seed=3, years=0.5).summary
    True
    """
    backend = _backend(kernels)
    scenario, seed, state, rec, _, _ = _execute(
        scenario, seed, years, False, org, backend=backend, weekly=False
    )
    return rec.summary(state, scenario, seed=seed)


def _backend(name: str | None) -> str:
    """The run's kernels: ``name``, or the process's default (:func:`kernels.backend`)."""
    return kernels.backend(name)


def _execute(
    scenario: Scenario,
    seed: int | None,
    years: float | None,
    trace: bool,
    org: Org | None,
    *,
    backend: str,
    weekly: bool = True,
) -> tuple[Scenario, int, State, Recorder, int, float]:
    """Build and run with the kernels ``backend`` (resolved); returns the run's scenario and
    seed, the final state, the recorder, the number of SimPy events and when building ended
    (``time.perf_counter``). ``weekly=False`` skips the weekly observations, which only the
    result's tables use."""
    if years is not None:
        scenario = scenario.model_copy(
            update={"simulation": scenario.simulation.model_copy(update={"years": years})}
        )
    seed = scenario.simulation.seed if seed is None else int(seed)
    # The result's scenario carries the seed used, so its scenario.toml reruns the same run.
    scenario = scenario.model_copy(
        update={"simulation": scenario.simulation.model_copy(update={"seed": seed})}
    )
    streams = Streams(seed)
    shadow_key = None
    if org is None:
        org = _organisation(scenario, streams)
        shadow_key = _shadow_key(scenario, seed, backend)
    state = build_state(scenario, org, streams)
    state.kernels = backend
    if shadow_key is not None:
        _share_shadow(state, shadow_key)
    built = time.perf_counter()
    rec = Recorder(state, trace=trace, weekly=weekly)
    env = simpy.Environment()
    env.process(day_process(env, state, rec, backend=backend))
    if scenario.schedule:
        env.process(schedule_process(env, state))
    for batch in state.batches:
        env.process(network_process(env, state, batch, rec, backend=backend))
        if batch.spec.enrollment == "voluntary":
            env.process(recruitment_process(env, state, batch))
        if scenario.evaluation is not None or any(
            k.startswith("evaluation.") for c in scenario.schedule for k in c.set
        ):
            env.process(review_process(env, state, batch, rec))
    events = 0
    if org.n >= daily.AHEAD_EMPLOYEES:
        state.helper = ThreadPoolExecutor(1, thread_name_prefix="netsim-helper")
    try:
        while env.peek() < math.inf:
            env.step()
            events += 1
        if state.account.shadow is not None:
            state.account.shadow.settle()  # its steps on the helper thread (daily.days_compiled)
    finally:
        if state.account.shadow is not None:
            state.account.shadow.close()
        if state.helper is not None:
            state.helper.shutdown(wait=True)
            state.helper = None
    if shadow_key is not None and state.account.record is not None:
        memo = _SHARED.get()
        if memo is not None:  # complete: the runs that follow may replay it
            memo["shadow"] = (shadow_key, state.account.record)
    return scenario, seed, state, rec, events, built


def _shadow_key(scenario: Scenario, seed: int, backend: str) -> tuple[Any, ...] | None:
    """What the organisation without networks' run depends on, within :func:`sharing`
    (``None`` outside it): the organisation, the seed and every setting but the networks and
    the sponsor's evaluation (which only the run with networks reads).

    Nothing a network does changes anyone's pressure or the random numbers of the daily step
    (:mod:`netsim.sim.account`), and a tie entry of strength zero (the structure a network's
    groups add) is never drawn and never saves an hour, so runs with this key carry the same
    shadow, to the bit, whatever their networks."""
    memo = _SHARED.get()
    if memo is None:
        return None
    rest = scenario.model_dump_json(exclude={"name", "description", "networks", "evaluation"})
    return (memo["org"][0], seed, rest, backend)


def _share_shadow(state: State, key: tuple[Any, ...]) -> None:
    """Within :func:`sharing`, replay the measurements of the organisation without networks
    that an earlier run with ``key`` kept (the run carries no shadow), or keep this run's for
    the runs that follow (up to ``_SHARED_BYTES``)."""
    memo = _SHARED.get()
    assert memo is not None
    account = state.account
    if memo.get("shadow", (None,))[0] == key:
        account.replay = memo["shadow"][1]
        return
    sc = state.scenario
    per_week = sc.simulation.days_per_week
    measures = sc.horizon_days // (per_week * sc.work.value_every_weeks) + 2
    if measures * account.mix_topic.size * 8 <= _SHARED_BYTES:
        account.record = {}
