"""Hostile and careless input files (issue 14): nothing leaked, nothing hangs, nothing escapes.

Each case is run through :func:`netsim.cli.main` in-process, as a user sees it: exit status
2 and ``netsim: error:`` lines naming the file and field, no traceback; or, for a run that
goes through, files only inside ``--out`` and strict, neutralised output.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

import netsim
from netsim.cli import main
from netsim.scenario.files import MAX_CSV_BYTES, MAX_SCENARIO_BYTES
from tests.test_scenario_errors import (
    SMALL,
    STRATEGY,
    Case,
    assert_one_error_line,
    make_file,
    network,
)

HEADER = "id;department;unit;role\n"
ROWS = [
    "1;Rådhus;Direktion;executive",
    "2;Rådhus;Direktion;executive",
    "3;Børn;Ledelse;head",
    *(f"{k};Børn;Solsikken;{'leader' if k == 4 else 'employee'}" for k in range(4, 16)),
    *(f"{k};Børn;Mælkebøtten;{'leader' if k == 16 else 'employee'}" for k in range(16, 28)),
]
SCENARIO = """\
[simulation]
years = 0.2

[organisation]
employees_csv = "{employees}"
{extra}

[networks.leaders]
purpose = "leader_forum"
select = {{ roles = ["leader", "head", "executive"] }}
enrollment = "automatic"
interval_weeks = 1
"""

# Lines of a password file and an environment: none of them may appear in a message.
PASSWD = [
    "root:x:0:0:root:/root:/bin/bash",
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin",
    "alice:x:1000:1000:Alice Secret,,,:/home/alice:/bin/bash",
]
ENVIRON = ["HOME=/home/alice", "API_TOKEN=s3cr3t-t0ken-value", "PATH=/usr/bin:/bin"]


def scenario(tmp_path: Path, employees: str | Path, extra: str = "") -> Path:
    path = tmp_path / "scenario.toml"
    path.write_text(SCENARIO.format(employees=employees, extra=extra), encoding="utf-8")
    return path


def employees(tmp_path: Path, rows: list[str] = ROWS, name: str = "employees.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def fails(argv: list[str], capsys: pytest.CaptureFixture[str], *names: str | Path) -> str:
    """Exit 2, every stderr line a ``netsim: error:`` naming one of ``names``; stderr."""
    status = main(argv)
    out, err = capsys.readouterr()
    assert status == 2, (out, err)
    lines = err.splitlines()
    assert lines, err
    for line in lines:
        assert line.startswith("netsim: error: "), err
        assert any(str(n) in line for n in names), err
    assert "Traceback" not in err
    return err


# --------------------------------------------------------------------------- one line each

# Values that used to validate and then crash the run, or give a message of two lines, or
# blame the wrong field; and files that are not files. The same contract as
# tests/test_scenario_errors.py: one line naming the file and the field, for validate and run.
CASES = [
    Case(
        "start-week-huge",
        network(STRATEGY + "start_week = 1e308"),
        "networks.x.start_week",
        ("less than or equal to 18300", "(got 1e+308)"),
    ),
    Case(
        "end-week-huge",
        network(STRATEGY + "end_week = 1e308"),
        "networks.x.end_week",
        ("less than or equal to 18300",),
    ),
    Case(
        "catering-huge",
        network(STRATEGY + "catering_dkk = 1e308"),
        "networks.x.catering_dkk",
        ("less than or equal to 10000000",),
    ),
    Case(
        "hourly-cost-huge",
        SMALL + "[organisation.hourly_cost_dkk]\nexecutive = 1e308\nhead = 1\nleader = 1\n"
        "specialist = 1\nemployee = 1\n",
        "organisation.hourly_cost_dkk.executive",
        ("at most 100,000",),
    ),
    Case(
        "network-starts-after-horizon",
        network(STRATEGY + "start_week = 500"),
        "networks.x.start_week",
        ("would never meet", "end of the horizon (88 weeks)", "(got 500.0)"),
    ),
    Case(
        "network-ends-before-first-meeting",
        network(STRATEGY + "start_week = 1\nend_week = 1.05"),
        "networks.x.end_week",
        ("would never meet", "(got 1.05)"),
    ),
    Case(
        "schedule-sets-number-as-string",
        network(STRATEGY)
        + '[[schedule]]\nat_week = 1\nset = { "time_pressure.overload" = "0.9" }\n',
        "schedule.0.set",
        ("time_pressure.overload: input should be a valid number", "(got '0.9')"),
    ),
    Case(
        "schedule-sets-number-as-bool",
        network(STRATEGY) + '[[schedule]]\nat_week = 1\nset = { "attendance.intercept" = true }\n',
        "schedule.0.set",
        ("attendance.intercept: input should be a valid number", "(got True)"),
    ),
    Case(
        "schedule-sets-count-as-fraction",
        network(STRATEGY) + '[[schedule]]\nat_week = 1\nset = { "networks.x.quorum" = 2.5 }\n',
        "schedule.0.set",
        ("networks.x.quorum: input should be a valid integer", "(got 2.5)"),
    ),
    Case(
        "schedule-sets-value-out-of-range",
        network(STRATEGY) + '[[schedule]]\nat_week = 1\nset = { "networks.x.goal_clarity" = 2 }\n',
        "schedule.0.set",
        ("networks.x.goal_clarity: input should be less than or equal to 1", "(got 2)"),
    ),
    Case(
        "interval-blamed-on-itself-not-the-schedule",
        network(STRATEGY + "interval_weeks = 0.1")
        + '[[schedule]]\nat_week = 1\nset = { "attendance.intercept" = 1.0 }\n',
        "networks.x.interval_weeks",
        ("at most one meeting a working day", "(got 0.1)"),
    ),
    Case(
        "key-with-a-line-break",
        SMALL + '"a\\nb" = 1\n',
        "organisation.a\\nb",
        ("unknown field",),
    ),
    Case(
        "deeply-nested-arrays",
        "a = " + "[" * 5000 + "]" * 5000 + "\n",
        "",
        ("nested more than 16 deep",),
    ),
    Case(
        "deeply-nested-inline-tables",
        "a = " + "{b = " * 3000 + "1" + "}" * 3000 + "\n",
        "",
        ("nested more than 16 deep",),
    ),
    Case(
        "nested-within-the-parser-limit",
        "a = " + "[" * 40 + "]" * 40 + "\n",
        "",
        ("nested more than 16 deep",),
    ),
    Case(
        "horizon-without-a-working-day",
        SMALL + "[simulation]\nyears = 0.001\n",
        "simulation.years",
        ("at least one working day", "(got 0.001)"),
    ),
    Case(
        "integer-with-too-many-digits",
        SMALL + "departments = 1" + "0" * 5000 + "\n",
        "",
        ("TOML syntax error: an integer has more than 4300 digits",),
    ),
    Case(
        "unit-too-large-to-build",
        "[organisation]\nemployees = 2000000\nunit_size = 500\n",
        "organisation.unit_size",
        ("too large to build", "GiB of memory"),
    ),
    Case(
        "knowledge-too-large-to-build",
        "[organisation]\nemployees = 2000000\nspecialties = ["
        + ", ".join(f'"s{k}"' for k in range(1000))
        + "]\n",
        "organisation.specialties",
        ("too large to build", "1,010 topics", "GiB of memory"),
    ),
    Case("fifo-as-file", None, "", ("not a regular file",), kind="fifo"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_hostile_values_are_one_line_errors(
    tmp_path: Path, case: Case, capsys: pytest.CaptureFixture[str]
) -> None:
    path = make_file(tmp_path, case)
    for argv in (["validate", str(path)], ["run", str(path), "--years", "0.1"]):
        status = main(argv)
        out, err = capsys.readouterr()
        assert_one_error_line(status, err + out, path, case)
        assert out == ""


def test_run_years_must_give_a_working_day_in_the_scenarios_calendar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "short_year.toml"
    path.write_text(SMALL + "[simulation]\ndays_per_year = 50\n", encoding="utf-8")
    assert main(["run", str(path), "--years", "0.005"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"netsim: error: {path}: --years: the horizon must hold at least one working day: "
        "more than 0.01 years at days_per_year = 50 (got 0.005)\n"
    )


# --------------------------------------------------------------------------- nothing leaked


def test_a_password_file_as_employees_csv_is_not_echoed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    passwd = tmp_path / "passwd"
    passwd.write_text("\n".join(PASSWD) + "\n", encoding="utf-8")
    path = scenario(tmp_path, passwd)
    err = fails(["validate", str(path)], capsys, passwd)
    assert "no header row" in err
    for line in PASSWD:
        for part in line.split(":"):
            if len(part) > 3:
                assert part not in err.replace(str(tmp_path), ""), err


def test_an_environment_dump_as_employees_csv_is_not_echoed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``/proc/self/environ`` separates its variables by NUL bytes: not a text file."""
    environ = tmp_path / "environ"
    environ.write_bytes(b"\0".join(v.encode() for v in ENVIRON) + b"\0")
    path = scenario(tmp_path, environ)
    err = fails(["validate", str(path)], capsys, environ)
    assert "not a text file" in err
    assert "=" not in err.replace(str(tmp_path), ""), err
    for var in ENVIRON:
        assert var.split("=")[1] not in err


def test_an_environment_without_nul_bytes_is_not_echoed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    environ = tmp_path / "env.csv"
    environ.write_text("\n".join(ENVIRON) + "\n", encoding="utf-8")
    err = fails(["validate", str(scenario(tmp_path, environ))], capsys, environ)
    assert "s3cr3t" not in err and "HOME" not in err


@pytest.mark.skipif(not os.path.isfile("/proc/self/environ"), reason="no /proc")
def test_the_process_environment_is_not_echoed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETSIM_TEST_SECRET", "do-not-print-me")  # read from /proc at exec, not
    path = scenario(tmp_path, "/proc/self/environ")
    err = fails(["validate", str(path)], capsys, "/proc/self/environ")
    for key, value in os.environ.items():
        if len(value) > 6:
            assert f"{key}={value}" not in err


@pytest.mark.skipif(not os.path.isfile("/etc/passwd"), reason="no /etc/passwd")
def test_the_system_password_file_is_not_echoed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = fails(["validate", str(scenario(tmp_path, "/etc/passwd"))], capsys, "/etc/passwd")
    first = Path("/etc/passwd").read_text(encoding="utf-8", errors="replace").splitlines()[0]
    assert first not in err and "root:" not in err


def test_the_header_of_our_own_csv_is_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file that names some of our columns is the user's table: its header helps."""
    csv_file = tmp_path / "employees.csv"
    csv_file.write_text("id;department;unit;titel\n1;A;B;executive\n", encoding="utf-8")
    err = fails(["validate", str(scenario(tmp_path, csv_file))], capsys, csv_file)
    assert "missing column 'role'" in err and "'titel'" in err


def test_settings_in_a_header_are_not_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_file = tmp_path / "employees.csv"
    csv_file.write_text("id;department;API_TOKEN=s3cr3t\n1;A;B\n", encoding="utf-8")
    err = fails(["validate", str(scenario(tmp_path, csv_file))], capsys, csv_file)
    assert "missing column 'unit'" in err and "s3cr3t" not in err


# --------------------------------------------------------------------------- nothing hangs


@pytest.mark.parametrize("field", ["employees_csv", "ties_csv", "members_csv"])
def test_a_fifo_as_input_file_is_refused_without_waiting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str
) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    emp = employees(tmp_path)
    if field == "employees_csv":
        path = scenario(tmp_path, fifo)
    elif field == "ties_csv":
        path = scenario(tmp_path, emp, f'ties_csv = "{fifo}"')
    else:
        path = scenario(tmp_path, emp)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f'members_csv = "{fifo}"\n')
    err = fails(["validate", str(path)], capsys, fifo)
    assert "not a regular file" in err


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_an_endless_device_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = fails(["validate", str(scenario(tmp_path, "/dev/zero"))], capsys, "/dev/zero")
    assert "not a regular file" in err
    err = fails(["run", "/dev/zero", "--years", "0.05"], capsys, "/dev/zero")
    assert "not a regular file" in err


def test_huge_files_are_refused_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big_csv = tmp_path / "big.csv"
    with big_csv.open("wb") as fh:  # sparse: costs no disk
        fh.truncate(MAX_CSV_BYTES + 1)
    err = fails(["validate", str(scenario(tmp_path, big_csv))], capsys, big_csv)
    assert "larger than 512 MiB" in err
    big_toml = tmp_path / "big.toml"
    with big_toml.open("wb") as fh:
        fh.truncate(MAX_SCENARIO_BYTES + 1)
    err = fails(["validate", str(big_toml)], capsys, big_toml)
    assert "larger than 16 MiB" in err


def test_one_huge_unit_is_refused_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every pair in a unit may be tied: 50,000 people in one unit would need ~75 GiB."""
    rows = [*ROWS[:4], *(f"{k};Børn;Alle;employee" for k in range(100, 50_100))]
    emp = employees(tmp_path, rows)
    err = fails(["validate", str(scenario(tmp_path, emp))], capsys, "scenario.toml")
    assert "organisation.employees_csv: the organisation is too large to build" in err
    assert "'Alle' of 'Børn'" in err and "50,000 people" in err


def test_a_huge_hourly_cost_in_the_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "employees.csv"
    rows = [f"{r};{'9' * 400 if k == 0 else ''}" for k, r in enumerate(ROWS)]
    path.write_text(HEADER.strip() + ";hourly_cost_dkk\n" + "\n".join(rows) + "\n", "utf-8")
    err = fails(["validate", str(scenario(tmp_path, path))], capsys, path)
    assert "at most 100,000" in err


# --------------------------------------------------------------------------- nothing escapes


@pytest.mark.parametrize("name", ["../../escaped", "/tmp/netsim-absolute", "..", "a/../../b"])
def test_a_scenario_name_cannot_write_outside_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    emp = employees(work)
    one = scenario(work, emp)
    text = one.read_text(encoding="utf-8")
    two = work / "two.toml"
    two.write_text(f"name = {json.dumps(name)}\n" + text, encoding="utf-8")
    out = work / "out" / "deep"
    before = set(tmp_path.rglob("*"))
    status = main(["run", str(one), str(two), "--years", "0.05", "--out", str(out)])
    capsys.readouterr()
    assert status == 0
    new = set(tmp_path.rglob("*")) - before
    assert new and all(p == out.parent or out in (p, *p.parents) for p in new), new
    assert len([p for p in out.iterdir() if (p / "summary.json").is_file()]) == 2
    assert not Path("/tmp/netsim-absolute").exists()


def test_a_name_is_shown_as_written_never_as_markup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = scenario(tmp_path, employees(tmp_path))
    path.write_text('name = "[/]a\\nb"\n' + path.read_text("utf-8"), encoding="utf-8")
    assert main(["run", str(path), "--years", "0.05"]) == 0
    assert "[/]a\\nb" in capsys.readouterr().out


def test_written_csv_cells_cannot_run_as_formulas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [r.replace("Børn", '=HYPERLINK("http://x")') for r in ROWS]
    emp = employees(tmp_path, [r.replace("Rådhus", "@SUM(A1)") for r in rows])
    path = scenario(tmp_path, emp)
    out = tmp_path / "out"
    assert main(["run", str(path), "--years", "0.1", "--out", str(out)]) == 0
    capsys.readouterr()
    written = pd.read_csv(out / "employees.csv", dtype=str, keep_default_na=False)
    assert set(written["department"]) == {'\'=HYPERLINK("http://x")', "'@SUM(A1)"}
    assert pd.to_numeric(written["hours"]).notna().all()  # numbers stay numbers
    # The run's own tables are as they were: only what is written is neutralised.
    result = netsim.simulate(netsim.load_scenario(path), years=0.1)
    assert set(result.employees["department"]) == {'=HYPERLINK("http://x")', "@SUM(A1)"}


# --------------------------------------------------------------------------- strict JSON


def _strict(text: str) -> object:
    def refuse(token: str) -> None:
        raise AssertionError(f"not strict JSON: {token}")

    return json.loads(text, parse_constant=refuse)


def test_run_writes_and_prints_strict_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run too short for a meeting has undefined values: null, never NaN."""
    path = scenario(tmp_path, employees(tmp_path))
    path.write_text(path.read_text("utf-8").replace("interval_weeks = 1", "interval_weeks = 4"))
    out = tmp_path / "out"
    assert main(["run", str(path), "--years", "0.01", "--out", str(out), "--format", "json"]) == 0
    printed = _strict(capsys.readouterr().out)
    assert isinstance(printed, dict) and None in printed.values()
    _strict((out / "summary.json").read_text("utf-8"))
    _strict((out / "provenance.json").read_text("utf-8"))
