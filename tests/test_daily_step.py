"""The daily step as the model runs it: talks drawn several days at once, and runs that keep
only their summary.

:func:`netsim.sim.model.day_process` draws the talks of a run of days without a meeting or a
scheduled change in one call (:func:`netsim.sim.daily.who_talks`); that must give what drawing
each day on its own gives. :func:`netsim.sim.model.summarise`, which compare and sweep use, must
give ``simulate(...).summary`` exactly.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netsim.scenario.load import load_scenario
from netsim.sim.daily import talk, who_talks
from netsim.sim.model import simulate, summarise
from tests.conftest import StepState, days

ROOT = Path(__file__).resolve().parents[1]


@given(days(), st.sampled_from([0.2, 1.0]))
@settings(max_examples=200, deadline=None)
def test_drawing_several_days_at_once_is_drawing_each_day(case, q):
    indptr, indices, w, k, pressure, u_talk, u_pick = case
    state = StepState(indptr, indices, w, k, q, 0.5)
    together = who_talks(state, pressure, u_talk, u_pick)  # type: ignore[arg-type]
    for day in range(len(pressure)):
        [alone] = who_talks(
            state, pressure[day : day + 1], u_talk[day : day + 1], u_pick[day : day + 1]
        )  # type: ignore[arg-type]
        assert np.array_equal(together[day][0], alone[0])
        assert np.array_equal(together[day][1], alone[1])


@given(days())
@settings(max_examples=100, deadline=None)
def test_talk_is_one_day_of_who_talks_then_learning(case):
    indptr, indices, w, k, pressure, u_talk, u_pick = case
    state = StepState(indptr, indices, w, k.copy(), 0.9, 0.5)
    state.pressure = pressure[0]
    [(learners, sources)] = who_talks(state, pressure[:1], u_talk[:1], u_pick[:1])  # type: ignore[arg-type]
    before = state.knowledge.copy()
    assert talk(state, u_talk[0], u_pick[0]) == learners.size  # type: ignore[arg-type]
    gap = np.maximum(before[sources] - before[learners], 0.0) * 0.5
    assert np.array_equal(state.knowledge[learners], before[learners] + gap)
    untouched = np.setdiff1d(np.arange(k.shape[0]), learners)
    assert np.array_equal(state.knowledge[untouched], before[untouched])


@pytest.mark.parametrize("name", ["auto_enrollment", "goal_driven", "evaluate_and_close"])
def test_summarise_is_the_summary_of_simulate(name):
    sc = load_scenario(ROOT / "scenarios" / f"{name}.toml")
    a, b = summarise(sc, 5, years=1.0), simulate(sc, 5, years=1.0).summary
    assert a.keys() == b.keys()
    for key, x in a.items():
        y = b[key]
        assert x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y)), key


def test_simpy_events_do_not_grow_with_the_organisation():
    # One process for the organisation's days (a step per run of days between meetings),
    # one per network for all its groups: the calendar sets the count, not the headcount.
    from netsim.scenario.load import with_overrides
    from netsim.sim.model import run

    sc = load_scenario(ROOT / "scenarios" / "auto_enrollment.toml")
    events = {
        n: run(with_overrides(sc, {"organisation.employees": n}), 1, years=1.0).events
        for n in (400, 1600, 6400)
    }
    assert len(set(events.values())) == 1, events
    days = sc.simulation.days_per_year
    assert events[400] < days, "fewer steps than working days: days run in blocks"
