"""Bad scenario files: one line ``netsim: error: FILE: field.path: what (got X)``, exit 2.

Every case is a small malformed file run through the command's :func:`netsim.cli.main`
in-process, so what is tested is what a user sees: the exit status, stderr being exactly one
line that names the file and the field path, nothing on stdout and no traceback. One test
runs the real entry point (``python -m netsim.cli``) in a subprocess, to cover the process's
exit status and its stderr too; a subprocess pays the full import of netsim (about 0.7 s),
so the cases themselves stay in-process. The same files are also checked through the Python
API (:class:`netsim.ScenarioError` and its ``.field``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import netsim
from netsim import ScenarioError
from netsim.cli import main

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"

SMALL = "[organisation]\nemployees = 200\n"


def network(body: str, name: str = "x", org: str = SMALL) -> str:
    """A small organisation with one network ``name`` whose table has ``body``."""
    return f"{org}\n[networks.{name}]\n{body.strip()}\n"


STRATEGY = 'purpose = "strategy"\nselect = { roles = ["head"] }\nenrollment = "automatic"\n'


@dataclass(frozen=True)
class Case:
    id: str
    text: str | bytes | None  # None: the path is made by ``kind``
    field: str  # expected field path; "" for problems with the file as a whole
    contains: tuple[str, ...] = ()
    kind: str = "file"  # file | missing | directory | below_file | fifo
    needs_org: bool = False  # only found once the organisation is built (selectors)


CASES = [
    # --- TOML syntax: line and column
    Case(
        "toml-unclosed-table-header",
        'name = "x"\n[organisation\nemployees = 200\n',
        "",
        ("TOML syntax error", "line 2, column 14", "Expected ']'"),
    ),
    Case(
        "toml-unclosed-array-at-end-of-file",
        "[organisation]\nemployees = 200\n[simulation]\nyears = [1, 2",
        "",
        ("TOML syntax error", "line 4, column 14", "Unclosed array"),
    ),
    Case(
        "toml-duplicate-key",
        "[organisation]\nemployees = 200\nemployees = 300\n",
        "",
        ("TOML syntax error", "line 3, column", "overwrite"),
    ),
    # --- unknown keys: the closest valid key
    Case(
        "unknown-top-level-table",
        "[organisaton]\nemployees = 200\n",
        "organisaton",
        ("unknown field", "did you mean 'organisation'?"),
    ),
    Case(
        "unknown-top-level-key-no-close-match",
        'colour = "red"\n',
        "colour",
        ("unknown field", "allowed:", "networks", "organisation"),
    ),
    Case(
        "unknown-network-key",
        network(STRATEGY + "goal_clarty = 0.8\n", name="leaders"),
        "networks.leaders.goal_clarty",
        ("unknown field", "did you mean 'goal_clarity'?"),
    ),
    Case(
        # a network named like a field of Network must not change the hint
        "unknown-key-in-network-named-select",
        network(STRATEGY + "goal_clarty = 0.8\n", name="select"),
        "networks.select.goal_clarty",
        ("did you mean 'goal_clarity'?",),
    ),
    Case(
        "unknown-selector-key",
        network('purpose = "strategy"\nselect = { role = ["head"] }\nenrollment = "automatic"'),
        "networks.x.select.role",
        ("did you mean 'roles'?",),
    ),
    Case(
        "unknown-deeply-nested-key",
        "[attendance.obligation]\nautomtic = 1.0\n",
        "attendance.obligation.automtic",
        ("did you mean 'automatic'?",),
    ),
    # --- wrong types
    Case(
        "string-for-number",
        '[organisation]\nemployees = "many"\n',
        "organisation.employees",
        ("valid integer", "(got 'many')"),
    ),
    Case(
        "quoted-number",
        '[organisation]\nemployees = "200"\n',
        "organisation.employees",
        ("valid integer", "(got '200')"),
    ),
    Case(
        "boolean-for-number",
        SMALL + "[simulation]\nseed = true\n",
        "simulation.seed",
        ("valid integer", "(got True)"),
    ),
    Case(
        "fraction-for-whole-number",
        "[organisation]\nemployees = 200.5\n",
        "organisation.employees",
        ("integer", "(got 200.5)"),
    ),
    Case(
        "list-for-number",
        SMALL + "[simulation]\nyears = [1]\n",
        "simulation.years",
        ("valid number", "(got [1])"),
    ),
    Case(
        "selector-not-a-table",
        network('purpose = "strategy"\nselect = "heads"\nenrollment = "automatic"'),
        "networks.x.select",
        ("valid dictionary", "(got 'heads')"),
    ),
    Case(
        "network-not-a-table",
        SMALL + "[networks]\nx = 3\n",
        "networks.x",
        ("valid dictionary", "(got 3)"),
    ),
    # --- out of range
    Case(
        "negative-employees",
        "[organisation]\nemployees = -5\n",
        "organisation.employees",
        ("greater than or equal to 20", "(got -5)"),
    ),
    Case(
        "goal-clarity-above-one",
        network(STRATEGY + "goal_clarity = 1.5\n"),
        "networks.x.goal_clarity",
        ("less than or equal to 1", "(got 1.5)"),
    ),
    Case(
        "overload-zero",
        SMALL + "[time_pressure]\noverload = 0\n",
        "time_pressure.overload",
        ("greater than 0", "(got 0)"),
    ),
    Case(
        "years-zero",
        SMALL + "[simulation]\nyears = 0\n",
        "simulation.years",
        ("greater than 0", "(got 0)"),
    ),
    Case(
        "selector-sample-zero",
        network(
            'purpose = "strategy"\nselect = { roles = ["head"], sample = 0 }\n'
            'enrollment = "invitation"'
        ),
        "networks.x.select.sample",
        ("greater than or equal to 1", "(got 0)"),
    ),
    # --- bad enumerations
    Case(
        "enrollment-forced",
        network('purpose = "strategy"\nselect = { roles = ["head"] }\nenrollment = "forced"'),
        "networks.x.enrollment",
        ("'automatic', 'invitation' or 'voluntary'", "(got 'forced')"),
    ),
    Case(
        "facilitation-unknown",
        network(STRATEGY + 'facilitation = "excellent"\n'),
        "networks.x.facilitation",
        ("'none' or 'professional'", "(got 'excellent')"),
    ),
    Case(
        "purpose-unknown",
        network('purpose = "fun"\nselect = { roles = ["head"] }\nenrollment = "automatic"'),
        "networks.x.purpose",
        ("leader_forum", "(got 'fun')"),
    ),
    Case(
        "selector-role-unknown",
        network('purpose = "strategy"\nselect = { roles = ["boss"] }\nenrollment = "automatic"'),
        "networks.x.select.roles.0",
        ("'executive'", "(got 'boss')"),
    ),
    # --- impossible combinations
    Case(
        "quorum-above-max-size",
        network(
            'purpose = "leader_forum"\nselect = { roles = ["leader"] }\n'
            'enrollment = "automatic"\nmax_size = 10\nquorum = 12',
            name="leaders",
        ),
        "networks.leaders.quorum",
        ("max_size = 10", "(got 12)"),
    ),
    Case(
        "end-week-before-start-week",
        network(STRATEGY + "start_week = 10\nend_week = 5\n"),
        "networks.x.end_week",
        ("after start_week", "(got 5.0)"),
    ),
    Case(
        "competence-network-without-topics",
        network(
            'purpose = "competence"\nselect = { roles = ["specialist"] }\nenrollment = "invitation"'
        ),
        "networks.x.topics",
        ("competence network needs topics or select.specialties",),
    ),
    Case(
        "department-names-wrong-length",
        "[organisation]\nemployees = 200\ndepartments = 2\ndepartment_names = ['a', 'b']\n",
        "organisation.department_names",
        ("departments + 1 = 3", "(got 2)"),
    ),
    Case(
        "ties-strength-min-above-max",
        SMALL + "[organisation.ties]\nstrength_min = 0.8\nstrength_max = 0.2\n",
        "organisation.ties.strength_min",
        ("strength_max",),
    ),
    Case(
        "too-few-employees-for-departments",
        "[organisation]\nemployees = 30\ndepartments = 20\n",
        "organisation.employees",
        ("at least", "(got 30)"),
    ),
    # --- references to things that do not exist
    Case(
        "unknown-department",
        network(
            'purpose = "strategy"\nselect = { departments = ["childrn"] }\nenrollment = "automatic"'
        ),
        "networks.x.select.departments",
        ("did you mean 'children'?", "(got 'childrn')"),
    ),
    Case(
        "unknown-specialty",
        network(
            'purpose = "competence"\nselect = { specialties = ["laen"] }\nenrollment = "invitation"'
        ),
        "networks.x.select.specialties",
        ("did you mean 'lean'?", "(got 'laen')"),
    ),
    Case(
        "unknown-topic",
        network(STRATEGY + 'topics = ["astrology"]\n'),
        "networks.x.topics",
        ("unknown name", "(got 'astrology')"),
    ),
    Case(
        "id-out-of-range",
        network('purpose = "strategy"\nselect = { ids = [1, 200] }\nenrollment = "automatic"'),
        "networks.x.select.ids",
        ("0 to 199", "(got 200)"),
    ),
    Case(
        "id-negative",
        network('purpose = "strategy"\nselect = { ids = [-1] }\nenrollment = "automatic"'),
        "networks.x.select.ids",
        ("(got -1)",),
    ),
    # --- found only once the organisation is built
    Case(
        "selector-matches-nobody",
        network(
            'purpose = "strategy"\nselect = { roles = ["executive"], departments = ["children"] }'
            '\nenrollment = "automatic"'
        ),
        "networks.x.select",
        ("matches nobody",),
        needs_org=True,
    ),
    Case(
        "selector-matches-fewer-than-quorum",
        network(
            'purpose = "strategy"\nselect = { ids = [1, 2] }\nenrollment = "automatic"\nquorum = 3'
        ),
        "networks.x.quorum",
        ("matches only 2 people", "(got 3)"),
        needs_org=True,
    ),
    Case(
        "infinite-cost",
        network(
            'purpose = "strategy"\nselect = { roles = ["head"] }\nenrollment = "automatic"\n'
            "catering_dkk = inf"
        ),
        "networks.x.catering_dkk",
        ("finite number", "(got inf)"),
    ),
    Case(
        "two-meetings-a-day",
        network(
            'purpose = "strategy"\nselect = { roles = ["head"] }\nenrollment = "automatic"\n'
            "interval_weeks = 0.1"
        ),
        "networks.x.interval_weeks",
        ("at most one meeting a working day", "(got 0.1)"),
    ),
    # --- missing required fields
    Case(
        "missing-purpose",
        network('select = { roles = ["head"] }\nenrollment = "automatic"'),
        "networks.x.purpose",
        ("required field is missing",),
    ),
    Case(
        "missing-enrollment",
        network('purpose = "strategy"\nselect = { roles = ["head"] }'),
        "networks.x.enrollment",
        ("required field is missing",),
    ),
    Case(
        "missing-select",
        network('purpose = "strategy"\nenrollment = "automatic"'),
        "networks.x.select",
        ("required field is missing",),
    ),
    Case(
        "empty-network-table",
        SMALL + "[networks.x]\n",
        "networks.x.purpose",
        ("required field is missing", "[and 2 more problem(s)]"),
    ),
    Case(
        "role-values-incomplete",
        SMALL + "[time_pressure.mean_by_role]\nexecutive = 0.5\n",
        "time_pressure.mean_by_role.head",
        ("required field is missing",),
    ),
    # --- the file itself
    Case("missing-file", None, "", ("file not found",), kind="missing"),
    Case("directory-as-file", None, "", ("is a directory",), kind="directory"),
    Case("path-below-a-file", None, "", ("cannot read the file",), kind="below_file"),
    Case("not-utf8", b'name = "caf\xe9"\n', "", ("cannot read the file",)),
]

# A few of the cases also go through `netsim run`, which must print nothing on stdout.
RUN_CASES = {
    "toml-unclosed-table-header",
    "unknown-network-key",
    "quorum-above-max-size",
    "selector-matches-nobody",
    "id-out-of-range",
    "missing-file",
}


def make_file(tmp_path: Path, case: Case) -> Path:
    """Write the case's file (or make the odd path it is about)."""
    match case.kind:
        case "fifo":  # nobody ever writes to it: reading must not wait for a writer
            path = tmp_path / "fifo.toml"
            os.mkfifo(path)
            return path
        case "missing":
            return tmp_path / "does_not_exist.toml"
        case "directory":
            path = tmp_path / "a_directory.toml"
            path.mkdir()
            return path
        case "below_file":
            plain = tmp_path / "plain.toml"
            plain.write_text(SMALL, encoding="utf-8")
            return plain / "inner.toml"
    path = tmp_path / f"{case.id}.toml"
    if isinstance(case.text, bytes):
        path.write_bytes(case.text)
    else:
        assert case.text is not None
        path.write_text(case.text, encoding="utf-8")
    return path


def assert_one_error_line(status: int, stderr: str, path: Path | str, case: Case) -> None:
    """Exit 2 and ``netsim: error: FILE: field.path: message`` as the only line on stderr."""
    assert "Traceback" not in stderr
    assert status == 2, stderr
    assert stderr.endswith("\n") and stderr.count("\n") == 1, stderr
    prefix = f"netsim: error: {path}: "
    assert stderr.startswith(prefix), stderr
    rest = stderr[len(prefix) : -1]
    if case.field:
        assert rest.startswith(f"{case.field}: "), rest
    else:  # a problem with the file as a whole names no field
        assert not re.match(r"^[\w.]+: ", rest.removeprefix("TOML syntax error: ")), rest
    for text in case.contains:
        assert text in rest, rest


def test_there_are_enough_distinct_cases() -> None:
    assert len({c.id for c in CASES}) == len(CASES)
    texts = [c.text for c in CASES if c.text is not None]
    assert len(set(texts)) == len(texts)
    assert len(CASES) >= 24
    assert RUN_CASES <= {c.id for c in CASES}


@pytest.mark.parametrize("case", [c for c in CASES if c.id in RUN_CASES], ids=lambda c: c.id)
def test_run_reports_one_line_and_prints_nothing(
    tmp_path: Path, case: Case, capsys: pytest.CaptureFixture[str]
) -> None:
    path = make_file(tmp_path, case)
    status = main(["run", str(path), "--years", "0.1", "--format", "json"])
    out, err = capsys.readouterr()
    assert_one_error_line(status, err + out, path, case)
    assert out == ""


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_main_validate_reports_one_line_with_field_path(
    tmp_path: Path, case: Case, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every case, in-process: ``main`` returns 2 and prints the same single line."""
    path = make_file(tmp_path, case)
    status = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert_one_error_line(status, err + out, path, case)
    assert out == ""


def test_relative_path_is_named_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "rel.toml").write_text(network(STRATEGY + "quorum = 0\n"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "rel.toml"]) == 2
    assert capsys.readouterr().err == (
        "netsim: error: rel.toml: networks.x.quorum: "
        "input should be greater than or equal to 1 (got 0)\n"
    )


def test_validate_reports_every_bad_file_and_passes_good_ones(tmp_path: Path) -> None:
    """One line per bad file, ``FILE: ok`` for good ones, exit 2 if any was bad.

    The real entry point, in a fresh interpreter: the process's exit status and its whole
    stderr (no traceback, no warning) are what a user sees."""
    bad1 = tmp_path / "bad1.toml"
    bad1.write_text("[organisation]\nemployees = -1\n", encoding="utf-8")
    bad2 = tmp_path / "bad2.toml"
    bad2.write_text("[simulation]\nyears = 0\n", encoding="utf-8")
    good = SCENARIOS / "baseline.toml"
    proc = subprocess.run(
        [sys.executable, "-m", "netsim.cli", "validate", str(bad1), str(good), str(bad2)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == f"{good}: ok\n"
    lines = proc.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"netsim: error: {bad1}: organisation.employees: ")
    assert lines[1].startswith(f"netsim: error: {bad2}: simulation.years: ")
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "bad_text",
    [
        pytest.param("[organisation]\nemployes = 200\n", id="schema-error"),
        pytest.param(
            network(
                'purpose = "strategy"\nenrollment = "automatic"\n'
                'select = { roles = ["executive"], departments = ["children"] }'
            ),
            id="selector-error",
        ),
    ],
)
def test_run_fails_before_computing_anything(
    tmp_path: Path, bad_text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing already computed is lost: a bad second file stops the run before the first."""
    good = tmp_path / "good.toml"
    good.write_text(network(STRATEGY, name="heads"), encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(bad_text, encoding="utf-8")
    out = tmp_path / "results"
    status = main(["run", str(good), str(bad), "--out", str(out), "--years", "0.1"])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith(f"netsim: error: {bad}: ")
    assert "Traceback" not in captured.err
    assert not out.exists()


def test_unwritable_out_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.toml"
    good.write_text(network(STRATEGY), encoding="utf-8")
    out = tmp_path / "taken"
    out.write_text("a file, not a directory", encoding="utf-8")
    assert main(["run", str(good), "--out", str(out), "--years", "0.1"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith(f"netsim: error: {out}: cannot write results")


# --------------------------------------------------------------------------- Python API


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c.kind == "file" and c.text is not None and not c.needs_org],
    ids=lambda c: c.id,
)
def test_load_scenario_raises_scenario_error_with_field(tmp_path: Path, case: Case) -> None:
    path = make_file(tmp_path, case)
    with pytest.raises(ScenarioError, match=re.escape(case.contains[-1])) as info:
        netsim.load_scenario(path)
    assert info.value.source == str(path)
    assert info.value.field == case.field
    assert str(info.value).startswith(f"{path}: {case.field + ': ' if case.field else ''}")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("case", [c for c in CASES if c.needs_org], ids=lambda c: c.id)
def test_selector_problems_are_scenario_errors_at_loading(tmp_path: Path, case: Case) -> None:
    """Checks that need the organisation are the loader's too: one place raises, naming the
    file, and a scenario that loads always runs."""
    path = make_file(tmp_path, case)
    with pytest.raises(ScenarioError, match=re.escape(case.contains[0])) as info:
        netsim.load_scenario(path)
    assert info.value.field == case.field
    assert info.value.source == str(path)


@pytest.mark.parametrize(
    ("kind", "message"),
    [("missing", "file not found"), ("directory", "is a directory"), ("below_file", "cannot read")],
)
def test_load_scenario_unreadable_paths(tmp_path: Path, kind: str, message: str) -> None:
    path = make_file(tmp_path, Case(kind, None, "", kind=kind))
    with pytest.raises(ScenarioError, match=message) as info:
        netsim.load_scenario(path)
    assert info.value.field == ""
    assert info.value.source == str(path)


def test_parse_scenario_names_source_and_field() -> None:
    with pytest.raises(
        ScenarioError, match=r"^mine\.toml: networks\.n\.quorum: must be at most max_size = 5"
    ) as info:
        netsim.parse_scenario(
            {
                "organisation": {"employees": 200},
                "networks": {
                    "n": {
                        "purpose": "strategy",
                        "select": {"roles": ["head"]},
                        "enrollment": "automatic",
                        "max_size": 5,
                        "quorum": 6,
                    }
                },
            },
            source="mine.toml",
        )
    assert info.value.field == "networks.n.quorum"


def test_parse_scenario_default_source() -> None:
    with pytest.raises(ScenarioError, match=r"^<scenario>: simulation\.years: ") as info:
        netsim.parse_scenario({"simulation": {"years": 51}})
    assert info.value.source == "<scenario>"


def test_parse_scenario_strict_rejects_coercion_lax_accepts() -> None:
    """Files are validated strictly; Python callers may pass e.g. 200.0 for a whole number."""
    data = {"organisation": {"employees": 200.0}, "simulation": {"seed": 3}}
    assert netsim.parse_scenario(data).organisation.employees == 200
    with pytest.raises(ScenarioError, match=r"organisation\.employees: input should be a valid"):
        netsim.parse_scenario(data, strict=True)


def test_scenario_error_without_field() -> None:
    err = ScenarioError("a.toml", "", "file not found")
    assert str(err) == "a.toml: file not found"
    assert isinstance(err, netsim.NetsimError)
