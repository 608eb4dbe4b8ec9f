"""Experiments: paired comparisons, sweeps that survive crashes, executors, sensitivity."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import netsim
from netsim.study.analysis import compare, paired_ci
from netsim.study.experiment import load_experiment, sweep
from tests.conftest import REPO, SCENARIOS

SCENARIO = """
name = "tiny"
[organisation]
employees = 200
[networks.leaders]
purpose = "leader_forum"
select = { roles = ["leader"] }
enrollment = "automatic"
interval_weeks = 2
"""


def write_experiment(tmp: Path, body: str, name: str = "exp") -> Path:
    (tmp / "tiny.toml").write_text(SCENARIO)
    path = tmp / f"{name}.toml"
    path.write_text(f'scenario = "tiny.toml"\nyears = 0.25\n{body}')
    return path


GRID = """
replications = 3
outcomes = ["attendance_decay", "total_hours_year"]
[parameters."networks.leaders.goal_clarity"]
values = [0.1, 0.9]
[parameters."attendance.intercept"]
values = [0.0, 1.0]
"""


def _rows(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records"))


# ------------------------------------------------------------------ statistics


def test_confidence_interval_covers_a_known_mean_about_95_percent_of_the_time():
    rng = np.random.default_rng(2024)
    trials, hits = 2000, 0
    for _ in range(trials):
        mean, lo, hi, n = paired_ci(rng.normal(3.0, 2.0, size=8))
        assert n == 8 and lo < mean < hi
        hits += lo <= 3.0 <= hi
    # Binomial(2000, 0.95) lies in [0.935, 0.965] with probability > 0.999.
    assert 0.935 <= hits / trials <= 0.965


def test_paired_ci_leaves_out_undefined_pairs():
    mean, lo, hi, n = paired_ci([1.0, float("nan"), 3.0])
    assert n == 2 and mean == 2.0 and lo < 2.0 < hi


# ------------------------------------------------------------------ compare


def test_compare_is_paired_and_independent_of_workers():
    auto = netsim.load_scenario(SCENARIOS / "auto_enrollment.toml")
    goal = netsim.load_scenario(SCENARIOS / "goal_driven.toml")
    auto, goal = (
        s.model_copy(update={"simulation": s.simulation.model_copy(update={"years": 0.5})})
        for s in (auto, goal)
    )
    one = compare([auto, goal], reps=4, seed=3, workers=1)
    two = compare([auto, goal], reps=4, seed=3, workers=2)
    pd.testing.assert_frame_equal(one, two)
    same = compare([auto, auto], reps=3, seed=3, workers=1)
    diffs = same[same["scenario"] == same["scenario"].iloc[-1]].iloc[len(same) // 2 :]
    assert (diffs["diff"].dropna() == 0).all()
    hours = one[(one["metric"] == "total_hours_year") & (one["scenario"] == "goal_driven")]
    assert hours["ci_high"].iloc[0] < 0 and hours["n"].iloc[0] == 4


def test_compare_adds_replications_until_the_ci_is_narrow_or_the_cap():
    sc = netsim.load_scenario(write_experiment(Path(_tmp()), "").parent / "tiny.toml")
    other = sc.model_copy(update={"name": "other"})
    wide = compare([sc, other], ci_width=10.0, batch=2, max_reps=6, seed=1, workers=1)
    assert wide.attrs["converged"] is True and wide.attrs["reps"] == 2
    noisy = netsim.parse_scenario(
        {**json.loads(sc.model_dump_json()), "name": "noisy", "attendance": {"intercept": -1.0}}
    )
    narrow = compare([sc, noisy], ci_width=1e-9, batch=2, max_reps=6, seed=1, workers=1)
    assert narrow.attrs["converged"] is False and narrow.attrs["reps"] == 6


def test_the_headline_speaks_hours_not_value_units():
    from netsim.study.experiment import HEADLINE, Experiment

    assert HEADLINE[:2] == ("total_hours_year", "hours_per_leader_year")
    for name in (
        "participant_hours_saved_year",
        "sponsor_hours_saved_year",
        "net_hours_year",
        "participant_return_per_hour",
        "sponsor_return_per_hour",
        "share_worth_it",
    ):
        assert name in HEADLINE
    old = {"share_valuing", "participant_value_per_hour", "sponsor_value_per_hour"}
    old |= {"participant_value", "sponsor_value"}
    assert not old & set(HEADLINE)
    default = Experiment(name="x", scenarios=["a.toml", "b.toml"])
    assert default.outcomes == list(HEADLINE)


@pytest.mark.parametrize("path", sorted((REPO / "experiments").glob("*.toml")))
def test_shipped_experiments_ask_for_hours_not_value_units(path):
    import tomllib

    outcomes = tomllib.loads(path.read_text(encoding="utf-8"))["outcomes"]
    assert not any("value" in name for name in outcomes), outcomes
    assert any("hours" in name or name == "share_worth_it" for name in outcomes)


def _tmp() -> str:
    import tempfile

    return tempfile.mkdtemp()


# ------------------------------------------------------------------ sweeps


def test_sweep_rows_do_not_depend_on_workers_or_executor(tmp_path):
    exp = write_experiment(tmp_path, GRID)
    serial = sweep(exp, workers=1, db=tmp_path / "a.sqlite")
    pooled = sweep(exp, workers=2, db=tmp_path / "b.sqlite")
    assert len(serial) == 12 and serial.attrs["failed"] == 0
    assert _rows(serial) == _rows(pooled)

    from distributed import Client, LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        with Client(cluster) as client:
            dasked = sweep(exp, executor=client.get_executor(), db=tmp_path / "c.sqlite")
        # The command line's --scheduler talks to the same cluster by its address.
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "netsim.cli",
                "sweep",
                str(exp),
                "--db",
                str(tmp_path / "d.sqlite"),
                "--scheduler",
                cluster.scheduler_address,
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert out.returncode == 0, out.stderr
    assert _rows(serial) == _rows(dasked)
    assert _rows(serial) == _rows(sweep(exp, workers=1, db=tmp_path / "d.sqlite"))


def test_rerun_resumes_without_recomputing(tmp_path):
    exp = write_experiment(tmp_path, GRID)
    db = tmp_path / "r.sqlite"
    first = sweep(exp, workers=1, db=db)
    calls = []
    second = sweep(exp, workers=1, db=db, progress=lambda d, t, f: calls.append((d, t, f)))
    assert _rows(first) == _rows(second)
    assert calls == [(12, 12, 0)], "everything was already done: nothing ran"


def test_a_failing_task_is_recorded_and_the_rest_complete(tmp_path, monkeypatch):
    # A file that validates runs, so no scenario value can make a task fail: a task fails by
    # a fault of the run itself, here one put into the simulation of one design point.
    import netsim.sim.model

    real = netsim.sim.model.summarise

    def faulty(scenario, *args, **kwargs):
        if scenario.networks["leaders"].goal_clarity == 0.8:
            raise RuntimeError("a fault in the run (quorum unreachable)")
        return real(scenario, *args, **kwargs)

    monkeypatch.setattr(netsim.sim.model, "summarise", faulty)
    exp = write_experiment(
        tmp_path,
        'replications = 2\n[parameters."networks.leaders.goal_clarity"]\nvalues = [0.2, 0.8]\n',
    )
    db = tmp_path / "f.sqlite"
    frame = sweep(exp, workers=1, db=db)
    assert frame.attrs["failed"] == 2
    assert sorted(frame["param:networks.leaders.goal_clarity"].unique().tolist()) == [0.2]
    with sqlite3.connect(db) as con:
        errors = con.execute("SELECT error FROM tasks WHERE status = 'failed'").fetchall()
    assert len(errors) == 2 and all("quorum unreachable" in e[0] for e in errors)


def test_a_design_point_the_organisation_cannot_meet_is_refused_before_running(tmp_path):
    # 200 employees have 15 leaders: a quorum of 16 is allowed by the schema (max_size 20)
    # but no group could ever meet; the loader says so for the point, before any task runs.
    exp = write_experiment(
        tmp_path,
        'replications = 2\n[parameters."networks.leaders.quorum"]\nvalues = [3, 16]\n',
    )
    with pytest.raises(
        netsim.NetsimError, match=r"networks\.leaders\.quorum.*fewer than the quorum"
    ):
        sweep(exp, workers=1, db=tmp_path / "q.sqlite")
    assert not (tmp_path / "q.sqlite").exists()


@pytest.mark.parametrize("workers", [1, 2])
def test_sweep_killed_with_sigkill_resumes_to_the_same_rows(tmp_path, workers):
    # 120 tasks: enough that the sweep is still running when the test kills it; one worker
    # runs them in the sweep's own process, so each takes longer there.
    exp = write_experiment(tmp_path, GRID.replace("replications = 3", "replications = 30"))
    if workers == 1:
        exp.write_text(exp.read_text().replace("years = 0.25", "years = 1"))
    db = tmp_path / "killed.sqlite"
    cmd = [sys.executable, "-m", "netsim.cli", "sweep", str(exp), "--db", str(db)]
    cmd += ["--workers", str(workers)]
    proc = subprocess.Popen(
        cmd,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=1) as con:
                    done = con.execute("SELECT COUNT(*) FROM tasks").fetchone()[0]
            except sqlite3.OperationalError:
                done = 0
            if done >= 6:
                break
        time.sleep(0.05)
    assert proc.poll() is None, "the sweep finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its worker processes
    proc.wait(timeout=60)
    with sqlite3.connect(db) as con:
        partial = con.execute("SELECT COUNT(*) FROM tasks").fetchone()[0]
    assert 6 <= partial < 120

    out = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    resumed = sweep(exp, workers=1, db=db)
    clean = sweep(exp, workers=1, db=tmp_path / "clean.sqlite")
    assert len(resumed) == 120
    assert _rows(resumed) == _rows(clean)
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT COUNT(*), COUNT(DISTINCT key) FROM tasks").fetchone() == (
            120,
            120,
        )


def test_sobol_sweep_gives_indices_with_confidence_intervals(tmp_path):
    exp = write_experiment(
        tmp_path,
        'design = "sobol"\nsamples = 8\nreplications = 1\n'
        'outcomes = ["total_hours_year"]\n'
        '[parameters."attendance.intercept"]\nbounds = [-2.0, 2.0]\n'
        '[parameters."diffusion.gap_share"]\nbounds = [0.0, 0.1]\n',
    )
    db = tmp_path / "s.sqlite"
    frame = sweep(exp, workers=2, db=db)
    assert len(frame) == 8 * (2 + 2)
    out = subprocess.run(
        [sys.executable, "-m", "netsim.cli", "results", str(db), "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(out.stdout)
    idx = {r["parameter"]: r for r in data["indices"]}
    assert set(idx) == {"attendance.intercept", "diffusion.gap_share"}
    # The intercept moves attendance and hence hours; diffusion speed does not.
    assert idx["attendance.intercept"]["ST"] > idx["diffusion.gap_share"]["ST"]
    assert all(r["ST_conf"] is not None and r["ST_conf"] >= 0 for r in data["indices"])


def test_morris_sweep_ranks_the_parameter_that_matters(tmp_path):
    exp = write_experiment(
        tmp_path,
        'design = "morris"\nsamples = 4\nreplications = 1\n'
        'outcomes = ["total_hours_year"]\n'
        '[parameters."attendance.intercept"]\nbounds = [-2.0, 2.0]\n'
        '[parameters."diffusion.gap_share"]\nbounds = [0.0, 0.1]\n',
    )
    frame = sweep(exp, workers=1, db=tmp_path / "m.sqlite")
    assert len(frame) == 4 * (2 + 1)
    from netsim.study.analysis import sensitivity

    idx = sensitivity(frame, load_experiment(exp).spec).set_index("parameter")
    assert idx.loc["attendance.intercept", "mu_star"] > idx.loc["diffusion.gap_share", "mu_star"]
    assert (idx["mu_star_conf"] >= 0).all()


@pytest.mark.parametrize("design", ["sobol", "morris"])
def test_sensitivity_says_where_an_outcome_was_undefined(tmp_path, design, capsys):
    from netsim.cli.command import _note_imputed
    from netsim.study.analysis import sensitivity
    from netsim.study.experiment import design_points

    exp = write_experiment(
        tmp_path,
        f'design = "{design}"\nsamples = 8\nreplications = 1\n'
        'outcomes = ["total_hours_year", "share_worth_it", "attendance_decay"]\n'
        '[parameters."attendance.intercept"]\nbounds = [-2.0, 2.0]\n'
        '[parameters."diffusion.gap_share"]\nbounds = [0.0, 0.1]\n',
    )
    spec = load_experiment(exp).spec
    x = design_points(spec).to_numpy()
    y = 3.0 * x[:, 0] + 0.1 * x[:, 1]
    holes = y.copy()
    holes[[1, 4, 6]] = np.nan  # a share of nobody at three points
    frame = pd.DataFrame(
        {
            "point": np.arange(len(x)),
            "total_hours_year": y,
            "share_worth_it": holes,
            "attendance_decay": np.full(len(x), np.nan),  # undefined everywhere
        }
    )
    idx = sensitivity(frame, spec)
    assert set(idx["outcome"]) == {"total_hours_year", "share_worth_it"}
    assert (idx.loc[idx["outcome"] == "total_hours_year", "imputed"] == 0).all()
    assert (idx.loc[idx["outcome"] == "share_worth_it", "imputed"] == 3).all()
    assert idx.drop(columns="outcome").notna().all().all()  # indices despite the holes
    _note_imputed(idx, list(spec.outcomes), len(x))
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"netsim: note: share_worth_it is undefined at 3 of {len(x)} design points; "
        "its indices use the mean of the other points there (column 'imputed')",
        "netsim: note: attendance_decay is undefined at every design point: no indices",
    ]


def test_results_exports_csv_and_parquet(tmp_path):
    exp = write_experiment(tmp_path, GRID)
    db = tmp_path / "e.sqlite"
    sweep(exp, workers=1, db=db)
    csv = subprocess.run(
        [sys.executable, "-m", "netsim.cli", "results", str(db), "--format", "csv"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    head = csv.splitlines()[0].split(",")
    assert head[:3] == [
        "point",
        "param:networks.leaders.goal_clarity",
        "param:attendance.intercept",
    ]
    assert len(csv.splitlines()) == 1 + 4
    pq = tmp_path / "r.parquet"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "netsim.cli",
            "results",
            str(db),
            "--format",
            "parquet",
            "--out",
            str(pq),
        ],
        check=True,
    )
    table = pd.read_parquet(pq)
    assert len(table) == 4 and (table["n"] == 3).all()


# ------------------------------------------------------------------ bad experiment files

BAD = [
    (
        "bad-path",
        '[parameters."networks.nope.goal_clarity"]\nvalues = [0.1]\n',
        "parameters.networks.nope.goal_clarity",
        "networks.nope",
    ),
    (
        "bounds-reversed",
        'design = "lhs"\n[parameters."attendance.intercept"]\nbounds = [2.0, 1.0]\n',
        "parameters.attendance.intercept.bounds",
        "lower bound",
    ),
    (
        "unknown-design",
        'design = "random"\n[parameters."attendance.intercept"]\nvalues = [1.0]\n',
        "design",
        "grid",
    ),
    (
        "zero-replications",
        'replications = 0\n[parameters."attendance.intercept"]\nvalues = [1.0]\n',
        "replications",
        "greater than or equal to 1",
    ),
    (
        "value-out-of-range",
        '[parameters."networks.leaders.goal_clarity"]\nvalues = [1.5]\n',
        "parameters.networks.leaders.goal_clarity",
        "less than or equal to 1",
    ),
    (
        "grid-with-bounds",
        '[parameters."attendance.intercept"]\nbounds = [0.0, 1.0]\n',
        "parameters.attendance.intercept",
        "needs values",
    ),
    (
        "unknown-outcome",
        'outcomes = ["happiness"]\n[parameters."attendance.intercept"]\nvalues = [1.0]\n',
        "outcomes",
        "happiness",
    ),
    (
        "unknown-field",
        'replicatons = 3\n[parameters."attendance.intercept"]\nvalues = [1.0]\n',
        "replicatons",
        "did you mean 'replications'",
    ),
    ("toml-syntax", "replications = = 3\n", "", "line 3"),
]


@pytest.mark.parametrize(("name", "body", "field", "fragment"), BAD, ids=[b[0] for b in BAD])
def test_malformed_experiment_is_one_line_naming_file_and_field(
    tmp_path, name, body, field, fragment
):
    exp = write_experiment(tmp_path, body, name=name)
    out = subprocess.run(
        [sys.executable, "-m", "netsim.cli", "sweep", str(exp), "--db", str(tmp_path / "x.sqlite")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out.stderr
    assert lines[0].startswith(f"netsim: error: {exp}: {field}"), lines[0]
    assert fragment in lines[0]
    assert not (tmp_path / "x.sqlite").exists(), "nothing is started for a bad file"


def test_shipped_experiments_load():
    for path in sorted((REPO / "experiments").glob("*.toml")):
        exp = load_experiment(path)
        assert exp.bases and exp.spec.replications >= 1


def test_user_errors_survive_the_trip_from_a_worker_process():
    import pickle

    from netsim.errors import ScenarioError
    from netsim.scenario.roster import CsvError, CsvProblem

    err = ScenarioError("a.toml", "networks.x.quorum", "too high (got 9)")
    back = pickle.loads(pickle.dumps(err))
    assert (back.source, back.field, back.message, str(back)) == (
        err.source,
        err.field,
        err.message,
        str(err),
    )
    csv = CsvError([CsvProblem("m.csv", 3, "employee_id", "no such employee")])
    assert str(pickle.loads(pickle.dumps(csv))) == str(csv)
