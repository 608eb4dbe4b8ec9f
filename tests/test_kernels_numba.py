"""The daily step's two implementations: numpy (the default) and the compiled one.

The numpy kernels are the default; ``NETSIM_KERNELS=numba`` swaps in one compiled loop for
each working day (:mod:`netsim.sim.kernels_numba`). Both must give the same results to the bit.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import netsim
from netsim.cli import main
from netsim.scenario.load import load_scenario, with_overrides
from netsim.sim import kernels
from netsim.sim.daily import talk
from netsim.sim.model import run
from tests.conftest import StepState, days

ROOT = Path(__file__).resolve().parents[1]
# `make test` installs the extra; elsewhere only the tests that need it are skipped.
needs_numba = pytest.mark.skipif(
    importlib.util.find_spec("numba") is None, reason="the numba extra is not installed"
)


@pytest.fixture
def backend(monkeypatch):
    """Switch the process's kernels; the variable is restored after the test."""

    def use(name: str) -> None:
        monkeypatch.setenv(kernels.ENV, name)

    return use


def _frames_equal(a: netsim.RunResult, b: netsim.RunResult) -> None:
    for name in ("meetings", "weekly", "employees", "reviews", "knowledge", "bridging"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    assert a.summary.keys() == b.summary.keys()
    for key, x in a.summary.items():
        y = b.summary[key]
        assert x == y or (x != x and y != y), key  # equal, or both NaN


@needs_numba
@pytest.mark.parametrize(
    ("name", "years"),
    [
        ("auto_enrollment", 1.0),
        ("goal_driven", 1.0),  # voluntary networks, recruitment, reviews
        ("leader_forum_redesign", 0.6),  # a scheduled change mid-run
        ("evaluate_and_close", 1.0),
        ("isolated_specialists", 0.5),
    ],
)
def test_numba_gives_the_numpy_results_to_the_bit(backend, name, years):
    sc = load_scenario(ROOT / "scenarios" / f"{name}.toml")
    backend("numpy")
    a = run(sc, 7, years=years)
    backend("numba")
    b = run(sc, 7, years=years)
    _frames_equal(a.result, b.result)
    assert np.array_equal(a.state.knowledge, b.state.knowledge)
    assert np.array_equal(a.state.pressure, b.state.pressure)
    assert np.array_equal(a.state.w, b.state.w)


@needs_numba
def test_numba_matches_with_busy_periods_and_long_rows(backend):
    # Busy periods raise the pressure some days; a dense organisation has rows longer than
    # the long-row cut, which numpy draws in a second pass.
    sc = with_overrides(
        load_scenario(ROOT / "scenarios" / "auto_enrollment.toml"),
        {
            "organisation.employees": 600,
            "organisation.ties.within_department_degree": 25.0,
            "time_pressure.busy_periods_per_year": 6.0,
        },
    )
    backend("numpy")
    a = run(sc, 3, years=0.5)
    assert a.state.busy.any() and np.diff(a.state.indptr).max() > a.state.long_row
    backend("numba")
    b = run(sc, 3, years=0.5)
    _frames_equal(a.result, b.result)
    assert np.array_equal(a.state.knowledge, b.state.knowledge)


@needs_numba
@given(days(), st.sampled_from([0.2, 0.9, 1.0]), st.sampled_from([0.02, 0.5, 1.0]))
@settings(max_examples=200, deadline=None)
def test_compiled_talk_is_the_numpy_talk(case, q, share):
    indptr, indices, w, k, pressure, u_talk, u_pick = case
    a = StepState(indptr, indices, w, k.copy(), q, share)
    b = StepState(indptr, indices, w, k.copy(), q, share)
    for day in range(len(pressure)):
        a.pressure = b.pressure = pressure[day]
        na = talk(a, u_talk[day], u_pick[day], backend="numpy")  # type: ignore[arg-type]
        nb = talk(b, u_talk[day], u_pick[day], backend="numba")  # type: ignore[arg-type]
        assert na == nb
        assert np.array_equal(a.knowledge, b.knowledge)


@needs_numba
def test_a_comparison_with_numba_workers_gives_the_numpy_table(monkeypatch):
    # Local workers inherit the choice through the environment.
    short = {"simulation.years": 0.3}
    sc = [
        with_overrides(load_scenario(ROOT / "scenarios" / f"{name}.toml"), short)
        for name in ("auto_enrollment", "goal_driven")
    ]
    monkeypatch.setenv(kernels.ENV, "numpy")
    a = netsim.compare(sc, reps=4, workers=1)
    kernels.use("numba")
    assert os.environ[kernels.ENV] == "numba"
    b = netsim.compare(sc, reps=4, workers=2)
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_an_unknown_backend_is_a_one_line_error_with_exit_status_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(kernels.ENV, "fortran")
    scenario = ROOT / "scenarios" / "auto_enrollment.toml"
    status = main(["run", str(scenario), "--years", "0.1", "--out", str(tmp_path / "r")])
    assert status == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "netsim: error: NETSIM_KERNELS: must be one of numpy, numba (got 'fortran')"
    ]
    assert not (tmp_path / "r").exists()


def test_use_rejects_an_unknown_backend_and_keeps_the_previous_choice(monkeypatch):
    monkeypatch.setenv(kernels.ENV, "numpy")
    with pytest.raises(netsim.NetsimError, match="must be one of numpy, numba"):
        kernels.use("gpu")
    assert os.environ[kernels.ENV] == "numpy" and kernels.backend() == "numpy"


@needs_numba
def test_provenance_records_the_compiled_kernels(backend):
    from netsim.sim.result import provenance

    backend("numba")
    prov = provenance(seed=1, command=["netsim"])
    assert prov["kernels"] == "numba" and prov["versions"]["numba"] == numba_version()
    backend("numpy")
    prov = provenance(seed=1, command=["netsim"])
    assert prov["kernels"] == "numpy" and "numba" not in prov["versions"]


def numba_version() -> str:
    from importlib import metadata

    return metadata.version("numba")


def _netsim(capsys, *args: object) -> tuple[int, str, str]:
    """``netsim ARGS`` in-process: the exit status, stdout and stderr."""
    status = main([str(a) for a in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@needs_numba
def test_the_kernels_option_picks_the_step_and_changes_no_result(tmp_path, monkeypatch, capsys):
    # The option is passed with every run and task (the environment is only the default);
    # monkeypatch restores the variable the test sets.
    monkeypatch.setenv(kernels.ENV, "numpy")
    monkeypatch.delenv(kernels.ENV)
    scenario = ROOT / "scenarios" / "goal_driven.toml"
    for name in ("numpy", "numba"):
        status, _, err = _netsim(capsys, "run", scenario, "--years", "0.3", "--kernels", name,
                                 "--out", tmp_path / name)  # fmt: skip
        assert status == 0, err
        prov = json.loads((tmp_path / name / "provenance.json").read_text())
        assert prov["kernels"] == name
    a, b = ((tmp_path / n / "summary.json").read_text() for n in ("numpy", "numba"))
    assert a == b
    # The option wins over the environment, and workers run what it asks for.
    args = ("compare", scenario, ROOT / "scenarios" / "auto_enrollment.toml", "--reps", "2",
            "--years", "0.2", "--workers", "2", "--format", "json")  # fmt: skip
    monkeypatch.setenv(kernels.ENV, "numba")
    numpy_run = _netsim(capsys, *args, "--kernels", "numpy")
    monkeypatch.setenv(kernels.ENV, "numpy")
    numba_run = _netsim(capsys, *args, "--kernels", "numba")
    assert numpy_run[0] == numba_run[0] == 0, numba_run[2]
    assert numpy_run[1] == numba_run[1]


def test_the_kernels_option_rejects_what_is_not_there(tmp_path, monkeypatch, capsys):
    scenario = ROOT / "scenarios" / "auto_enrollment.toml"
    with pytest.raises(SystemExit) as info:
        main(["run", str(scenario), "--kernels", "fortran"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("netsim: error: argument --kernels: invalid choice: 'fortran'")
    assert len(err.strip().splitlines()) == 1
    # numba asked for where it is not installed: one line saying how to get it, no results.
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda n, *a: None if n == "numba" else real(n, *a)
    )
    monkeypatch.setenv(kernels.ENV, "numpy")  # restored after the test, whatever main sets
    status, _, err = _netsim(capsys, "run", scenario, "--kernels", "numba", "--out", tmp_path / "r")
    assert status == 2, err
    assert err.strip().splitlines() == [
        "netsim: error: --kernels numba: numba is not installed (it comes with netsim: "
        "pip install netsim); or run the numpy kernels: NETSIM_KERNELS=numpy"
    ]
    assert not (tmp_path / "r").exists()


@needs_numba
@given(days(), st.sampled_from([0.2, 0.9]), st.sampled_from([0.02, 0.5]), st.integers(0, 2**32))
@settings(max_examples=150, deadline=None)
def test_one_compiled_pass_of_an_organisation_and_its_shadow_is_two_passes(case, q, share, seed):
    # The organisation without its networks talks on the same days with the same numbers
    # over its starting strengths: one pass doing both must give what two passes give.
    from netsim.sim import kernels_numba as compiled

    indptr, indices, w, k, pressure, u_talk, u_pick = case
    rng = np.random.default_rng(seed)
    n, d = k.shape[0], len(pressure)
    w0 = np.where(rng.random(w.size) < 0.5, w, rng.choice([0.0, 0.3, 1.0], w.size))
    k0 = np.clip(k + rng.normal(0, 0.2, k.shape), 0.0, 1.0)
    args = (
        pressure[0], rng.random(n), np.zeros((d, 1)), np.zeros(n, dtype=np.int64),
        rng.standard_normal((d, n)), 0.1, 0.05, np.stack([u_talk, u_pick], axis=1),
        np.diff(indptr) > 0, q, indptr, indices,
    )  # fmt: skip
    both, shadow, out = k.copy(), k0.copy(), np.empty(n)
    compiled.days(*args, w, both, share, w0, shadow, True, out)
    alone, alone0, out_alone = k.copy(), k0.copy(), np.empty(n)
    compiled.days(*args, w, alone, share, w, alone, False, out_alone)
    compiled.days(*args, w0, alone0, share, w0, alone0, False, np.empty(n))
    assert np.array_equal(both, alone) and np.array_equal(shadow, alone0)
    assert np.array_equal(out, out_alone)


@needs_numba
@given(
    hnp.arrays(np.float64, st.integers(0, 50), elements=st.floats(0.0, 1.0)),
    st.sampled_from([0.0, 0.3, 0.97, 1.0]),
)
def test_the_compiled_weekly_fading_is_numpys(x, keep):
    from netsim.sim import kernels_numba as compiled

    base = np.linspace(0.0, 1.0, x.size)
    expected = kernels.relax_toward(x.copy(), base, keep)
    got = x.copy()
    compiled.relax_toward(got, base, keep)
    assert np.array_equal(got, expected)


@needs_numba
@given(
    hnp.arrays(np.float64, st.integers(0, 50), elements=st.floats(0.0, 1.0)),
    st.integers(0, 3),
    st.sampled_from([0.0, 0.3, 0.97, 1.0]),
    st.booleans(),
)
def test_the_compiled_week_end_is_numpys_fading_of_each(w, topics, keep, shadow):
    from netsim.sim import kernels_numba as compiled

    w0 = np.linspace(0.0, 1.0, w.size)
    k0 = np.linspace(1.0, 0.0, w.size * topics)
    k, s = np.sqrt(k0), k0 * k0
    expected = (
        kernels.relax_toward(w.copy(), w0, 0.9),
        kernels.relax_toward(k.copy(), k0, keep),
        kernels.relax_toward(s.copy(), k0, keep) if shadow else s,
    )
    got = w.copy(), k.copy(), s.copy()
    compiled.week_end(got[0], w0, 0.9, got[1], k0, keep, got[2] if shadow else np.empty(0))
    assert all(np.array_equal(a, b) for a, b in zip(got, expected, strict=True))


@needs_numba
@pytest.mark.parametrize("name", ["goal_driven", "evaluate_and_close", "auto_enrollment"])
def test_a_meetings_compiled_first_and_last_steps_are_numpys(name):
    # Mid-run, for every network: who comes, then what follows the learning (experience,
    # obligation and leaving, charges, the review window), once with numpy's steps and once
    # compiled, from the same state and the same attendance stream: the same arrays, to the
    # bit.
    import copy

    from netsim.sim import meeting

    sc = load_scenario(ROOT / "scenarios" / f"{name}.toml")
    state = run(sc, 3, years=0.5, kernels="numpy").state
    for k, batch in enumerate(state.batches):
        batch.vhat[0, 0] = 0.0  # a low expectation somewhere: leaving is exercised too
        runs = []
        for compiled in (False, True):
            st, b = copy.deepcopy((state, batch))
            turnout = meeting._decide(st, b) if compiled else meeting.decide_attendance(st, b)
            value = np.linspace(0.0, 3.0, b.idx.size).reshape(b.idx.shape) * turnout.attended
            sponsor = value.sum(axis=1)
            if compiled:
                meeting._after_learning(st, b, turnout, value, sponsor)
            else:
                meeting.learn_from_experience(st, b, turnout, value)
                meeting.fade_obligation_and_leave(st, b, turnout)
                meeting.charge_attendees(st, b, turnout)
                meeting.add_to_review_window(b, turnout, sponsor)
                b.meetings_since_review -= 1  # the compiled window leaves the count to its caller
            runs.append((turnout, st, b))
        (t0, s0, b0), (t1, s1, b1) = runs
        for field in ("invited", "pressure", "probability", "came", "invited_count",
                      "came_count", "held", "attended"):  # fmt: skip
            x, y = getattr(t0, field), getattr(t1, field)
            assert x.dtype == y.dtype and x.tobytes() == y.tobytes(), (k, field)
        for field in ("vhat", "room", "obligation", "low", "member", "left", "window_hours",
                      "window_value", "window_meetings"):  # fmt: skip
            x, y = getattr(b0, field), getattr(b1, field)
            assert x.dtype == y.dtype and x.tobytes() == y.tobytes(), (k, field)
        for field in ("hours", "cost_dkk", "attended", "invited"):
            assert getattr(s0, field).tobytes() == getattr(s1, field).tobytes(), (k, field)


@needs_numba
def test_compiled_tie_growth_is_numpys():
    # A block of every network's groups, everybody in the room: the strengths and the new and
    # cross-department tie gains, numpy's and compiled, from the same state, to the bit.
    import copy

    from netsim.sim import meeting

    sc = load_scenario(ROOT / "scenarios" / "goal_driven.toml")
    state = run(sc, 3, years=0.5, kernels="numpy").state
    for batch in state.batches:
        block = np.arange(batch.groups)
        attended = batch.slot.copy()
        out = []
        for kernels_ in ("numpy", "numba"):
            st, b = copy.deepcopy((state, batch))
            st.kernels = kernels_
            gains = meeting.Gains.zeros(b.idx.shape)
            meeting._form_ties(st, b, meeting._Attendees.of(b, block, attended), gains)
            out.append((st.w, gains.bridging, gains.cross_tie))
        for x, y in zip(*out, strict=True):
            assert x.tobytes() == y.tobytes()
        assert not np.array_equal(out[0][0], state.w) or not attended.any()  # ties grew


@needs_numba
def test_compiled_meeting_learning_is_numpys():
    # Groups of every size, rooms full, empty and in between, levels spread and bunched: the
    # compiled gaps and gains around numpy's sums give numpy's gains, to the bit.
    from netsim.sim import kernels, meeting

    rng = np.random.default_rng(11)
    for _ in range(300):
        groups, slots, topics = (int(x) for x in rng.integers(1, [40, 24, 9]))
        k = rng.random((groups, slots, topics)) ** rng.choice([1.0, 4.0])
        k[rng.random(k.shape) < 0.1] = 0.0
        attend = rng.random((groups, slots)) < rng.random()
        efficiency, participation = rng.random(groups), rng.random(groups)
        rates = {"lecture_rate": float(rng.random()), "peer_rate": float(rng.random())}
        expected = kernels.meeting_learning(
            k, attend, efficiency[:, None, None], participation[:, None, None], **rates
        )
        got = meeting._learning_compiled(
            k, attend, efficiency, participation, rates["lecture_rate"], rates["peer_rate"]
        )
        assert got.dtype == expected.dtype and got.tobytes() == expected.tobytes()


@needs_numba
def test_compiled_learning_at_a_meeting_and_bridging_count_are_numpys():
    import copy

    from netsim.sim import meeting
    from netsim.sim.meeting_numba import count_at_least

    sc = load_scenario(ROOT / "scenarios" / "goal_driven.toml")
    state = run(sc, 3, years=0.5, kernels="numpy").state
    for batch in state.batches:
        block = np.arange(batch.groups)
        attended = batch.slot & (np.arange(batch.slot.size).reshape(batch.slot.shape) % 3 > 0)
        out = []
        for kernels_ in ("numpy", "numba"):
            st, b = copy.deepcopy((state, batch))
            st.kernels = kernels_
            gains = meeting.Gains.zeros(b.idx.shape)
            meeting._learn(st, b, block, attended, gains)
            out.append((st.knowledge, gains.knowledge))
        for x, y in zip(*out, strict=True):
            assert x.tobytes() == y.tobytes()
    positions = np.flatnonzero(state.new_cross)
    for threshold in (0.0, 0.05, 0.3, 1.0):
        expected = np.count_nonzero(state.w[positions] >= threshold)
        assert count_at_least(state.w, positions, threshold) == expected
