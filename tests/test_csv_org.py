"""Your own organisation: employees, ties and memberships from CSV files; `netsim init`."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import netsim
from netsim.cli import main
from netsim.scenario.roster import MAX_SHOWN, CsvError, read_roster
from netsim.scenario.schema import ROLES
from netsim.sim.org import build_organisation
from netsim.sim.rng import Streams
from netsim.sim.state import build_state
from tests.conftest import REPO, SCENARIOS

HEADER = ["ID", "Navn", "Department", "Unit", "Role", "Specialty", "hourly_cost_dkk"]
# (id, name, department, unit, title, specialty, hourly cost with a decimal comma)
ROWS = [
    ("101", "Hansen, Jens", "Rådhus", "Direktionen", "Direktør", "", ""),
    ("102", "Østergaard, Åse", "Rådhus", "Direktionen", "direktør", "", "980,00"),
    ("103", "Berg, Lis", "Rådhus", "Sekretariatet", "Leder", "", ""),
    ("104", "Bæk, Søren", "Rådhus", "Sekretariatet", "Konsulent", "projektledelse", "455,50"),
    ("105", "Lund, Ib", "Rådhus", "Sekretariatet", "Medarbejder", "", ""),
    ("201", "Holm, Kaj", "Børn og Unge", "Ledelse", "Fagchef", "", "1.250,00"),
    ("202", "Dahl, Eva", "Børn og Unge", "Solsikken", "Leder", "", ""),
    *(
        (f"{k}", "Friis, Mette", "Børn og Unge", "Solsikken", "Pædagog", "", "412,50")
        for k in range(203, 207)
    ),
    ("207", "Krog, Bo", "Børn og Unge", "Solsikken", "Specialist", "projektledelse", ""),
    ("208", "Juhl, Pia", "Børn og Unge", "Mælkebøtten", "Afdelingsleder", "", ""),
    *(
        (f"{k}", "Vind, Ole", "Børn og Unge", "Mælkebøtten", "PÆDAGOG", "", "")
        for k in range(209, 213)
    ),
    ("213", "Mørk, Ulla", "Børn og Unge", "Mælkebøtten", "Specialist", "økonomi", ""),
    ("301", "Skov, Anne", "Ældre og Sundhed", "Ledelse", "Fagchef", "", ""),
    ("302", "Bak, Tue", "Ældre og Sundhed", "Åbakken", "Leder", "", ""),
    *(
        (f"{k}", "Nør, Gry", "Ældre og Sundhed", "Åbakken", "Social- og sundhedsassistent", "", "")
        for k in range(303, 307)
    ),
    ("307", "Lauritsen, Per", "Ældre og Sundhed", "Lærkely", "Leder", "", ""),
    *(
        (f"{k}", "Sand, Iben", "Ældre og Sundhed", "Lærkely", "Medarbejder", "", "")
        for k in range(308, 312)
    ),
    ("312", "Rask, Jon", "Ældre og Sundhed", "Lærkely", "employee", "", ""),
]
ROLE_MAP = {
    "Konsulent": "specialist",
    "Pædagog": "employee",
    "social- og sundhedsassistent": "employee",
}
TIES = [("a", "b", "strength"), ("104", "207", "0,75"), ("202", "302", ""), ("101", "301", "0,3")]
MEMBERS = [("employee_id",), ("104",), ("207",), ("213",), ("103",), ("202",), ("207",)]

SCENARIO = """\
name = "csv"

[simulation]
years = 0.5

[organisation]
employees_csv = "employees.csv"
ties_csv = "ties.csv"
{org}

[organisation.role_map]
"Konsulent" = "specialist"
"Pædagog" = "employee"
"social- og sundhedsassistent" = "employee"

[networks.projects]
purpose = "competence"
topics = ["projektledelse"]
members_csv = "members.csv"
select = {select}
enrollment = "invitation"
participation = 0.8

[networks.leaders]
purpose = "leader_forum"
select = {{ roles = ["leader", "head"] }}
enrollment = "automatic"
interval_weeks = 2
"""


def _csv(rows, *, sep: str = ";", decimal: str = ",") -> str:
    """Rows as a spreadsheet would save them (numbers written with ``decimal``)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    for row in rows:
        if decimal == ".":
            row = [
                c.replace(".", "").replace(",", ".") if c[:1].isdigit() and "," in c else c
                for c in row
            ]
        writer.writerow(row)
    return buf.getvalue()


def _write(path: Path, text: str, *, encoding: str = "utf-8-sig") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _files(
    d: Path,
    *,
    sep: str = ";",
    decimal: str = ",",
    encoding: str = "utf-8-sig",
    rows=ROWS,
    ties=TIES,
    members=MEMBERS,
) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    _write(d / "employees.csv", _csv([HEADER, *rows], sep=sep, decimal=decimal), encoding=encoding)
    _write(d / "ties.csv", _csv(ties, sep=sep, decimal=decimal), encoding=encoding)
    _write(d / "members.csv", _csv(members, sep=sep), encoding=encoding)
    return d


def _scenario(d: Path, *, org: str = "", select: str = "{}", **kw) -> Path:
    _files(d, **kw)
    path = d / "scenario.toml"
    path.write_text(SCENARIO.format(org=org, select=select), encoding="utf-8")
    return path


@pytest.fixture
def scenario_path(tmp_path: Path) -> Path:
    return _scenario(tmp_path / "org")


# ----------------------------------------------------------------- reading what Excel writes


def test_semicolon_csv_with_bom_and_danish_letters(tmp_path: Path):
    _files(tmp_path)
    assert (tmp_path / "employees.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    r = read_roster(tmp_path / "employees.csv", tmp_path / "ties.csv", role_map=ROLE_MAP)
    assert r.ids[:3] == ("101", "102", "103") and r.n == len(ROWS)
    assert r.department_names == ("Rådhus", "Børn og Unge", "Ældre og Sundhed")
    assert ("Ældre og Sundhed", "Åbakken") in r.unit_names
    assert r.specialties == ("projektledelse", "økonomi")
    # Decimal commas, a thousands separator, and empty cells left to the role's cost.
    assert r.wage_dkk[1] == 980.0 and r.wage_dkk[3] == 455.5 and r.wage_dkk[5] == 1250.0
    assert np.isnan(r.wage_dkk[0])
    assert r.tie_strength[0] == 0.75 and np.isnan(r.tie_strength[1])


@pytest.mark.parametrize(
    ("sep", "decimal", "encoding"),
    [(",", ".", "utf-8"), ("\t", ",", "utf-8"), (";", ",", "cp1252"), ("\t", ".", "utf-16")],
    ids=["comma", "tab", "windows-1252", "utf-16"],
)
def test_other_dialects_read_the_same(tmp_path: Path, sep: str, decimal: str, encoding: str):
    ref = read_roster(
        _files(tmp_path / "ref") / "employees.csv", tmp_path / "ref" / "ties.csv", role_map=ROLE_MAP
    )
    d = _files(tmp_path / "other", sep=sep, decimal=decimal, encoding=encoding)
    text = (d / "employees.csv").read_bytes()
    if encoding == "cp1252":
        with pytest.raises(UnicodeDecodeError):
            text.decode("utf-8")  # so the fallback is what reads it
    assert text.count(sep.encode(encoding if encoding != "utf-16" else "utf-16-le")) > 0
    other = read_roster(d / "employees.csv", d / "ties.csv", role_map=ROLE_MAP)
    assert other.ids == ref.ids and other.department_names == ref.department_names
    assert other.unit_names == ref.unit_names and other.specialties == ref.specialties
    for name in ("department", "unit", "role", "specialty", "tie_a", "tie_b"):
        assert np.array_equal(getattr(other, name), getattr(ref, name)), name
    np.testing.assert_array_equal(other.wage_dkk, ref.wage_dkk)
    np.testing.assert_array_equal(other.tie_strength, ref.tie_strength)


def test_numbers_with_a_decimal_point_in_a_semicolon_file(tmp_path: Path):
    rows = [(*r[:6], r[6].replace(".", "").replace(",", ".")) for r in ROWS]
    d = _files(tmp_path, rows=rows)
    r = read_roster(d / "employees.csv", role_map=ROLE_MAP)
    assert r.wage_dkk[3] == 455.5 and r.wage_dkk[5] == 1250.0


def test_excel_separator_line_is_honoured_and_lines_still_counted(tmp_path: Path):
    rows = [*ROWS[:4], ("101", *ROWS[4][1:]), *ROWS[5:]]
    _write(tmp_path / "e.csv", "sep=;\r\n" + _csv([HEADER, *rows]))
    with pytest.raises(
        CsvError,
        match=r"e\.csv: line 7, column 'ID': duplicate id '101' "
        r"\(first on line 3\)",
    ):
        read_roster(tmp_path / "e.csv", role_map=ROLE_MAP)


def test_an_excel_workbook_is_refused_with_a_hint(tmp_path: Path):
    (tmp_path / "e.csv").write_bytes(b"PK\x03\x04" + bytes(range(256)))
    with pytest.raises(CsvError, match=r"e\.csv: is an Excel workbook, not a CSV file"):
        read_roster(tmp_path / "e.csv")


# ----------------------------------------------------------------- the organisation built


def _truth(rows=ROWS) -> pd.DataFrame:
    role = {
        **{k.casefold(): v for k, v in ROLE_MAP.items()},
        "direktør": "executive",
        "fagchef": "head",
        "leder": "leader",
        "afdelingsleder": "leader",
        "medarbejder": "employee",
        "specialist": "specialist",
        "employee": "employee",
    }
    return pd.DataFrame(
        [
            {
                "id": r[0],
                "department": r[2],
                "unit": r[3],
                "role": role[r[4].casefold()],
                "specialty": r[5],
            }
            for r in rows
        ]
    )


def test_loaded_org_has_the_departments_units_roles_and_ties_of_the_file(scenario_path: Path):
    sc = netsim.load_scenario(scenario_path)
    org = build_organisation(sc.organisation, rng=Streams(1).organisation)
    truth = _truth()
    assert org.n == len(truth) and org.employee_ids == list(truth["id"])
    assert org.department_names == ["Rådhus", "Børn og Unge", "Ældre og Sundhed"]
    assert [org.department_names[d] for d in org.department] == list(truth["department"])
    assert [ROLES[r] for r in org.role] == list(truth["role"])
    spec = [org.specialties[s] if s >= 0 else "" for s in org.specialty]
    assert spec == list(truth["specialty"])
    # Same unit in the file <=> same unit in the organisation.
    key = list(zip(truth["department"], truth["unit"], strict=True))
    same_file = np.array([[a == b for b in key] for a in key])
    assert np.array_equal(same_file, org.unit[:, None] == org.unit[None, :])
    # Isolated: økonomi has one specialist; projektledelse has one in each of two departments.
    assert org.isolated.sum() == 3
    # Known ties are there with the file's strength (strength_max where it gives none).
    pos = {e: k for k, e in enumerate(org.employee_ids)}
    for a, b, w in [("104", "207", 0.75), ("202", "302", 0.6), ("101", "301", 0.3)]:
        assert org.ties[pos[a], pos[b]] == org.ties[pos[b], pos[a]] == w
    assert org.wage_dkk[pos["104"]] == 455.5
    assert org.wage_dkk[pos["101"]] == sc.organisation.hourly_cost_dkk.executive
    assert sc.organisation.topics()[-3:] == [
        "practice:Rådhus",
        "practice:Børn og Unge",
        "practice:Ældre og Sundhed",
    ]


def test_missing_ties_are_drawn_within_the_real_units_and_hierarchy(tmp_path: Path):
    org_cfg = (
        "[organisation.ties]\nwithin_unit_prob = 1.0\nwithin_department_degree = 0.0\n"
        "cross_department_degree = 0.0"
    )
    rows = [*ROWS, ("314", "Rye, Ida", "Ældre og Sundhed", "Ledelse", "Fagchef", "", "")]
    sc = netsim.load_scenario(_scenario(tmp_path, org=org_cfg, rows=rows))
    org = build_organisation(sc.organisation, rng=Streams(2).organisation)
    tied = org.ties.toarray() > 0
    same_unit = (org.unit[:, None] == org.unit[None, :]) & ~np.eye(org.n, dtype=bool)
    assert np.all(tied[same_unit]), "every pair of a unit is tied at within_unit_prob = 1"
    pos = {e: k for k, e in enumerate(org.employee_ids)}
    role = np.array([ROLES[r] for r in org.role])
    top = np.isin(role, ["executive", "head"])
    line = ((role[:, None] == "leader") & (role[None, :] == "head")) | (
        (role[:, None] == "head") & (role[None, :] == "leader")
    )
    line &= org.department[:, None] == org.department[None, :]
    known = np.zeros_like(tied)
    for a, b, _ in TIES[1:]:
        known[pos[a], pos[b]] = known[pos[b], pos[a]] = True
    explained = same_unit | (top[:, None] & top[None, :]) | line | known
    assert not np.any(tied & ~explained), "no ties beyond units, hierarchy and the file"
    # A department with two heads: each of its leaders is tied to both.
    for leader in ("302", "307"):
        assert tied[pos[leader], pos["301"]] and tied[pos[leader], pos["314"]]


def test_fields_the_file_decides_are_filled_in(scenario_path: Path):
    o = netsim.load_scenario(scenario_path).organisation
    assert (o.employees, o.departments) == (len(ROWS), 2)
    assert o.department_names == ["Rådhus", "Børn og Unge", "Ældre og Sundhed"]
    assert o.specialties == ["projektledelse", "økonomi"]
    assert o.employees_csv == str(scenario_path.parent / "employees.csv")


def test_department_names_may_reorder_and_specialties_add(tmp_path: Path):
    extra = (
        'department_names = ["Ældre og Sundhed", "Rådhus", "Børn og Unge"]\n'
        'specialties = ["lean", "økonomi", "projektledelse"]'
    )
    sc = netsim.load_scenario(_scenario(tmp_path, org=extra))
    org = build_organisation(sc.organisation, rng=Streams(1).organisation)
    assert org.department_names[org.department[0]] == "Rådhus" and org.department[0] == 1
    assert org.specialties[org.specialty[3]] == "projektledelse" and org.specialty[3] == 2
    assert sc.organisation.topics()[:3] == ["lean", "økonomi", "projektledelse"]


@pytest.mark.parametrize(
    ("org", "match"),
    [
        (
            "employees = 2000",
            r"organisation\.employees: .*employees\.csv has 30 employees; "
            r"leave it out",
        ),
        (
            "departments = 7",
            r"organisation\.departments: .*has 3 departments, which is "
            r"departments = 2",
        ),
        (
            'department_names = ["Rådhus", "Børn og Unge"]',
            r"organisation\.department_names: must name the departments of",
        ),
        (
            'specialties = ["økonomi"]',
            r"organisation\.specialties: misses specialties of .*'projektledelse' \(line 5\)",
        ),
        ("unit_size = 12", r"organisation\.unit_size: not used with employees_csv"),
    ],
    ids=["employees", "departments", "department_names", "specialties", "unit_size"],
)
def test_generated_organisation_fields_that_disagree_are_rejected(tmp_path, org, match):
    with pytest.raises(netsim.ScenarioError, match=match):
        netsim.load_scenario(_scenario(tmp_path, org=org))


def test_csv_fields_need_employees_csv(tmp_path: Path):
    with pytest.raises(netsim.ScenarioError, match=r"organisation\.ties_csv: only used with "):
        netsim.parse_scenario({"organisation": {"ties_csv": "t.csv"}})
    with pytest.raises(netsim.ScenarioError, match=r"organisation\.role_map: only used with "):
        netsim.parse_scenario({"organisation": {"role_map": {"Pædagog": "employee"}}})
    net = {"purpose": "strategy", "select": {}, "enrollment": "invitation", "members_csv": "m.csv"}
    with pytest.raises(
        netsim.ScenarioError, match=r"networks\.x\.members_csv: needs organisation\.employees_csv"
    ):
        netsim.parse_scenario({"networks": {"x": net}})


def test_departments_in_selectors_are_the_files(tmp_path: Path):
    path = _scenario(tmp_path)
    text = path.read_text(encoding="utf-8").replace(
        'roles = ["leader", "head"]', 'departments = ["Born og Unge"]'
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(
        netsim.ScenarioError,
        match=r"select\.departments: unknown name; did you mean 'Børn og Unge'",
    ):
        netsim.load_scenario(path)


def test_role_map_star_gives_every_other_title(tmp_path: Path):
    d = _files(tmp_path)
    r = read_roster(d / "employees.csv", role_map={"Konsulent": "specialist", "*": "employee"})
    assert ROLES[r.role[5]] == "head" and ROLES[r.role[7]] == "employee"


# ----------------------------------------------------------------- member lists


def _targets(sc: netsim.Scenario, network: str) -> list[str]:
    streams = Streams(1)
    org = build_organisation(sc.organisation, rng=streams.organisation)
    state = build_state(sc, org, streams)
    (batch,) = [b for b in state.batches if b.name == network]
    assert org.employee_ids is not None
    return sorted(org.employee_ids[i] for i in batch.idx[batch.slot])


def test_members_csv_is_the_target_group_split_as_usual(tmp_path: Path):
    sc = netsim.load_scenario(_scenario(tmp_path))
    assert _targets(sc, "projects") == ["103", "104", "202", "207", "213"]  # 207 listed twice
    path = tmp_path / "scenario.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "participation = 0.8", "participation = 0.8\nmax_size = 3\nquorum = 2"
        ),
        encoding="utf-8",
    )
    streams = Streams(1)
    sc = netsim.load_scenario(path)
    state = build_state(sc, build_organisation(sc.organisation, rng=streams.organisation), streams)
    assert [int(g.sum()) for g in state.batches[0].slot] == [3, 2]


def test_members_csv_intersects_the_selector(tmp_path: Path):
    sc = netsim.load_scenario(_scenario(tmp_path, select='{ roles = ["specialist"] }'))
    assert _targets(sc, "projects") == ["104", "207", "213"]


# ----------------------------------------------------------------- errors


def _break(d: Path, name: str, old: str, new: str) -> None:
    path = d / name
    path.write_bytes(path.read_bytes().replace(old.encode(), new.encode(), 1))


ERRORS = {
    # name: (file, old, new, the expected line)
    "duplicate id": (
        "employees.csv",
        "\r\n105;",
        "\r\n103;",
        "employees.csv: line 6, column 'ID': duplicate id '103' (first on line 4)",
    ),
    "unknown role": (
        "employees.csv",
        ";Medarbejder;",
        ";Sekretær;",
        "employees.csv: line 6, column 'Role': unknown role 'Sekretær'; use ",
    ),
    "tie to unknown employee": (
        "ties.csv",
        "202;302",
        "202;999",
        "ties.csv: line 3, column 'b': no employee with id '999' in ",
    ),
    "empty employees file": ("employees.csv", None, "", "employees.csv: file is empty"),
    "member not in the organisation": (
        "members.csv",
        "\r\n213",
        "\r\n777",
        "members.csv: line 4, column 'employee_id': no employee with id '777' in ",
    ),
    "missing column": (
        "employees.csv",
        ";Unit;",
        ";Enhed;",
        "employees.csv: line 1: missing column 'unit' (the header has ",
    ),
    "bad number": (
        "employees.csv",
        "455,50",
        "45S,50",
        "employees.csv: line 5, column 'hourly_cost_dkk': not a number: '45S,50'",
    ),
    "strength out of range": (
        "ties.csv",
        "0,75",
        "1,5",
        "ties.csv: line 2, column 'strength': must be above 0 and at most 1 (got 1.5)",
    ),
    "member list lists nobody": (
        "members.csv",
        None,
        "employee_id\r\n",
        "members.csv: has a header but lists nobody",
    ),
    "specialist without specialty": (
        "employees.csv",
        "Specialist;projektledelse",
        "Specialist;",
        "employees.csv: line 13, column 'Specialty': empty; a specialist needs one",
    ),
}


def _broken(tmp_path: Path, kind: str) -> Path:
    path = _scenario(tmp_path / "org")
    file, old, new, _ = ERRORS[kind]
    if old is None:
        (path.parent / file).write_text(new, encoding="utf-8")
    else:
        _break(path.parent, file, old, new)
    return path


@pytest.mark.parametrize("kind", list(ERRORS))
def test_error_names_file_line_and_column_python(tmp_path: Path, kind: str):
    path = _broken(tmp_path, kind)
    with pytest.raises(CsvError, match=re.escape(ERRORS[kind][3])) as info:
        netsim.load_scenario(path)
    assert isinstance(info.value, netsim.NetsimError)


@pytest.mark.parametrize("kind", list(ERRORS))
def test_error_names_file_line_and_column_cli(tmp_path: Path, kind: str, monkeypatch, capsys):
    path = _broken(tmp_path, kind)
    monkeypatch.chdir(path.parent)
    status = main(["validate", "scenario.toml"])
    err = capsys.readouterr().err
    assert status == 2
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"netsim: error: {ERRORS[kind][3]}")


@pytest.mark.parametrize(
    ("file", "field"),
    [
        ("employees.csv", "organisation.employees_csv"),
        ("members.csv", "networks.projects.members_csv"),
    ],
)
def test_a_missing_file_is_reported_at_the_field_naming_it(tmp_path: Path, file, field):
    path = _scenario(tmp_path)
    (tmp_path / file).unlink()
    with pytest.raises(
        netsim.ScenarioError,
        match=rf"scenario\.toml: {re.escape(field)}: "
        rf"file not found: {re.escape(str(tmp_path / file))}$",
    ):
        netsim.load_scenario(path)


def test_every_problem_of_a_file_is_reported_in_line_order(tmp_path: Path):
    path = _scenario(tmp_path)
    for old, new in [("455,50", "4,5,5"), ("\r\n105;", "\r\n103;"), (";Medarbejder;", ";Chef;")]:
        _break(tmp_path, "employees.csv", old, new)
    with pytest.raises(CsvError) as info:
        netsim.load_scenario(path)
    got = [(p.line, p.column) for p in info.value.problems]
    assert got == [(5, "hourly_cost_dkk"), (6, "ID"), (6, "Role")]


def test_many_problems_show_twenty_and_count_the_rest(tmp_path: Path, capsys):
    path = _scenario(tmp_path)
    unknown = [("employee_id",), *((str(900 + k),) for k in range(MAX_SHOWN + 7))]
    _write(tmp_path / "members.csv", _csv(unknown))
    assert main(["validate", str(path)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == MAX_SHOWN + 1
    assert all(line.startswith("netsim: error: ") for line in lines)
    assert "members.csv: line 2, column 'employee_id': no employee with id '900'" in lines[0]
    assert lines[-1] == "netsim: error: ... and 7 more problems"


def test_invalid_input_exits_2_without_traceback_and_writes_nothing(tmp_path: Path, capsys):
    path = _broken(tmp_path, "unknown role")
    out = tmp_path / "results"
    status = main(["run", str(path), "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2
    assert "Traceback" not in err
    assert err.startswith("netsim: error: ") and "unknown role 'Sekretær'" in err
    assert not out.exists()


# ----------------------------------------------------------------- running


def test_csv_scenario_runs_and_is_deterministic(scenario_path: Path, tmp_path: Path, monkeypatch):
    sc = netsim.load_scenario(scenario_path)
    a, b = netsim.simulate(sc, seed=3), netsim.simulate(sc, seed=3)
    assert a.summary["meetings_held"] > 0 and a.summary["employees"] == len(ROWS)
    assert a.summary == b.summary
    for frame in ("meetings", "weekly", "employees"):
        pd.testing.assert_frame_equal(getattr(a, frame), getattr(b, frame))
    assert not a.meetings.equals(netsim.simulate(sc, seed=4).meetings)
    # The resolved scenario.toml names absolute paths: it reruns from anywhere.
    a.write(tmp_path / "out")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    again = netsim.load_scenario(tmp_path / "out" / "scenario.toml")
    assert again.organisation.roster == sc.organisation.roster
    assert netsim.simulate(again).summary == {**a.summary, "scenario": "csv"}


def test_paths_are_relative_to_the_scenario_file(scenario_path: Path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rel = os.path.relpath(scenario_path)
    assert netsim.load_scenario(rel).organisation.employees == len(ROWS)


# ----------------------------------------------------------------- netsim init


def test_init_writes_a_starter_that_validates_and_runs(tmp_path: Path, capsys):
    d = tmp_path / "mine"
    assert main(["init", str(d)]) == 0
    names = {p.name for p in d.iterdir()}
    assert names == {"scenario.toml", "employees.csv", "ties.csv", "members.csv", "README.md"}
    employees = (d / "employees.csv").read_bytes()
    assert employees.startswith(b"\xef\xbb\xbfid;department;unit;role;")
    # Every field is explained: a comment beside it, or above it (over a table's fields).
    lines = (d / "scenario.toml").read_text(encoding="utf-8").splitlines()
    for k, line in enumerate(lines):
        if "=" not in line or line.startswith("#") or "#" in line:
            continue
        above = k - 1
        while above >= 0 and ("=" in lines[above] or lines[above].startswith("[")):
            if "#" in lines[above] and not lines[above].startswith("#"):
                break  # a field with its own comment: not an explanation of this one
            above -= 1
        assert above >= 0 and lines[above].startswith("#"), f"no comment for: {line}"
    assert main(["validate", str(d / "scenario.toml")]) == 0
    capsys.readouterr()
    assert main(["run", str(d / "scenario.toml"), "--years", "0.25", "--format", "json"]) == 0
    import json

    summary = json.loads(capsys.readouterr().out)
    assert summary["employees"] == 30 and summary["networks"] == 2
    assert summary["meetings_held"] > 0


def test_init_refuses_to_overwrite_unless_forced(tmp_path: Path, capsys):
    d = tmp_path / "mine"
    assert main(["init", str(d)]) == 0
    (d / "employees.csv").write_text("mine", encoding="utf-8")
    (d / "README.md").unlink()
    assert main(["init", str(d)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("netsim: error: ") and "use --force" in err
    assert "employees.csv" in err and "README.md" not in err
    assert (d / "employees.csv").read_text(encoding="utf-8") == "mine"
    assert not (d / "README.md").exists(), "nothing is written when it refuses"
    assert main(["init", str(d), "--force"]) == 0
    assert (d / "employees.csv").read_bytes().startswith(b"\xef\xbb\xbfid;")


# ----------------------------------------------------------------- the shipped example


def _example_script():
    path = REPO / "experiments" / "make_example_org.py"
    spec = importlib.util.spec_from_file_location("make_example_org", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_example_org_script_reproduces_the_committed_files():
    files = _example_script().make()
    assert len(files) == 3
    for name, data in files.items():
        assert (SCENARIOS / "data" / name).read_bytes() == data, name


def test_own_organisation_loads_eksempel_kommune(capsys):
    path = SCENARIOS / "own_organisation.toml"
    assert main(["validate", str(path)]) == 0
    sc = netsim.load_scenario(path)
    o = sc.organisation
    assert 1400 <= o.employees <= 1600 and o.roster is not None
    assert any(ch in "".join(o.names()) for ch in "æøå")
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    members_file = SCENARIOS / raw["networks"]["projektledere"]["members_csv"]
    with open(members_file, encoding="utf-8-sig", newline="") as fh:
        listed = sorted(row["employee_id"] for row in csv.DictReader(fh, delimiter=";"))
    ids = o.roster.ids
    assert sorted(ids[k] for k in sc.members_of("projektledere") or ()) == listed


# --- an HR export with its own column names: [organisation.columns], and netsim init


DANISH_HEADER = "Medarbejdernr;Afdeling;Enhed;Stilling;Speciale;Timeløn"


def _danish_export(tmp_path: Path, header: str = DANISH_HEADER) -> Path:
    """netsim init's example organisation as an HR system exports it: its own column names,
    and a column of names netsim does not use."""
    from netsim.cli.init import STARTER_FILES

    lines = STARTER_FILES["employees.csv"].splitlines()
    rows = [f"{line};Navn {k}" for k, line in enumerate(lines[1:])]
    path = tmp_path / "hr_export.csv"
    path.write_text("\n".join([header + ";Navn", *rows]) + "\n", encoding="utf-8-sig")
    return path


def _starter_roster(tmp_path: Path):
    from netsim.cli.init import write_starter

    d = tmp_path / "starter"
    write_starter(d)
    return netsim.load_scenario(d / "scenario.toml").organisation.roster


COLUMNS_TOML = (
    '[organisation.columns]\nid = "Medarbejdernr"\ndepartment = "afdeling"\nunit = "Enhed"\n'
    'role = "Stilling"\nspecialty = "Speciale"\nhourly_cost_dkk = "Timeløn"\n'
)
ROLE_MAP_TOML = (
    '[organisation.role_map]\n"Skoleleder" = "leader"\n"Lærer" = "employee"\n'
    '"Pædagog" = "employee"\n"Konsulent" = "specialist"\n'
)


def _own(tmp_path: Path, columns: str = COLUMNS_TOML, name: str = "own.toml") -> Path:
    _danish_export(tmp_path)
    path = tmp_path / name
    path.write_text(
        'name = "own"\n[organisation]\nemployees_csv = "hr_export.csv"\n'
        + columns
        + ROLE_MAP_TOML
        + '[networks.forum]\npurpose = "leader_forum"\nselect = { roles = ["leader"] }\n'
        'enrollment = "automatic"\n',
        encoding="utf-8",
    )
    return path


def test_an_export_with_its_own_column_names_reads_as_the_same_organisation(tmp_path):
    roster = netsim.load_scenario(_own(tmp_path)).organisation.roster
    want = _starter_roster(tmp_path)
    assert roster.ids == want.ids and roster.unit_names == want.unit_names
    assert (roster.role == want.role).all() and (roster.specialty == want.specialty).all()
    np.testing.assert_array_equal(roster.wage_dkk, want.wage_dkk)  # 455,00 from 'Timeløn'
    assert roster.digest != want.digest  # which column is which is part of the input


@pytest.mark.parametrize(
    ("columns", "field", "message"),
    [
        ('[organisation.columns]\nmedarbejder = "Medarbejdernr"\n', "organisation.columns."
         "medarbejder", "not a column of the employees file; give one of id, department, unit"),
        ('[organisation.columns]\nid = "Medarbejdernr"\nunit = "medarbejdernr"\n',
         "organisation.columns.unit", "the file's column 'medarbejdernr' is given for id"),
        ('[organisation.columns]\nid = "  "\n', "organisation.columns.id", "empty; give the"),
    ],
)  # fmt: skip
def test_a_wrong_column_mapping_is_one_line_naming_the_field(
    tmp_path, capsys, columns, field, message
):
    path = _own(tmp_path, columns)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"netsim: error: {path}: {field}: {message}"), err
    assert err.count("\n") == 1


def test_a_mapped_column_the_file_lacks_is_named_as_the_file_would_name_it(tmp_path, capsys):
    path = _own(tmp_path, COLUMNS_TOML.replace('unit = "Enhed"', 'unit = "Team"'))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "missing column 'Team' (organisation.columns.unit)" in err
    assert "(the header has 'Medarbejdernr', 'Afdeling', 'Enhed'" in err


def test_an_unmapped_export_points_to_the_mapping_and_init(tmp_path, capsys):
    path = _own(tmp_path, "")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "say so in the scenario's [organisation.columns]" in err
    assert "netsim init --employees FILE" in err
    no_file = tmp_path / "gen.toml"
    no_file.write_text('[organisation]\nemployees = 100\n[organisation.columns]\nid = "Nr"\n')
    assert main(["validate", str(no_file)]) == 2
    assert "organisation.columns: only used with employees_csv" in capsys.readouterr().err


def test_init_guesses_the_columns_and_titles_of_an_export_so_it_runs(tmp_path, capsys):
    export = _danish_export(tmp_path)
    d = tmp_path / "mine"
    assert main(["init", str(d), "--employees", str(export)]) == 0
    capsys.readouterr()
    text = (d / "scenario.toml").read_text(encoding="utf-8")
    assert 'employees_csv = "../hr_export.csv"' in text  # read where it is, not copied
    assert not (d / "hr_export.csv").exists() and not (d / "employees.csv").exists()
    assert 'id = "Medarbejdernr"    # guessed from the header: check' in text
    assert '"Konsulent" = "specialist"    # 4 employee(s); check' in text
    assert '"Pædagog" = "employee"' in text and '"Skoleleder" = "leader"' in text
    roster = netsim.load_scenario(d / "scenario.toml").organisation.roster
    assert roster.ids == _starter_roster(tmp_path).ids
    assert main(["run", str(d / "scenario.toml"), "--years", "0.2", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["employees"] == 30


def test_init_writes_a_commented_line_for_a_column_it_cannot_guess(tmp_path, capsys):
    export = _danish_export(tmp_path, DANISH_HEADER.replace("Enhed", "Kolonne 7"))
    d = tmp_path / "mine"
    assert main(["init", str(d), "--employees", str(export)]) == 0
    captured = capsys.readouterr()
    text = (d / "scenario.toml").read_text(encoding="utf-8")
    assert '# unit = "..."    # which of your columns is the unit? fill it in' in text
    assert "say which of your columns is the unit" in captured.err
    assert "[organisation.role_map]" not in text  # the titles wait for the columns
    tomllib.loads(text)  # still a valid scenario file to edit
