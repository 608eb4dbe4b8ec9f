"""The most a network could give its members (netsim.ceilings, `netsim ceiling`)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import netsim
from netsim.cli.command import main
from netsim.scenario.load import with_overrides
from netsim.sim.ceiling import kept_tie_strength, tie_rate
from tests.conftest import REPO

SCENARIOS = REPO / "scenarios"


def _scenario(name: str) -> netsim.Scenario:
    return netsim.load_scenario(SCENARIOS / f"{name}.toml")


def test_the_cost_is_every_meeting_of_a_year():
    (c,) = netsim.ceilings(_scenario("auto_enrollment"), 1)
    # 11 meetings a year (every 4 weeks of a 44-week year) of 3 h, 1 h travel, 1 h preparation.
    assert c.cost_year == pytest.approx(11 * 5.0)
    assert c.network == "leader_networks" and c.members > 100


def test_nothing_to_learn_where_knowledge_does_not_shorten_a_problem():
    sc = with_overrides(_scenario("goal_driven"), {"work.solve_hours_max": 0.0})
    assert all(c.saved_year == 0.0 for c in netsim.ceilings(sc, 1))


def test_no_alliances_without_their_hours_equivalent():
    sc = _scenario("goal_driven")
    off = with_overrides(sc, {"learning.alliance_hours_per_tie": 0.0})
    assert all(c.alliances_year > 0 for c in netsim.ceilings(sc, 1))
    assert all(c.alliances_year == 0.0 for c in netsim.ceilings(off, 1))


def test_a_ceiling_is_above_what_a_run_realises():
    # What members save in a run (per member and year) stays below the most they could.
    for name in ("auto_enrollment", "leader_forum_redesign"):
        sc = _scenario(name)
        for seed in (1, 2):
            ceilings = netsim.ceilings(sc, seed)
            members = sum(c.members for c in ceilings)
            realised = netsim.simulate(sc, seed=seed).summary["participant_hours_saved_year"]
            assert 0 < realised / members < min(c.saved_year for c in ceilings)


def test_more_peer_learning_cannot_raise_the_ceiling_but_more_meetings_raise_the_cost():
    sc = _scenario("auto_enrollment")
    (base,) = netsim.ceilings(sc, 1)
    (fast,) = netsim.ceilings(with_overrides(sc, {"learning.peer_rate": 0.9}), 1)
    assert fast.saved_year == base.saved_year  # the group's best is the limit, not the rate
    (often,) = netsim.ceilings(
        with_overrides(sc, {"networks.leader_networks.interval_weeks": 2}), 1
    )
    assert often.cost_year == pytest.approx(2 * base.cost_year)
    assert often.saved_year > base.saved_year  # ties kept stronger by meeting more often


def test_the_same_seed_gives_the_same_ceiling_and_another_seed_another_organisation():
    sc = _scenario("auto_enrollment")
    assert netsim.ceilings(sc, 3) == netsim.ceilings(sc, 3)
    assert netsim.ceilings(sc, 3) != netsim.ceilings(sc, 4)


def test_kept_tie_strength_balances_a_meeting_and_the_weeks_after_it():
    sc = _scenario("auto_enrollment")
    spec = sc.networks["leader_networks"]
    w0 = np.array([0.0, 0.1, 0.5])
    w = kept_tie_strength(sc, spec, w0)
    g = tie_rate(sc, spec)
    k = (1 - sc.diffusion.tie_decay_per_week) ** spec.interval_weeks
    np.testing.assert_allclose(w0 + k * (w + g * (1 - w) - w0), w)
    assert np.all((w0 < w) & (w < 1))


def test_cli_table_says_which_networks_cannot_pay_back(capsys):
    paths = [str(SCENARIOS / "goal_driven.toml"), str(SCENARIOS / "auto_enrollment.toml")]
    assert main(["ceiling", *paths, "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "practice_sharing" in out and "leader_networks" in out
    # auto_enrollment's leader networks and goal_driven's strategy network: below 1 an hour
    assert out.count("cannot pay back") == 2


def test_cli_json_has_one_record_per_network(capsys):
    assert main(["ceiling", str(SCENARIOS / "goal_driven.toml"), "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["network"] for r in records] == list(_scenario("goal_driven").networks)
    for r in records:
        gained = r["saved_hours_year_at_most"] + r["alliance_hours_year"]
        assert r["return_per_hour_at_most"] == pytest.approx(gained / r["cost_hours_year"])


def test_cli_bad_file_is_a_usage_error(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[organisation]\nemployees = -5\n', encoding="utf-8")
    assert main(["ceiling", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.toml" in err and "employees" in err and len(err.strip().splitlines()) == 1
