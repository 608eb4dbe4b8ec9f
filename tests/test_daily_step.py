"""The daily step as the model runs it: talks drawn several days at once, and runs that keep
only their summary.

:func:`netsim.model.day_process` draws the talks of a run of days without a meeting or a
scheduled change in one call (:func:`netsim.model.who_talks`); that must give what drawing
each day on its own gives. :func:`netsim.model.summarise`, which compare and sweep use, must
give ``simulate(...).summary`` exactly.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from netsim.config import load_scenario
from netsim.model import simulate, summarise, talk, who_talks

ROOT = Path(__file__).resolve().parents[1]


@st.composite
def days(draw):
    """A small tie matrix with rows of zero strength and empty rows, knowledge, pressure and
    several days of random numbers (some exactly at the talking threshold's edges)."""
    n = draw(st.integers(2, 25))
    lengths = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 8)))
    indptr = np.r_[0, np.cumsum(lengths)].astype(np.int64)
    m = int(indptr[-1])
    strengths = st.sampled_from([0.0, 1e-300, 1e-3, 0.1, 0.25, 0.6, 1.0])
    w = draw(hnp.arrays(np.float64, m, elements=strengths))
    indices = draw(hnp.arrays(np.int32, m, elements=st.integers(0, n - 1)))
    topics = draw(st.integers(1, 5))
    k = draw(hnp.arrays(np.float64, (n, topics), elements=st.floats(0.0, 1.0)))
    unit = st.floats(0.0, 1.0, exclude_max=True)
    d = draw(st.integers(1, 4))
    pressure = draw(hnp.arrays(np.float64, (d, n), elements=st.floats(0.0, 1.0)))
    u_talk = draw(hnp.arrays(np.float64, (d, n), elements=unit))
    u_pick = draw(hnp.arrays(np.float64, (d, n), elements=unit | st.just(1.0 - 2**-53)))
    return indptr, indices, w, k, pressure, u_talk, u_pick


class StepState:
    """What :func:`netsim.model.who_talks` and :func:`netsim.model.talk` read of a state."""

    def __init__(self, indptr, indices, w, k, q, share):
        self.indptr, self.indices, self.w, self.knowledge = indptr, indices, w, k
        self.has_ties = np.diff(indptr) > 0
        self.long_row = 4
        self.pressure = np.zeros(k.shape[0])
        diffusion = type("D", (), {"talk_prob_per_day": q, "gap_share": share})
        self.scenario = type("S", (), {"diffusion": diffusion})


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
