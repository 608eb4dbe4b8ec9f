"""A deliberately naive implementation of netsim's model: the executable specification.

This is the model of ``docs/model.md`` written the obvious way, with no regard for speed:

- one SimPy process per employee does the daily step (time pressure, talking to a neighbour);
- a meeting loops over groups, people, topics and pairs of people in plain Python, and what it
  is worth to each attendee (hours saved per hour spent) over the topics of their problems and
  their ties (``reference_meeting.py``, this file's sibling);
- knowledge is a list of lists, ties a dict per person.

It draws the same random numbers from the same streams in the same order as netsim (see
"Randomness" in docs/model.md), one number at a time, so for the same scenario and seed it
gives the same meeting log and the same final knowledge as :func:`netsim.simulate`, up to
rounding (sums taken in another order). ``tests/test_reference.py`` asserts that, which makes
this file the test of netsim's vectorised kernels; ``bench.py`` times the two side by side.

It reuses what is not under test: the scenario schema and its helpers
(:mod:`netsim.scenario.schema`,
:func:`netsim.scenario.overrides.replace_validated` for scheduled changes), the named random streams
(:mod:`netsim.sim.rng`) and the organisation builder (:func:`netsim.sim.org.build_organisation`). It
uses nothing of netsim's state, kernels, work, account, model or recorder. It checks nothing a
scenario file could get wrong (load scenarios with :func:`netsim.load_scenario`, which does)
and keeps no weekly series, employee accounts or hours-saved accounts (nor the organisation
without networks they are measured against, which changes nothing in the run): only what the
equivalence test compares.

Run it directly to time one scenario::

    python experiments/benchmarks/reference.py scenarios/auto_enrollment.toml --years 0.1
"""

from __future__ import annotations

import argparse
import itertools
import math
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import simpy
from reference_meeting import MEETING_COLUMNS, Group, Net, Slot, World, meet, problem_mix

import netsim
from netsim.scenario.overrides import replace_validated
from netsim.scenario.schema import ROLES, Evaluation, Network, Scenario
from netsim.sim.org import Org, build_organisation
from netsim.sim.rng import Streams

# Within working day d: the day starts at d (a snapshot of knowledge), every employee's
# pressure and "do I talk?" number at d + TALK, their neighbour draw and learning at d + PICK,
# the week's end at d + WEEK_END; then netsim's fixed offsets for the rest of the day.
TALK, PICK, WEEK_END = 0.01, 0.02, 0.03
SCHEDULE, MEETING, REVIEW, RECRUITMENT = 0.25, 0.5, 0.6, 0.75


def clip01(x: float) -> float:
    return min(1.0, max(0.0, x))


@dataclass
class ReferenceResult:
    meetings: pd.DataFrame
    reviews: pd.DataFrame
    knowledge: np.ndarray  # (employees, topics) at the end
    events: int  # SimPy events processed
    build_seconds: float  # organisation and the Python structures
    run_seconds: float  # the simulation and its meeting log


# --------------------------------------------------------------------------- building


def personal_mean(scenario: Scenario, org: Org, offset: list[float]) -> list[float]:
    levels = scenario.time_pressure.mean_by_role.as_tuple()
    return [clip01(levels[org.role[i]] + offset[i]) for i in range(org.n)]


def meeting_days(spec: Network, sc: Scenario) -> list[int]:
    per_week = sc.simulation.days_per_week
    start, step = spec.start_week * per_week, spec.interval_weeks * per_week
    end = sc.horizon_days
    if spec.end_week is not None:
        end = min(end, round(spec.end_week * per_week))
    days: list[int] = []
    while round(start + len(days) * step) < end:
        days.append(round(start + len(days) * step))
    return days


def select(org: Org, sc: Scenario, name: str, streams: Streams) -> list[int]:
    """The network's target group: everybody who meets every criterion given."""
    sel = sc.networks[name].select
    listed = sc.members_of(name)
    people = []
    for i in range(org.n):
        if listed is not None and i not in listed:
            continue
        if sel.roles and ROLES[org.role[i]] not in sel.roles:
            continue
        spec = org.specialties[org.specialty[i]] if org.specialty[i] >= 0 else None
        if sel.specialties and spec not in sel.specialties:
            continue
        if sel.departments and org.department_names[org.department[i]] not in sel.departments:
            continue
        if sel.ids and i not in sel.ids:
            continue
        if sel.isolated is not None and not (
            ROLES[org.role[i]] == "specialist" and bool(org.isolated[i]) == sel.isolated
        ):
            continue
        people.append(i)
    if sel.sample is not None and sel.sample < len(people):
        chosen = streams.membership.choice(np.array(people), size=sel.sample, replace=False)
        people = sorted(int(i) for i in chosen)
    return people


def split(org: Org, people: list[int], max_size: int, how: str) -> list[list[int]]:
    """Deal people out round-robin, ordered by department, unit and id."""
    if how == "department":
        out = []
        for d in sorted({int(org.department[i]) for i in people}):
            out += split(org, [i for i in people if org.department[i] == d], max_size, "mixed")
        return out
    order = sorted(people, key=lambda i: (org.department[i], org.unit[i], i))
    n_groups = -(-len(order) // max_size)
    return [sorted(order[g::n_groups]) for g in range(n_groups)]


def build(scenario: Scenario, seed: int) -> World:
    streams = Streams(seed)
    org = build_organisation(scenario.organisation, rng=streams.organisation)
    n, tp, sim = org.n, scenario.time_pressure, scenario.simulation
    days = scenario.horizon_days
    p_rng = streams.pressure
    offset = [tp.individual_sd * p_rng.standard_normal() for _ in range(n)]
    mean = personal_mean(scenario, org, offset)
    length = max(1, round(tp.busy_period_weeks * sim.days_per_week))
    busy = [[False] * days for _ in org.department_names]
    for d in range(len(org.department_names)):
        for day in range(days):
            if p_rng.random() < tp.busy_periods_per_year / sim.days_per_year:
                for t in range(day, min(day + length, days)):
                    busy[d][t] = True
    ties: list[dict[int, float]] = [{} for _ in range(n)]
    informal = org.ties.tocoo()
    for i, j, w in zip(
        informal.row.tolist(), informal.col.tolist(), informal.data.tolist(), strict=True
    ):
        ties[i][j] = w
    knowledge = org.knowledge.tolist()
    world = World(
        scenario=scenario,
        org=org,
        streams=streams,
        knowledge=knowledge,
        knowledge0=[row[:] for row in knowledge],
        snapshot=[],
        pressure=mean[:],
        offset=offset,
        mean=mean,
        busy=busy,
        ties=ties,
        ties0=[dict(row) for row in ties],
        problems=[],
        load=[],
    )
    att = scenario.attendance
    for name, spec in scenario.networks.items():
        groups = split(org, select(org, scenario, name, streams), spec.max_size, spec.split)
        width = max(len(g) for g in groups)
        prior = att.prior_value  # the same for every design: experience tells
        topics = org.topic_index(spec.resolved_topics(scenario.organisation))
        net = Net(name, spec, [int(t) for t in topics], [])
        for k, people in enumerate(groups):
            slots: list[Slot | None] = []
            for s in range(width):
                z = streams.recruitment.standard_normal()  # drawn for every slot
                if s >= len(people):
                    slots.append(None)
                    continue
                vhat = max(prior + att.prior_value_sd * z, 0.0)
                member = spec.enrollment != "voluntary" or vhat > att.join_threshold
                obligation = getattr(att.obligation, spec.enrollment) if member else 0.0
                slots.append(Slot(people[s], vhat, obligation, member, ever=member))
            label = name if len(groups) == 1 else f"{name}/{k + 1}"
            net.groups.append(
                Group(label, slots, spec.participation, spec.facilitation == "professional")
            )
        world.nets.append(net)
    sponsored = {t for net in world.nets if net.spec.kind == "sponsored" for t in net.topics}
    world.problems, world.load = problem_mix(scenario, org, streams, sponsored)
    return world


# --------------------------------------------------------------------------- the day


def day_start(env: simpy.Environment, world: World):
    """At the start of each working day: the knowledge everybody learns from by talking."""
    for day in range(world.scenario.horizon_days):
        yield env.timeout(day - env.now)
        world.snapshot = [row[:] for row in world.knowledge]


def employee(env: simpy.Environment, world: World, i: int):
    """One employee's working days: time pressure, and maybe a talk with a neighbour.

    netsim draws the day's talk numbers of everybody, then the day's neighbour numbers of
    everybody, so the employees take theirs in two rounds: all at d + TALK, then all at
    d + PICK (processes waiting for the same moment run in the order they started, 0..N-1).
    """
    dept = int(world.org.department[i])
    for day in range(world.scenario.horizon_days):
        yield env.timeout(day + TALK - env.now)
        sc = world.scenario
        tp = sc.time_pressure
        mean = world.mean[i] + tp.busy_period_raise * world.busy[dept][day]
        eps = world.streams.pressure.standard_normal()
        p = world.pressure[i]
        world.pressure[i] = clip01(
            p + tp.reversion_per_day * (mean - p) + tp.noise_sd_per_day * eps
        )
        u_talk = world.streams.diffusion.random()

        yield env.timeout(day + PICK - env.now)
        u_pick = world.streams.diffusion.random()
        if u_talk >= sc.diffusion.talk_prob_per_day * (1.0 - world.pressure[i]):
            continue
        neighbours = sorted(world.ties[i])
        total = 0.0
        for j in neighbours:
            total += world.ties[i][j]
        if total <= 0.0:
            continue  # all ties of strength zero: nobody to talk to
        target, running, source = u_pick * total, 0.0, -1
        for j in neighbours:
            running += world.ties[i][j]
            if world.ties[i][j] > 0:
                source = j  # the last tie of positive strength, should u * total round up
            if running > target:
                break
        mine, theirs = world.snapshot[i], world.snapshot[source]
        for t in range(len(mine)):
            gap = theirs[t] - mine[t]
            if gap > 0:
                world.knowledge[i][t] = mine[t] + gap * sc.diffusion.gap_share


def week_end(env: simpy.Environment, world: World):
    """On the last working day of each week: ties decay, knowledge fades."""
    per_week = world.scenario.simulation.days_per_week
    for day in range(per_week - 1, world.scenario.horizon_days, per_week):
        yield env.timeout(day + WEEK_END - env.now)
        sc = world.scenario
        keep = 1.0 - sc.diffusion.tie_decay_per_week
        for i in range(world.org.n):
            for j, w in world.ties[i].items():
                w0 = world.ties0[i].get(j, 0.0)
                world.ties[i][j] = (w - w0) * keep + w0
        weeks_per_year = sc.simulation.days_per_year / per_week
        forget = math.exp(-sc.learning.forgetting_per_year / weeks_per_year)
        for row, row0 in zip(world.knowledge, world.knowledge0, strict=True):
            for t in range(len(row)):
                row[t] = (row[t] - row0[t]) * forget + row0[t]


# --------------------------------------------------------------------------- meetings


def network(env: simpy.Environment, world: World, net: Net):
    for day in meeting_days(net.spec, world.scenario):
        yield env.timeout(day + MEETING - env.now)
        meet(world, net, day)


def recruitment(env: simpy.Environment, world: World, net: Net):
    """Between two meetings of a voluntary network: candidates who now expect enough join."""
    days = meeting_days(net.spec, world.scenario)
    for a, b in itertools.pairwise(days):
        yield env.timeout((a + b) // 2 + RECRUITMENT - env.now)
        att = world.scenario.attendance
        for group in net.groups:
            for slot in group.slots:
                if (
                    slot is not None
                    and not slot.member
                    and not slot.left
                    and not group.closed
                    and slot.vhat > att.join_threshold
                ):
                    slot.member = slot.ever = True
                    slot.obligation = att.obligation.voluntary


def reviewer(env: simpy.Environment, world: World, net: Net):
    """The sponsor's review after a meeting day, once enough meetings have passed."""
    for day in meeting_days(net.spec, world.scenario):
        yield env.timeout(day + REVIEW - env.now)
        ev = world.scenario.evaluation
        if ev is None or not net.spec.reviewed or net.spec.kind != "sponsored":
            continue
        if net.meetings_since_review < ev.every_meetings:
            continue

        for group in net.groups:
            z = world.streams.measurement.standard_normal()  # one per group, reviewed or not
            if group.closed or group.window_meetings == 0:
                continue
            true = group.window_value / group.window_hours if group.window_hours > 0 else 0.0
            # The noise grows as the goal blurs; the measurement is unbiased in the median.
            sd = ev.measurement_noise * (
                1.0 + ev.unclear_goal_noise * (1.0 - net.spec.goal_clarity)
            )
            measured = true * math.exp(sd * z)
            decision, correct = decide(ev, measured, group), decide(ev, true, group)
            if decision == "close":
                group.closed = True
            elif decision == "transform":
                group.participation = ev.transform_participation
                group.facilitated = group.transformed = True
            world.reviews.append(
                {
                    "day": day,
                    "network": net.name,
                    "group": group.name,
                    "true_value_per_hour": true,
                    "measured_value_per_hour": measured,
                    "decision": decision,
                    "true_decision": correct,
                }
            )
            group.window_value = group.window_hours = 0.0
            group.window_meetings = 0
        net.meetings_since_review = 0


def decide(ev: Evaluation, value: float, group: Group) -> str:
    """The sponsor's policy, applied to a value per hour."""
    if value < ev.close_below:
        return "close"
    if ev.transform_below is not None and value < ev.transform_below and not group.transformed:
        return "transform"
    return "continue"


def schedule(env: simpy.Environment, world: World):
    """Scheduled changes, at the start of their week."""
    per_week = world.scenario.simulation.days_per_week
    for change in sorted(world.scenario.schedule, key=lambda c: c.at_week):
        yield env.timeout(round(change.at_week * per_week) + SCHEDULE - env.now)
        old = world.scenario
        world.scenario = new = replace_validated(old, change.set)
        world.mean = personal_mean(new, world.org, world.offset)
        for net in world.nets:
            before, net.spec = net.spec, new.networks[net.name]
            for group in net.groups:
                if net.spec.participation != before.participation:
                    group.participation = net.spec.participation
                if net.spec.facilitation != before.facilitation:
                    group.facilitated = net.spec.facilitation == "professional"


# --------------------------------------------------------------------------- a run


def simulate(scenario: Scenario, seed: int, *, years: float | None = None) -> ReferenceResult:
    """Run the scenario the naive way; the same inputs as :func:`netsim.simulate`."""
    if years is not None:
        scenario = scenario.model_copy(
            update={"simulation": scenario.simulation.model_copy(update={"years": years})}
        )
    start = time.perf_counter()
    world = build(scenario, seed)
    built = time.perf_counter()
    env = simpy.Environment()
    env.process(day_start(env, world))
    for i in range(world.org.n):
        env.process(employee(env, world, i))
    env.process(week_end(env, world))
    if scenario.schedule:
        env.process(schedule(env, world))
    for net in world.nets:
        env.process(network(env, world, net))
        if net.spec.enrollment == "voluntary":
            env.process(recruitment(env, world, net))
        if scenario.evaluation is not None:
            env.process(reviewer(env, world, net))
    events = 0
    while env.peek() != float("inf"):
        env.step()
        events += 1
    meetings = pd.DataFrame(world.meetings, columns=list(MEETING_COLUMNS))
    meetings = meetings.sort_values(["day", "network", "group"], kind="stable")
    return ReferenceResult(
        meetings=meetings.reset_index(drop=True),
        reviews=pd.DataFrame(world.reviews),
        knowledge=np.array(world.knowledge),
        events=events,
        build_seconds=built - start,
        run_seconds=time.perf_counter() - built,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--years", type=float, default=None)
    args = parser.parse_args()
    sc = netsim.load_scenario(args.scenario)
    res = simulate(sc, args.seed, years=args.years)
    print(
        f"{len(res.meetings)} meeting rows, {res.events} SimPy events, "
        f"build {res.build_seconds:.2f} s, run {res.run_seconds:.2f} s"
    )


if __name__ == "__main__":
    main()
