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


def _mean(name: str, key: str, seeds: range) -> float:
    sc = netsim.load_scenario(SCENARIOS / f"{name}.toml")
    values = [netsim.simulate(sc, seed=s).summary[key] for s in seeds]
    assert not any(math.isnan(v) for v in values)
    return float(np.mean(values))


def test_attendance_decays_under_auto_enrollment_and_less_when_goal_driven():
    seeds = range(10)
    first = _mean("auto_enrollment", "attendance_first_quarter", seeds)
    last = _mean("auto_enrollment", "attendance_last_quarter", seeds)
    assert last < first
    auto_decay = _mean("auto_enrollment", "attendance_decay", seeds)
    goal_decay = _mean("goal_driven", "attendance_decay", seeds)
    assert goal_decay > auto_decay
