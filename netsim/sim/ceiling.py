"""The most a network of a fixed group could save its members, worked out before it runs.

Peer learning cannot take a member above what the best-informed member of their group knows
(docs/model.md, "The meeting": no knowledge from nothing), and meetings cannot make a tie
stronger than meeting at every meeting keeps it. So whatever a network's design, its members
can save at most the hours they would save a year if every member knew, on the network's
topics, what their group's best-informed member knows, and their ties to the rest of their
group were that strong. :func:`ceilings` works that out for each network of a scenario from
the organisation as it starts, with everybody's usual time pressure, beside the hours the
network costs a member who comes to every meeting: a planner can see, before spending
anybody's hours, whether a network could pay for itself at all. A ceiling below the cost
means no design of that group on that schedule can be worth its hours in hours saved; above
it, the design decides how much of it is reached (docs/calibration.md, fact 2, measures how
far a designed leader network falls short of its ceiling, and why).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from netsim.scenario.schema import Network, Scenario
from netsim.sim.meeting import meeting_days
from netsim.sim.org import Org, build_organisation
from netsim.sim.rng import Streams
from netsim.sim.state import build_state

__all__ = ["Ceiling", "ceilings", "kept_tie_strength", "tie_rate"]


@dataclass(frozen=True)
class Ceiling:
    """The most one network could give its members a year, and what it costs them.

    Attributes
    ----------
    network : str
    members : int
        Its candidates at the start (every group's).
    saved_year : float
        Hours a year a member would save at most (the mean over the members): everyone at
        their group's best on the network's topics, ties as strong as meetings keep them.
    alliances_year : float
        The hours-equivalent a year of the alliances those meetings keep building (each
        meeting's strength gained on ties across departments, at
        ``learning.alliance_hours_per_tie`` times the member's career motive).
    cost_year : float
        Hours a year the network costs a member who comes to every meeting.
    """

    network: str
    members: int
    saved_year: float
    alliances_year: float
    cost_year: float

    @property
    def return_per_hour(self) -> float:
        """What a member could get at most (hours saved and alliances) per hour spent."""
        gained = self.saved_year + self.alliances_year
        return gained / self.cost_year if self.cost_year > 0 else float("nan")


def tie_rate(scenario: Scenario, spec: Network) -> float:
    """The share of the way to full strength a tie grows at one meeting of ``spec``'s format
    (docs/model.md, "The meeting": ties grow far more in participatory format)."""
    lrn = scenario.learning
    return lrn.tie_rate * (lrn.lecture_tie_share + (1 - lrn.lecture_tie_share) * spec.participation)


def kept_tie_strength(scenario: Scenario, spec: Network, w0: np.ndarray) -> np.ndarray:
    """The strength of a tie between two members who meet at every meeting of a network, once
    it has settled, just before a meeting.

    Each meeting adds ``g (1 - w)`` (``g`` of :func:`tie_rate`) and the weeks between take
    ``w`` back toward its start ``w0`` by the factor ``k = (1 - tie_decay_per_week) **
    interval_weeks``, so ``w = (w0 (1 - k) + k g) / (1 - k (1 - g))``.

    Examples
    --------
    >>> from netsim.scenario.schema import Scenario
    >>> sc = Scenario.model_validate({"networks": {"n": {
    ...     "purpose": "leader_forum", "select": {"roles": ["leader"]},
    ...     "enrollment": "invitation", "participation": 1.0, "interval_weeks": 4}}})
    >>> w = kept_tie_strength(sc, sc.networks["n"], np.array([0.0]))
    >>> g = tie_rate(sc, sc.networks["n"])
    >>> bool(np.isclose((1 - 0.02) ** 4 * (w + g * (1 - w)), w)[0])
    True
    """
    g = tie_rate(scenario, spec)
    k = (1.0 - scenario.diffusion.tie_decay_per_week) ** spec.interval_weeks
    return np.asarray((w0 * (1 - k) + k * g) / (1 - k * (1 - g)), dtype=float)


def ceilings(
    scenario: Scenario, seed: int | None = None, *, org: Org | None = None
) -> list[Ceiling]:
    """Each network's ceiling (:class:`Ceiling`), in file order.

    Parameters
    ----------
    scenario : Scenario
    seed : int, optional
        Draws the organisation and the groups as a run with this seed does (default: the
        scenario's ``simulation.seed``).
    org : Org, optional
        An organisation already built (as :func:`netsim.simulate`'s ``org``).

    Each network is taken on its own, the others as they start. Nothing is simulated: one
    measurement of the members' hours on problems as things start and one as they would be
    at the ceiling, with the numpy kernels.
    """
    seed = scenario.simulation.seed if seed is None else int(seed)
    streams = Streams(seed)
    if org is None:
        org = build_organisation(scenario.organisation, rng=streams.organisation)
    state = build_state(scenario, org, streams)
    acc, lrn, years = state.account, scenario.learning, scenario.simulation.years
    out = []
    for batch in state.batches:
        members = batch.idx[batch.slot]
        if members.size == 0:
            out.append(Ceiling(batch.name, 0, 0.0, 0.0, 0.0))
            continue
        tied = batch.pair_pos >= 0
        before = kept_tie_strength(scenario, batch.spec, state.w0[batch.pair_pos[tied]])
        g = tie_rate(scenario, batch.spec)
        strong = state.w.copy()
        strong[batch.pair_pos[tied]] = np.maximum(
            strong[batch.pair_pos[tied]], before + g * (1 - before)
        )
        gained = np.zeros(batch.pair_pos.shape)
        gained[tied] = g * (1 - before)
        best = state.knowledge.copy()
        for group in range(batch.idx.shape[0]):
            ids = batch.idx[group][batch.slot[group]]
            if ids.size:
                cells = np.ix_(ids, batch.topics)
                best[cells] = state.knowledge[cells].max(axis=0)
        now = acc.per_problem(state, state.knowledge, state.w, rows=members, backend="numpy")
        then = acc.per_problem(state, best, strong, rows=members, backend="numpy")
        saved_a_day = (
            acc.hours_a_day(state, now, members, "numpy")[0]
            - acc.hours_a_day(state, then, members, "numpy")[0]
        )
        meetings = len(meeting_days(batch, scenario)) / years
        allied = (gained * batch.cross).sum(axis=2) * batch.career
        out.append(
            Ceiling(
                network=batch.name,
                members=int(members.size),
                saved_year=float(saved_a_day.mean() * scenario.simulation.days_per_year),
                alliances_year=float(
                    meetings * lrn.alliance_hours_per_tie * allied[batch.slot].mean()
                ),
                cost_year=float(meetings * batch.spec.hours_per_attendee()),
            )
        )
    return out
