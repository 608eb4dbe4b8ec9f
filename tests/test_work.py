"""The problem-hours kernel (:mod:`netsim.sim.work`): its properties, and its compiled twin
equal to the bit."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from netsim.sim import work_numba
from netsim.sim.work import daily_hours, problem_hours, solve_hours


@st.composite
def workplaces(draw):
    """A small tie matrix (rows of zero strength, empty rows), knowledge, topic mixes."""
    n = draw(st.integers(1, 20))
    lengths = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 6)))
    indptr = np.r_[0, np.cumsum(lengths)].astype(np.int64)
    m = int(indptr[-1])
    w = draw(hnp.arrays(np.float64, m, elements=st.sampled_from([0.0, 1e-3, 0.3, 1.0])))
    indices = draw(hnp.arrays(np.int32, m, elements=st.integers(0, n - 1)))
    topics = draw(st.integers(1, 5))
    k = draw(hnp.arrays(np.float64, (n, topics), elements=st.floats(0.0, 1.0)))
    mix = draw(st.integers(1, 5))
    mix_topic = draw(hnp.arrays(np.intp, (n, mix), elements=st.integers(0, topics - 1)))
    available = draw(hnp.arrays(np.float64, n, elements=st.floats(0.0, 1.0)))
    weight = draw(hnp.arrays(np.float64, (n, mix), elements=st.sampled_from([0.0, 0.2, 1.0])))
    return k, mix_topic, weight, indptr, indices, w, available


H = {"h_max": 1.5, "h_min": 0.25, "gamma": 2.0}


def _hours(k: np.ndarray) -> np.ndarray:
    return solve_hours(k, **H)


@given(workplaces(), st.sampled_from([0.0, 0.1, 0.5]))
@settings(max_examples=150, deadline=None)
def test_compiled_twin_is_equal_to_the_bit(case, ask: float) -> None:
    # The default exponent, 2, squares; another goes through the numpy path whatever the
    # kernels (Account.per_problem), since pow need not round alike in numpy and numba.
    gamma = 2.0
    k, topic, weight, indptr, indices, w, available = case
    args = (k, topic, weight, indptr, indices, w, available)
    expected = problem_hours(*args, h_max=1.5, h_min=0.25, gamma=gamma, ask_hours=ask)
    got = work_numba.problem_hours(*args, 1.5, 0.25, gamma, ask, np.arange(k.shape[0]))
    assert np.array_equal(expected, got)
    rows = np.arange(k.shape[0])[::-2]
    some = problem_hours(*args, h_max=1.5, h_min=0.25, gamma=gamma, ask_hours=ask, rows=rows)
    assert np.array_equal(some, expected[rows])


@given(workplaces())
@settings(max_examples=100, deadline=None)
def test_asking_never_costs_and_solving_alone_is_the_ceiling(case) -> None:
    k, topic, weight, indptr, indices, w, available = case
    hours = _hours(k)
    alone_each = np.where(weight == 0.0, 0.0, np.take_along_axis(hours, topic, axis=1))
    with_ties = problem_hours(k, topic, weight, indptr, indices, w, available, ask_hours=0.1, **H)
    assert np.all(with_ties <= alone_each)
    floor = np.where(weight == 0.0, 0.0, np.minimum(alone_each, hours.min(axis=0)[topic] + 0.1))
    assert np.all(with_ties >= floor - 1e-12)
    no_ties = problem_hours(
        k, topic, weight, indptr, indices, np.zeros_like(w), available, ask_hours=0.1, **H
    )
    assert np.array_equal(no_ties, alone_each)
    nobody_free = problem_hours(
        k, topic, weight, indptr, indices, w, np.zeros_like(available), ask_hours=0.1, **H
    )
    assert np.array_equal(nobody_free, alone_each)


@given(workplaces(), st.floats(0.01, 0.5))
@settings(max_examples=100, deadline=None)
def test_more_knowledge_or_stronger_ties_never_add_hours(case, step: float) -> None:
    k, topic, weight, indptr, indices, w, available = case
    base = problem_hours(k, topic, weight, indptr, indices, w, available, ask_hours=0.1, **H)
    wiser = problem_hours(
        np.minimum(k + step, 1.0), topic, weight, indptr, indices, w, available, ask_hours=0.1, **H
    )
    closer = problem_hours(
        k, topic, weight, indptr, indices, np.minimum(w + step, 1.0), available, ask_hours=0.1, **H
    )
    assert np.all(wiser <= base + 1e-12)
    assert np.all(closer <= base + 1e-12)


def test_the_colleague_who_saves_most_is_asked() -> None:
    # employee 0 (knows 0.1) is tied to 1 (knows 0.9, reached half the time) and to 2 (knows
    # 0.5, always reached): expected savings 0.5 * (h(0.1) - h(0.9) - c) against
    # 1.0 * (h(0.1) - h(0.5) - c); the larger decides.
    k = np.array([[0.1], [0.9], [0.5]])
    hours = _hours(k)
    one = np.zeros((3, 1), dtype=np.intp)
    indptr, indices = np.array([0, 2, 2, 2]), np.array([1, 2])
    got = problem_hours(
        k,
        one,
        np.ones((3, 1)),
        indptr,
        indices,
        np.array([0.5, 1.0]),
        np.ones(3),
        ask_hours=0.1,
        **H,
    )
    via_1 = 0.5 * (hours[0, 0] - hours[1, 0] - 0.1)
    via_2 = 1.0 * (hours[0, 0] - hours[2, 0] - 0.1)
    assert got[0, 0] == hours[0, 0] - max(via_1, via_2)
    assert got[1, 0] == hours[1, 0] and got[2, 0] == hours[2, 0]  # no ties: alone


def test_daily_hours_weigh_the_topics_by_their_share_and_the_problem_rate() -> None:
    per_problem = np.array([[1.0, 3.0], [2.0, 2.0]])
    got = daily_hours(per_problem, np.array([[0.25, 0.75], [1.0, 0.0]]), np.array([2.0, 1.5]))
    assert got.tolist() == [2.0 * (0.25 + 2.25), 1.5 * 2.0]


@given(workplaces(), st.integers(0, 2**32))
@settings(max_examples=150, deadline=None)
def test_measuring_again_after_a_meeting_is_measuring_anew(case, seed) -> None:
    # After a meeting only the network's topics' knowledge changed and some ties of each
    # measured row grew: the incremental measurement must equal a new one, to the bit.
    k, topic, weight, indptr, indices, w, available = case
    rng = np.random.default_rng(seed)
    n, topics = k.shape
    params = (1.5, 0.25, 2.0, 0.1)
    rows = np.flatnonzero(rng.random(n) < 0.7)
    best = np.empty((rows.size, topic.shape[1]))
    before = work_numba.problem_hours_kept(k, topic, weight, indptr, indices, w, available,
                                           *params, rows, best)  # fmt: skip
    full = work_numba.problem_hours(k, topic, weight, indptr, indices, w, available, *params, rows)
    assert np.array_equal(before, full)
    changed = rng.random(topics) < 0.4
    k2 = k.copy()
    learnt = rng.random(n) < 0.5
    k2[np.ix_(learnt, changed)] += (1.0 - k2[np.ix_(learnt, changed)]) * 0.3
    w2 = w.copy()
    grown = np.full((rows.size, 4), -1, dtype=np.int32)
    for r, i in enumerate(rows):
        ties = np.arange(indptr[i], indptr[i + 1])
        picked = ties[rng.random(ties.size) < 0.5][:4]
        grown[r, : picked.size] = picked
        w2[picked] += 0.4 * (1.0 - w2[picked])
    again = work_numba.problem_hours_since(k2, topic, weight, indptr, indices, w2, available,
                                           *params, rows, best, changed, grown)  # fmt: skip
    anew = problem_hours(k2, topic, weight, indptr, indices, w2, available, h_max=1.5,
                         h_min=0.25, gamma=2.0, ask_hours=0.1, rows=rows)  # fmt: skip
    assert np.array_equal(again, anew)


@given(
    hnp.arrays(np.float64, (6, 5), elements=st.floats(0.0, 3.0)),
    hnp.arrays(np.float64, (9, 5), elements=st.sampled_from([0.0, 0.05, 0.2, 0.35, 1.0])),
    hnp.arrays(np.float64, 9, elements=st.floats(0.01, 5.0)),
)
@settings(max_examples=100, deadline=None)
def test_compiled_hours_a_day_are_numpys(per_problem, weight, rate) -> None:
    rows = np.array([8, 0, 3, 3, 5, 1])
    goal = weight * (np.arange(5) % 2)
    both = work_numba.hours_a_day(per_problem, weight, goal, rate, rows)
    assert np.array_equal(both[:, 0], daily_hours(per_problem, weight[rows], rate[rows]))
    assert np.array_equal(both[:, 1], daily_hours(per_problem, goal[rows], rate[rows]))
