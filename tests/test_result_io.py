"""A run's directory, written and read back: every table as it was, dtypes included; the
kernels that ran it recorded on the result and in ``provenance.json``; its organisation
rebuilt from scenario and seed."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import netsim
from netsim.show.figures import load_run, organisation_of
from netsim.sim import kernels, model
from netsim.sim.records import RECORDS
from netsim.sim.result import RunResult, read_run

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
TABLES = ("meetings", "weekly", "employees", "reviews", "knowledge", "bridging")


def _summary(summary: dict) -> dict:
    return {k: repr(v) for k, v in summary.items()}  # NaN == NaN, and 1 != 1.0


# With reviews; without networks (empty tables); an HR roster's ids; a run shorter than a
# week (a weekly table without columns).
RUNS = [("evaluate_and_close", 0.4), ("baseline", 0.4), ("own_organisation", 0.4),
        ("auto_enrollment", 0.005)]  # fmt: skip


@pytest.fixture(scope="module", params=RUNS, ids=[f"{n}-{y}" for n, y in RUNS])
def written(request, tmp_path_factory):
    name, years = request.param
    result = netsim.simulate(netsim.load_scenario(SCENARIOS / f"{name}.toml"), seed=5, years=years)
    out = result.write(tmp_path_factory.mktemp(name) / "run")
    return result, out


def test_every_table_reads_back_as_written_dtypes_included(written):
    result, out = written
    back = RunResult.read(out)
    for name in TABLES:
        want, got = getattr(result, name), getattr(back, name)
        assert want is not None and got is not None, name
        pd.testing.assert_frame_equal(got, want, check_exact=True, obj=name)
        if len(want.columns):  # a run shorter than a week has a weekly table without columns
            assert list(got.columns[: len(RECORDS[name].columns)]) == list(RECORDS[name].columns)
    assert _summary(back.summary) == _summary(result.summary)
    assert back.scenario == result.scenario
    assert back.seed == result.seed == 5
    assert back.kernels == result.kernels
    assert back.attendance is None and back.knowledge_by_employee is None


def test_the_reviews_are_read_back_with_their_decisions(written):
    result, out = written
    back = read_run(out)
    assert back.reviews is not None and result.reviews is not None
    if result.scenario.evaluation is not None:
        assert len(back.reviews) > 0
        assert set(back.reviews["decision"]) <= {"continue", "transform", "close"}


def test_the_figures_read_runs_with_the_sim_wings_reader(written):
    result, out = written
    via_figures = load_run(out)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(via_figures, name), getattr(result, name))


def test_a_run_read_back_writes_the_same_files(written, tmp_path):
    _, out = written
    again = RunResult.read(out).write(tmp_path / "again")
    for file in [*(RECORDS[n].file for n in TABLES), "summary.json", "scenario.toml"]:
        assert (again / file).read_text() == (out / file).read_text(), file


def test_reading_what_is_not_a_run_is_a_one_line_error(written, tmp_path):
    _, out = written
    with pytest.raises(netsim.NetsimError, match="not a netsim result directory"):
        RunResult.read(tmp_path)
    broken = tmp_path / "broken"
    broken.mkdir()
    for file in out.iterdir():
        if file.name != "weekly.csv":
            (broken / file.name).write_bytes(file.read_bytes())
    with pytest.raises(netsim.NetsimError, match=r"incomplete result directory \(weekly.csv"):
        RunResult.read(broken)


def test_the_organisation_is_rebuilt_from_scenario_and_seed():
    sc = netsim.load_scenario(SCENARIOS / "goal_driven.toml")
    run = model.run(sc, 4, years=0.1)
    org = run.result.organisation()
    used = run.state.org
    assert np.array_equal(org.department, used.department)
    assert np.array_equal(org.knowledge, used.knowledge)
    assert (org.ties != used.ties).nnz == 0
    assert organisation_of(run.result).n == used.n


def test_the_run_records_the_kernels_it_ran_with_not_those_of_writing_time(tmp_path, monkeypatch):
    sc = netsim.load_scenario(SCENARIOS / "auto_enrollment.toml")
    result = netsim.simulate(sc, seed=1, years=0.1, kernels="numpy")
    assert result.kernels == "numpy"
    # A changed (here: unusable) default after the run does not change what ran it.
    monkeypatch.setenv(kernels.ENV, "fortran")
    result.write(tmp_path / "run")
    prov = json.loads((tmp_path / "run" / "provenance.json").read_text())
    assert prov["kernels"] == "numpy"
    assert RunResult.read(tmp_path / "run").kernels == "numpy"


def test_the_default_kernels_are_read_once_when_the_run_starts(monkeypatch):
    sc = netsim.load_scenario(SCENARIOS / "auto_enrollment.toml")
    monkeypatch.setenv(kernels.ENV, "numpy")
    assert netsim.simulate(sc, seed=1, years=0.1).kernels == "numpy"
    monkeypatch.setenv(kernels.ENV, "fortran")
    with pytest.raises(netsim.NetsimError, match="NETSIM_KERNELS: must be one of"):
        netsim.simulate(sc, seed=1, years=0.1)


def test_an_unknown_kernels_argument_is_a_user_error():
    sc = netsim.load_scenario(SCENARIOS / "auto_enrollment.toml")
    for call in (netsim.simulate, model.summarise):
        with pytest.raises(
            netsim.NetsimError, match=r"kernels: must be one of numpy, numba \(got 'gpu'\)"
        ):
            call(sc, seed=1, years=0.1, kernels="gpu")


@pytest.mark.skipif(importlib.util.find_spec("numba") is None, reason="numba is not installed")
def test_the_kernels_argument_wins_over_the_environment(monkeypatch):
    sc = netsim.load_scenario(SCENARIOS / "goal_driven.toml")
    monkeypatch.setenv(kernels.ENV, "numpy")
    a = netsim.simulate(sc, seed=2, years=0.2)
    b = netsim.simulate(sc, seed=2, years=0.2, kernels="numba")
    assert (a.kernels, b.kernels) == ("numpy", "numba")
    assert _summary(a.summary) == _summary(b.summary)
    numba_summary = model.summarise(sc, seed=2, years=0.2, kernels="numba")
    assert _summary(numba_summary) == _summary(b.summary)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
