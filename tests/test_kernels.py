"""Properties of the pure kernels, checked on arbitrary inputs (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from netsim.sim import kernels

# Knowledge levels; subnormal levels are left out, where a gap times a rate below 1 rounds
# to zero (hypothesis found 5e-324).
unit = st.floats(0.0, 1.0, allow_nan=False, allow_subnormal=False)
rates = st.floats(0.0, 1.0, allow_nan=False)


@st.composite
def meetings(draw):
    g = draw(st.integers(1, 4))
    s = draw(st.integers(1, 8))
    r = draw(st.integers(1, 3))
    k = draw(hnp.arrays(np.float64, (g, s, r), elements=unit))
    attend = draw(hnp.arrays(np.bool_, (g, s)))
    return k, attend


@given(meetings(), rates, rates, rates, rates)
@settings(max_examples=300, deadline=None)
def test_meeting_learning_stays_in_range_and_below_best_present(m, eff, part, lr, pr):
    k, attend = m
    gain = kernels.meeting_learning(k, attend, eff, part, lecture_rate=lr, peer_rate=pr)
    after = k + gain
    assert (gain >= 0).all()
    assert (gain[~attend] == 0).all(), "the absent learn nothing at the meeting"
    assert (after >= 0).all() and (after <= 1 + 1e-12).all()
    for g in range(k.shape[0]):
        if attend[g].any():
            best = k[g][attend[g]].max(axis=0)
            assert (after[g][attend[g]] <= best + 1e-12).all(), "no knowledge from nothing"


@given(meetings(), st.floats(0.01, 1.0), st.floats(0.01, 1.0))
@settings(max_examples=100, deadline=None)
def test_participatory_learning_needs_a_more_knowing_peer(m, eff, pr):
    k, attend = m
    gain = kernels.meeting_learning(k, attend, eff, 1.0, lecture_rate=0.0, peer_rate=pr)
    for g in range(k.shape[0]):
        idx = np.flatnonzero(attend[g])
        for i in idx:
            better = (k[g, idx] > k[g, i]).any(axis=0)
            assert ((gain[g, i] > 0) == better).all()


@given(
    hnp.arrays(np.float64, 20, elements=unit),
    hnp.arrays(np.float64, 20, elements=unit),
    hnp.arrays(np.float64, 20, elements=st.floats(-50, 50)),
    st.floats(0.001, 1.0),
    st.floats(0.0, 2.0),
)
@settings(max_examples=300, deadline=None)
def test_pressure_stays_in_unit_interval(p, mu, eps, theta, sigma):
    out = kernels.pressure_step(p, mu, eps, theta=theta, sigma=sigma)
    assert (out >= 0).all() and (out <= 1).all()


@given(
    hnp.arrays(np.float64, 30, elements=st.floats(-30, 30)),
    hnp.arrays(np.float64, 30, elements=unit),
    st.floats(0.05, 1.0),
)
def test_overloaded_never_attend(logit, pressure, overload):
    prob = kernels.attendance_probability(logit, pressure, overload=overload)
    assert (prob[pressure > overload] == 0).all()
    assert ((prob >= 0) & (prob <= 1)).all()


@given(
    hnp.arrays(np.float64, (12, 3), elements=unit),
    st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), min_size=1, max_size=12),
    st.floats(0.0, 1.0),
)
def test_diffusion_closes_gaps_without_overshooting(k, pairs, share):
    learners, sources = [], []
    for a, b in pairs:
        if a not in learners:
            learners.append(a)
            sources.append(b)
    li, si = np.array(learners), np.array(sources)
    before = k.copy()
    after = kernels.diffuse(k, li, si, share)
    assert (after >= before).all()
    assert (after[li] <= np.maximum(before[li], before[si]) + 1e-12).all()
    untouched = np.setdiff1d(np.arange(12), li)
    assert (after[untouched] == before[untouched]).all()


def test_ties_drawn_in_proportion_to_strength():
    # Row 0 has ties to 1 (strength 3), 2 (strength 0: never) and 3 (strength 1).
    indptr = np.array([0, 3, 3, 3, 3])
    w = np.array([3.0, 0.0, 1.0])
    u = np.random.default_rng(0).random(40_000)
    for long_row in (1, 8):  # drawn as a long row, and padded with the others
        got = kernels.draw_ties(np.zeros(u.size, dtype=np.int64), u, indptr, w, long_row=long_row)
        share = np.bincount(got, minlength=3) / u.size
        assert share[1] == 0
        assert abs(share[0] - 0.75) < 0.01 and abs(share[2] - 0.25) < 0.01


@st.composite
def tie_rows(draw):
    lengths = draw(st.lists(st.integers(1, 40), min_size=1, max_size=30))
    indptr = np.r_[0, np.cumsum(lengths)]
    w = draw(
        hnp.arrays(
            np.float64, int(indptr[-1]), elements=st.sampled_from([0.0, 1e-3, 0.1, 0.25, 0.6, 1.0])
        )
    )
    rows = draw(st.lists(st.integers(0, len(lengths) - 1), min_size=1, max_size=60))
    u = draw(hnp.arrays(np.float64, len(rows), elements=st.floats(0.0, 1.0, exclude_max=True)))
    return np.asarray(rows), u, indptr, w


@given(tie_rows(), st.integers(1, 50))
@settings(max_examples=300, deadline=None)
def test_tie_draw_is_the_loop_over_the_row(case, long_row):
    """Whatever the padding, a draw is what walking along the row gives: the first tie whose
    running sum of strengths exceeds u times the row's total (summed in the row's order)."""
    rows, u, indptr, w = case
    got = kernels.draw_ties(rows, u, indptr, w, long_row=long_row)
    for r, ur, pos in zip(rows, u, got, strict=True):
        ties = w[indptr[r] : indptr[r + 1]]
        total = 0.0
        for x in ties:
            total += x
        if total == 0:
            assert pos == -1
            continue
        running, want = 0.0, -1
        for k, x in enumerate(ties):
            running += x
            if x > 0:
                want = k
            if running > ur * total:
                break
        assert pos == indptr[r] + want
        assert w[pos] > 0


@st.composite
def moved_ties(draw):
    """Rows of ties (some empty), starting strengths, strengths moved from them in some
    rows, and draws of non-empty rows (some at the top of [0, 1), where u times a subnormal
    total rounds up to the total)."""
    lengths = draw(st.lists(st.integers(0, 40), min_size=1, max_size=30).filter(any))
    indptr = np.r_[0, np.cumsum(lengths)]
    strengths = st.sampled_from([0.0, 5e-324, 1e-300, 1e-3, 0.1, 0.25, 0.6, 1.0])
    w0 = draw(hnp.arrays(np.float64, int(indptr[-1]), elements=strengths))
    w = w0.copy()
    moved = draw(hnp.arrays(np.bool_, w.size))
    w[moved] = draw(hnp.arrays(np.float64, int(moved.sum()), elements=strengths))
    full = [r for r, n in enumerate(lengths) if n]
    rows = draw(st.lists(st.sampled_from(full), min_size=1, max_size=60))
    unit = st.floats(0.0, 1.0, exclude_max=True) | st.just(1.0 - 2**-53)
    u = draw(hnp.arrays(np.float64, len(rows), elements=unit))
    return np.asarray(rows), u, indptr, w0, w


@given(moved_ties(), st.integers(1, 50))
@settings(max_examples=300, deadline=None)
def test_draws_through_the_starting_sums_are_draw_ties(case, long_row):
    """Kept running sums of the starting strengths draw what draw_ties draws, to the bit: with
    the starting strengths, and with strengths that moved from them in some rows."""
    rows, u, indptr, w0, w = case
    ties = kernels.StartingTies(indptr, w0, long_row=long_row)
    for strengths in (w0, w0.copy(), w):
        expected = kernels.draw_ties(rows, u, indptr, strengths, long_row=long_row)
        assert np.array_equal(ties.draw(rows, u, strengths), expected)
        searched = ties.search(rows, u)
        assert np.array_equal(ties.draw(rows, u, strengths, searched=searched), expected)


def test_relax_toward_keeps_base_and_fades_the_rest():
    x = np.array([0.5, 0.9, 0.2])
    base = np.array([0.5, 0.1, 0.2])
    kernels.relax_toward(x, base, 0.5)
    assert np.allclose(x, [0.5, 0.5, 0.2])
