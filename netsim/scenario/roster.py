"""Reading an organisation from CSV files exported from an HR system.

Three kinds of file, each with a header row naming its columns (in any order, any case; other
columns, such as names, are ignored):

========================  =====================================================================
file                      columns
========================  =====================================================================
employees                 ``id``, ``department``, ``unit``, ``role``; optional ``specialty``
                          (specialists only, and required for them) and ``hourly_cost_dkk``
                          (empty: the role's cost in the scenario)
ties (optional)           ``a``, ``b`` (employee ids); optional ``strength`` in (0, 1]
members (per network)     ``employee_id``
========================  =====================================================================

Each is read as a lenient table (:mod:`netsim.scenario.tables`: encoding, separator and
decimal mark detected, as Excel writes them; every problem reported with its line). What the
cells mean is read here:

- *Roles*: the English role names, a few Danish titles (:data:`ROLE_WORDS`), and the
  scenario's ``role_map`` (job title -> role; ``"*"`` for every other title), all compared
  without regard to case.

Nothing here draws random numbers or builds the tie graph: :func:`read_roster` returns the
file's contents as arrays (a :class:`Roster`), and :func:`netsim.sim.org.build_organisation` turns
it into an :class:`~netsim.sim.org.Org`, generating the ties the file does not give.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from netsim.scenario.organisation import EMPLOYEE_FIELDS, MAX_HOURLY_DKK, ROLES
from netsim.scenario.tables import (
    MAX_SHOWN,
    CsvError,
    CsvProblem,
    column_label,
    digest,
    norm,
    numbers,
    read_table,
)

__all__ = [
    "EMPLOYEE_COLUMNS",
    "MAX_SHOWN",
    "MEMBER_COLUMNS",
    "ROLE_WORDS",
    "TIE_COLUMNS",
    "CsvError",
    "CsvProblem",
    "Roster",
    "read_members",
    "read_roster",
]

#: Job titles every file may use, besides the scenario's ``role_map`` (compared casefolded).
ROLE_WORDS: dict[str, str] = {
    **{r: r for r in ROLES},
    "direktør": "executive",
    "fagchef": "head",
    "leder": "leader",
    "afdelingsleder": "leader",
    "medarbejder": "employee",
}

#: (required, optional) columns of each kind of file.
EMPLOYEE_COLUMNS = (EMPLOYEE_FIELDS[:4], EMPLOYEE_FIELDS[4:])
TIE_COLUMNS = (("a", "b"), ("strength",))
MEMBER_COLUMNS = (("employee_id",), ())


# --------------------------------------------------------------------------- the roster


@dataclass(frozen=True, eq=False)
class Roster:
    """An organisation as its files describe it: who works where, in which role.

    Arrays are indexed by employee position (the file's row order, 0..N-1). Two rosters are
    equal when they were read from the same bytes with the same role map.

    Attributes
    ----------
    ids : tuple of str
        The ``id`` column, as written (whitespace stripped).
    lines : ndarray of int
        Line of each employee in the employees file.
    department, unit : ndarray of int
        Indices into ``department_names`` and ``unit_names``. A unit is a (department, unit)
        pair: two departments may each have a unit called "Sekretariat".
    department_names : tuple of str
        In order of first appearance in the file.
    unit_names : tuple of (str, str)
        (department, unit) of every unit, in order of first appearance.
    role : ndarray of int
        Index into :data:`netsim.scenario.organisation.ROLES`.
    specialty : ndarray of int
        Index into ``specialties``; -1 for everybody who is not a specialist.
    specialties : tuple of str
        In order of first appearance.
    wage_dkk : ndarray of float
        ``hourly_cost_dkk``; NaN where the file leaves it to the role's cost.
    tie_a, tie_b : ndarray of int
        Known ties (employee positions), one per row of the ties file.
    tie_strength : ndarray of float
        Their strengths; NaN where the file gives none.
    employees_file, ties_file : str
        The files, as named in messages.
    digest : str
        SHA-256 of the files' bytes and the role map.
    """

    ids: tuple[str, ...]
    lines: np.ndarray
    department: np.ndarray
    unit: np.ndarray
    department_names: tuple[str, ...]
    unit_names: tuple[tuple[str, str], ...]
    role: np.ndarray
    specialty: np.ndarray
    specialties: tuple[str, ...]
    wage_dkk: np.ndarray
    tie_a: np.ndarray
    tie_b: np.ndarray
    tie_strength: np.ndarray
    employees_file: str
    ties_file: str | None
    digest: str

    @property
    def n(self) -> int:
        """Number of employees."""
        return len(self.ids)

    def position(self) -> dict[str, int]:
        """Employee id -> position."""
        return {e: k for k, e in enumerate(self.ids)}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Roster):
            return NotImplemented
        return self.digest == other.digest

    def __hash__(self) -> int:
        return hash(self.digest)


# --------------------------------------------------------------------------- the files


def _roles_hint() -> str:
    danish = ", ".join(w for w in ROLE_WORDS if w not in ROLES)
    return (
        f"use {', '.join(ROLES)} (or {danish}), or translate the title in the scenario's "
        "[organisation.role_map]"
    )


def read_roster(
    employees_csv: str | Path,
    ties_csv: str | Path | None = None,
    *,
    role_map: Mapping[str, str] | None = None,
    columns: Mapping[str, str] | None = None,
) -> Roster:
    """Read an employees file and, optionally, a file of known ties.

    Parameters
    ----------
    employees_csv : path
        Columns ``id``, ``department``, ``unit``, ``role``, optional ``specialty`` and
        ``hourly_cost_dkk``.
    ties_csv : path, optional
        Columns ``a``, ``b`` (employee ids), optional ``strength`` in (0, 1]. A header with
        no rows means "no known ties".
    role_map : mapping, optional
        Job title -> role (one of :data:`netsim.scenario.organisation.ROLES`), compared
        without regard to case; it takes precedence over :data:`ROLE_WORDS`. The title
        ``"*"`` gives the role of every title that is neither in the map nor in
        :data:`ROLE_WORDS`.
    columns : mapping, optional
        The employees file's own names of netsim's columns (``{"id": "Medarbejdernr"}``,
        a scenario's ``[organisation.columns]``), compared without regard to case.

    Returns
    -------
    Roster

    Raises
    ------
    CsvError
        Every problem found in the employees file (then the ties file is not read, since its
        ids cannot be checked), or else every problem in the ties file.
    """
    roles = {norm(k): v for k, v in (role_map or {}).items()}
    fallback = roles.get("*")
    problems: list[CsvProblem] = []
    table, emp_bytes = read_table(employees_csv, EMPLOYEE_COLUMNS, problems, columns)
    if table is None:
        raise CsvError(problems)
    file = table.file
    if not table.rows:
        raise CsvError([CsvProblem(file, None, None, "has a header but no employees")])

    ids: list[str] = []
    lines: list[int] = []
    first_line: dict[str, int] = {}
    depts: dict[str, int] = {}
    units: dict[tuple[str, str], int] = {}
    specs: dict[str, int] = {}
    dep_idx, unit_idx, role_idx, spec_idx = [], [], [], []
    unknown_roles: dict[str, list[int]] = {}
    has_specialty = "specialty" in table.columns
    no_specialty_column: list[int] = []
    label = {c: column_label(table, c) for c in (*EMPLOYEE_COLUMNS[0], *EMPLOYEE_COLUMNS[1])}
    for line, cells in table.rows:
        values = {c: table.cell(cells, c) for c in EMPLOYEE_COLUMNS[0]}
        for c, v in values.items():
            if not v:
                problems.append(CsvProblem(file, line, label[c], "empty; every employee needs one"))
        emp = values["id"]
        if emp:
            if emp in first_line:
                problems.append(
                    CsvProblem(
                        file,
                        line,
                        label["id"],
                        f"duplicate id {emp!r} (first on line {first_line[emp]})",
                    )
                )
            else:
                first_line[emp] = line
        dept, unit = values["department"], values["unit"]
        title = values["role"]
        role = roles.get(norm(title)) or ROLE_WORDS.get(norm(title))
        if role is None and title:
            role = fallback
        if title and role is None:
            unknown_roles.setdefault(title, []).append(line)
        specialty = table.cell(cells, "specialty")
        if role == "specialist" and not specialty:
            if has_specialty:
                problems.append(
                    CsvProblem(file, line, label["specialty"], "empty; a specialist needs one")
                )
            else:
                no_specialty_column.append(line)
        elif role is not None and role != "specialist" and specialty:
            problems.append(
                CsvProblem(
                    file,
                    line,
                    label["specialty"],
                    f"{specialty!r} given for a {role} ({title!r}); only specialists have a "
                    "specialty: leave it empty, or make the role a specialist",
                )
            )
        ids.append(emp)
        lines.append(line)
        dep_idx.append(depts.setdefault(dept, len(depts)))
        unit_idx.append(units.setdefault((dept, unit), len(units)))
        role_idx.append(ROLES.index(role) if role is not None else -1)
        spec_idx.append(
            specs.setdefault(specialty, len(specs)) if role == "specialist" and specialty else -1
        )
    for title, where in unknown_roles.items():
        more = f" (and on {len(where) - 1} more line(s))" if len(where) > 1 else ""
        problems.append(
            CsvProblem(
                file,
                where[0],
                label["role"],
                f"unknown role {title!r}{more}; {_roles_hint()}",
            )
        )
    if no_specialty_column:
        problems.append(
            CsvProblem(
                file,
                no_specialty_column[0],
                None,
                f"{len(no_specialty_column)} specialist(s) but no 'specialty' column; add one "
                "and give each specialist's specialty",
            )
        )
    wage = np.full(len(ids), np.nan)
    if "hourly_cost_dkk" in table.columns:
        row_of = {line: k for k, line in enumerate(lines)}
        for line, value in numbers(table, "hourly_cost_dkk", problems).items():
            if not 0 <= value <= MAX_HOURLY_DKK:
                problems.append(
                    CsvProblem(
                        file,
                        line,
                        label["hourly_cost_dkk"],
                        f"must be zero or more and at most {MAX_HOURLY_DKK:,} (got {value:g})",
                    )
                )
            wage[row_of[line]] = value
    problems.sort(key=lambda p: p.line or 0)
    if problems:
        raise CsvError(problems)

    ties_bytes = b""
    tie_a = tie_b = np.empty(0, dtype=np.intp)
    strength = np.empty(0)
    ties_file = None
    if ties_csv is not None:
        tie_a, tie_b, strength, ties_bytes, ties_file = _read_ties(ties_csv, ids, file)
    role_bytes = repr(sorted(roles.items())).encode()
    if columns:  # which column is which is part of what the file says
        role_bytes += repr(sorted(columns.items())).encode()
    return Roster(
        ids=tuple(ids),
        lines=np.asarray(lines, dtype=np.int64),
        department=np.asarray(dep_idx, dtype=np.intp),
        unit=np.asarray(unit_idx, dtype=np.intp),
        department_names=tuple(depts),
        unit_names=tuple(units),
        role=np.asarray(role_idx, dtype=np.int8),
        specialty=np.asarray(spec_idx, dtype=np.intp),
        specialties=tuple(specs),
        wage_dkk=wage,
        tie_a=tie_a,
        tie_b=tie_b,
        tie_strength=strength,
        employees_file=file,
        ties_file=ties_file,
        digest=digest(emp_bytes, ties_bytes, role_bytes),
    )


def _read_ties(
    path: str | Path, ids: list[str], employees_file: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, bytes, str]:
    problems: list[CsvProblem] = []
    table, data = read_table(path, TIE_COLUMNS, problems)
    if table is None:
        raise CsvError(problems)
    file = table.file
    pos = {e: k for k, e in enumerate(ids)}
    label = {c: column_label(table, c) for c in ("a", "b", "strength")}
    a, b, lines = [], [], []
    for line, cells in table.rows:
        ends = []
        for c in ("a", "b"):
            v = table.cell(cells, c)
            if not v:
                problems.append(CsvProblem(file, line, label[c], "empty; a tie needs two ids"))
            elif v not in pos:
                problems.append(
                    CsvProblem(
                        file, line, label[c], f"no employee with id {v!r} in {employees_file}"
                    )
                )
            else:
                ends.append(pos[v])
        if len(ends) == 2 and ends[0] == ends[1]:
            problems.append(
                CsvProblem(file, line, None, f"a tie from {ids[ends[0]]!r} to themselves")
            )
        elif len(ends) == 2:
            a.append(ends[0])
            b.append(ends[1])
            lines.append(line)
    strength = np.full(len(a), np.nan)
    if "strength" in table.columns:
        row_of = {line: k for k, line in enumerate(lines)}
        for line, value in numbers(table, "strength", problems).items():
            if not 0 < value <= 1:
                problems.append(
                    CsvProblem(
                        file,
                        line,
                        label["strength"],
                        f"must be above 0 and at most 1 (got {value:g})",
                    )
                )
            elif line in row_of:
                strength[row_of[line]] = value
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise CsvError(problems)
    return (
        np.asarray(a, dtype=np.intp),
        np.asarray(b, dtype=np.intp),
        strength,
        data,
        file,
    )


def read_members(path: str | Path, roster: Roster) -> np.ndarray:
    """Positions of the employees a member list names, sorted; a repeated id counts once.

    Parameters
    ----------
    path : path
        A CSV file with an ``employee_id`` column.
    roster : Roster
        The organisation whose ids the list uses.

    Returns
    -------
    ndarray of int

    Raises
    ------
    CsvError
        The file is empty, lacks the column, or names someone not in the organisation.
    """
    problems: list[CsvProblem] = []
    table, _ = read_table(path, MEMBER_COLUMNS, problems)
    if table is None:
        raise CsvError(problems)
    if not table.rows:
        raise CsvError([CsvProblem(table.file, None, None, "has a header but lists nobody")])
    pos = roster.position()
    label = column_label(table, "employee_id")
    out = set()
    for line, cells in table.rows:
        v = table.cell(cells, "employee_id")
        if not v:
            problems.append(CsvProblem(table.file, line, label, "empty"))
        elif v not in pos:
            problems.append(
                CsvProblem(
                    table.file,
                    line,
                    label,
                    f"no employee with id {v!r} in {roster.employees_file}",
                )
            )
        else:
            out.add(pos[v])
    if problems:
        raise CsvError(problems)
    return np.asarray(sorted(out), dtype=np.intp)
