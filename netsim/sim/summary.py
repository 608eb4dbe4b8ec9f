"""The run summary: one flat row of stable names (:data:`SUMMARY_NAMES`), each computed by a
named reporter (:data:`SUMMARY_REPORTERS`, Mesa's declarative ``{"name": function}``) from a
:class:`RunFacts`: the finished run's state, its logs as columns, and what several reporters
share, computed once.

The hours saved (``*_hours_saved_year``, the returns per hour, the DKK equivalents,
``share_worth_it``) come from :mod:`netsim.sim.account`: against the same organisation without
its networks, run with the same random numbers.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from netsim.scenario.schema import Scenario
from netsim.sim.org import LEADER, SPECIALIST

if TYPE_CHECKING:
    from netsim.sim.account import Account
    from netsim.sim.state import Batch, State

__all__ = ["SUMMARY_NAMES", "SUMMARY_REPORTERS", "WORTH_IT", "RunFacts"]

#: A network is worth it to a member who expects at least an hour saved for every hour it costs.
WORTH_IT = 1.0

#: The summary's schema: names and order are stable; every name of MODEL.md's "Outputs".
SUMMARY_NAMES: tuple[str, ...] = (
    "scenario",
    "seed",
    "years",
    "employees",
    "networks",
    "groups",
    "members",
    "total_hours_year",
    "cost_dkk_year",
    "hours_per_member_year",
    "hours_per_leader_year",
    "problem_time_share",
    "participant_hours_saved_year",
    "sponsor_hours_saved_year",
    "nonmember_hours_saved_year",
    "net_hours_year",
    "participant_return_per_hour",
    "sponsor_return_per_hour",
    "hours_saved_per_leader_year",
    "participant_dkk_saved_year",
    "sponsor_dkk_saved_year",
    "net_dkk_year",
    "share_worth_it",
    "attendance_first_quarter",
    "attendance_last_quarter",
    "attendance_decay",
    "knowledge_gain",
    "knowledge_gain_all_topics",
    "nonmember_knowledge_gain",
    "isolated_specialist_gain",
    "connected_specialist_gain",
    "bridging_ties",
    "meetings_held",
    "meetings_cancelled",
    "groups_below_quorum",
    "members_left",
    "networks_closed",
    "false_closures",
    "false_keeps",
)


def _ratio(a: float, b: float, empty: float = 0.0) -> float:
    return float(a / b) if b else empty


@dataclass(eq=False)
class RunFacts:
    """What the summary's reporters read: a finished run's state, its scenario as it started,
    its seed, its meeting and review logs as columns
    (:meth:`~netsim.sim.metrics.Recorder.meeting_columns`,
    :meth:`~netsim.sim.metrics.Recorder.review_columns`), the sponsored networks' topics and
    the bridging ties at the end. What several reporters share is computed once, when first
    asked for."""

    state: State
    scenario: Scenario
    seed: int
    meetings: dict[str, np.ndarray]
    reviews: dict[str, np.ndarray]
    sponsored_topics: np.ndarray
    bridging_ties: int

    @property
    def account(self) -> Account:
        return self.state.account

    @functools.cached_property
    def years(self) -> float:
        return self.scenario.horizon_days / self.scenario.simulation.days_per_year

    @functools.cached_property
    def ever(self) -> np.ndarray:
        """(N,) bool: a member of some network at some point."""
        return self.state.ever_member()

    @functools.cached_property
    def held(self) -> np.ndarray:
        return self.meetings["held"].astype(bool, copy=False)

    @functools.cached_property
    def attendance_by_quarter(self) -> tuple[float, float]:
        """Attendance rate in the first and in the last quarter of the run (NaN: no meeting)."""
        day, attended, invited = (self.meetings[c] for c in ("day", "attended", "invited"))
        invited = invited + self.meetings["left"]  # who left counts as absent
        days = self.scenario.horizon_days
        quarter = days / 4
        rates = []
        for lo, hi in ((0, quarter), (days - quarter, days + 1)):
            m = (day >= lo) & (day < hi)
            rates.append(_ratio(attended[m].sum(), invited[m].sum(), math.nan))
        return rates[0], rates[1]

    @functools.cached_property
    def expectations(self) -> np.ndarray:
        """Every membership's final expected value."""
        return np.concatenate([b.vhat[b.ever] for b in self.state.batches] or [np.empty(0)])

    @property
    def attendee_hours(self) -> float:
        return float(self.state.hours.sum())

    def value(self, column: str) -> float:
        """The participant or sponsor value of the meetings held."""
        return float(self.meetings[column][self.held].sum())

    def hours_per_year(self, who: np.ndarray) -> float:
        """Mean attendee hours per year of the employees ``who`` (0: nobody)."""
        return _ratio(self.state.hours[who].sum(), who.sum()) / self.years

    @functools.cached_property
    def knowledge_gain(self) -> np.ndarray:
        """(N, T) knowledge now less knowledge at the start."""
        return self.state.knowledge - self.state.org.knowledge

    @functools.cached_property
    def sponsored_gain(self) -> np.ndarray:
        """(N,) each employee's mean gain on the sponsored networks' topics."""
        spon = self.sponsored_topics
        gain = self.knowledge_gain
        return gain[:, spon].mean(axis=1) if spon.size else np.zeros(self.state.org.n)

    def specialist_gain(self, *, isolated: bool) -> float:
        """Mean gain of the (isolated or connected) specialists on their own specialty."""
        org = self.state.org
        rows = np.flatnonzero(org.role == SPECIALIST)
        own, iso = self.knowledge_gain[rows, org.specialty[rows]], org.isolated[rows]
        mine = iso if isolated else ~iso
        return float(own[mine].mean()) if mine.any() else math.nan

    def reviews_where(self, *, closed: bool, called_for_closing: bool) -> int:
        """Reviews whose decision was (or was not) to close where the true value called (or
        did not call) for closing."""
        decision, should = self.reviews["decision"], self.reviews["true_decision"]
        taken, called = decision == "close", should == "close"
        return int(((taken == closed) & (called == called_for_closing)).sum())


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if x.size else math.nan


def _share_worth_it(f: RunFacts) -> float:
    """Of every membership there ever was (those who left included), the share that ends
    expecting at least an hour saved for every hour the network costs."""
    return _ratio((f.expectations >= WORTH_IT).sum(), f.expectations.size, math.nan)


def _attendance_decay(f: RunFacts) -> float:
    first, last = f.attendance_by_quarter
    return _ratio(last, first, math.nan) if not math.isnan(first) else math.nan


def _batches_total(count: Callable[[Batch], int]) -> Callable[[RunFacts], int]:
    return lambda f: int(sum(count(b) for b in f.state.batches))


#: The summary, name by name (Mesa's declarative reporters): each reads a :class:`RunFacts`.
SUMMARY_REPORTERS: dict[str, Callable[[RunFacts], Any]] = {
    "scenario": lambda f: f.scenario.name,
    "seed": lambda f: f.seed,
    "years": lambda f: f.years,
    "employees": lambda f: f.state.org.n,
    "networks": lambda f: len(f.state.batches),
    "groups": lambda f: sum(b.groups for b in f.state.batches),
    "members": lambda f: int(f.ever.sum()),
    "total_hours_year": lambda f: float(f.meetings["hours"].sum()) / f.years,
    "cost_dkk_year": lambda f: float(f.meetings["cost_dkk"].sum()) / f.years,
    "hours_per_member_year": lambda f: f.hours_per_year(f.ever),
    "hours_per_leader_year": lambda f: f.hours_per_year(f.ever & (f.state.org.role == LEADER)),
    "problem_time_share": lambda f: _ratio(
        f.account.spent.sum(),
        f.state.org.n * f.scenario.horizon_days * f.scenario.simulation.hours_per_day,
        math.nan,
    ),
    "participant_hours_saved_year": lambda f: float(f.account.saved[f.ever].sum()) / f.years,
    "sponsor_hours_saved_year": lambda f: float(f.account.saved_goal.sum()) / f.years,
    "nonmember_hours_saved_year": lambda f: float(f.account.saved_goal[~f.ever].sum()) / f.years,
    "net_hours_year": lambda f: (
        (float(f.account.saved_goal.sum()) - float(f.meetings["hours"].sum())) / f.years
    ),
    "participant_return_per_hour": lambda f: _ratio(
        f.account.saved[f.ever].sum(), f.state.hours[f.ever].sum(), math.nan
    ),
    "sponsor_return_per_hour": lambda f: _ratio(
        f.account.saved_goal.sum(), f.meetings["hours"].sum(), math.nan
    ),
    "hours_saved_per_leader_year": lambda f: (
        _mean(f.account.saved[f.ever & (f.state.org.role == LEADER)]) / f.years
    ),
    "participant_dkk_saved_year": lambda f: (
        float((f.account.saved * f.state.org.wage_dkk)[f.ever].sum()) / f.years
    ),
    "sponsor_dkk_saved_year": lambda f: (
        float((f.account.saved_goal * f.state.org.wage_dkk).sum()) / f.years
    ),
    "net_dkk_year": lambda f: (
        (
            float((f.account.saved_goal * f.state.org.wage_dkk).sum())
            - float(f.meetings["cost_dkk"].sum())
        )
        / f.years
    ),
    "share_worth_it": lambda f: _share_worth_it(f),
    "attendance_first_quarter": lambda f: f.attendance_by_quarter[0],
    "attendance_last_quarter": lambda f: f.attendance_by_quarter[1],
    "attendance_decay": _attendance_decay,
    "knowledge_gain": lambda f: float(f.sponsored_gain.mean()),
    "knowledge_gain_all_topics": lambda f: float(f.knowledge_gain.mean()),
    "nonmember_knowledge_gain": lambda f: (
        float(f.sponsored_gain[~f.ever].mean()) if (~f.ever).any() else 0.0
    ),
    "isolated_specialist_gain": lambda f: f.specialist_gain(isolated=True),
    "connected_specialist_gain": lambda f: f.specialist_gain(isolated=False),
    "bridging_ties": lambda f: f.bridging_ties,
    "meetings_held": lambda f: int(f.held.sum()),
    "meetings_cancelled": lambda f: int(((~f.held) & (f.meetings["invited"] > 0)).sum()),
    "groups_below_quorum": _batches_total(
        lambda b: int((b.slot.sum(axis=1) < b.spec.quorum).sum())
    ),
    "members_left": _batches_total(lambda b: int(b.left.sum())),
    "networks_closed": _batches_total(lambda b: int(b.closed.sum())),
    "false_closures": lambda f: f.reviews_where(closed=True, called_for_closing=False),
    "false_keeps": lambda f: f.reviews_where(closed=False, called_for_closing=True),
}

# A programming error, not a user's: the summary's schema and its reporters must agree, name
# by name and in order (checked once, when the module is imported, whatever python's -O).
if tuple(SUMMARY_REPORTERS) != SUMMARY_NAMES:
    raise RuntimeError(
        "netsim.sim.summary: SUMMARY_REPORTERS must name SUMMARY_NAMES in order; they differ "
        f"at {sorted(set(SUMMARY_REPORTERS) ^ set(SUMMARY_NAMES)) or 'the order'}"
    )
