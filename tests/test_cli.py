"""The ``netsim`` command's happy paths: validate, schema, run (json, table, --out).

The tests call :func:`netsim.cli.main` in-process (capsys); one goes through a subprocess
(``python -m netsim.cli``) so that the real entry point, its exit status and its clean stderr
are covered too (``tests/test_scenario_errors.py`` has the same for an error).
Runs are kept short (``--years 0.25`` or less).
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import netsim
from netsim.cli import main
from netsim.show.terminal import label
from netsim.sim.result import json_ready

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"
AUTO = SCENARIOS / "auto_enrollment.toml"

REQUIRED_KEYS = (
    "total_hours_year",
    "cost_dkk_year",
    "hours_per_member_year",
    "hours_per_leader_year",
    "attendance_first_quarter",
    "attendance_last_quarter",
    "attendance_decay",
    "share_worth_it",
    "participant_return_per_hour",
    "sponsor_return_per_hour",
    "knowledge_gain",
    "isolated_specialist_gain",
    "bridging_ties",
    "meetings_held",
    "meetings_cancelled",
    "networks_closed",
    "false_closures",
    "false_keeps",
    "seed",
)

SMALL_LEADERS = """\
name = "{name}"

[organisation]
employees = 200

[networks.leaders]
purpose = "leader_forum"
select = {{ roles = ["leader"] }}
enrollment = "automatic"
interval_weeks = 2
quorum = 2
"""


def netsim_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The real command: ``python -m netsim.cli ARGS`` in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "netsim.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_json(capsys: pytest.CaptureFixture[str], *args: str | Path) -> Any:
    """``netsim run --format json ARGS`` in-process; the parsed stdout."""
    status = main(["run", "--format", "json", *map(str, args)])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert captured.err == ""
    return json.loads(captured.out)


def small_scenario(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(SMALL_LEADERS.format(name=name), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def scenario_paths() -> list[Path]:
    paths = sorted(SCENARIOS.glob("*.toml"))
    assert {p.stem for p in paths} >= {"auto_enrollment", "baseline", "goal_driven"}
    return paths


# --------------------------------------------------------------------------- validate, schema


def test_validate_in_process(
    scenario_paths: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", *map(str, scenario_paths)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "".join(f"{p}: ok\n" for p in scenario_paths)
    assert captured.err == ""


def test_schema_is_json_schema_of_the_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert {"networks", "organisation", "simulation", "time_pressure"} <= set(schema["properties"])
    assert schema["$schema"].startswith("https://json-schema.org/")
    network = schema["$defs"]["Network"]
    assert network["additionalProperties"] is False
    assert set(network["required"]) == {"purpose", "select", "enrollment"}
    assert schema == netsim.Scenario.model_json_schema() | {
        "$schema": schema["$schema"],
        "title": schema["title"],
    }


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"netsim {netsim.__version__}"


def test_the_command_line_starts_without_the_simulation() -> None:
    """``netsim --help`` and ``netsim validate`` need neither pandas, NetworkX, SciPy nor the
    simulation: the parser and ``import netsim`` load them only when a command uses them."""
    heavy = ["pandas", "networkx", "scipy", "simpy", "matplotlib", "netsim.sim.model"]
    code = "\n".join(
        [
            "import contextlib, io, sys",
            "import netsim, netsim.cli",
            "netsim.__version__, netsim.NetsimError, netsim.cli.build_parser()",
            "out = io.StringIO()",
            "with contextlib.redirect_stdout(out):",
            f"    status = netsim.cli.main(['validate', {str(AUTO)!r}])",
            "assert status == 0 and out.getvalue().endswith(': ok\\n'), out.getvalue()",
            f"print([m for m in {heavy!r} if m in sys.modules])",
        ]
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
    # and a public name still arrives when asked for
    code = "import netsim, sys; netsim.simulate; print('netsim.sim.model' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip() == "True", proc.stderr


# --------------------------------------------------------------------------- run


def test_run_json_subprocess_has_the_summary() -> None:
    """The real entry point: exit 0, one JSON object on stdout, nothing on stderr."""
    proc = netsim_cli("run", AUTO, "--format", "json", "--years", "0.25")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    summary = json.loads(proc.stdout)  # one JSON object, nothing else on stdout
    assert isinstance(summary, dict)
    missing = [k for k in REQUIRED_KEYS if k not in summary]
    assert not missing
    assert list(summary) == list(netsim.SUMMARY_NAMES)
    assert summary["scenario"] == "auto_enrollment"
    assert summary["years"] == 0.25
    assert summary["seed"] == 1  # the file's default simulation.seed
    assert summary["meetings_held"] > 0
    assert summary["total_hours_year"] > 0
    assert summary["cost_dkk_year"] > 0


def test_run_seed_is_reflected_and_drives_the_run(capsys: pytest.CaptureFixture[str]) -> None:
    five = run_json(capsys, AUTO, "--years", "0.25", "--seed", "5")
    again = run_json(capsys, AUTO, "--years", "0.25", "--seed", "5")
    one = run_json(capsys, AUTO, "--years", "0.25", "--seed", "1")
    assert five["seed"] == 5
    assert one["seed"] == 1
    assert five == again  # same seed, same results
    without_seed = {k: v for k, v in five.items() if k != "seed"}
    assert without_seed != {k: v for k, v in one.items() if k != "seed"}


def test_run_json_matches_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    printed = run_json(capsys, AUTO, "--years", "0.1", "--seed", "2")
    direct = netsim.simulate(netsim.load_scenario(AUTO), seed=2, years=0.1).summary
    assert printed == json.loads(json.dumps(json_ready(direct)))


def test_run_out_writes_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "res"
    args = ["run", str(AUTO), "--years", "0.25", "--seed", "3", "--out", str(out)]
    assert main([*args, "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)

    for name in ("summary.json", "meetings.csv", "weekly.csv", "scenario.toml", "provenance.json"):
        assert (out / name).is_file(), name
    assert not list(out.glob(".*.tmp"))  # no leftovers of the atomic writes

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary == printed
    assert summary["seed"] == 3

    prov = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert prov["seed"] == 3
    assert prov["python"] == platform.python_version()
    assert prov["command"][0] == "netsim"
    assert prov["command"][1:] == [*args, "--format", "json"]
    for pkg in ("netsim", "numpy", "simpy"):
        assert prov["versions"][pkg], pkg
    assert prov["versions"]["netsim"] == netsim.__version__
    assert prov["kernels"] == netsim.sim.kernels.backend()

    meetings = pd.read_csv(out / "meetings.csv")
    assert len(meetings) == summary["meetings_held"] + summary["meetings_cancelled"]
    assert int(meetings["held"].sum()) == summary["meetings_held"]
    assert set(meetings["network"]) == {"leader_networks"}

    weekly = pd.read_csv(out / "weekly.csv")
    assert len(weekly) == round(0.25 * 220 / 5)

    resolved = tomllib.loads((out / "scenario.toml").read_text(encoding="utf-8"))
    assert resolved["simulation"]["years"] == 0.25  # the --years override is written
    assert resolved["networks"]["leader_networks"]["quorum"] == 4


def _rows(text: str) -> list[str]:
    """The first cell of each row of a rich table."""
    return [line.split("│")[1].strip() for line in text.splitlines() if line.startswith("│")]


def test_run_table_mentions_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "res"
    assert main(["run", str(AUTO), "--years", "0.1", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "netsim run summary" in text
    assert "auto_enrollment" in text
    assert f"results written to {out}" in text
    # The report's plain-words headline comes first, then the table in the report's words.
    assert text.startswith("In auto_enrollment, each leader who is a member spends ")
    assert text.index("Attendance") < text.index("netsim run summary")
    assert "total_hours_year" not in text and "network hours a year, in all" in text
    # After what the run is, the rows lead with hours spent and saved, not value units.
    rows = _rows(text)
    names = [n for n in netsim.SUMMARY_NAMES if n != "scenario"]
    named = {label(n, "en"): n for n in names}
    assert len(named) == len(names)  # every label says one measure
    rows = [named[r] for r in rows]
    assert rows[:6] == ["seed", "years", "employees", "networks", "groups", "members"]
    assert rows[6:10] == [
        "total_hours_year",
        "hours_per_leader_year",
        "hours_saved_per_leader_year",
        "participant_hours_saved_year",
    ]
    assert rows.index("net_hours_year") < rows.index("knowledge_gain")
    assert rows.index("share_worth_it") < rows.index("bridging_ties")
    assert sorted(rows) == sorted(names)
    # Each row says which way is better, where one is.
    lines = {line.split("│")[1].strip(): line for line in text.splitlines() if "│" in line}
    assert "↓ lower" in lines[label("total_hours_year", "en")]
    assert "↑ higher" in lines[label("sponsor_hours_saved_year", "en")]
    assert "↑" not in lines[label("employees", "en")] and "↓" not in lines["employees"]
    assert (out / "summary.json").is_file()


def test_run_table_in_danish(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(AUTO), "--years", "0.1", "--lang", "da"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("I auto_enrollment bruger hver leder, der er med, ")
    assert "netværkstimer om året i alt" in text and "↓ lavere" in text
    summary = run_json(capsys, AUTO, "--years", "0.1")
    employees = f"{summary['employees']:,}".replace(",", ".")  # Danish thousands
    assert employees in text


def test_written_scenario_validates_and_reproduces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The resolved scenario.toml is a valid scenario that gives the same summary."""
    out = tmp_path / "res"
    first = run_json(capsys, AUTO, "--years", "0.2", "--out", out)
    written = out / "scenario.toml"

    assert main(["validate", str(written)]) == 0
    check = capsys.readouterr()
    assert check.out == f"{written}: ok\n", check.err

    second = run_json(capsys, written)  # years and seed from the file
    assert second == first
    assert first["seed"] == 1


def test_written_scenario_reproduces_with_explicit_seed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "res"
    first = run_json(capsys, AUTO, "--years", "0.15", "--seed", "7", "--out", out)
    second = run_json(capsys, out / "scenario.toml", "--seed", "7")
    assert second == first
    assert (
        netsim.load_scenario(out / "scenario.toml")
        == netsim.simulate(netsim.load_scenario(AUTO), seed=7, years=0.15).scenario
    )


def test_two_scenarios_go_into_named_subdirectories(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = small_scenario(tmp_path, "alpha")
    b = small_scenario(tmp_path, "beta")
    out = tmp_path / "res"
    summaries = run_json(capsys, a, b, "--years", "0.1", "--out", out)
    assert [s["scenario"] for s in summaries] == ["alpha", "beta"]
    assert sorted(p.name for p in out.iterdir()) == ["alpha", "beta"]
    for s in summaries:
        written = json.loads((out / s["scenario"] / "summary.json").read_text(encoding="utf-8"))
        assert written == s
        assert (out / s["scenario"] / "meetings.csv").is_file()


def test_same_scenario_twice_keeps_both_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Repeated names get distinct subdirectories; nothing computed is overwritten."""
    a = small_scenario(tmp_path, "alpha")
    out = tmp_path / "res"
    summaries = run_json(capsys, a, a, "--years", "0.1", "--out", out)
    assert len(summaries) == 2
    assert sorted(p.name for p in out.iterdir()) == ["alpha-0", "alpha-1"]
    for d in out.iterdir():
        assert (d / "summary.json").is_file()


def test_several_scenarios_print_a_list(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --out, several scenarios give a JSON list in the order given."""
    summaries = run_json(capsys, SCENARIOS / "baseline.toml", AUTO, "--years", "0.1", "--seed", "4")
    base, auto = summaries
    assert base["scenario"] == "baseline" and auto["scenario"] == "auto_enrollment"
    assert base["employees"] == auto["employees"] == 2000
    assert base["meetings_held"] == 0
    assert auto["meetings_held"] > 0


# --------------------------------------------------------------------------- usage errors


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run", "x.toml", "--years", "-1"], "argument --years: must be a positive number"),
        (["run", "x.toml", "--years", "0"], "argument --years: must be a positive number"),
        (["run", "x.toml", "--years", "nan"], "argument --years: must be a positive number"),
        (["run", "x.toml", "--years", "soon"], "argument --years: must be a number"),
        (["run", "x.toml", "--years", "60"], "argument --years: input should be less than"),
        (["run", "x.toml", "--format", "xml"], "argument --format: invalid choice: 'xml'"),
        (["run", "x.toml", "--seed", "-1"], "argument --seed: must be zero or more"),
        (["run", "x.toml", "--seed", "1.5"], "argument --seed: must be a whole number"),
        (["run"], "the following arguments are required: SCENARIO"),
        (["validate"], "the following arguments are required: FILE"),
        (["simulate", "x.toml"], "argument command: invalid choice: 'simulate'"),
        ([], "the following arguments are required: command"),
    ],
    ids=lambda v: "-".join(v) if isinstance(v, list) else None,
)
def test_usage_error_is_one_line(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith(f"netsim: error: {expected}")
    assert "--help" in captured.err  # says where to look


def test_every_help_page_prints(capsys: pytest.CaptureFixture[str]) -> None:
    # argparse %-formats help texts: a bare "95 % CIs" once made `netsim --help` crash.
    from netsim.cli import build_parser

    commands = sorted(next(a for a in build_parser()._actions if a.dest == "command").choices)
    assert "compare" in commands and "sweep" in commands
    for argv in [[], *([c] for c in commands)]:
        with pytest.raises(SystemExit) as info:
            main([*argv, "--help"])
        assert info.value.code == 0, argv
        out = capsys.readouterr().out
        assert out.startswith("usage: netsim"), argv
    assert "95 % CIs" in build_parser().format_help()


def test_compare_table_leads_with_hours(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = small_scenario(tmp_path, "a"), small_scenario(tmp_path, "b")
    argv = ["compare", str(a), str(b), "--reps", "2", "--years", "0.1", "--workers", "1"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "netsim paired comparison" in text
    assert text.startswith("In a, ") and "In b, " in text  # the headline of each
    named = {label(n, "en"): n for n in netsim.SUMMARY_NAMES}
    rows = [named[r] for r in _rows(text)]
    assert rows[:4] == ["employees", "networks", "groups", "members"]
    assert rows[4:7] == [
        "total_hours_year",
        "hours_per_leader_year",
        "hours_saved_per_leader_year",
    ]
    assert rows.index("share_worth_it") < rows.index("cost_dkk_year")
    assert rows.index("sponsor_return_per_hour") < rows.index("knowledge_gain")


def test_compare_says_which_differences_are_better(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Fewer meetings cost fewer hours: a clear difference in the better direction for hours
    spent, and the words follow the CI and the direction, not the sign alone."""
    a = small_scenario(tmp_path, "a")
    b = tmp_path / "b.toml"
    b.write_text(SMALL_LEADERS.format(name="b").replace("interval_weeks = 2", "interval_weeks = 8"))
    argv = ["compare", str(a), str(b), "--reps", "3", "--years", "0.3", "--workers", "1"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    lines = {line.split("│")[1].strip(): line for line in text.splitlines() if "│" in line}
    spent = lines[label("total_hours_year", "en")]
    assert "↓ lower" in spent and spent.rstrip(" │").endswith("better")
    assert spent.split("│")[-2].strip().startswith("-")
    for name, line in lines.items():
        cell = line.split("│")[-2].strip()
        if cell.endswith(("better", "worse")):
            assert ("↑" in line) or ("↓" in line), name  # a verdict needs a direction
