"""Recognition for teaching (``learning.teaching_credit``, docs/model.md "Recognition for
teaching"): off in the calibrated model; when on, a member counts as their own a share of the
hours that what they taught saves the colleagues who learnt it."""

from __future__ import annotations

import numpy as np
import pytest

import netsim
from netsim.scenario.load import with_overrides
from netsim.sim import meeting
from netsim.sim.org import build_organisation
from netsim.sim.rng import Streams
from netsim.sim.state import build_state
from tests.conftest import SCENARIOS

#: Fact 2's designed leader network (experiments/stylised_facts.py, DESIGNED).
DESIGNED = {
    "networks.leader_networks.enrollment": "invitation",
    "networks.leader_networks.participation": 0.9,
    "networks.leader_networks.facilitation": "professional",
    "networks.leader_networks.goal_clarity": 0.9,
}


def _auto(overrides: dict[str, object] | None = None) -> netsim.Scenario:
    sc = netsim.load_scenario(SCENARIOS / "auto_enrollment.toml")
    return with_overrides(sc, overrides or {})


def _first_meeting(credit: float, participation: float, seed: int = 3):
    """The state and the first leader network right after its first meeting's learning."""
    sc = _auto(
        {
            "learning.teaching_credit": credit,
            "networks.leader_networks.participation": participation,
        }
    )
    streams = Streams(seed)
    state = build_state(sc, build_organisation(sc.organisation, rng=streams.organisation), streams)
    batch = state.batches[0]
    turnout = meeting.decide_attendance(state, batch)
    held = np.flatnonzero(turnout.held)
    k = state.knowledge[batch.idx[:, :, None], batch.topics].copy()
    shares = meeting._taught_shares(state, batch, held, turnout.attended[held])
    gains = meeting.learn_in_groups(state, batch, turnout)
    return k, turnout, held, shares, gains


@pytest.mark.parametrize("participation", [0.0, 0.5, 1.0])
def test_each_learner_is_taught_by_colleagues_in_the_room_who_know_more(participation):
    k, turnout, held, shares, gains = _first_meeting(1.0, participation)
    assert held.size > 0
    attended = turnout.attended[held]
    sums = shares.sum(axis=2)
    learnt = gains.knowledge[held] > 0
    assert np.allclose(sums[learnt], 1.0) and np.all(sums[~learnt] == 0.0)
    assert np.all(shares >= 0.0)
    kh = k[held]
    for g in range(held.size):
        for i, j in zip(*np.nonzero(shares[g]), strict=True):
            assert attended[g, i] and attended[g, j] and i != j
            assert np.any(kh[g, j] > kh[g, i])  # only someone who knows more teaches
    # the best-informed on every topic learns from nobody
    for g in range(held.size):
        present = np.flatnonzero(attended[g])
        top = present[np.argmax(kh[g, present].mean(axis=1))]
        if np.all(kh[g, top] >= kh[g, present].max(axis=0)):
            assert sums[g, top] == 0.0


def test_the_credit_is_a_share_of_the_learners_hours_and_changes_nothing_else():
    runs = {c: _first_meeting(c, 0.9) for c in (0.0, 1.0, 2.0)}
    _, t0, held, shares, g0 = runs[0.0]
    _, t1, _, _, g1 = runs[1.0]
    _, _, _, _, g2 = runs[2.0]
    assert np.array_equal(t0.attended, t1.attended)  # the same people in the same rooms
    for name in ("sponsor", "knowledge", "bridging", "cross_tie"):
        assert np.array_equal(getattr(g0, name), getattr(g1, name))
    extra = g1.hours - g0.hours
    assert np.all(extra >= -1e-9) and extra.sum() > 0
    assert np.allclose(g2.hours - g0.hours, 2 * extra)  # linear in the credit
    # every hour credited is an hour a learner saves, shared among their teachers
    alliance_free = g0.hours[held] - _alliances(g0, held)
    learners = shares.sum(axis=2) > 0
    assert extra[held].sum() == pytest.approx(alliance_free[learners].sum(), rel=1e-9)
    assert np.allclose(g1.value * g0.hours, g1.hours * g0.value)  # value: hours per hour spent


def _alliances(gains: meeting.Gains, held: np.ndarray) -> np.ndarray:
    """The alliances' hours-equivalents in ``gains.hours`` (the first meeting's, seed 3)."""
    sc = _auto({"networks.leader_networks.participation": 0.9})
    streams = Streams(3)
    state = build_state(sc, build_organisation(sc.organisation, rng=streams.organisation), streams)
    batch = state.batches[0]
    rate = sc.learning.alliance_hours_per_tie
    return rate * batch.career[held] * gains.cross_tie[held] * (gains.hours[held] != 0)


def test_credited_teachers_keep_the_designed_network_full():
    """The what-if of docs/calibration.md: without credit the designed leader network
    unravels from its best-informed members; with full credit for teaching it keeps its room
    (and without the credit again, the same seeds, it does not)."""
    designed = with_overrides(_auto(DESIGNED), {"simulation.years": 1.0})
    credited = with_overrides(designed, {"learning.teaching_credit": 1.0})
    for seed in (1, 2):
        without = netsim.simulate(designed, seed=seed).summary["attendance_decay"]
        with_credit = netsim.simulate(credited, seed=seed).summary["attendance_decay"]
        assert with_credit > without + 0.3
        assert with_credit > 0.8


def test_the_credit_must_not_be_negative():
    with pytest.raises(Exception, match="teaching_credit"):
        _auto({"learning.teaching_credit": -0.5})
