"""The SimPy model: one daily process for the organisation, one process per network.

Processes are plain generator functions taking ``env`` first (SimPy's habit). All
per-employee work is done by the kernels over whole arrays; a network's process handles all
its groups in one step. Within a working day ``d`` the order is fixed: the organisation's day
at ``d`` (pressure, informal diffusion, and at the week's end tie decay, forgetting and the
weekly record), meetings at ``d + 0.5``, recruitment at ``d + 0.75``.
"""

from __future__ import annotations

import bisect
import importlib
import itertools
import math
import time
from typing import Any, NamedTuple

import numpy as np
import simpy

from netsim.scenario.overrides import replace_validated
from netsim.scenario.schema import Evaluation, Scenario
from netsim.sim import kernels
from netsim.sim.metrics import MeetingOutcome, Recorder
from netsim.sim.org import Org, build_organisation
from netsim.sim.result import RunResult
from netsim.sim.rng import Streams
from netsim.sim.state import Batch, State, build_state, personal_mean

__all__ = [
    "Run",
    "day_process",
    "network_process",
    "pressure_days",
    "recruitment_process",
    "review_process",
    "run",
    "run_meeting",
    "schedule_process",
    "simulate",
    "summarise",
    "talk",
    "who_talks",
]

SCHEDULE_OFFSET = 0.25
MEETING_OFFSET = 0.5
REVIEW_OFFSET = 0.6
RECRUITMENT_OFFSET = 0.75
#: Groups of one network whose meeting is computed together (see :func:`run_meeting`).
MEETING_BLOCK = 256


def day_process(env: simpy.Environment, state: State, rec: Recorder):
    """The organisation's working days: time pressure, informal diffusion; weekly: tie decay,
    forgetting and the weekly record.

    Nothing else in the model reads or changes pressure, knowledge or ties between two
    meeting days (or scheduled changes), and within a week the tie strengths change only at
    meetings. So the days from one such event to the next (within a week) are simulated
    together, as one SimPy step at the first of them: with numpy, the talks of all those
    days are drawn in one vectorised call (who talks to whom depends on the ties and each
    day's pressure, not on what was learnt) and each day's are then applied to the knowledge
    as it is that day; with the compiled step, in one call. A meeting on day ``d`` (at
    ``d + 0.5``) sees the state after day ``d``, as it would if each day were a step of its
    own, and the results are the same to the bit.
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
    fast = kernels.backend() == "numba"
    day = 0
    while day < horizon:
        # The random numbers come a week at a time: the same numbers in the same order as
        # drawing each day's (one N(0, 1) per employee; uniform talk numbers for everybody,
        # then uniform neighbour numbers), drawn in full whatever the state.
        if day % per_week == 0:
            eps_week = p_rng.standard_normal((min(per_week, horizon - day), n))
            u_week = d_rng.random((min(per_week, horizon - day), 2, n))
        week_end = day - day % per_week + per_week
        end = min(week_end, changes[bisect.bisect_left(changes, day)] + 1, horizon)
        sc = state.scenario  # a scheduled change may have replaced it
        k = slice(day % per_week, day % per_week + end - day)
        if fast:  # pressure, who talks to whom and what they learn, day by day, compiled
            _days_compiled(state, day, eps_week[k], u_week[k])
        else:
            pressures = pressure_days(state, day, eps_week[k])
            for learners, sources in who_talks(state, pressures, u_week[k, 0], u_week[k, 1]):
                kernels.diffuse(state.knowledge, learners, sources, sc.diffusion.gap_share)
            state.pressure = pressures[-1]
        if end == week_end:
            kernels.relax_toward(state.w, state.w0, 1.0 - sc.diffusion.tie_decay_per_week)
            forget_keep = float(np.exp(-sc.learning.forgetting_per_year / weeks_per_year))
            kernels.relax_toward(state.knowledge, state.knowledge0, forget_keep)
            rec.week(state, end - 1)
        yield env.timeout(end - day)
        day = end


def pressure_days(state: State, first: int, eps: np.ndarray) -> list[np.ndarray]:
    """Time pressure on ``len(eps)`` working days from ``first`` on, each day's from the day
    before (``state.pressure`` is the day before ``first``'s); ``state`` is not changed."""
    tp = state.scenario.time_pressure
    p, out = state.pressure, []
    for k in range(len(eps)):
        p = kernels.pressure_step(
            p,
            _mean_pressure(state, first + k),
            eps[k],
            theta=tp.reversion_per_day,
            sigma=tp.noise_sd_per_day,
        )
        out.append(p)
    return out


def _mean_pressure(state: State, day: int) -> np.ndarray:
    """(N,) the level each employee's pressure reverts to on ``day`` (busy periods raise it)."""
    busy = state.busy[:, day]
    if not busy.any():
        return state.mu
    raise_ = state.scenario.time_pressure.busy_period_raise
    return state.mu + raise_ * busy[state.org.department]


def who_talks(
    state: State,
    pressures: list[np.ndarray] | np.ndarray,
    u_talk: np.ndarray,
    u_pick: np.ndarray,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Who talks to whom on each of several days with the ties as they are now.

    Employee ``i`` talks on day ``k`` when ``u_talk[k, i] < q * (1 - pressures[k][i])`` and
    some tie of theirs has a positive strength; ``u_pick[k, i]`` draws the neighbour in
    proportion to tie strength. Returns, per day, the talkers and the neighbours they talk to.
    All days' draws are made in one call, so that a run of days costs little more than one.
    """
    q = state.scenario.diffusion.talk_prob_per_day
    days = len(u_talk)
    # All days at once, in (day, employee) order: one array operation each, whatever the days.
    day, rows = np.nonzero((u_talk < q * (1.0 - np.asarray(pressures))) & state.has_ties)
    tie = kernels.draw_ties(rows, u_pick[day, rows], state.indptr, state.w, long_row=state.long_row)
    talks = tie >= 0  # nobody talks over ties of strength zero
    learners, sources = rows[talks], state.indices[tie[talks]]
    cut = np.searchsorted(day[talks], np.arange(1, days))
    return list(zip(np.split(learners, cut), np.split(sources, cut), strict=True))


def talk(
    state: State, u_talk: np.ndarray, u_pick: np.ndarray, *, backend: str | None = None
) -> int:
    """One day's informal diffusion: who talks, to whom, and what they learn.

    Employee ``i`` talks when ``u_talk[i] < q * (1 - p_i)`` and some tie of theirs has a
    positive strength; ``u_pick[i]`` draws the neighbour in proportion to tie strength. All
    talkers learn from the knowledge as it was before anyone talked today. Returns how many
    talked. (:func:`day_process` draws the talks of several days at once.) ``backend``:
    ``"numpy"`` or ``"numba"``, by default :func:`netsim.sim.kernels.backend`.
    """
    if (backend or kernels.backend()) == "numba":
        return _talk_compiled(state, u_talk, u_pick)
    [(learners, sources)] = who_talks(state, [state.pressure], u_talk[None], u_pick[None])
    kernels.diffuse(state.knowledge, learners, sources, state.scenario.diffusion.gap_share)
    return int(learners.size)


def _days_compiled(state: State, first: int, eps: np.ndarray, u: np.ndarray) -> None:
    """Days ``first, first + 1, ...`` (``len(eps)`` of them) of pressure and talking with the
    compiled kernel: what :func:`pressure_days`, :func:`who_talks` and diffusing each day's
    talks do with numpy, with the same result."""
    compiled: Any = importlib.import_module("netsim.sim.kernels_numba")  # numba's types are partial

    tp = state.scenario.time_pressure
    busy = np.ascontiguousarray(state.busy[:, first : first + len(eps)].T)  # (days, depts)
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
        out,
    )
    state.pressure = out


def _talk_compiled(state: State, u_talk: np.ndarray, u_pick: np.ndarray) -> int:
    """:func:`talk` with the compiled kernel (:mod:`netsim.sim.kernels_numba`)."""
    compiled: Any = importlib.import_module("netsim.sim.kernels_numba")  # numba's types are partial

    return int(compiled.talk(u_talk, u_pick, state.pressure, *_talk_arguments(state)))


def _talk_arguments(state: State) -> tuple[Any, ...]:
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


def meeting_days(batch: Batch, sc: Scenario) -> list[int]:
    """The working days on which a network meets."""
    per_week = sc.simulation.days_per_week
    start = batch.spec.start_week * per_week
    end = sc.horizon_days
    if batch.spec.end_week is not None:
        end = min(end, round(batch.spec.end_week * per_week))
    step = batch.spec.interval_weeks * per_week
    days, k = [], 0
    while (d := round(start + k * step)) < end:
        days.append(d)
        k += 1
    return days


def network_process(env: simpy.Environment, state: State, batch: Batch, rec: Recorder):
    """One designed network (all its groups): wait for each meeting day and hold it."""
    for day in meeting_days(batch, state.scenario):
        yield env.timeout(day + MEETING_OFFSET - env.now)
        run_meeting(state, batch, day, rec)


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


def review_process(env: simpy.Environment, state: State, batch: Batch, rec: Recorder):
    """The sponsor's evaluation of one network's groups, every ``every_meetings`` meetings."""
    for day in meeting_days(batch, state.scenario):
        yield env.timeout(day + REVIEW_OFFSET - env.now)
        ev = state.scenario.evaluation
        if ev is None or not batch.spec.reviewed or batch.spec.kind != "sponsored":
            continue
        if batch.meetings_since_review >= ev.every_meetings:
            review(state, batch, day, ev, rec)


def _decide(value: np.ndarray, transformed: np.ndarray, ev: Evaluation) -> np.ndarray:
    """0 continue, 1 transform, 2 close: the policy applied to a value per hour."""
    out = np.where(value < ev.close_below, CLOSE, CONTINUE)
    if ev.transform_below is not None:
        out = np.where(
            (out == CONTINUE) & (value < ev.transform_below) & ~transformed, TRANSFORM, out
        )
    return out


CONTINUE, TRANSFORM, CLOSE = 0, 1, 2  # indices into netsim.sim.metrics.DECISIONS


def review(state: State, batch: Batch, day: int, ev: Evaluation, rec: Recorder) -> None:
    """Measure each reviewed group's sponsor value per hour (with noise) and act on it.

    The decision the sponsor would take on the true value is recorded beside the one it
    takes on the measured value: a group closed though the true decision was not to close is
    a false closure, one kept though it should have been closed a false keep.
    """
    true = np.where(
        batch.window_hours > 0, batch.window_value / np.maximum(batch.window_hours, 1e-300), 0.0
    )
    # One draw per group, reviewed or not, keeps the stream aligned across designs.
    z = state.streams.measurement.standard_normal(batch.groups)
    sd = ev.measurement_noise
    measured = true * np.exp(sd * z - sd * sd / 2)  # log-normal, unbiased in the mean
    reviewed = ~batch.closed & (batch.window_meetings > 0)
    correct = _decide(true, batch.transformed, ev)
    decision = _decide(measured, batch.transformed, ev)
    close = reviewed & (decision == CLOSE)
    transform = reviewed & (decision == TRANSFORM)
    batch.closed |= close
    batch.participation[transform] = ev.transform_participation
    batch.facilitated[transform] = True
    batch.transformed |= transform
    rec.review(batch, day, reviewed, true, measured, decision, correct)
    batch.window_value[reviewed] = 0.0
    batch.window_hours[reviewed] = 0.0
    batch.window_meetings[reviewed] = 0
    batch.meetings_since_review = 0


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
        # A relaunched network announces its new goal: expectations move with the prior.
        att = new.attendance
        shift = att.prior_value_per_clarity * (spec.goal_clarity - old.goal_clarity)
        batch.vhat = np.where(batch.slot, np.maximum(batch.vhat + shift, 0.0), 0.0)


def run_meeting(state: State, batch: Batch, day: int, rec: Recorder) -> None:
    """Hold one meeting of every open group of a network.

    Decides attendance, cancels groups below quorum, applies learning, tie formation and
    value, updates expectations (attendees by experience, the others by hearsay), fades
    obligation, lets members leave, and records one row per group.
    """
    sc, spec = state.scenario, batch.spec
    att_cfg, lrn = sc.attendance, sc.learning
    hours_day = spec.hours_per_attendee() / sc.simulation.hours_per_day
    invited = batch.member & ~batch.closed[:, None]
    p = state.pressure[batch.idx]
    logit = (
        att_cfg.intercept
        + att_cfg.value_weight * batch.vhat
        + att_cfg.obligation_weight * batch.obligation
        + att_cfg.room_weight * batch.room[:, None]
        - att_cfg.pressure_weight * p
        - att_cfg.hours_weight * hours_day
    )
    prob = np.where(
        invited, kernels.attendance_probability(logit, p, overload=sc.time_pressure.overload), 0.0
    )
    before = (batch.vhat.copy(), batch.obligation.copy(), batch.room.copy())
    came = state.streams.attendance.random(prob.shape) < prob
    n_inv = invited.sum(axis=1)
    n_came = came.sum(axis=1)
    held = (n_came >= spec.quorum) & (n_inv > 0)
    att = came & held[:, None]

    g, s = batch.idx.shape
    u = np.zeros((g, s))
    know_gain = np.zeros((g, s))
    bridge_gain = np.zeros((g, s))
    cross_gain = np.zeros((g, s))
    # The groups that met, a few hundred at a time: a person is in one group of a network, so
    # the groups are independent and the results the same, while the temporaries (a row per
    # attendee and slot) stay small however many groups a network has.
    held_groups = np.flatnonzero(held)
    for start in range(0, held_groups.size, MEETING_BLOCK):
        hg = held_groups[start : start + MEETING_BLOCK]
        ids, a = batch.idx[hg], att[hg]
        k = state.knowledge[ids[:, :, None], batch.topics]
        part = batch.participation[hg]
        gain = kernels.meeting_learning(
            k,
            a,
            batch.efficiency(lrn)[hg][:, None, None],
            part[:, None, None],
            lecture_rate=lrn.lecture_rate,
            peer_rate=lrn.peer_rate,
        )
        state.knowledge[ids[a][:, None], batch.topics] = k[a] + gain[a]
        know_gain[hg] = gain.mean(axis=2)

        # Each attendee's row of their group: their ties to everybody else in it.
        ag, ai = np.nonzero(a)  # attendee: (row of hg, slot)
        g_of = hg[ag]
        pos = batch.pair_pos[g_of, ai]  # (attendees, slots): -1 for oneself, empty slots
        w_before = state.w[pos]
        together = a[ag] & (pos >= 0)
        rate = lrn.tie_rate * (lrn.lecture_tie_share + (1 - lrn.lecture_tie_share) * part)
        inc = kernels.tie_increment(w_before, together, rate[ag][:, None])
        # Listeners: candidates who were not in the room (and have not left).
        listen = batch.slot[hg] & ~a & ~batch.left[hg]
        lg, li = np.nonzero(listen)
        heard_pos = batch.pair_pos[hg[lg], li]
        heard_from = np.where(a[lg] & (heard_pos >= 0), state.w[heard_pos], 0.0)  # before
        state.w[pos[together]] = (w_before + inc)[together]
        bridge_gain[g_of, ai] = (inc * batch.new_cross[g_of, ai]).sum(axis=1)
        cross_gain[g_of, ai] = (inc * batch.cross[g_of, ai]).sum(axis=1)

        support = 0.0
        if batch.isolated[hg].any():
            spec_ = batch.specialty[g_of]
            peers = np.zeros((hg.size, s))
            peers[ag, ai] = ((spec_ == spec_[np.arange(ai.size), ai][:, None]) & together).sum(1)
            support = (
                lrn.support_value * np.minimum(1.0, peers / lrn.support_peers) * batch.isolated[hg]
            )
        u[hg] = np.where(
            a,
            lrn.value_per_knowledge * know_gain[hg]
            + lrn.value_per_tie * batch.career[hg] * cross_gain[hg]
            + support,
            0.0,
        )
        # Hearsay: candidates not in the room hear through their ties to those who were.
        mean_u = u[hg].sum(axis=1) / np.maximum(a.sum(axis=1), 1)
        heard = np.zeros((hg.size, s))
        heard[lg, li] = np.minimum(1.0, heard_from.sum(axis=1))
        step = att_cfg.value_learning_rate * att_cfg.hearsay_weight * heard * listen
        batch.vhat[hg] += step * (mean_u[:, None] - batch.vhat[hg])

    # Experience: those who came learn what it was worth (nothing, if it was cancelled).
    eta = att_cfg.value_learning_rate
    batch.vhat = np.where(came, (1 - eta) * batch.vhat + eta * u, batch.vhat)
    batch.room = np.where(n_inv > 0, n_came / np.maximum(n_inv, 1), batch.room)
    batch.obligation *= att_cfg.obligation_fade_per_meeting
    if batch.can_leave:
        low = invited & (batch.vhat < att_cfg.leave_threshold)
        batch.low = np.where(low, batch.low + 1, 0)
        leave = batch.low >= att_cfg.leave_after_meetings
        batch.member &= ~leave
        batch.left |= leave

    per_person = spec.hours_per_attendee()
    state.hours[batch.idx[att]] += per_person
    state.cost_dkk[batch.idx[att]] += per_person * batch.wage[att]
    state.attended[batch.idx[att]] += 1
    state.invited[batch.idx[invited]] += 1
    rec.meeting(
        state,
        batch,
        MeetingOutcome(
            day=day,
            invited=invited,
            pressure=p,
            probability=prob,
            vhat_before=before[0],
            obligation_before=before[1],
            room_before=before[2],
            came=came,
            held=held,
            attended=att,
            value=u,
            knowledge_gain=know_gain,
            bridging_gain=bridge_gain,
            cross_tie_gain=cross_gain,
        ),
    )
    # What the sponsor's next review will (try to) measure.
    batch.window_hours += att.sum(axis=1) * per_person
    batch.window_value += (
        lrn.sponsor_value_per_knowledge * spec.goal_clarity * (know_gain * att).sum(axis=1)
    )
    batch.window_meetings += invited.any(axis=1)
    batch.meetings_since_review += 1


def simulate(
    scenario: Scenario,
    seed: int | None = None,
    *,
    years: float | None = None,
    trace: bool = False,
    org: Org | None = None,
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

    Returns
    -------
    RunResult
        ``summary`` (dict), ``meetings``, ``weekly`` and ``employees`` (DataFrames).

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
    return run(scenario, seed, years=years, trace=trace, org=org).result


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
) -> Run:
    """:func:`simulate`, also returning the final state (knowledge, ties, groups) and the
    number of SimPy events processed; for tests and benchmarks."""
    kernels.backend()  # loads the compiled step if asked for: a one-off cost, like an import
    start = time.perf_counter()
    scenario, seed, state, rec, events, built = _execute(scenario, seed, years, trace, org)
    result = rec.result(state, scenario, seed=seed)
    return Run(result, state, events, built - start, time.perf_counter() - built)


def summarise(
    scenario: Scenario,
    seed: int | None = None,
    *,
    years: float | None = None,
    org: Org | None = None,
) -> dict[str, Any]:
    """One replication's summary alone: ``simulate(...).summary``, without building the
    result's tables, which a comparison or a sweep does not keep.

    Examples
    --------
    >>> from netsim.scenario.load import parse_scenario
    >>> sc = parse_scenario({"organisation": {"employees": 200}, "networks": {"leaders": {
    ...     "purpose": "leader_forum", "select": {"roles": ["leader"]},
    ...     "enrollment": "automatic"}}})
    >>> summarise(sc, seed=3, years=0.5) == simulate(sc, seed=3, years=0.5).summary
    True
    """
    scenario, seed, state, rec, _, _ = _execute(scenario, seed, years, False, org, weekly=False)
    return rec.summary(state, scenario, seed=seed)


def _execute(
    scenario: Scenario,
    seed: int | None,
    years: float | None,
    trace: bool,
    org: Org | None,
    *,
    weekly: bool = True,
) -> tuple[Scenario, int, State, Recorder, int, float]:
    """Build and run; returns the run's scenario and seed, the final state, the recorder,
    the number of SimPy events and when building ended (``time.perf_counter``).
    ``weekly=False`` skips the weekly observations, which only the result's tables use."""
    if years is not None:
        scenario = scenario.model_copy(
            update={"simulation": scenario.simulation.model_copy(update={"years": years})}
        )
    seed = scenario.simulation.seed if seed is None else int(seed)
    # The result's scenario carries the seed used, so its scenario.toml reruns the same run.
    scenario = scenario.model_copy(
        update={"simulation": scenario.simulation.model_copy(update={"seed": seed})}
    )
    kernels.backend()  # a bad NETSIM_KERNELS fails here, before any work
    streams = Streams(seed)
    if org is None:
        org = build_organisation(scenario.organisation, rng=streams.organisation)
    state = build_state(scenario, org, streams)
    built = time.perf_counter()
    rec = Recorder(state, trace=trace, weekly=weekly)
    env = simpy.Environment()
    env.process(day_process(env, state, rec))
    if scenario.schedule:
        env.process(schedule_process(env, state))
    for batch in state.batches:
        env.process(network_process(env, state, batch, rec))
        if batch.spec.enrollment == "voluntary":
            env.process(recruitment_process(env, state, batch))
        if scenario.evaluation is not None or any(
            k.startswith("evaluation.") for c in scenario.schedule for k in c.set
        ):
            env.process(review_process(env, state, batch, rec))
    events = 0
    while env.peek() < math.inf:
        env.step()
        events += 1
    return scenario, seed, state, rec, events, built
