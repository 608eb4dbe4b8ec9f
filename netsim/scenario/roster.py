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

What a spreadsheet export looks like is detected, not configured:

- *Encoding*: UTF-8 with or without a byte-order mark; a file that is not valid UTF-8 is read
  as Windows-1252 (what older Excel versions write as "CSV"; a superset of Latin-1 for
  letters, so æ, ø and å come out right). Text that is not valid UTF-8 essentially never
  decodes as sensible UTF-8 by accident, so this order is reliable. UTF-16 with a byte-order
  mark (Excel's "Unicode text") is read too. An Excel workbook (``.xlsx``) is recognised and
  refused with a hint.
- *Separator*: ``;`` (Danish Excel), ``,`` or tab. Because every netsim file has a known
  header, the separator is the one that splits the header into the most known column names;
  :class:`csv.Sniffer` (over the first lines) decides only when that does not. A first line
  ``sep=;``, which Excel writes and reads, is honoured.
- *Numbers*: the decimal mark is detected per column: ``412,50`` and ``412.50`` both work; if
  a column mixes ``1.250,50`` style values, ``.`` is read as the thousands separator (and the
  other way round). Spaces inside numbers are dropped.
- *Roles*: the English role names, a few Danish titles (:data:`ROLE_WORDS`), and the
  scenario's ``role_map`` (job title -> role; ``"*"`` for every other title), all compared
  without regard to case.

The rows are parsed with :mod:`csv` rather than :func:`pandas.read_csv` because every problem
is reported with the line it is on, and only the ``csv`` reader knows the physical line of a
record (blank lines and quoted line breaks included). Every problem found in a file is
collected and raised together as one :class:`CsvError`, one line per problem.

Nothing here draws random numbers or builds the tie graph: :func:`read_roster` returns the
file's contents as arrays (a :class:`Roster`), and :func:`netsim.sim.org.build_organisation` turns
it into an :class:`~netsim.sim.org.Org`, generating the ties the file does not give.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import hashlib
import io
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from netsim.errors import NetsimError
from netsim.scenario.schema import ROLES

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

#: Problems shown by ``str(CsvError)``; the rest are counted.
MAX_SHOWN = 20

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
EMPLOYEE_COLUMNS = (("id", "department", "unit", "role"), ("specialty", "hourly_cost_dkk"))
TIE_COLUMNS = (("a", "b"), ("strength",))
MEMBER_COLUMNS = (("employee_id",), ())

_SEPARATORS = (";", ",", "\t")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class CsvProblem:
    """One problem in a CSV file: where it is and what is wrong.

    Examples
    --------
    >>> str(CsvProblem("ansatte.csv", 17, "role", "unknown role 'Pædagog'"))
    "ansatte.csv: line 17, column 'role': unknown role 'Pædagog'"
    >>> str(CsvProblem("ansatte.csv", None, None, "file is empty"))
    'ansatte.csv: file is empty'
    """

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"line {self.line}"] if self.line is not None else []
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return ": ".join([self.file, *([", ".join(where)] if where else []), self.message])


class CsvError(NetsimError):
    """One or more problems in CSV input files.

    ``str()`` is one line per problem, at most :data:`MAX_SHOWN`, then a count of the rest;
    the CLI prints each line after ``netsim: error:``.

    Attributes
    ----------
    problems : tuple of CsvProblem
        Every problem found, in file order.

    Examples
    --------
    >>> err = CsvError([CsvProblem("m.csv", k, "employee_id", "no such employee")
    ...                 for k in range(2, 25)])
    >>> lines = str(err).splitlines()
    >>> len(lines), lines[0], lines[-1]
    (21, "m.csv: line 2, column 'employee_id': no such employee", '... and 3 more problems')
    """

    def __init__(self, problems: Sequence[CsvProblem]) -> None:
        self.problems = tuple(problems)
        lines = [str(p) for p in self.problems[:MAX_SHOWN]]
        rest = len(self.problems) - MAX_SHOWN
        if rest > 0:
            lines.append(f"... and {rest} more problem{'s' if rest > 1 else ''}")
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[type, tuple[tuple[CsvProblem, ...]]]:
        return (type(self), (self.problems,))


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
        Index into :data:`netsim.scenario.schema.ROLES`.
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


# --------------------------------------------------------------------------- reading tables


def _display(path: str | Path) -> str:
    """The path as a user would recognise it: relative to the working directory if inside."""
    p = os.path.abspath(path)
    try:
        rel = os.path.relpath(p)
    except ValueError:  # another drive (Windows)
        return p
    return p if rel.startswith("..") else rel


def _norm(text: str) -> str:
    """Casefolded, with runs of whitespace made one space: how names and titles are compared."""
    return " ".join(text.split()).casefold()


def _decode(data: bytes, file: str, problems: list[CsvProblem]) -> str | None:
    if data.startswith(b"PK\x03\x04"):
        problems.append(
            CsvProblem(
                file,
                None,
                None,
                "is an Excel workbook, not a CSV file; in Excel use 'Save as' with the type "
                "'CSV UTF-8' (or 'CSV (semicolon separated)')",
            )
        )
        return None
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        problems.append(
            CsvProblem(file, None, None, "cannot read it: not UTF-8 or Windows-1252 text")
        )
        return None


def _separator(lines: list[str], known: set[str]) -> str:
    """The separator that splits the header into the most known column names.

    :class:`csv.Sniffer` alone guesses wrong on headers such as ``id;navn, fornavn;unit``
    (it prefers ``,`` when frequencies tie); it decides only when the header does not.
    """

    def score(sep: str) -> tuple[int, int]:
        cells = next(csv.reader([lines[0]], delimiter=sep), [])
        return sum(_norm(c) in known for c in cells), len(cells)

    best = max(_SEPARATORS, key=score)
    if score(best)[0] > 0:
        return best
    try:
        return csv.Sniffer().sniff("\n".join(lines[:20]), delimiters="".join(_SEPARATORS)).delimiter
    except csv.Error:
        return ","  # a single column: nothing to split


@dataclass
class _Table:
    file: str
    columns: dict[str, int]  # known column -> cell index
    names: dict[str, str]  # known column -> the header as written
    rows: list[tuple[int, list[str]]]  # (line, stripped cells)

    def cell(self, cells: list[str], column: str) -> str:
        k = self.columns.get(column)
        return cells[k] if k is not None and k < len(cells) else ""


def _read_table(
    path: str | Path,
    columns: tuple[tuple[str, ...], tuple[str, ...]],
    problems: list[CsvProblem],
) -> tuple[_Table | None, bytes]:
    """Header and rows of a CSV file; ``None`` (with problems added) if it cannot be read."""
    file = _display(path)
    required, optional = columns
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        problems.append(CsvProblem(file, None, None, "file not found"))
        return None, b""
    except IsADirectoryError:
        problems.append(CsvProblem(file, None, None, "is a directory, not a CSV file"))
        return None, b""
    except OSError as exc:
        problems.append(CsvProblem(file, None, None, f"cannot read it ({exc.strerror})"))
        return None, b""
    text = _decode(data, file, problems)
    if text is None:
        return None, data
    lines = text.splitlines()
    first = next((k for k, line in enumerate(lines) if line.strip()), None)
    if first is None:
        problems.append(CsvProblem(file, None, None, "file is empty (not even a header row)"))
        return None, data
    sep: str | None = None
    skip_through = 0  # physical line of Excel's "sep=;" line, which is not the header
    hint = re.fullmatch(r"\s*sep=(.)\s*", lines[first])
    if hint:
        sep, skip_through = hint.group(1), first + 1
    known = set(required) | set(optional)
    if sep is None:
        sep = _separator(lines[first:], known)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"')
    header: list[str] | None = None
    header_line = 0
    rows: list[tuple[int, list[str]]] = []
    end = 0  # last physical line of the previous record
    try:
        for record in reader:
            start, end = end + 1, reader.line_num
            cells = [c.strip() for c in record]
            if not any(cells):
                continue
            if start <= skip_through:
                continue
            if header is None:
                header, header_line = cells, start
                continue
            rows.append((start, cells))
    except csv.Error as exc:
        problems.append(CsvProblem(file, reader.line_num, None, f"cannot read the line ({exc})"))
        return None, data
    if header is None:
        problems.append(CsvProblem(file, None, None, "file is empty (not even a header row)"))
        return None, data
    table = _Table(file, {}, {}, rows)
    found = [_norm(h) for h in header]
    ok = True
    for k, name in enumerate(found):
        if name not in known:
            continue
        if name in table.columns:
            problems.append(
                CsvProblem(file, header_line, header[k], f"column {name!r} appears twice")
            )
            ok = False
        table.columns[name] = k
        table.names[name] = header[k]
    shown = ", ".join(repr(h) for h in header[:8]) + (", ..." if len(header) > 8 else "")
    if not table.columns:
        problems.append(
            CsvProblem(
                file,
                header_line,
                None,
                f"no header row: the first row must name the columns {', '.join(required)} "
                f"(it has {shown})",
            )
        )
        return None, data
    for name in required:
        if name not in table.columns:
            close = difflib.get_close_matches(name, [f for f in found if f not in known], n=1)
            hint_ = f"; is {close[0]!r} it? rename it" if close else ""
            problems.append(
                CsvProblem(
                    file,
                    header_line,
                    None,
                    f"missing column {name!r} (the header has {shown}){hint_}",
                )
            )
            ok = False
    width = len(header)
    for line, cells in rows:
        if len(cells) > width and any(cells[width:]):
            problems.append(
                CsvProblem(
                    file,
                    line,
                    None,
                    f"{len(cells)} values but the header has {width} columns (quote a value "
                    f"that contains {sep!r})",
                )
            )
            ok = False
    return (table if ok else None), data


def _column_label(table: _Table, column: str) -> str:
    return table.names.get(column, column)


def _numbers(table: _Table, column: str, problems: list[CsvProblem]) -> dict[int, float]:
    """Numbers of a column by line (empty cells left out), decimal mark detected.

    Examples
    --------
    >>> t = _Table("x.csv", {"v": 0}, {"v": "v"},
    ...            [(2, ["412,50"]), (3, ["1.250,00"]), (4, [""]), (5, ["3"])])
    >>> _numbers(t, "v", [])
    {2: 412.5, 3: 1250.0, 5: 3.0}
    >>> t.rows = [(2, ["0.75"]), (3, ["1,5"])]
    >>> problems = []
    >>> _numbers(t, "v", problems), str(problems[0])  # doctest: +ELLIPSIS
    ({}, "x.csv: line 3, column 'v': mixes ',' and '.' as decimal marks (line 2: '0.75'...")
    """
    label = _column_label(table, column)
    cells, written = [], {}
    for line, row in table.rows:
        text = table.cell(row, column)
        if text:
            cells.append((line, re.sub(r"[\s\u00a0\u202f]", "", text)))
            written[line] = text
    both = [(line, t) for line, t in cells if "," in t and "." in t]
    if both:
        decimal = "," if both[0][1].rfind(",") > both[0][1].rfind(".") else "."
    else:
        comma = next(((line, t) for line, t in cells if "," in t), None)
        point = next(((line, t) for line, t in cells if "." in t), None)
        if comma and point:
            (l1, t1), (l2, t2) = sorted([comma, point])
            problems.append(
                CsvProblem(
                    table.file,
                    l2,
                    label,
                    f"mixes ',' and '.' as decimal marks (line {l1}: {t1!r}, line {l2}: "
                    f"{t2!r}); use one decimal mark and no thousands separators",
                )
            )
            return {}
        decimal = "," if comma else "."
    thousands = "." if decimal == "," else ","
    grouped = re.compile(
        rf"[+-]?\d{{1,3}}({re.escape(thousands)}\d{{3}})+({re.escape(decimal)}\d*)?"
    )
    out: dict[int, float] = {}
    for line, t in cells:
        if thousands in t and grouped.fullmatch(t):
            t = t.replace(thousands, "")
        t = t.replace(decimal, ".")
        if not _NUMBER.fullmatch(t):
            problems.append(CsvProblem(table.file, line, label, f"not a number: {written[line]!r}"))
            continue
        out[line] = float(t)
    return out


# --------------------------------------------------------------------------- the files


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()


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
        Job title -> role (one of :data:`netsim.scenario.schema.ROLES`), compared without regard to
        case; it takes precedence over :data:`ROLE_WORDS`. The title ``"*"`` gives the role
        of every title that is neither in the map nor in :data:`ROLE_WORDS`.

    Returns
    -------
    Roster

    Raises
    ------
    CsvError
        Every problem found in the employees file (then the ties file is not read, since its
        ids cannot be checked), or else every problem in the ties file.
    """
    roles = {_norm(k): v for k, v in (role_map or {}).items()}
    fallback = roles.get("*")
    problems: list[CsvProblem] = []
    table, emp_bytes = _read_table(employees_csv, EMPLOYEE_COLUMNS, problems)
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
    label = {c: _column_label(table, c) for c in (*EMPLOYEE_COLUMNS[0], *EMPLOYEE_COLUMNS[1])}
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
        role = roles.get(_norm(title)) or ROLE_WORDS.get(_norm(title))
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
        for line, value in _numbers(table, "hourly_cost_dkk", problems).items():
            if value < 0:
                problems.append(
                    CsvProblem(
                        file,
                        line,
                        label["hourly_cost_dkk"],
                        f"must be zero or more (got {value:g})",
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
        digest=_digest(emp_bytes, ties_bytes, role_bytes),
    )


def _read_ties(
    path: str | Path, ids: list[str], employees_file: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, bytes, str]:
    problems: list[CsvProblem] = []
    table, data = _read_table(path, TIE_COLUMNS, problems)
    if table is None:
        raise CsvError(problems)
    file = table.file
    pos = {e: k for k, e in enumerate(ids)}
    label = {c: _column_label(table, c) for c in ("a", "b", "strength")}
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
        for line, value in _numbers(table, "strength", problems).items():
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
    table, _ = _read_table(path, MEMBER_COLUMNS, problems)
    if table is None:
        raise CsvError(problems)
    if not table.rows:
        raise CsvError([CsvProblem(table.file, None, None, "has a header but lists nobody")])
    pos = roster.position()
    label = _column_label(table, "employee_id")
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
