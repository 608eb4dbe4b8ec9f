"""The naive reference's state, and one meeting day of a network (see ``reference.py``).

The state of a run as plain Python objects; each employee's problems and the hours a day
they take (written out as loops over the employee's problem topics and ties); and a
meeting day: who comes, what they learn, the ties they form, what it was worth to each in
hours saved per hour spent, hearsay, expectations, leaving and the meeting log.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from netsim.scenario.schema import ROLES, Network, Scenario
from netsim.sim.org import Org
from netsim.sim.rng import Streams

MEETING_COLUMNS = (
    "network",
    "group",
    "day",
    "week",
    "invited",
    "attended",
    "left",
    "held",
    "hours",
    "cost_dkk",
    "participant_value",
    "sponsor_value",
    "knowledge_gain",
    "bridging_gain",
    "cross_tie_gain",
)


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


@dataclass
class Slot:
    """One person's place in one group of a network."""

    person: int
    vhat: float
    obligation: float
    member: bool
    ever: bool = False
    left: bool = False
    low: int = 0


@dataclass
class Problem:
    """One kind of problem in an employee's daily work: its topic and share."""

    topic: int
    share: float
    sponsored: bool  # a topic of a sponsored network: the sponsor counts the hours on it


@dataclass
class Group:
    name: str
    slots: list[Slot | None]  # None: an empty slot (groups of a network are padded alike)
    participation: float
    facilitated: bool
    room: float = 1.0
    closed: bool = False
    transformed: bool = False
    window_value: float = 0.0
    window_hours: float = 0.0
    window_meetings: int = 0


@dataclass
class Net:
    name: str
    spec: Network
    topics: list[int]
    groups: list[Group]
    meetings_since_review: int = 0


@dataclass
class World:
    """Everything that changes during a run, as plain Python objects."""

    scenario: Scenario
    org: Org
    streams: Streams
    knowledge: list[list[float]]
    knowledge0: list[list[float]]
    snapshot: list[list[float]]  # knowledge at the start of the day, for learning by talking
    pressure: list[float]
    offset: list[float]  # personal deviation from the role's mean pressure
    mean: list[float]  # personal mean pressure outside busy periods
    busy: list[list[bool]]  # [department][day]
    ties: list[dict[int, float]]  # ties[i][j]: strength, both directions kept alike
    ties0: list[dict[int, float]]  # the initial informal ties: what ties decay back to
    problems: list[list[Problem]]  # each employee's problem mix
    load: list[float]  # each employee's problems a working day
    nets: list[Net] = field(default_factory=list)
    meetings: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)


def problem_mix(
    scenario: Scenario, org: Org, streams: Streams, sponsored: set[int]
) -> tuple[list[list[Problem]], list[float]]:
    """Each employee's problems: the kinds of their role, on their own topics and on the
    practice of one partner department, and how many a day.

    From the ``work`` stream: every employee's partner department, then every employee's
    log-normal load multiplier (one number at a time gives numpy's vectorised draws).
    """
    n, n_depts, n_spec = org.n, len(org.department_names), len(org.specialties)
    rng = streams.get("work")
    partner = [
        (int(org.department[i]) + int(rng.integers(1, max(n_depts, 2)))) % max(n_depts, 1)
        for i in range(n)
    ]
    work = scenario.work
    load = [
        work.problems_per_day * math.exp(work.problems_sd * rng.standard_normal()) for _ in range(n)
    ]
    problems = []
    for i in range(n):
        shares = getattr(work.mix, ROLES[org.role[i]])
        own = n_spec + 2 + int(org.department[i])
        if org.specialty[i] >= 0:
            first, first_share, own_share = (
                int(org.specialty[i]),
                shares.specialty,
                shares.own_practice,
            )
        else:  # no specialty: those problems are on the own practice
            first, first_share, own_share = own, 0.0, shares.own_practice + shares.specialty
        mix = [
            (first, first_share),
            (n_spec, shares.leadership),
            (n_spec + 1, shares.strategy),
            (own, own_share),
            (n_spec + 2 + partner[i], shares.partner_practice),
        ]
        problems.append([Problem(t, share, t in sponsored) for t, share in mix])
    return problems, load


def hours_a_day(world: World, i: int) -> tuple[float, float]:
    """Employee ``i``'s hours a working day on problems as knowledge and ties are now: on all
    their problems, and on those of the sponsor's topics.

    A problem on topic t takes h(K_it) alone; asking colleague j (reached with probability
    w_ij * (1 - their mean pressure)) takes h(K_jt) + ask_hours, and i asks the colleague
    whose help saves most in expectation.
    """
    work = world.scenario.work

    def alone(k: float) -> float:
        gap = 1.0 - k
        shape = gap * gap if work.solve_exponent == 2.0 else gap**work.solve_exponent
        return work.solve_hours_max * shape + work.solve_hours_min

    total = sponsored = 0.0
    for m, problem in enumerate(world.problems[i]):
        own = alone(world.knowledge[i][problem.topic])
        best = 0.0
        for j, w in world.ties[i].items():
            reach = w * (1.0 - world.mean[j])
            theirs = alone(world.knowledge[j][problem.topic])
            best = max(best, reach * max(own - theirs - work.ask_hours, 0.0))
        expected = own - best
        goal_share = problem.share if problem.sponsored else 0.0
        # Summed in the order of the mix, starting from the first problem's part.
        total = expected * problem.share if m == 0 else total + expected * problem.share
        sponsored = expected * goal_share if m == 0 else sponsored + expected * goal_share
    return world.load[i] * total, world.load[i] * sponsored


@dataclass
class Turnout:
    """One group's meeting: its candidates, who was asked, who came, and whether it met."""

    group: Group
    people: list[tuple[int, Slot]]  # (slot index, slot) of every candidate
    invited: list[int]
    came: list[int]
    held: bool

    @property
    def room(self) -> list[int]:
        return self.came if self.held else []

    def person(self, s: int) -> int:
        slot = self.group.slots[s]
        assert slot is not None
        return slot.person


def meet(world: World, net: Net, day: int) -> None:
    """One meeting day of a network: every group, one person at a time.

    Who comes, in every group; then the hours a day each attendee spends on problems; what
    every group learns and the ties it forms; the hours a day again, after the meeting day;
    and then, group by group, what it was worth, hearsay, expectations, leaving and the log.
    """
    sc, spec = world.scenario, net.spec
    att_cfg = sc.attendance
    # The attendance numbers: one per slot of every group, drawn first, whoever is a member.
    draws = [[world.streams.attendance.random() for _ in group.slots] for group in net.groups]
    turnouts = [attend(world, net, group, u) for group, u in zip(net.groups, draws, strict=True)]
    attendees = [t.person(s) for t in turnouts for s in t.room]
    before = {i: hours_a_day(world, i) for i in attendees}
    gain_of = [learn(world, net, t) for t in turnouts]
    # Hearsay is heard over the ties as they were before the meeting.
    strength_before = [
        {
            (s, q): world.ties[t.person(s)].get(t.person(q), 0.0)
            for s, _ in t.people
            for q in t.room
            if s != q
        }
        for t in turnouts
    ]
    cross_bridge = [form_ties(world, t) for t in turnouts]
    after = {i: hours_a_day(world, i) for i in attendees}
    fade = sc.learning.forgetting_per_year
    lasting_days = sc.simulation.days_per_year / fade if fade > 0 else float(sc.horizon_days)
    h = spec.hours_per_attendee()
    for t, gains, heard_over, (cross_of, bridge_of) in zip(
        turnouts, gain_of, strength_before, cross_bridge, strict=True
    ):
        group, room = t.group, t.room
        value = {s: 0.0 for s in t.came}
        hours_of, sponsor_of = {}, {}
        # What it was worth to each who was in the room, in hours saved per hour it cost.
        for s in room:
            i = t.person(s)
            saved, saved_goal = before[i][0] - after[i][0], before[i][1] - after[i][1]
            alliances = sc.learning.alliance_hours_per_tie * world.org.career[i] * cross_of[s]
            hours_of[s] = saved * lasting_days + alliances
            sponsor_of[s] = saved_goal * lasting_days
            value[s] = hours_of[s] / h
        if room:  # hearsay: candidates not in the room who have not left
            mean_u = sum(value[s] for s in room) / len(room)
            for s, slot in t.people:
                if s in room or slot.left:
                    continue
                heard = min(1.0, sum(heard_over[(s, q)] for q in room))
                step = att_cfg.value_learning_rate * att_cfg.hearsay_weight * heard
                slot.vhat += step * (mean_u - slot.vhat)
        # Experience: everybody who came, also to a cancelled meeting (worth nothing then).
        eta = att_cfg.value_learning_rate
        for s in t.came:
            slot = group.slots[s]
            assert slot is not None
            slot.vhat = (1 - eta) * slot.vhat + eta * value[s]
        if t.invited:
            group.room = len(t.came) / len(t.invited)
        for _, slot in t.people:
            slot.obligation *= att_cfg.obligation_fade_per_meeting
        if spec.enrollment != "automatic":
            for _, slot in t.people:
                if slot.member and not group.closed and slot.vhat < att_cfg.leave_threshold:
                    slot.low += 1
                else:
                    slot.low = 0
                if slot.low >= att_cfg.leave_after_meetings:
                    slot.member, slot.left = False, True
        sponsor = sum(sponsor_of.values())
        # The meeting log: every open group with members, and every open group that members
        # left (everybody, perhaps: then it is logged at no cost, its leavers absent).
        left = sum(slot.left for _, slot in t.people)
        if not group.closed and (t.invited or left):
            organiser = spec.followup_hours if t.invited else 0.0
            wage = world.org.wage_dkk
            world.meetings.append(
                {
                    "network": net.name,
                    "group": group.name,
                    "day": day,
                    "week": day // sc.simulation.days_per_week,
                    "invited": len(t.invited),
                    "attended": len(t.came),
                    "left": left,
                    "held": t.held,
                    "hours": len(room) * h + organiser,
                    "cost_dkk": sum(wage[t.person(s)] for s in room) * h
                    + organiser * getattr(sc.organisation.hourly_cost_dkk, spec.organiser_role)
                    + (spec.catering_dkk * len(room) + spec.facilitator_dkk * group.facilitated)
                    * t.held,
                    "participant_value": sum(hours_of.values()),
                    "sponsor_value": sponsor,
                    "knowledge_gain": sum(gains.values()),
                    "bridging_gain": sum(bridge_of.values()) / 2,
                    "cross_tie_gain": sum(cross_of.values()) / 2,
                }
            )
        group.window_hours += len(room) * h
        group.window_value += sponsor
        group.window_meetings += bool(t.invited)
    net.meetings_since_review += 1


def attend(world: World, net: Net, group: Group, u: list[float]) -> Turnout:
    """Each member of an open group decides whether to come; the quorum decides the rest."""
    sc, spec, att_cfg = world.scenario, net.spec, world.scenario.attendance
    h = spec.hours_per_attendee()
    people = [(s, slot) for s, slot in enumerate(group.slots) if slot is not None]
    invited = [s for s, slot in people if slot.member and not group.closed]
    came = []
    for s in invited:
        slot = group.slots[s]
        assert slot is not None
        p = world.pressure[slot.person]
        logit = (
            att_cfg.intercept
            + att_cfg.value_weight * slot.vhat
            + att_cfg.obligation_weight * slot.obligation
            + att_cfg.room_weight * group.room
            - att_cfg.pressure_weight * p
            - att_cfg.hours_weight * (h / sc.simulation.hours_per_day)
        )
        prob = 0.0 if p > sc.time_pressure.overload else sigmoid(logit)
        if u[s] < prob:
            came.append(s)
    held = len(came) >= spec.quorum and len(invited) > 0
    return Turnout(group, people, invited, came, held)


def learn(world: World, net: Net, t: Turnout) -> dict[int, float]:
    """Each attendee's knowledge gain (mean over the network's topics), from the knowledge as
    it was when the meeting began; knowledge updated."""
    lrn, spec, group, room = world.scenario.learning, net.spec, t.group, t.room
    eff = min(
        1.0,
        lrn.base_efficiency
        + lrn.clarity_efficiency * spec.goal_clarity
        + lrn.facilitation_efficiency * group.facilitated,
    )
    part = group.participation
    before = {s: [world.knowledge[t.person(s)][x] for x in net.topics] for s in room}
    gain_of = {}
    for s in room:
        gains = []
        for x, topic in enumerate(net.topics):
            best = max(before[q][x] for q in room)
            peer = 0.0
            for q in room:
                if q != s:
                    peer += max(0.0, before[q][x] - before[s][x])
            peer /= max(len(room) - 1, 1)
            gains.append(
                eff
                * (
                    (1.0 - part) * lrn.lecture_rate * (best - before[s][x])
                    + part * lrn.peer_rate * peer
                )
            )
            world.knowledge[t.person(s)][topic] = before[s][x] + gains[-1]
        gain_of[s] = sum(gains) / len(gains)
    return gain_of


def form_ties(world: World, t: Turnout) -> tuple[dict[int, float], dict[int, float]]:
    """Ties strengthen between everybody in the room; each attendee's strength gained across
    departments, on all ties and on new (bridging) ones."""
    lrn, org, room = world.scenario.learning, world.org, t.room
    part = t.group.participation
    rate = lrn.tie_rate * (lrn.lecture_tie_share + (1 - lrn.lecture_tie_share) * part)
    cross_of = {s: 0.0 for s in room}
    bridge_of = {s: 0.0 for s in room}
    for s in room:
        for q in room:
            if s == q:
                continue
            i, j = t.person(s), t.person(q)
            w = world.ties[i].get(j, 0.0)
            inc = rate * (1.0 - w)
            world.ties[i][j] = w + inc
            if org.department[i] != org.department[j]:
                cross_of[s] += inc
                if j not in world.ties0[i]:
                    bridge_of[s] += inc
    return cross_of, bridge_of
