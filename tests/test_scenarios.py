"""Every shipped scenario runs, and the model tells the stories the scenarios are for."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import netsim
from tests.conftest import SCENARIOS

FILES = sorted(SCENARIOS.glob("*.toml"))


def test_the_issue_scenarios_are_shipped():
    names = {p.stem for p in FILES}
    assert {"baseline", "auto_enrollment", "goal_driven"} <= names


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario_validates_and_runs_one_year(path: Path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#"), "a scenario opens with a comment that tells its story"
    sc = netsim.load_scenario(path)
    res = netsim.simulate(sc, seed=1, years=1)
    s = res.summary
    assert s["scenario"] == path.stem
    assert len(res.weekly) == sc.simulation.days_per_year // sc.simulation.days_per_week
    if sc.networks:
        assert s["meetings_held"] > 0 and s["total_hours_year"] > 0
        assert s["cost_dkk_year"] > s["total_hours_year"]  # every hour costs more than 1 DKK
    else:
        assert len(res.meetings) == 0 and s["total_hours_year"] == 0


def _means(name: str, keys: tuple[str, ...], seeds: range) -> dict[str, float]:
    """The mean of each summary value in ``keys`` over one run per seed (the same runs)."""
    sc = netsim.load_scenario(SCENARIOS / f"{name}.toml")
    summaries = [netsim.simulate(sc, seed=s).summary for s in seeds]
    out = {}
    for key in keys:
        values = [summary[key] for summary in summaries]
        assert not any(math.isnan(v) for v in values)
        out[key] = float(np.mean(values))
    return out


def test_attendance_decays_under_auto_enrollment_and_less_when_goal_driven():
    seeds = range(10)
    auto = _means(
        "auto_enrollment",
        ("attendance_first_quarter", "attendance_last_quarter", "attendance_decay"),
        seeds,
    )
    assert auto["attendance_last_quarter"] < auto["attendance_first_quarter"]
    goal_decay = _means("goal_driven", ("attendance_decay",), seeds)["attendance_decay"]
    assert goal_decay > auto["attendance_decay"]
