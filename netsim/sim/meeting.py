"""One meeting day of a network, as a composition of named steps.

:func:`run_meeting` holds the meeting of every open group of a network on one day:

1. :func:`decide_attendance` — who is invited, who comes, which groups reach the quorum;
2. :func:`learn_in_groups` — in the groups that met: learning, tie formation, each attendee's
   value, and hearsay for the candidates who were not in the room;
3. :func:`learn_from_experience` — those who came learn what it was worth;
4. :func:`fade_obligation_and_leave` — obligation fades, disappointed members leave;
5. :func:`charge_attendees`, the recorder's row, and :func:`add_to_review_window`.

Every step works on whole ``(group, slot)`` arrays. The random draws and the floating-point
operations are those of the model as it has always been, in the same order, so the results
are the same to the bit.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from netsim.scenario.schema import Scenario
from netsim.sim import account, kernels
from netsim.sim.records import MeetingOutcome

if TYPE_CHECKING:
    from netsim.sim.metrics import Recorder
    from netsim.sim.state import Batch, State

__all__ = [
    "MEETING_BLOCK",
    "MEETING_OFFSET",
    "Gains",
    "Turnout",
    "add_to_review_window",
    "charge_attendees",
    "decide_attendance",
    "fade_obligation_and_leave",
    "learn_from_experience",
    "learn_in_groups",
    "meeting_days",
    "run_meeting",
]

#: When in a meeting day (``day + 0.5``) the meetings are held.
MEETING_OFFSET = 0.5
#: Groups of one network whose meeting is computed together (see :func:`learn_in_groups`).
MEETING_BLOCK = 256
#: From this many attendees, a meeting's measurements walk them in the order of their ids
#: (:class:`_Measure`).
SORTED_ROWS = 1024


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


@dataclass(frozen=True, eq=False)
class Turnout:
    """Who was asked and who came to one meeting day of a network."""

    invited: np.ndarray  # (G, S) bool: member of an open group
    pressure: np.ndarray  # (G, S) each slot's time pressure today
    probability: np.ndarray  # (G, S) probability of coming (0 for the not invited)
    came: np.ndarray  # (G, S) bool: turned up (also where the meeting was then cancelled)
    invited_count: np.ndarray  # (G,)
    came_count: np.ndarray  # (G,)
    held: np.ndarray  # (G,) bool: the group reached its quorum
    attended: np.ndarray  # (G, S) bool: came to a meeting that was held


@dataclass(frozen=True, eq=False)
class Gains:
    """What each slot gained at the meeting, as ``(group, slot)`` arrays (zero if absent)."""

    value: np.ndarray  # participant value u: hours saved per hour the meeting cost them
    hours: np.ndarray  # the hours (and hours-equivalents) it saves them over the year ahead
    sponsor: np.ndarray  # the hours it saves them on the sponsor's topics over the year ahead
    knowledge: np.ndarray  # mean knowledge gain over the network's topics
    bridging: np.ndarray  # strength gained by new cross-department ties
    cross_tie: np.ndarray  # strength gained by all cross-department ties

    @classmethod
    def zeros(cls, shape: tuple[int, ...]) -> Gains:
        """No gains yet."""
        return cls(*(np.zeros(shape) for _ in range(6)))


def decide_attendance(state: State, batch: Batch) -> Turnout:
    """Each invited member's decision to come (one draw of the ``attendance`` stream per slot),
    and which groups reach their quorum."""
    sc, spec = state.scenario, batch.spec
    cfg = sc.attendance
    hours_day = spec.hours_per_attendee() / sc.simulation.hours_per_day
    invited = batch.member & ~batch.closed[:, None]
    pressure = state.pressure[batch.idx]
    logit = (
        cfg.intercept
        + cfg.value_weight * batch.vhat
        + cfg.obligation_weight * batch.obligation
        + cfg.room_weight * batch.room[:, None]
        - cfg.pressure_weight * pressure
        - cfg.hours_weight * hours_day
    )
    probability = np.where(
        invited,
        kernels.attendance_probability(logit, pressure, overload=sc.time_pressure.overload),
        0.0,
    )
    came = state.streams.attendance.random(probability.shape) < probability
    invited_count = invited.sum(axis=1)
    came_count = came.sum(axis=1)
    held = (came_count >= spec.quorum) & (invited_count > 0)
    return Turnout(
        invited=invited,
        pressure=pressure,
        probability=probability,
        came=came,
        invited_count=invited_count,
        came_count=came_count,
        held=held,
        attended=came & held[:, None],
    )


def learn_in_groups(
    state: State, batch: Batch, turnout: Turnout, *, backend: str = "numpy"
) -> Gains:
    """Learning, tie formation, value and hearsay in the groups that met.

    Each attendee's hours a day on problems are measured before any group learns and after
    every group has learnt and tied: what a colleague in another group of the network learnt
    today counts as it would if all met in one room. In between, the groups are taken
    :data:`MEETING_BLOCK` at a time: a person is in one group of a network, so the groups'
    learning and ties are independent and the results the same, while the temporaries (a row
    per attendee and slot) stay small however many groups a network has.
    """
    gains = Gains.zeros(batch.idx.shape)
    attended_all = turnout.attended
    people = batch.idx[attended_all]
    measure = _Measure(state, batch, attended_all, people, backend)
    before, before_goal = measure.before()
    held_groups = np.flatnonzero(turnout.held)
    blocks = []
    taught: list[tuple[np.ndarray, np.ndarray]] = []  # (block, who learnt from whom)
    for start in range(0, held_groups.size, MEETING_BLOCK):
        block = held_groups[start : start + MEETING_BLOCK]
        attended = attended_all[block]
        if state.scenario.learning.teaching_credit > 0:
            taught.append((block, _taught_shares(state, batch, block, attended)))
        _learn(state, batch, block, attended, gains)
        attendees = _Attendees.of(batch, block, attended)
        listeners = _Listeners.of(state, batch, block, attended)  # the ties before this meeting
        _form_ties(state, batch, attendees, gains)
        blocks.append((attendees, listeners))
    after, after_goal = measure.after()
    _participant_value(
        state, batch, attended_all, gains, before - after, before_goal - after_goal, taught
    )
    for attendees, listeners in blocks:
        _spread_hearsay(state, batch, attendees, listeners, gains)
    return gains


@dataclass(frozen=True, eq=False)
class _Attendees:
    """The attendees of a block of groups, one row each, and their ties to their group."""

    block: np.ndarray  # (B,) the groups of the block
    attended: np.ndarray  # (B, S) bool
    row: np.ndarray  # (A,) each attendee's row of the block
    slot: np.ndarray  # (A,) and slot
    group: np.ndarray  # (A,) and group
    tie_pos: np.ndarray  # (A, S) position in State.w of the tie to each slot; -1: none
    together: np.ndarray  # (A, S) bool: both in the room, and a tie can form

    @classmethod
    def of(cls, batch: Batch, block: np.ndarray, attended: np.ndarray) -> _Attendees:
        row, slot = np.nonzero(attended)
        group = block[row]
        tie_pos = batch.pair_pos[group, slot]  # -1 for oneself and for empty slots
        together = attended[row] & (tie_pos >= 0)
        return cls(block, attended, row, slot, group, tie_pos, together)


@dataclass(frozen=True, eq=False)
class _Listeners:
    """Candidates of a block's groups who were not in the room (and have not left)."""

    listening: np.ndarray  # (B, S) bool
    row: np.ndarray  # (L,) each listener's row of the block
    slot: np.ndarray  # (L,) and slot
    tie_to_attendees: np.ndarray  # (L, S) strength of their tie to each attendee

    @classmethod
    def of(cls, state: State, batch: Batch, block: np.ndarray, attended: np.ndarray) -> _Listeners:
        listening = batch.slot[block] & ~attended & ~batch.left[block]
        row, slot = np.nonzero(listening)
        pos = batch.pair_pos[block[row], slot]
        strength = np.where(attended[row] & (pos >= 0), state.w[pos], 0.0)
        return cls(listening, row, slot, strength)


def _learn(
    state: State, batch: Batch, block: np.ndarray, attended: np.ndarray, gains: Gains
) -> None:
    """The attendees' knowledge gains on the network's topics (knowledge updated)."""
    lrn = state.scenario.learning
    ids = batch.idx[block]
    participation = batch.participation[block]
    if state.kernels == "numba":  # the same, compiled around numpy's sums
        compiled = _meeting_numba()
        topics = np.ascontiguousarray(batch.topics, dtype=np.int64)
        k = compiled.gather(state.knowledge, ids, topics)
        gain = _learning_compiled(
            k, attended, batch.efficiency(lrn)[block], participation, lrn.lecture_rate,
            lrn.peer_rate,
        )  # fmt: skip
        compiled.learnt(state.knowledge, ids, np.ascontiguousarray(attended), topics, k, gain)
        gains.knowledge[block] = gain.mean(axis=2)
        return
    k = state.knowledge[ids[:, :, None], batch.topics]
    gain = kernels.meeting_learning(
        k,
        attended,
        batch.efficiency(lrn)[block][:, None, None],
        participation[:, None, None],
        lecture_rate=lrn.lecture_rate,
        peer_rate=lrn.peer_rate,
    )
    state.knowledge[ids[attended][:, None], batch.topics] = k[attended] + gain[attended]
    gains.knowledge[block] = gain.mean(axis=2)


def _taught_shares(
    state: State, batch: Batch, block: np.ndarray, attended: np.ndarray
) -> np.ndarray:
    """Who learns from whom at a block's meetings (read before anyone learns): ``share[b, i, j]``
    is the share of attendee ``i``'s knowledge gain, over the network's topics, that
    attendee ``j`` taught them, by :func:`netsim.sim.kernels.meeting_learning`'s terms: in
    the participatory part each colleague who knows more teaches their gap, in the lecture
    part the best present teach the gap to them (equal shares when several are best). Each
    learner's row sums to 1 (0 for those who learnt nothing)."""
    lrn = state.scenario.learning
    k = state.knowledge[batch.idx[block][:, :, None], batch.topics]  # (B, S, T)
    a = attended
    efficiency = batch.efficiency(lrn)[block]
    participation = batch.participation[block]
    others = np.maximum(a.sum(axis=1) - 1, 1)
    peer = efficiency * participation * lrn.peer_rate / others  # (B,)
    lecture = efficiency * (1.0 - participation) * lrn.lecture_rate  # (B,)
    present = a[:, :, None] & a[:, None, :]  # (B, S, S): learner i, teacher j
    gap = np.zeros(present.shape)  # sum over topics of max(0, k_j - k_i)
    for t in range(k.shape[2]):  # a topic at a time, as the learning step, to stay small
        kt = k[:, :, t]
        gap += np.maximum(kt[:, None, :] - kt[:, :, None], 0.0)
    kmax = np.where(a[..., None], k, 0.0).max(axis=1)  # (B, T); levels are >= 0
    best = a[..., None] & (k == kmax[:, None, :])  # (B, S, T)
    best_share = best / np.maximum(best.sum(axis=1), 1)[:, None, :]
    lecture_gap = np.where(a[..., None], kmax[:, None, :] - k, 0.0)  # (B, S, T)
    taught = peer[:, None, None] * np.where(present, gap, 0.0) + lecture[:, None, None] * np.einsum(
        "bit,bjt->bij", lecture_gap, best_share
    )
    total = taught.sum(axis=2, keepdims=True)
    return np.where(total > 0, taught / np.where(total > 0, total, 1.0), 0.0)


def _learning_compiled(
    k: np.ndarray,
    attended: np.ndarray,
    efficiency: np.ndarray,
    participation: np.ndarray,
    lecture_rate: float,
    peer_rate: float,
) -> np.ndarray:
    """:func:`netsim.sim.kernels.meeting_learning` with its elementwise work compiled
    (:mod:`netsim.sim.meeting_numba`: the gaps, the best level present, the gains) and its
    sums over the room numpy's, as they were: one matrix product per group and topic, with
    the same matrix, vector and strides, so the same to the bit."""
    compiled = _meeting_numba()
    groups, slots, topics = k.shape
    k = np.ascontiguousarray(k)
    present = attended[:, :, None].astype(k.dtype)
    peer_sum = np.empty((topics, groups, slots))
    gap, summed = np.empty((groups, slots, slots)), np.empty((groups, slots, 1))
    for t in range(topics):
        compiled.gaps(k, t, gap)
        peer_sum[t] = np.matmul(gap, present, out=summed)[:, :, 0]
    return compiled.gains(
        k, np.ascontiguousarray(attended), np.ascontiguousarray(efficiency, dtype=np.float64),
        np.ascontiguousarray(participation, dtype=np.float64), lecture_rate, peer_rate, peer_sum,
    )  # fmt: skip


def _form_ties(state: State, batch: Batch, attendees: _Attendees, gains: Gains) -> None:
    """Ties strengthen between those who met (tie strengths updated)."""
    lrn = state.scenario.learning
    at = attendees
    participation = batch.participation[at.block]
    rate = lrn.tie_rate * (lrn.lecture_tie_share + (1 - lrn.lecture_tie_share) * participation)
    if state.kernels == "numba":
        # The increments, the strengths and the new and cross-department ties' products in
        # one loop (netsim.sim.meeting_numba.grow_ties); their sums stay numpy's.
        bridging, cross = _meeting_numba().grow_ties(
            state.w, at.tie_pos, at.together, np.ascontiguousarray(rate[at.row]),
            np.ascontiguousarray(batch.new_cross[at.group, at.slot]),
            np.ascontiguousarray(batch.cross[at.group, at.slot]),
        )  # fmt: skip
        gains.bridging[at.group, at.slot] = bridging.sum(axis=1)
        gains.cross_tie[at.group, at.slot] = cross.sum(axis=1)
        return
    w_before = state.w[at.tie_pos]
    increment = kernels.tie_increment(w_before, at.together, rate[at.row][:, None])
    state.w[at.tie_pos[at.together]] = (w_before + increment)[at.together]
    gains.bridging[at.group, at.slot] = (increment * batch.new_cross[at.group, at.slot]).sum(axis=1)
    gains.cross_tie[at.group, at.slot] = (increment * batch.cross[at.group, at.slot]).sum(axis=1)


class _Measure:
    """The attendees' hours a working day on problems before the meeting and after it.

    With the compiled kernels the second measurement walks only what a meeting changes: the
    network's topics, and each attendee's ties to their group, which can only strengthen
    (:func:`netsim.sim.work_numba.problem_hours_since`); a colleague's knowledge on any other
    topic, and every other tie, are as they were. With numpy both are measured in full. The
    results are the same to the bit.

    From :data:`SORTED_ROWS` attendees on, they are measured in the order of their ids (the
    order of the tie matrix's rows, whose colleagues are mostly near them): a group mixes
    people from all over the organisation, and walking them group by group fetches each row
    from memory afresh. Each row's hours depend on that row alone, so they are the same to
    the bit in any order; they are handed back in the people's order."""

    def __init__(
        self, state: State, batch: Batch, attended: np.ndarray, people: np.ndarray, backend: str
    ) -> None:
        self.state, self.batch, self.attended, self.people = state, batch, attended, people
        self.backend = backend
        self.incremental = state.account.compiled(state, backend)
        # The rows measured, in the order measured, and (when sorted) each one's flat
        # (group, slot) position.
        self.rows, self.slots = people, None
        if people.size >= SORTED_ROWS:
            by_id = batch.slots_by_employee
            self.slots = by_id[attended.reshape(-1)[by_id]]
            self.rows = batch.idx.reshape(-1)[self.slots]
        self.best = np.empty((people.size, state.account.mix_topic.shape[1]))
        # With numpy, where both measurements read (the same people, the same structure).
        # One plan of the attendees for both measurements, unless they are so many that the
        # measurement reads through plans of a part of them at a time (account.KEPT_PLAN_ROWS).
        many = people.size >= account.KEPT_PLAN_ROWS
        self.plan = None if self.incremental or many else state.account.plan(state, self.rows)

    def before(self) -> tuple[np.ndarray, np.ndarray]:
        """Hours a day as knowledge and ties are now (before anyone learns)."""
        state, acc = self.state, self.state.account
        if self.incremental:
            return self._hours(acc.per_problem_kept(state, self.rows, self.best))
        per_problem = acc.per_problem(
            state, state.knowledge, state.w, rows=self.rows, backend=self.backend, plan=self.plan
        )
        return self._hours(per_problem)

    def after(self) -> tuple[np.ndarray, np.ndarray]:
        """Hours a day as knowledge and ties are now (after every group learnt and tied)."""
        state, acc, batch = self.state, self.state.account, self.batch
        if not self.incremental:
            return self.before()
        changed = np.zeros(state.knowledge.shape[1], dtype=bool)
        changed[batch.topics] = True
        if self.slots is None:
            group, slot = np.nonzero(self.attended)  # the people's order
            grown = batch.pair_pos[group, slot]
        else:
            grown = batch.pair_pos.reshape(-1, batch.pair_pos.shape[2])[self.slots]
        return self._hours(acc.per_problem_since(state, self.rows, self.best, changed, grown))

    def _hours(self, per_problem: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Hours a working day on all their topics, and on the sponsor's, in the people's
        order."""
        hours, goal = self.state.account.hours_a_day(
            self.state, per_problem, self.rows, self.backend
        )
        if self.slots is None:
            return hours, goal
        return self._in_people_order(hours), self._in_people_order(goal)

    def _in_people_order(self, values: np.ndarray) -> np.ndarray:
        """Values of the rows as measured (sorted), in the people's (row-major) order."""
        flat = np.empty(self.attended.size)
        flat[self.slots] = values
        return flat[self.attended.reshape(-1)]


def _participant_value(
    state: State,
    batch: Batch,
    attended: np.ndarray,
    gains: Gains,
    saved_a_day: np.ndarray,
    saved_a_day_goal: np.ndarray,
    taught: Sequence[tuple[np.ndarray, np.ndarray]] = (),
) -> None:
    """Each attendee's value of the meeting, in hours saved per hour it cost them: the hours a
    day it saves them on their problems (what they learnt, the colleagues they can now ask),
    over the time it lasts as knowledge fades (``1 / forgetting_per_year`` years: the whole
    future, discounted by forgetting; the horizon when nothing is forgotten), plus an
    hours-equivalent for new ties across departments (alliances), weighted by their career
    motive, and, when ``learning.teaching_credit`` is positive, that credit times the hours
    the meeting saves the colleagues they taught (each learner's hours shared among their
    teachers as ``taught`` says, :func:`_taught_shares`). The sponsor's part is the hours it
    saves them on the sponsor's topics (no hours-equivalents: the sponsor counts hours).
    ``attended`` is (G, S); the savings are in its row-major order."""
    sc = state.scenario
    lrn, sim = sc.learning, sc.simulation
    fade = lrn.forgetting_per_year
    lasting_days = sim.days_per_year / fade if fade > 0 else float(sc.horizon_days)
    hours, sponsor = np.zeros(attended.shape), np.zeros(attended.shape)
    hours[attended] = saved_a_day * lasting_days
    sponsor[attended] = saved_a_day_goal * lasting_days
    alliances = lrn.alliance_hours_per_tie * batch.career * gains.cross_tie
    felt = hours + alliances
    if taught:
        teaching = np.zeros(attended.shape)
        for block, share in taught:
            teaching[block] = np.einsum("bi,bij->bj", hours[block], share)
        felt = felt + lrn.teaching_credit * teaching
    gains.hours[:] = np.where(attended, felt, 0.0)
    gains.sponsor[:] = sponsor
    gains.value[:] = gains.hours / batch.spec.hours_per_attendee()


def _spread_hearsay(
    state: State, batch: Batch, attendees: _Attendees, listeners: _Listeners, gains: Gains
) -> None:
    """Candidates not in the room hear of the meeting's mean value through their ties to those
    who were, and move their expectation toward it."""
    cfg = state.scenario.attendance
    block, attended = attendees.block, attendees.attended
    mean_value = gains.value[block].sum(axis=1) / np.maximum(attended.sum(axis=1), 1)
    heard = np.zeros((block.size, batch.idx.shape[1]))
    heard[listeners.row, listeners.slot] = np.minimum(1.0, listeners.tie_to_attendees.sum(axis=1))
    step = cfg.value_learning_rate * cfg.hearsay_weight * heard * listeners.listening
    batch.vhat[block] += step * (mean_value[:, None] - batch.vhat[block])


def learn_from_experience(state: State, batch: Batch, turnout: Turnout, value: np.ndarray) -> None:
    """Those who came learn what it was worth (nothing, if it was cancelled); the room's
    attendance rate is remembered for the next meeting."""
    eta = state.scenario.attendance.value_learning_rate
    batch.vhat = np.where(turnout.came, (1 - eta) * batch.vhat + eta * value, batch.vhat)
    n_inv, n_came = turnout.invited_count, turnout.came_count
    batch.room = np.where(n_inv > 0, n_came / np.maximum(n_inv, 1), batch.room)


def fade_obligation_and_leave(state: State, batch: Batch, turnout: Turnout) -> None:
    """Obligation fades with every meeting; where members may leave, those whose expectation
    stayed below the threshold for long enough do."""
    cfg = state.scenario.attendance
    batch.obligation *= cfg.obligation_fade_per_meeting
    if batch.can_leave:
        low = turnout.invited & (batch.vhat < cfg.leave_threshold)
        batch.low = np.where(low, batch.low + 1, 0)
        leave = batch.low >= cfg.leave_after_meetings
        batch.member &= ~leave
        batch.left |= leave


def charge_attendees(state: State, batch: Batch, turnout: Turnout) -> None:
    """Each attendee's hours, cost and attendance, and each invited member's invitation."""
    per_person = batch.spec.hours_per_attendee()
    att, idx = turnout.attended, batch.idx
    state.hours[idx[att]] += per_person
    state.cost_dkk[idx[att]] += per_person * batch.wage[att]
    state.attended[idx[att]] += 1
    state.invited[idx[turnout.invited]] += 1


def add_to_review_window(batch: Batch, turnout: Turnout, sponsor_value: np.ndarray) -> None:
    """What the sponsor's next review will (try to) measure."""
    batch.window_hours += turnout.attended.sum(axis=1) * batch.spec.hours_per_attendee()
    batch.window_value += sponsor_value
    batch.window_meetings += turnout.invited.any(axis=1)
    batch.meetings_since_review += 1


def run_meeting(
    state: State, batch: Batch, day: int, rec: Recorder, *, backend: str = "numpy"
) -> None:
    """Hold one meeting of every open group of a network.

    Decides attendance, cancels groups below quorum, applies learning, tie formation and
    value, updates expectations (attendees by experience, the others by hearsay), fades
    obligation, lets members leave, and records one row per group.
    """
    state.account.start_shadow(state)  # from now on, the run and the one without networks differ
    vhat_before, obligation_before = batch.vhat.copy(), batch.obligation.copy()
    room_before = batch.room.copy()
    compiled = _meeting_numba() if backend == "numba" else None
    turnout = decide_attendance(state, batch) if compiled is None else _decide(state, batch)
    gains = learn_in_groups(state, batch, turnout, backend=backend)
    sponsor_value = gains.sponsor.sum(axis=1)
    if compiled is None:
        learn_from_experience(state, batch, turnout, gains.value)
        fade_obligation_and_leave(state, batch, turnout)
        charge_attendees(state, batch, turnout)
    else:  # the same, and the review window's sums, compiled (netsim.sim.meeting_numba)
        _after_learning(state, batch, turnout, gains.value, sponsor_value)
    rec.meeting(
        state,
        batch,
        MeetingOutcome(
            day=day,
            invited=turnout.invited,
            pressure=turnout.pressure,
            probability=turnout.probability,
            vhat_before=vhat_before,
            obligation_before=obligation_before,
            room_before=room_before,
            came=turnout.came,
            held=turnout.held,
            attended=turnout.attended,
            value=gains.value,
            participant_hours=gains.hours,
            gone=batch.left & ~batch.closed[:, None],
            knowledge_gain=gains.knowledge,
            bridging_gain=gains.bridging,
            cross_tie_gain=gains.cross_tie,
            sponsor_value=sponsor_value,
        ),
    )
    if compiled is None:
        add_to_review_window(batch, turnout, sponsor_value)
    else:
        batch.meetings_since_review += 1


def _meeting_numba() -> Any:
    """The compiled steps (:mod:`netsim.sim.meeting_numba`; numba's types are partial),
    loaded with the compiled kernels (netsim.sim.kernels.load_compiled)."""
    return sys.modules.get(_MEETING_NUMBA) or importlib.import_module(_MEETING_NUMBA)


_MEETING_NUMBA = "netsim.sim.meeting_numba"


def _decide(state: State, batch: Batch) -> Turnout:
    """:func:`decide_attendance`, compiled (:func:`netsim.sim.meeting_numba.decide`): the
    same draw of the attendance stream, the same results to the bit."""
    sc, spec = state.scenario, batch.spec
    cfg = sc.attendance
    hours_day = spec.hours_per_attendee() / sc.simulation.hours_per_day
    u = state.streams.attendance.random(batch.idx.shape)
    parts = _meeting_numba().decide(
        np.ascontiguousarray(batch.member), np.ascontiguousarray(batch.closed),
        np.ascontiguousarray(batch.idx, dtype=np.int64), state.pressure,
        np.ascontiguousarray(batch.vhat), np.ascontiguousarray(batch.obligation),
        np.ascontiguousarray(batch.room), u,
        cfg.intercept, cfg.value_weight, cfg.obligation_weight, cfg.room_weight,
        cfg.pressure_weight, cfg.hours_weight * hours_day, sc.time_pressure.overload,
        spec.quorum,
    )  # fmt: skip
    return Turnout(*parts)


def _after_learning(
    state: State, batch: Batch, turnout: Turnout, value: np.ndarray, sponsor_value: np.ndarray
) -> None:
    """:func:`learn_from_experience`, :func:`fade_obligation_and_leave`,
    :func:`charge_attendees` and :func:`add_to_review_window`'s sums, compiled
    (:func:`netsim.sim.meeting_numba.after_learning`), in place."""
    cfg = state.scenario.attendance
    _meeting_numba().after_learning(
        turnout.invited, turnout.came, turnout.attended, turnout.invited_count,
        turnout.came_count, np.ascontiguousarray(value), cfg.value_learning_rate, batch.vhat,
        batch.room, batch.obligation, cfg.obligation_fade_per_meeting, batch.can_leave,
        cfg.leave_threshold, cfg.leave_after_meetings, batch.low, batch.member, batch.left,
        np.ascontiguousarray(batch.idx, dtype=np.int64), batch.spec.hours_per_attendee(),
        np.ascontiguousarray(batch.wage), state.hours, state.cost_dkk, state.attended,
        state.invited, batch.window_hours, batch.window_value, sponsor_value,
        batch.window_meetings,
    )  # fmt: skip
