"""Output CSV files for planners: the organisation's own ids and unit names, and Danish Excel
(``;``, decimal comma, byte-order mark) — the format netsim reads — read back to the bit."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

import netsim
from netsim.cli import main
from netsim.cli.init import write_starter
from netsim.scenario.roster import read_roster
from netsim.sim.result import RunResult
from netsim.study.export import csv_text, read_run, write_run

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
TABLES = ("meetings", "weekly", "employees", "reviews", "knowledge", "bridging")
BOM = "\ufeff"


@pytest.fixture(scope="module")
def starter(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("own")
    write_starter(d)
    return d / "scenario.toml"


@pytest.fixture(scope="module")
def runs(starter):
    """A generated organisation with reviews, and an HR file's."""
    return {
        "generated": netsim.simulate(
            netsim.load_scenario(SCENARIOS / "evaluate_and_close.toml"), seed=5, years=0.3
        ),
        "hr": netsim.simulate(netsim.load_scenario(starter), seed=5, years=1),
    }


@pytest.mark.parametrize("dialect", ["plain", "excel-da"])
@pytest.mark.parametrize("org", ["generated", "hr"])
def test_a_run_reads_back_to_the_bit_in_either_dialect(runs, org, dialect, tmp_path):
    result = runs[org]
    out = write_run(result, tmp_path / "run", dialect=dialect)
    back = read_run(out)
    for name in TABLES:
        pd.testing.assert_frame_equal(
            getattr(back, name), getattr(result, name), check_exact=True, obj=name
        )
    assert back.scenario == result.scenario
    text = (out / "meetings.csv").read_text(encoding="utf-8")
    if dialect == "excel-da":
        assert text.startswith(BOM + "network;group;day;week;")
        assert "," in text.splitlines()[1].split(";")[8]  # hours, with a decimal comma
    else:
        assert text.startswith("network,group,day,week,")


def test_an_hr_organisations_files_use_its_ids_and_unit_names(runs, tmp_path):
    result = runs["hr"]
    roster = result.scenario.organisation.roster
    out = write_run(result, tmp_path / "run")
    employees = pd.read_csv(out / "employees.csv", dtype=str, keep_default_na=False)
    assert employees["id"].tolist() == list(roster.ids)  # 101, 102, ... as in the file
    assert employees["employee_id"].tolist() == list(roster.ids)
    assert employees["unit"].iloc[:3].tolist() == ["Direktionen", "Direktionen", "Stab"]
    ties = pd.read_csv(out / "bridging_ties.csv", dtype=str)
    assert len(ties) > 0 and set(ties["a"]) | set(ties["b"]) <= set(roster.ids)
    pairs = zip(result.bridging["a"], result.bridging["b"], strict=True)
    want = {(roster.ids[a], roster.ids[b]) for a, b in pairs}
    assert set(zip(ties["a"], ties["b"], strict=True)) == want


def test_the_excel_employees_file_is_one_netsim_reads(runs, tmp_path):
    """What netsim writes for Danish Excel, its CSV reader takes: the employees file of a run
    is an organisation again, with the same ids, units, departments and roles."""
    result = runs["hr"]
    out = write_run(result, tmp_path / "run", dialect="excel-da")
    again = read_roster(out / "employees.csv")
    first = result.scenario.organisation.roster
    assert again.ids == first.ids
    assert again.unit_names == first.unit_names
    assert again.department_names == first.department_names
    assert (again.role == first.role).all() and (again.specialty >= 0).sum() == (
        first.specialty >= 0
    ).sum()


def test_run_out_writes_the_dialect_asked_for_and_plot_reads_it(starter, tmp_path, capsys):
    out = tmp_path / "res"
    argv = ["run", str(starter), "--years", "0.3", "--out", str(out), "--csv-dialect", "excel-da"]
    assert main(argv) == 0
    capsys.readouterr()
    for name in ("meetings.csv", "weekly.csv", "employees.csv", "knowledge.csv"):
        assert (out / name).read_text(encoding="utf-8").startswith(BOM), name
    frame = pd.read_csv(out / "employees.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert frame["id"].iloc[0] == 101 and frame["unit"].iloc[0] == "Direktionen"
    figures = tmp_path / "fig"
    assert main(["plot", str(out), "--out", str(figures)]) == 0
    assert (figures / "attendance.png").is_file()


def test_csv_text_neutralises_formulas_in_either_dialect():
    frame = pd.DataFrame({"group": ["=HYPERLINK(1)", "ok"], "hours": [1.5, -2.0]})
    for dialect in ("plain", "excel-da"):
        text = csv_text(frame, dialect).removeprefix(BOM)
        back = pd.read_csv(
            io.StringIO(text),
            sep=";" if dialect == "excel-da" else ",",
            decimal="," if dialect == "excel-da" else ".",
        )
        assert back["group"].tolist() == ["'=HYPERLINK(1)", "ok"]
        assert back["hours"].tolist() == [1.5, -2.0]


def _sweep(tmp_path: Path, replications: int = 3) -> tuple[Path, Path]:
    (tmp_path / "base.toml").write_text(
        'name = "base"\n[simulation]\nyears = 0.25\n[organisation]\nemployees = 120\n'
        '[networks.leaders]\npurpose = "leader_forum"\nselect = { roles = ["leader"] }\n'
        'enrollment = "automatic"\nquorum = 2\ninterval_weeks = 2\n'
    )
    exp = tmp_path / "exp.toml"
    exp.write_text(
        f'name = "tiny"\nscenario = "base.toml"\ndesign = "grid"\nreplications = {replications}\n'
        'outcomes = ["share_worth_it", "attendance_last_quarter", "total_hours_year"]\n'
        '[parameters."networks.leaders.interval_weeks"]\nvalues = [2, 3]\n'
        '[parameters."networks.leaders.goal_clarity"]\nvalues = [0.25, 0.9]\n'
    )
    db = tmp_path / "t.sqlite"
    return exp, db


def test_results_csv_for_danish_excel_holds_the_same_numbers(tmp_path, capsys):
    exp, db = _sweep(tmp_path)
    assert main(["sweep", str(exp), "--db", str(db), "--workers", "1"]) == 0
    capsys.readouterr()
    assert main(["results", str(db), "--format", "csv"]) == 0
    plain = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert main(["results", str(db), "--format", "csv", "--csv-dialect", "excel-da"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(BOM + "point;param:networks.leaders.interval_weeks;")
    danish = pd.read_csv(io.StringIO(text.removeprefix(BOM)), sep=";", decimal=",")
    pd.testing.assert_frame_equal(danish, plain)
    # Whole numbers stay whole: the point, the replications and the grid's weeks.
    assert plain["param:networks.leaders.interval_weeks"].tolist() == [2, 2, 3, 3]
    assert text.splitlines()[1].startswith("0;2;0,25;3;")


def test_a_resumed_sweep_says_how_much_was_done(tmp_path, capsys):
    exp, db = _sweep(tmp_path, replications=2)
    assert main(["sweep", str(exp), "--db", str(db), "--workers", "1"]) == 0
    assert "done; resuming" not in capsys.readouterr().err
    with sqlite3.connect(db) as con:
        con.execute("DELETE FROM tasks WHERE point >= 1")
    assert main(["sweep", str(exp), "--db", str(db), "--workers", "1"]) == 0
    assert "2 of 8 done; resuming" in capsys.readouterr().err
    assert main(["results", str(db), "--format", "json"]) == 0
    points = json.loads(capsys.readouterr().out)["points"]
    assert [p["n"] for p in points] == [2, 2, 2, 2]


def test_run_result_read_points_to_read_run_for_an_hr_organisations_directory(runs, tmp_path):
    result = runs["hr"]
    out = write_run(result, tmp_path / "run")
    with pytest.raises(netsim.NetsimError, match=r"read it with netsim\.read_run") as err:
        RunResult.read(out)
    units = {u for _, u in result.scenario.organisation.roster.unit_names}
    assert "\n" not in str(err.value) and not any(u in str(err.value) for u in units)
    back = netsim.read_run(out)
    pd.testing.assert_frame_equal(back.employees, result.employees, check_exact=True)


def test_either_reader_reads_an_hr_runs_own_write(runs, tmp_path):
    """RunResult.write keeps netsim's ids whatever the organisation; both readers read it."""
    result = runs["hr"]
    out = result.write(tmp_path / "run")
    for back in (RunResult.read(out), netsim.read_run(out)):
        for name in TABLES:
            pd.testing.assert_frame_equal(
                getattr(back, name), getattr(result, name), check_exact=True, obj=name
            )


def test_a_directory_written_before_the_mark_is_still_told_apart(runs, tmp_path):
    for writer in (lambda r, d: write_run(r, d), lambda r, d: r.write(d)):
        out = writer(runs["hr"], tmp_path / f"run{len(list(tmp_path.iterdir()))}")
        prov_file = out / "provenance.json"
        prov = json.loads(prov_file.read_text(encoding="utf-8"))
        del prov["tables"]
        prov_file.write_text(json.dumps(prov), encoding="utf-8")
        back = netsim.read_run(out)
        pd.testing.assert_frame_equal(back.employees, runs["hr"].employees, check_exact=True)


def test_a_bad_cell_is_named_by_its_column_not_quoted(runs, tmp_path):
    out = runs["generated"].write(tmp_path / "run")
    meetings = out / "meetings.csv"
    lines = meetings.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("day")] = "SECRET-7"
    meetings.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", "utf-8")
    with pytest.raises(netsim.NetsimError, match="column day: not all whole numbers") as err:
        RunResult.read(out)
    assert "SECRET" not in str(err.value)
