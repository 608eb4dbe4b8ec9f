"""Value in hours (docs/model.md, "Value in hours"): the counterfactual is exact, and the hours
saved come from what networks teach and the ties they make, nothing else."""

from __future__ import annotations

import math

import numpy as np
import pytest

import netsim
from netsim.scenario.load import with_overrides
from netsim.sim.model import run
from tests.conftest import SCENARIOS

SAVED = (
    "participant_hours_saved_year",
    "sponsor_hours_saved_year",
    "nonmember_hours_saved_year",
    "participant_dkk_saved_year",
    "sponsor_dkk_saved_year",
)


def _load(name: str, years: float = 1.0) -> netsim.Scenario:
    return with_overrides(
        netsim.load_scenario(SCENARIOS / f"{name}.toml"), {"simulation.years": years}
    )


@pytest.mark.parametrize("kernels", ["numpy", "numba"])
def test_the_organisation_without_networks_is_the_baseline_run_to_the_bit(kernels):
    with_networks = run(_load("goal_driven"), seed=4, kernels=kernels).state
    baseline = run(_load("baseline"), seed=4, kernels=kernels).state
    shadow = with_networks.account.shadow
    assert shadow is not None
    assert np.array_equal(shadow.knowledge, baseline.knowledge)
    assert shadow.w is with_networks.w0  # the starting tie strengths, never strengthened
    assert not np.array_equal(with_networks.knowledge, baseline.knowledge)
    # and the hours each spends on problems: the baseline's are the counterfactual's
    spent_without = with_networks.account.spent + with_networks.account.saved
    assert np.allclose(spent_without, baseline.account.spent, rtol=1e-12, atol=1e-9)


def test_without_networks_nothing_is_saved_and_problems_take_their_calibrated_share():
    shares = []
    for seed in (1, 2, 3):
        s = netsim.simulate(_load("baseline"), seed=seed).summary
        assert all(s[name] == 0.0 for name in SAVED)
        assert s["net_hours_year"] == 0.0 and s["net_dkk_year"] == 0.0
        assert math.isnan(s["sponsor_return_per_hour"]) and math.isnan(s["share_worth_it"])
        shares.append(s["problem_time_share"])
    assert abs(np.mean(shares) - 0.19) < 0.005  # docs/calibration.md: the problem load


def test_hours_saved_come_from_learning_and_ties_and_vanish_without_them():
    sc = _load("goal_driven")
    nothing = with_overrides(
        sc, {"learning.lecture_rate": 0.0, "learning.peer_rate": 0.0, "learning.tie_rate": 0.0}
    )
    ties_only = with_overrides(sc, {"learning.lecture_rate": 0.0, "learning.peer_rate": 0.0})
    for seed in (1, 2):
        full = netsim.simulate(sc, seed=seed).summary
        none = netsim.simulate(nothing, seed=seed).summary
        ties = netsim.simulate(ties_only, seed=seed).summary
        assert full["total_hours_year"] > 0 and none["total_hours_year"] > 0
        assert all(none[name] == 0.0 for name in SAVED)  # meetings happened, nothing gained
        assert none["net_hours_year"] == -none["total_hours_year"]
        assert 0 < ties["participant_hours_saved_year"] < full["participant_hours_saved_year"]
        assert full["sponsor_return_per_hour"] > 0


def test_non_members_save_more_when_knowledge_travels_informally():
    sc = _load("goal_driven")
    quiet = with_overrides(sc, {"diffusion.talk_prob_per_day": 0.0})
    for seed in (1, 2):
        talk = netsim.simulate(sc, seed=seed).summary["nonmember_hours_saved_year"]
        silent = netsim.simulate(quiet, seed=seed).summary["nonmember_hours_saved_year"]
        assert talk > silent >= 0.0


def test_the_accounts_add_up():
    s = netsim.simulate(_load("goal_driven"), seed=5).summary
    assert s["net_hours_year"] == pytest.approx(
        s["sponsor_hours_saved_year"] - s["total_hours_year"]
    )
    assert s["net_dkk_year"] == pytest.approx(s["sponsor_dkk_saved_year"] - s["cost_dkk_year"])
    assert 0.0 <= s["share_worth_it"] <= 1.0
    assert s["nonmember_hours_saved_year"] <= s["sponsor_hours_saved_year"]
    assert s["sponsor_return_per_hour"] == pytest.approx(
        s["sponsor_hours_saved_year"] / s["total_hours_year"]
    )
