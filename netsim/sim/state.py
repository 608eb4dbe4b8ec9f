"""The shared state of one run and the per-network group structure.

:class:`State` holds what changes over a run, as arrays indexed by employee: knowledge, time
pressure, and the tie strengths as the ``data`` array of one fixed CSR structure. That
structure is the informal graph plus, for every network group, all pairs of its candidate
members with strength zero, so a tie formed at a meeting is an update of ``w[pos]`` and never
a change of structure.

:class:`Batch` holds all groups of one network (a large target group split into groups of at
most ``max_size``) as ``(group, slot)`` arrays, so one meeting day of a network is one set of
vectorised operations for up to :data:`netsim.sim.meeting.MEETING_BLOCK` groups, however many groups
it has.
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from netsim.scenario.schema import Learning, Network, Scenario
from netsim.sim.account import Account, build_account
from netsim.sim.kernels import StartingTies
from netsim.sim.org import Org, select_members, split_groups
from netsim.sim.rng import Streams

__all__ = ["Batch", "State", "build_state"]


@dataclass(eq=False)
class Batch:
    """The groups of one network and each membership's state."""

    name: str
    spec: Network
    topics: np.ndarray  # (R,) topic columns
    idx: np.ndarray  # (G, S) employee ids, 0 where the slot is empty
    slot: np.ndarray  # (G, S) bool: the slot holds a candidate
    member: np.ndarray  # (G, S) bool
    ever: np.ndarray  # (G, S) bool: was a member at some point
    left: np.ndarray  # (G, S) bool
    vhat: np.ndarray  # (G, S) expected value
    obligation: np.ndarray  # (G, S)
    low: np.ndarray  # (G, S) consecutive meetings below the leave threshold
    room: np.ndarray  # (G,) attendance rate of the previous meeting
    pair_pos: np.ndarray  # (G, S, S) position of the pair's tie in State.w, -1 if none
    new_cross: np.ndarray  # (G, S, S) bool: a new tie here would bridge departments
    cross: np.ndarray  # (G, S, S) bool: the pair is in different departments
    specialty: np.ndarray  # (G, S)
    isolated: np.ndarray  # (G, S)
    career: np.ndarray  # (G, S)
    wage: np.ndarray  # (G, S)
    can_leave: bool
    # Per group, because a review can transform or close one group of a network:
    participation: np.ndarray  # (G,) current format, 0 lecture .. 1 participatory
    facilitated: np.ndarray  # (G,) bool: professional facilitation
    transformed: np.ndarray  # (G,) bool: transformed by a review (at most once)
    closed: np.ndarray  # (G,) bool: closed by a review
    window_value: np.ndarray  # (G,) sponsor value since the last review
    window_hours: np.ndarray  # (G,) attendee hours since the last review
    window_meetings: np.ndarray  # (G,) meetings the group had since the last review
    meetings_since_review: int = 0

    def efficiency(self, learning: Learning) -> np.ndarray:
        """(G,) ``eff_m`` of each group: goal clarity and facilitation, capped at 1."""
        return np.minimum(
            1.0,
            learning.base_efficiency
            + learning.clarity_efficiency * self.spec.goal_clarity
            + learning.facilitation_efficiency * self.facilitated,
        )

    @property
    def groups(self) -> int:
        """Number of groups."""
        return int(self.idx.shape[0])

    def group_names(self) -> list[str]:
        """``name`` for a single group, ``name/1``, ``name/2``, ... for several."""
        if self.groups == 1:
            return [self.name]
        return [f"{self.name}/{g + 1}" for g in range(self.groups)]

    @functools.cached_property
    def slots_by_employee(self) -> np.ndarray:
        """(G * S,) the flat ``(group, slot)`` positions in the order of the ids of the
        employees in them (the slots never change)."""
        return np.argsort(self.idx.reshape(-1), kind="stable")

    @functools.cached_property
    def group_labels(self) -> np.ndarray:
        """(G,) object array of :meth:`group_names`, for the meeting log."""
        return np.asarray(self.group_names(), dtype=object)


@dataclass(eq=False)
class State:
    """Everything that changes during a run."""

    scenario: Scenario  # as now (scheduled changes replace it during the run)
    org: Org
    streams: Streams
    knowledge: np.ndarray  # (N, T)
    knowledge0: np.ndarray  # (N, T) working level that forgetting returns to
    pressure: np.ndarray  # (N,)
    mu: np.ndarray  # (N,) personal mean pressure outside busy periods
    mu_offset: np.ndarray  # (N,) personal deviation from the role's level
    busy: np.ndarray  # (departments, days) bool
    indptr: np.ndarray
    indices: np.ndarray
    w: np.ndarray  # tie strengths (CSR data)
    w0: np.ndarray  # initial strengths, what ties decay back to
    new_cross: np.ndarray  # bool over w: cross-department pair with no initial tie
    has_ties: np.ndarray  # (N,) bool: the row has at least one tie entry (of any strength)
    long_row: int  # rows with more ties than this are drawn in a second pass (the longest 1 %)
    batches: list[Batch]
    hours: np.ndarray  # (N,) attendee hours so far
    cost_dkk: np.ndarray  # (N,) attendee cost so far
    attended: np.ndarray  # (N,) meetings attended
    invited: np.ndarray  # (N,) meetings invited to
    account: Account  # the problems of daily work, and the hours the networks saved
    # The run's kernels ("numpy" or "numba", netsim.sim.kernels.backend), set when it starts:
    # the steps that have a compiled twin read it.
    kernels: str = "numpy"
    # A large organisation's one helper thread (netsim.sim.model.run, from
    # netsim.sim.daily.AHEAD_EMPLOYEES employees): the next week's random numbers and the
    # shadow's steps (netsim.sim.account.Shadow.later) go to it in the order they are
    # given, so that a run keeps at most two threads busy.
    helper: ThreadPoolExecutor | None = None

    @functools.cached_property
    def starting_ties(self) -> StartingTies:
        """The running sums of the starting strengths ``w0`` (which never change), for the
        numpy kernels' tie draws (:class:`netsim.sim.kernels.StartingTies`)."""
        return StartingTies(self.indptr, self.w0, long_row=self.long_row)

    def ever_member(self) -> np.ndarray:
        """(N,) bool: member of any network at some point."""
        out = np.zeros(self.org.n, dtype=bool)
        for b in self.batches:
            out[b.idx[b.ever]] = True
        return out


def personal_mean(scenario: Scenario, org: Org, offset: np.ndarray) -> np.ndarray:
    """(N,) personal mean time pressure: the role's level plus a personal offset, in [0, 1]."""
    levels = np.asarray(scenario.time_pressure.mean_by_role.as_tuple())
    return np.clip(levels[org.role] + offset, 0.0, 1.0)


def _pair_positions(keys: np.ndarray, n: int, idx: np.ndarray, slot: np.ndarray) -> np.ndarray:
    """Positions in the CSR data (whose ``row * n + column`` are ``keys``) of every (i, j)
    pair of each group; -1 for i == j or an empty slot."""
    q = idx[:, :, None].astype(np.int64) * n + idx[:, None, :]
    pos = np.searchsorted(keys, q).astype(np.int32)
    s = idx.shape[1]
    valid = slot[:, :, None] & slot[:, None, :] & ~np.eye(s, dtype=bool)[None]
    return np.where(valid, pos, np.int32(-1))


def _make_batch(name: str, spec: Network, scenario: Scenario, org: Org, streams: Streams) -> Batch:
    targets = select_members(
        org, spec.select, rng=streams.membership, within=scenario.members_of(name)
    )
    # A selector that finds too few people for the quorum, whatever the seed, was reported
    # when the scenario was loaded (netsim.scenario.staff.network_problems); what is left is
    # a drawn shortfall, or a scenario built in Python without the loader: either way a group
    # below the quorum never meets, and the summary counts it (``groups_below_quorum``).
    groups = split_groups(org, targets, spec.max_size, spec.split) if targets.size else []
    if not groups:
        groups = [np.empty(0, dtype=np.intp)]  # one group with nobody in it: it never meets
    g, s = len(groups), max(1, max(len(x) for x in groups))
    idx = np.zeros((g, s), dtype=np.intp)
    slot = np.zeros((g, s), dtype=bool)
    for k, members in enumerate(groups):
        idx[k, : members.size] = members
        slot[k, : members.size] = True

    att = scenario.attendance
    prior_mean = att.prior_value  # the same whatever the design: experience tells
    # Drawn for every slot, whatever the enrollment, so the stream stays aligned.
    vhat = np.maximum(
        prior_mean + att.prior_value_sd * streams.recruitment.standard_normal((g, s)), 0.0
    )
    if spec.enrollment == "voluntary":
        member = slot & (vhat > att.join_threshold)
    else:
        member = slot.copy()
    obligation = np.where(member, getattr(att.obligation, spec.enrollment), 0.0)
    return Batch(
        name=name,
        spec=spec,
        topics=org.topic_index(spec.resolved_topics(scenario.organisation)),
        idx=idx,
        slot=slot,
        member=member,
        ever=member.copy(),
        left=np.zeros((g, s), dtype=bool),
        vhat=np.where(slot, vhat, 0.0),
        obligation=obligation,
        low=np.zeros((g, s), dtype=np.int64),
        room=np.ones(g),
        pair_pos=np.empty(0, dtype=np.int64),
        new_cross=np.empty(0, dtype=bool),
        cross=np.empty(0, dtype=bool),
        specialty=np.where(slot, org.specialty[idx], -1),
        isolated=slot & org.isolated[idx],
        career=org.career[idx],
        wage=org.wage_dkk[idx],
        can_leave=spec.enrollment != "automatic",
        participation=np.full(g, spec.participation),
        facilitated=np.full(g, spec.facilitation == "professional"),
        transformed=np.zeros(g, dtype=bool),
        closed=np.zeros(g, dtype=bool),
        window_value=np.zeros(g),
        window_hours=np.zeros(g),
        window_meetings=np.zeros(g, dtype=np.int64),
    )


def build_state(scenario: Scenario, org: Org, streams: Streams) -> State:
    """Initial state: pressure, busy periods, tie structure and the network groups.

    Draw order (fixed): pressure levels and busy periods from ``pressure``, then, per network
    in file order, sampling from ``membership`` and prior expectations from ``recruitment``.
    """
    n = org.n
    tp = scenario.time_pressure
    sim = scenario.simulation
    days = scenario.horizon_days
    rng = streams.pressure
    mu_offset = tp.individual_sd * rng.standard_normal(n)
    mu = personal_mean(scenario, org, mu_offset)
    n_depts = len(org.department_names)
    busy = np.zeros((n_depts, days + 1), dtype=bool)
    length = max(1, round(tp.busy_period_weeks * sim.days_per_week))
    rate_per_day = tp.busy_periods_per_year / sim.days_per_year
    for d in range(n_depts):
        starts = np.flatnonzero(rng.random(days) < rate_per_day)
        for s0 in starts:
            busy[d, s0 : s0 + length] = True
    pressure = mu.copy()

    batches = [
        _make_batch(name, spec, scenario, org, streams) for name, spec in scenario.networks.items()
    ]

    # Tie structure: informal ties plus a zero-strength entry for every candidate pair.
    base = org.ties.tocoo()
    rows, cols, data = [base.row.astype(np.int32)], [base.col.astype(np.int32)], [base.data]
    for batch in batches:
        s = batch.idx.shape[1]
        pair = batch.slot[:, :, None] & batch.slot[:, None, :] & ~np.eye(s, dtype=bool)
        rows.append(np.broadcast_to(batch.idx[:, :, None], pair.shape)[pair].astype(np.int32))
        cols.append(np.broadcast_to(batch.idx[:, None, :], pair.shape)[pair].astype(np.int32))
        data.append(np.zeros(rows[-1].size))
    mat = sp.coo_array(
        (np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)
    ).tocsr()
    del base, rows, cols, data
    mat.sum_duplicates()
    mat.sort_indices()
    indptr, indices = mat.indptr.astype(np.int64), mat.indices.astype(np.int32)
    w = mat.data.astype(np.float64)
    del mat
    row_of = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    new_cross = (w == 0.0) & (org.department[row_of] != org.department[indices])
    keys = row_of * n + indices
    del row_of
    for batch in batches:
        batch.pair_pos = _pair_positions(keys, n, batch.idx, batch.slot)
        batch.new_cross = np.where(batch.pair_pos >= 0, new_cross[batch.pair_pos], False)
        dep = org.department[batch.idx]
        batch.cross = (batch.pair_pos >= 0) & (dep[:, :, None] != dep[:, None, :])
    del keys
    row_length = np.diff(indptr)
    long_row = max(1, int(np.quantile(row_length, 0.99))) if n else 1

    return State(
        scenario=scenario,
        org=org,
        streams=streams,
        knowledge=org.knowledge.copy(),
        knowledge0=org.knowledge,
        pressure=pressure,
        mu=mu,
        mu_offset=mu_offset,
        busy=busy,
        indptr=indptr,
        indices=indices,
        w=w,
        w0=w.copy(),
        new_cross=new_cross,
        has_ties=row_length > 0,
        long_row=long_row,
        batches=batches,
        hours=np.zeros(n),
        cost_dkk=np.zeros(n),
        attended=np.zeros(n, dtype=np.int64),
        invited=np.zeros(n, dtype=np.int64),
        account=build_account(scenario, org, streams, batches),
    )
