"""The results database and `netsim results` under faults and hostile input: one line, exit 2.

Every test runs the command in this process (``netsim.cli.main``); the read-only mount is
the one exception, in a private mount namespace.
"""

from __future__ import annotations

import json
import math
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from netsim.cli import main
from netsim.safe import csv_safe, json_strict
from netsim.study import store as store_module
from netsim.study.experiment import MAX_SEED, MAX_TASKS, load_experiment, sweep
from netsim.study.export import results_csv
from tests.test_experiment import write_experiment

SMALL = """
replications = 2
outcomes = ["attendance_decay", "total_hours_year"]
[parameters."networks.leaders.goal_clarity"]
values = [0.2, 0.8]
"""


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_error(capsys, *argv: str) -> str:
    """Run the command; assert the error contract; return the message after the prefix."""
    code, _, err = cli(capsys, *argv)
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("netsim: error: "), err
    assert "Traceback" not in err
    return lines[0].removeprefix("netsim: error: ")


@pytest.fixture
def swept(tmp_path, capsys) -> tuple[Path, Path]:
    """An experiment file and the database of its finished sweep."""
    exp = write_experiment(tmp_path, 'name = "one"\n' + SMALL)
    db = tmp_path / "one.sqlite"
    code, _, err = cli(capsys, "sweep", exp, "--db", db, "--workers", "1")
    assert code == 0, err
    return exp, db


# ------------------------------------------------------------------ experiment files


STRICT = [
    ("seed-overflows-sqlite", "seed = 9223372036854775807", "seed", "less than or equal"),
    ("seed-negative", "seed = -1", "seed", "greater than or equal to 0"),
    ("replications-bool", "replications = true", "replications", "valid integer"),
    ("replications-float", "replications = 3.0", "replications", "valid integer"),
    ("replications-string", 'replications = "3"', "replications", "valid integer"),
    ("years-bool", "samples = 4\nyears = true", "years", "valid number"),
    ("samples-bool", 'design = "lhs"\nsamples = true', "samples", "valid integer"),
    ("name-climbs-out", 'name = "../../escaped"', "name", "plain name"),
    ("name-absolute", 'name = "/tmp/escaped"', "name", "plain name"),
    ("name-newline", 'name = "a\\nb"', "name", "plain name"),
]


@pytest.mark.parametrize(("case", "line", "field", "fragment"), STRICT, ids=[c[0] for c in STRICT])
def test_experiment_values_are_not_coerced_or_unbounded(
    tmp_path, capsys, case, line, field, fragment
):
    body = SMALL.replace("replications = 2\n", "") if line.startswith("replications") else SMALL
    exp = write_experiment(tmp_path, f"{line}\n{body}")
    exp.write_text(exp.read_text().replace("years = 0.25\n", "", line.count("years")))
    message = one_error(capsys, "sweep", exp, "--db", tmp_path / "x.sqlite")
    assert message.startswith(f"{exp}: {field}: "), message
    assert fragment in message
    assert not (tmp_path / "x.sqlite").exists()
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize(
    ("values", "got"),
    [("[true, 0.5]", "True"), ('[0.2, "0.5"]', "'0.5'"), ("[0.2, 1.5]", "1.5")],
)
def test_each_grid_value_has_the_scenario_fields_own_type(tmp_path, capsys, values, got):
    exp = write_experiment(tmp_path, SMALL.replace("values = [0.2, 0.8]", f"values = {values}"))
    message = one_error(capsys, "sweep", exp, "--db", tmp_path / "x.sqlite")
    assert message.startswith(f"{exp}: parameters.networks.leaders.goal_clarity: "), message
    assert f"(got {got})" in message


def test_a_design_too_large_is_refused_before_anything_is_written(tmp_path, capsys):
    body = SMALL.replace("replications = 2", "replications = 100000")
    body = body.replace("values = [0.2, 0.8]", "values = [0.1, 0.2, 0.3, 0.4]")
    exp = write_experiment(tmp_path, body)
    message = one_error(capsys, "sweep", exp, "--db", tmp_path / "x.sqlite")
    assert message.startswith(f"{exp}: replications: the design needs 400,000 tasks")
    assert f"at most {MAX_TASKS:,}" in message
    assert not (tmp_path / "x.sqlite").exists()


def test_a_huge_sobol_sample_is_refused_before_sampling(tmp_path, capsys):
    body = (
        'design = "sobol"\nsamples = 524288\nreplications = 1\n'
        '[parameters."attendance.intercept"]\nbounds = [0.0, 1.0]\n'
    )
    exp = write_experiment(tmp_path, body)
    message = one_error(capsys, "sweep", exp, "--db", tmp_path / "x.sqlite")
    assert message.startswith(f"{exp}: samples: the design needs 1,572,864 tasks")


def test_a_sobol_sample_is_a_power_of_two(tmp_path, capsys):
    body = (
        'design = "sobol"\nsamples = 6\nreplications = 1\n'
        '[parameters."attendance.intercept"]\nbounds = [0.0, 1.0]\n'
    )
    exp = write_experiment(tmp_path, body)
    message = one_error(capsys, "sweep", exp, "--db", tmp_path / "x.sqlite")
    assert message.startswith(f"{exp}: samples: a sobol design needs a power of 2")


def test_the_largest_seed_runs_and_is_stored(tmp_path):
    exp = write_experiment(tmp_path, f"seed = {MAX_SEED}\n" + SMALL)
    frame = sweep(exp, workers=1, db=tmp_path / "big.sqlite")
    assert sorted(frame["seed"].unique().tolist()) == [MAX_SEED, MAX_SEED + 1]


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs are POSIX")
def test_an_experiment_file_that_is_a_fifo_is_refused_without_reading(tmp_path, capsys):
    fifo = tmp_path / "exp.toml"
    import os

    os.mkfifo(fifo)
    message = one_error(capsys, "sweep", fifo)
    assert message == f"{fifo}: not a regular file; give an experiment TOML file"


def test_the_default_database_stays_in_results(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exp = write_experiment(tmp_path, SMALL, name="plain")
    code, _, err = cli(capsys, "sweep", exp, "--workers", "1")
    assert code == 0, err
    assert (tmp_path / "results" / "plain.sqlite").is_file()
    assert load_experiment(exp).name == "plain"


# ------------------------------------------------------------------ one experiment per database


def test_a_database_belongs_to_one_experiment(tmp_path, capsys, swept):
    exp, db = swept
    other = write_experiment(tmp_path, 'name = "two"\n' + SMALL, name="other")
    message = one_error(capsys, "sweep", other, "--db", db)
    assert message == (
        f"{db}: belongs to experiment 'one' ({exp}); use --db OTHER.sqlite for 'two', "
        "or delete the database to start again"
    )
    # The same experiment resumes, with more replications too.
    more = exp.read_text().replace("replications = 2", "replications = 3")
    exp.write_text(more)
    code, out, err = cli(capsys, "sweep", exp, "--db", db, "--workers", "1")
    assert code == 0 and "6 tasks done" in out, err


def test_another_programs_database_is_left_alone(tmp_path, capsys):
    exp = write_experiment(tmp_path, SMALL)
    db = tmp_path / "app.sqlite"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE people (name TEXT)")
    message = one_error(capsys, "sweep", exp, "--db", db)
    assert message.startswith(f"{db}: not a netsim results database (it has other tables")
    with sqlite3.connect(db) as con:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
    assert tables == {"people"}
    message = one_error(capsys, "results", db)
    assert message == f"{db}: not a netsim results database (no sweep has written to it)"


# ------------------------------------------------------------------ damaged, locked, read-only


def _checkpoint(db: Path) -> None:
    with sqlite3.connect(db) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def test_a_damaged_database_is_one_line_for_sweep_and_results(capsys, swept):
    exp, db = swept
    _checkpoint(db)
    data = bytearray(db.read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)  # every page after the first
    db.write_bytes(bytes(data))
    for argv in (("results", db), ("sweep", exp, "--db", db)):
        message = one_error(capsys, *argv)
        assert message.startswith(f"{db}: the database is damaged"), message
        assert "delete it and sweep again, or use --db OTHER.sqlite" in message


def test_a_file_that_is_not_a_database(tmp_path, capsys, swept):
    exp, _ = swept
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all\n" * 300)
    for argv in (("results", junk), ("sweep", exp, "--db", junk)):
        assert one_error(capsys, *argv).startswith(f"{junk}: the database is damaged")
    assert one_error(capsys, "results", tmp_path / "missing.sqlite") == (
        f"{tmp_path / 'missing.sqlite'}: no such results database"
    )
    assert one_error(capsys, "sweep", exp, "--db", tmp_path) == (
        f"{tmp_path}: is a directory; --db takes a file name"
    )


def test_a_locked_database_says_so_and_can_still_be_read(capsys, swept, monkeypatch):
    exp, db = swept
    monkeypatch.setattr(store_module, "LOCK_TIMEOUT", 0.2)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        message = one_error(capsys, "sweep", exp, "--db", db)
        assert message.startswith(f"{db}: the database is locked by another process")
        assert "--db OTHER.sqlite" in message
        code, out, err = cli(capsys, "results", db, "--format", "json")
        assert code == 0, err
        assert len(json.loads(out)["points"]) == 2
    finally:
        holder.rollback()
        holder.close()


def _ro_mount(source: Path, target: Path, argv: list[str]) -> subprocess.CompletedProcess[str]:
    """Run ``netsim ARGV`` with ``source`` mounted read-only at ``target``, in a private mount
    namespace (nothing is mounted for the rest of the machine)."""
    netsim = [sys.executable, "-m", "netsim.cli", *argv]
    script = 'mount --bind -o ro "$1" "$2" && shift 2 && exec "$@"'
    unshare = ["unshare", "--mount", "--propagation", "private"]
    import os

    if os.geteuid() != 0:
        unshare.insert(1, "--map-root-user")
    return subprocess.run(
        [*unshare, "sh", "-c", script, "sh", str(source), str(target), *netsim],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )


def test_results_reads_a_database_on_a_read_only_mount(tmp_path, swept):
    exp, db = swept
    source, target = tmp_path / "data", tmp_path / "mnt"
    source.mkdir()
    target.mkdir()
    shutil.copy(db, source / "one.sqlite")
    probe = _ro_mount(source, target, ["--version"]) if shutil.which("unshare") else None
    if probe is None or probe.returncode != 0:
        pytest.skip("cannot mount read-only here (needs unshare and a mount namespace)")
    read = _ro_mount(source, target, ["results", str(target / "one.sqlite"), "--format", "json"])
    assert read.returncode == 0, read.stderr
    assert len(json.loads(read.stdout)["points"]) == 2
    write = _ro_mount(source, target, ["sweep", str(exp), "--db", str(target / "one.sqlite")])
    assert write.returncode == 2
    assert write.stderr.strip().splitlines() == [
        f"netsim: error: {target / 'one.sqlite'}: the database is read-only (a read-only file, "
        "directory or mount); `netsim results` can read it, but a sweep needs "
        "--db OTHER.sqlite in a writable place"
    ]
    assert sorted(p.name for p in source.iterdir()) == ["one.sqlite"]


# ------------------------------------------------------------------ results out


def test_results_out_must_be_a_file_in_an_existing_directory(tmp_path, capsys, swept):
    _, db = swept
    for fmt in ("json", "csv", "parquet"):
        assert one_error(capsys, "results", db, "--format", fmt, "--out", tmp_path) == (
            f"{tmp_path}: is a directory; --out takes a file name"
        )
        missing = tmp_path / "nope" / "r.out"
        assert one_error(capsys, "results", db, "--format", fmt, "--out", missing) == (
            f"{missing}: the directory {tmp_path / 'nope'} does not exist; create it first"
        )
    assert not (tmp_path / "nope").exists()


def _strict_loads(text: str):
    def refuse(token: str):
        raise AssertionError(f"not strict JSON: {token}")

    return json.loads(text, parse_constant=refuse)


def test_results_json_is_strict_and_csv_is_formula_free(tmp_path, capsys, monkeypatch):
    import netsim.sim.model

    real = netsim.sim.model.summarise

    def undefined(scenario, *args, **kwargs):
        summary = real(scenario, *args, **kwargs)
        summary["attendance_decay"] = math.nan
        summary["total_hours_year"] = math.inf
        return summary

    monkeypatch.setattr(netsim.sim.model, "summarise", undefined)
    exp = write_experiment(tmp_path, SMALL)
    db = tmp_path / "nan.sqlite"
    code, _, err = cli(capsys, "sweep", exp, "--db", db, "--workers", "1")
    assert code == 0, err
    code, out, err = cli(capsys, "results", db, "--format", "json")
    assert code == 0, err
    points = _strict_loads(out)["points"]
    assert [p["attendance_decay"] for p in points] == [None, None]
    assert [p["total_hours_year"] for p in points] == [None, None]
    out_file = tmp_path / "r.json"
    assert cli(capsys, "results", db, "--format", "json", "--out", out_file)[0] == 0
    assert _strict_loads(out_file.read_text()) == _strict_loads(out)


def test_results_csv_neutralises_formula_cells_but_not_numbers():
    table = pd.DataFrame(
        {
            "point": [0, 1, 2],
            "param:scenario": ['=HYPERLINK("x")', "+1+cmd", "+1"],
            "param:x": [-0.5, 0.0, 1.5],
            "label": ["-12.5", "@SUM(A1)", "\tx"],
        }
    )
    rows = results_csv(table).splitlines()
    assert rows[1] == '0,"\'=HYPERLINK(""x"")",-0.5,-12.5'
    assert rows[2] == "1,'+1+cmd,0.0,'@SUM(A1)"
    assert rows[3] == "2,+1,1.5,'\tx"  # +1 is a number


def test_csv_safe_and_json_strict():
    frame = pd.DataFrame({"=a": ["-1", "-x", "\rcmd", None], "n": [-1, 2, 3, 4]})
    safe = csv_safe(frame)
    assert list(safe.columns) == ["'=a", "n"]
    assert safe["'=a"].tolist()[:3] == ["-1", "'-x", "'\rcmd"]
    assert pd.isna(safe["'=a"].iloc[3])
    assert safe["n"].tolist() == [-1, 2, 3, 4] and safe["n"].dtype == frame["n"].dtype
    assert frame.columns[0] == "=a", "the frame given is not changed"
    import numpy as np

    text = json_strict({"a": np.float64("nan"), "b": [np.inf, -np.inf, 1.5], "c": np.int64(3)})
    assert text == '{"a": null, "b": [null, null, 1.5], "c": 3}'


def test_a_malformed_scheduler_address_is_one_line(tmp_path, capsys):
    exp = write_experiment(tmp_path, SMALL)
    message = one_error(capsys, "sweep", exp, "--db", tmp_path / "x.sqlite", "--scheduler", "nope")
    assert message.startswith("--scheduler nope: cannot connect (")
    assert message.endswith("give tcp://HOST:PORT")
    assert not (tmp_path / "x.sqlite").exists()


def test_results_of_a_directory_says_so(tmp_path, capsys):
    assert one_error(capsys, "results", tmp_path) == (
        f"{tmp_path}: is a directory; give a sweep's .sqlite file"
    )
