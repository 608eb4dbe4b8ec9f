"""The recorder: meeting log, weekly series, and the run summary with stable names.

Meeting rows are collected as arrays per meeting day (one row per group) and turned into a
DataFrame once at the end, through the row types of :mod:`netsim.sim.records`.
The summary's names and reporters are :mod:`netsim.sim.summary`'s.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from netsim.scenario.schema import ROLES, Scenario
from netsim.sim.records import (
    ATTENDANCE,
    BRIDGING_TIE,
    DECISIONS,
    EMPLOYEE,
    KNOWLEDGE,
    MEETING,
    REVIEW,
    WEEKLY,
    MeetingOutcome,
)
from netsim.sim.summary import SUMMARY_REPORTERS, RunFacts

if TYPE_CHECKING:
    from netsim.sim.result import RunResult
    from netsim.sim.state import Batch, State

__all__ = ["Recorder"]


class Recorder:
    """Collects meeting rows and weekly observations during a run (declarative reporters)."""

    def __init__(self, state: State, *, trace: bool = False, weekly: bool = True) -> None:
        # False: only what the summary needs (no weekly observations, and of each meeting
        # only the columns the summary reads: meeting_columns has only those).
        self._record_weeks = weekly
        self._rows: list[dict[str, np.ndarray]] = []
        self._trace: list[dict[str, np.ndarray]] | None = [] if trace else None
        self._reviews: list[dict[str, np.ndarray]] = []
        self._weeks: list[dict[str, float]] = []
        org = state.org
        self._sponsored = np.unique(
            np.concatenate(
                [b.topics for b in state.batches if b.spec.kind == "sponsored"]
                or [np.empty(0, dtype=np.intp)]
            )
        )
        n_spec = len(org.specialties)
        self._groups = {
            "knowledge_specialty": np.arange(n_spec),
            "knowledge_leadership": np.array([n_spec]),
            "knowledge_strategy": np.array([n_spec + 1]),
            "knowledge_practice": np.arange(n_spec + 2, len(org.topics)),
        }
        self._init_knowledge(org.knowledge.shape[1], trace=trace)
        # Where a tie would bridge departments, each pair once (row < column): the tie
        # matrix is symmetric, and so are its strengths at all times.
        pos = np.flatnonzero(state.new_cross)
        row_of = np.repeat(np.arange(state.org.n, dtype=np.int32), np.diff(state.indptr))
        self._bridge_pos = pos[row_of[pos] < state.indices[pos]]

    def meeting(self, state: State, batch: Batch, m: MeetingOutcome) -> None:
        """Record one meeting day of a network: one row per group that was open."""
        day, invited, came, held, att = m.day, m.invited, m.came, m.held, m.attended
        know_gain, bridge_gain = m.knowledge_gain, m.bridging_gain
        if self._trace is not None:
            self._trace_rows(state, batch, m)
        spec = batch.spec
        sc = state.scenario
        # A group with no members does not meet (and costs nothing) until someone joins; one
        # that everybody left stays in the log, at no cost, with its leavers counted absent.
        n_invited, n_gone = invited.sum(axis=1), m.gone.sum(axis=1)
        has_members = n_invited > 0
        open_ = ~batch.closed & (has_members | (n_gone > 0))
        n_att = att.sum(axis=1)
        organiser = spec.followup_hours * has_members
        organiser_dkk = (
            organiser * sc.organisation.hourly_cost_dkk.as_tuple()[ROLES.index(spec.organiser_role)]
        )
        per_person = spec.hours_per_attendee()
        hours = n_att * per_person + organiser
        cost = (
            (batch.wage * att).sum(axis=1) * per_person
            + organiser_dkk
            + held * (spec.catering_dkk * n_att + spec.facilitator_dkk * batch.facilitated)
        )
        columns = {
            "network": np.full(batch.groups, batch.name, dtype=object),
            "group": batch.group_labels,
            "day": np.full(batch.groups, day),
            "invited": n_invited,
            "attended": came.sum(axis=1),
            "held": held,
            "hours": hours,
            "cost_dkk": cost,
            "left": n_gone,
        }
        if self._record_weeks:  # the meeting log's other columns (the summary reads none)
            columns |= {
                "week": np.full(batch.groups, day // sc.simulation.days_per_week),
                "participant_value": (m.participant_hours * att).sum(axis=1),
                "sponsor_value": m.sponsor_value,
                "knowledge_gain": (know_gain * att).sum(axis=1),
                # Each new tie is gained at both ends: halve to count tie strength once.
                "bridging_gain": (bridge_gain * att).sum(axis=1) / 2,
                "cross_tie_gain": (m.cross_tie_gain * att).sum(axis=1) / 2,
            }
        # Each row's own copy of the open groups' values (all of them: as they are).
        if open_.all():
            self._rows.append({c: v.copy() for c, v in columns.items()})
        else:
            self._rows.append({c: v[open_] for c, v in columns.items()})

    def _trace_rows(self, state: State, batch: Batch, m: MeetingOutcome) -> None:
        assert self._trace is not None
        g, s = np.nonzero(m.invited)
        names = np.asarray(batch.group_names(), dtype=object)
        self._trace.append(
            {
                "day": np.full(g.size, m.day),
                "network": np.full(g.size, batch.name, dtype=object),
                "group": names[g],
                "employee": batch.idx[g, s],
                "pressure": m.pressure[g, s],
                "overloaded": m.pressure[g, s] > state.scenario.time_pressure.overload,
                "expected_value": m.vhat_before[g, s],
                "obligation": m.obligation_before[g, s],
                "room": m.room_before[g],
                "probability": m.probability[g, s],
                "came": m.came[g, s],
                "held": m.held[g],
                "value": m.value[g, s],
                "knowledge_gain": m.knowledge_gain[g, s],
                "bridging_gain": m.bridging_gain[g, s],
            }
        )

    def attendance_frame(self) -> pd.DataFrame | None:
        """The decision trace (``trace=True``): one row per invited member per meeting."""
        if self._trace is None:
            return None
        if not self._trace:
            return ATTENDANCE.empty_frame()
        return ATTENDANCE.frame(
            {c: np.concatenate([r[c] for r in self._trace]) for c in ATTENDANCE.columns}
        )

    def week(self, state: State, day: int) -> None:
        """Record the organisation at the end of a week."""
        if not self._record_weeks:
            return
        n = state.org.n
        row: dict[str, float] = {
            "week": day // state.scenario.simulation.days_per_week,
            "day": day,
            "mean_pressure": float(np.add.reduce(state.pressure)) / n,
            "share_overloaded": np.count_nonzero(
                state.pressure > state.scenario.time_pressure.overload
            )
            / n,
        }
        # Mean knowledge per topic group of everybody, of the members so far and of the
        # others. einsum, not `@`: a matrix product would call BLAS, whose threads spin on
        # after each call and take the second core from a parallel sweep's other worker.
        member = state.ever_member()
        n_mem = int(np.count_nonzero(member))
        everyone = np.einsum("it->t", state.knowledge)
        members = np.einsum("i,it->t", member.astype(float), state.knowledge)
        nan = np.full_like(everyone, math.nan)
        means = np.stack(
            [
                everyone / n,
                members / n_mem if n_mem else nan,
                (everyone - members) / (n - n_mem) if n_mem < n else nan,
            ]
        )
        by_group = np.einsum("mt,tg->mg", means, self._know_weights)
        # by_group: (everybody | members | others, topic groups)
        for name, col in self._weekly_columns.items():
            row[name] = float(by_group[0, col]) if col >= 0 else math.nan
        row["bridging_ties"] = self._bridging(state)
        row["members"] = float(sum(int(np.count_nonzero(b.member)) for b in state.batches))
        self._weeks.append(row)
        self._know_weeks.append(int(row["week"]))
        self._know_rows.append(by_group[1:])
        if self._know_employee is not None and "sponsored" in self._know_names:
            col = self._know_names.index("sponsored")
            per_person = np.einsum("it,t->i", state.knowledge, self._know_weights[:, col])
            self._know_employee.append(per_person.astype(np.float32))

    def _bridging(self, state: State) -> int:
        thr = state.scenario.learning.tie_threshold
        if state.kernels == "numba":  # the same count, without the gathered copy
            from netsim.sim.meeting_numba import count_at_least

            return int(count_at_least(state.w, self._bridge_pos, thr))
        return int(np.count_nonzero(state.w[self._bridge_pos] >= thr))

    # ------------------------------------------------------------------ for the figures

    def _init_knowledge(self, n_topics: int, *, trace: bool) -> None:
        groups = {name.removeprefix("knowledge_"): c for name, c in self._groups.items()}
        groups["sponsored"] = self._sponsored
        self._know_names = [g for g, c in groups.items() if c.size]
        # Averaging matrix: knowledge @ weights gives each person's mean per topic group.
        self._know_weights = np.zeros((n_topics, len(self._know_names)))
        for j, name in enumerate(self._know_names):
            self._know_weights[groups[name], j] = 1.0 / groups[name].size
        self._know_weeks: list[int] = []
        self._know_rows: list[np.ndarray] = []  # per week: (members | others, topic groups)
        self._know_employee: list[np.ndarray] | None = [] if trace else None
        # Each weekly knowledge column's position among the topic groups (-1: no topics).
        self._weekly_columns = {
            name: (
                self._know_names.index(name.removeprefix("knowledge_"))
                if name.removeprefix("knowledge_") in self._know_names
                else -1
            )
            for name in self._groups
        }

    def knowledge_frame(self) -> pd.DataFrame:
        """Weekly knowledge by topic group: ``week``, ``topics``, ``members``, ``others``.

        ``members`` is the mean over everyone who was a member of any network by that week,
        ``others`` over the rest; ``topics`` is ``specialty``, ``leadership``, ``strategy``,
        ``practice`` or ``sponsored`` (the topics of sponsored networks, if any).
        """
        rows = self._know_rows
        if not rows:
            return KNOWLEDGE.empty_frame()
        data = np.stack(rows)  # (weeks, members | others, topic groups)
        return KNOWLEDGE.frame(
            {
                "week": np.repeat(np.asarray(self._know_weeks, dtype=np.int64), data.shape[2]),
                "topics": np.tile(np.asarray(self._know_names, dtype=object), len(rows)),
                "members": data[:, 0].ravel(),
                "others": data[:, 1].ravel(),
            }
        )

    def knowledge_by_employee(self) -> np.ndarray | None:
        """With ``trace``: (weeks, employees) mean knowledge on the sponsored topics."""
        rows = self._know_employee
        if not rows:
            return None
        return np.stack(rows)

    def bridging_frame(self, state: State) -> pd.DataFrame:
        """The bridging ties at the end (each pair once, ``a < b``) and their strength."""
        thr = state.scenario.learning.tie_threshold
        pos = self._bridge_pos[state.w[self._bridge_pos] >= thr]
        return BRIDGING_TIE.frame(
            {
                "a": np.searchsorted(state.indptr, pos, side="right") - 1,
                "b": state.indices[pos].astype(np.int64),
                "strength": state.w[pos],
            }
        )

    # ------------------------------------------------------------------ the result

    def meeting_columns(self) -> dict[str, np.ndarray]:
        """The meeting log as arrays, one per column, in the order of :meth:`meetings_frame`."""
        if not self._rows:
            return MEETING.empty_arrays()
        recorded = self._rows[0].keys()  # without weekly observations: the summary's only
        cols = {
            c: np.concatenate([r[c] for r in self._rows]).astype(t, copy=False)
            for c, t in MEETING.dtypes.items()
            if c in recorded
        }
        order = np.lexsort((cols["group"], cols["network"], cols["day"]))  # stable
        return {c: v[order] for c, v in cols.items()}

    def meetings_frame(self, columns: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
        """The meeting log, one row per group meeting, ordered by day."""
        return MEETING.frame(self.meeting_columns() if columns is None else columns)

    def weekly_frame(self, meetings: pd.DataFrame) -> pd.DataFrame:
        """Weekly series; ``attendance:NAME`` is the attendance rate of that network's
        meetings in the week (empty where it did not meet)."""
        if not self._weeks:
            return WEEKLY.empty_frame()
        columns = {c: np.asarray([row[c] for row in self._weeks]) for c in WEEKLY.columns}
        if not meetings.empty:
            columns |= _attendance_rates(columns["week"], meetings)
        return WEEKLY.frame(columns)

    def review(
        self,
        batch: Batch,
        day: int,
        reviewed: np.ndarray,
        true: np.ndarray,
        measured: np.ndarray,
        decision: np.ndarray,
        correct: np.ndarray,
    ) -> None:
        """Record one review of a network: one row per group reviewed."""
        g = np.flatnonzero(reviewed)
        names = np.asarray(DECISIONS, dtype=object)
        self._reviews.append(
            {
                "day": np.full(g.size, day),
                "network": np.full(g.size, batch.name, dtype=object),
                "group": np.asarray(batch.group_names(), dtype=object)[g],
                "true_value_per_hour": true[g],
                "measured_value_per_hour": measured[g],
                "decision": names[decision[g]],
                "true_decision": names[correct[g]],
            }
        )

    def review_columns(self) -> dict[str, np.ndarray]:
        """The sponsor's reviews as arrays, one per column (empty when there were none)."""
        if not self._reviews:
            return {c: np.empty(0, dtype=object) for c in REVIEW.columns}
        return {c: np.concatenate([r[c] for r in self._reviews]) for c in REVIEW.columns}

    def reviews_frame(self, columns: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
        """The sponsor's reviews: one row per group and review."""
        if not self._reviews:
            return REVIEW.empty_frame()
        return REVIEW.frame(self.review_columns() if columns is None else columns)

    def result(self, state: State, scenario: Scenario, *, seed: int, kernels: str) -> RunResult:
        """Assemble the run's result; ``scenario`` is the run's scenario as it started, and
        ``kernels`` the kernels that ran it."""
        from netsim.sim.graphs import tie_graphs
        from netsim.sim.result import RunResult

        meeting_cols, review_cols = self.meeting_columns(), self.review_columns()
        meetings = self.meetings_frame(meeting_cols)
        weekly = self.weekly_frame(meetings)
        reviews = self.reviews_frame(review_cols)
        summary = self.summary(state, scenario, meeting_cols, review_cols, seed=seed)
        return RunResult(
            scenario=scenario,
            seed=seed,
            summary=summary,
            meetings=meetings,
            weekly=weekly,
            employees=self.employees_frame(state),
            attendance=self.attendance_frame(),
            reviews=reviews,
            knowledge=self.knowledge_frame(),
            bridging=self.bridging_frame(state),
            knowledge_by_employee=self.knowledge_by_employee(),
            kernels=kernels,
            graphs=tie_graphs(state),
        )

    def employees_frame(self, state: State) -> pd.DataFrame:
        """One row per employee: who they are and what the networks cost them."""
        org = state.org
        spec_names = np.asarray([*org.specialties, ""], dtype=object)
        return EMPLOYEE.frame(
            {
                "id": np.arange(org.n),
                # The organisation's own ids (an HR export's), where it has them.
                "employee_id": (
                    np.asarray(org.employee_ids, dtype=object)
                    if org.employee_ids is not None
                    else np.arange(org.n).astype(str).astype(object)
                ),
                "department": np.asarray(org.department_names, dtype=object)[org.department],
                "unit": org.unit,
                "role": np.asarray(ROLES, dtype=object)[org.role],
                "specialty": spec_names[org.specialty],
                "isolated": org.isolated,
                "member": state.ever_member(),
                "invited": state.invited,
                "attended": state.attended,
                "hours": state.hours,
                "cost_dkk": state.cost_dkk,
            }
        )

    def summary(
        self,
        state: State,
        scenario: Scenario,
        meetings: dict[str, np.ndarray] | None = None,
        reviews: dict[str, np.ndarray] | None = None,
        *,
        seed: int,
    ) -> dict[str, Any]:
        """The run summary: one flat dict with the names of
        :data:`~netsim.sim.summary.SUMMARY_NAMES`.

        ``meetings`` and ``reviews`` are :meth:`meeting_columns` and :meth:`review_columns`,
        if the caller has them already. No table is built: a comparison or a sweep, which
        keeps only the summary, does not pay for the result's tables.
        """
        facts = RunFacts(
            state=state,
            scenario=scenario,
            seed=seed,
            meetings=self.meeting_columns() if meetings is None else meetings,
            reviews=self.review_columns() if reviews is None else reviews,
            sponsored_topics=self._sponsored,
            bridging_ties=self._bridging(state),
        )
        return {name: report(facts) for name, report in SUMMARY_REPORTERS.items()}


def _attendance_rates(weeks: np.ndarray, meetings: pd.DataFrame) -> dict[str, np.ndarray]:
    """``attendance:NAME`` for each network: its attendance rate in each of ``weeks`` (NaN
    where it did not meet)."""
    span = int(max(weeks.max(), meetings["week"].max())) + 1
    week = meetings["week"].to_numpy()
    network = meetings["network"].to_numpy()
    attended = meetings["attended"].to_numpy()
    invited = meetings["invited"].to_numpy()
    rates = {}
    for name in sorted(set(network)):
        mine = network == name
        met = np.bincount(week[mine], minlength=span) > 0
        came = np.bincount(week[mine], weights=attended[mine], minlength=span)
        asked = np.bincount(week[mine], weights=invited[mine], minlength=span)
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(met & (asked > 0), came / asked, math.nan)
        rates[f"attendance:{name}"] = rate[weeks]
    return rates


# ------------------------------------------------------------------ the summary's reporters
