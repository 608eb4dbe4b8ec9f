"""Lenient reading of CSV tables as spreadsheets export them, every problem with its line.

A table is a file with a header row naming its columns (in any order, any case; other
columns, such as names, are ignored). What a spreadsheet export looks like is detected, not
configured:

- *Encoding*: UTF-8 with or without a byte-order mark; a file that is not valid UTF-8 is read
  as Windows-1252 (what older Excel versions write as "CSV"; a superset of Latin-1 for
  letters, so æ, ø and å come out right). Text that is not valid UTF-8 essentially never
  decodes as sensible UTF-8 by accident, so this order is reliable. UTF-16 with a byte-order
  mark (Excel's "Unicode text") is read too. An Excel workbook (``.xlsx``) is recognised and
  refused with a hint.
- *Separator*: ``;`` (Danish Excel), ``,`` or tab. Because every netsim file has a known
  header, the separator is the one that splits the header into the most known column names;
  a first line ``sep=;``, which Excel writes and reads, is honoured.
- *Numbers*: the decimal mark is detected per column: ``412,50`` and ``412.50`` both work; if
  a column mixes ``1.250,50`` style values, ``.`` is read as the thousands separator (and the
  other way round). Spaces inside numbers are dropped.

The rows are parsed with :mod:`csv` rather than :func:`pandas.read_csv` because every problem
is reported with the line it is on, and only the ``csv`` reader knows the physical line of a
record (blank lines and quoted line breaks included). Every problem found in a file is
collected and raised together as one :class:`CsvError`, one line per problem.

What the tables mean (employees, ties, member lists) is :mod:`netsim.scenario.roster`'s.
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

from netsim.errors import NetsimError
from netsim.scenario.files import MAX_CSV_BYTES, NotARegularFile, read_input

__all__ = [
    "MAX_SHOWN",
    "CsvError",
    "CsvProblem",
    "Table",
    "column_label",
    "digest",
    "norm",
    "numbers",
    "read_header",
    "read_table",
]

#: Problems shown by ``str(CsvError)``; the rest are counted.
MAX_SHOWN = 20

_SEPARATORS = (";", ",", "\t")
_SETTING = re.compile(r"\s*[A-Za-z_][A-Za-z0-9_.]*\s*=")
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

    ``str()`` is one line per problem, at most :data:`~netsim.scenario.tables.MAX_SHOWN`,
    then a count of the rest; the CLI prints each line after ``netsim: error:``.

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


# --------------------------------------------------------------------------- reading tables


def _display(path: str | Path) -> str:
    """The path as a user would recognise it: relative to the working directory if inside."""
    p = os.path.abspath(path)
    try:
        rel = os.path.relpath(p)
    except ValueError:  # another drive (Windows)
        return p
    return p if rel.startswith("..") else rel


def _short(cell: str) -> str:
    """A header cell as shown in a message: short, and never a ``KEY=VALUE`` setting (what an
    environment or configuration file holds, maybe a secret)."""
    if _SETTING.match(cell):
        return "'...=...'"
    text = repr(cell)
    return text if len(text) <= 40 else text[:37] + "..."


def norm(text: str) -> str:
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

    A header with no known name with any separator is refused whatever the separator, so
    then ``,`` is as good as any (and nothing is guessed from lines that may not be ours).
    """

    def score(sep: str) -> tuple[int, int]:
        cells = next(csv.reader([lines[0]], delimiter=sep), [])
        return sum(norm(c) in known for c in cells), len(cells)

    best = max(_SEPARATORS, key=score)
    return best if score(best)[0] > 0 else ","


@dataclass
class Table:
    file: str
    columns: dict[str, int]  # known column -> cell index
    names: dict[str, str]  # known column -> the header as written
    rows: list[tuple[int, list[str]]]  # (line, stripped cells)

    def cell(self, cells: list[str], column: str) -> str:
        k = self.columns.get(column)
        return cells[k] if k is not None and k < len(cells) else ""


def read_table(
    path: str | Path,
    columns: tuple[tuple[str, ...], tuple[str, ...]],
    problems: list[CsvProblem],
    aliases: Mapping[str, str] | None = None,
) -> tuple[Table | None, bytes]:
    """Header and rows of a CSV file; ``None`` (with problems added) if it cannot be read.

    ``aliases`` maps a column's name to the name the file gives it (a scenario's
    ``[organisation.columns]``); such a column is found by that name only.
    """
    file = _display(path)
    required, optional = columns
    aliases = dict(aliases or {})
    # The header name (compared casefolded) of each column -> the column.
    lookup = {c: c for c in (*required, *optional) if c not in aliases}
    lookup.update({norm(theirs): ours for ours, theirs in aliases.items()})
    try:
        data = read_input(path, MAX_CSV_BYTES)
    except FileNotFoundError:
        problems.append(CsvProblem(file, None, None, "file not found"))
        return None, b""
    except IsADirectoryError:
        problems.append(CsvProblem(file, None, None, "is a directory, not a CSV file"))
        return None, b""
    except NotARegularFile as exc:
        problems.append(CsvProblem(file, None, None, f"cannot read it: {exc.strerror}"))
        return None, b""
    except OSError as exc:
        problems.append(CsvProblem(file, None, None, f"cannot read it ({exc.strerror})"))
        return None, b""
    text = _decode(data, file, problems)
    if text is None:
        return None, data
    if "\x00" in text:
        problems.append(CsvProblem(file, None, None, "is not a text file (it has NUL bytes)"))
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
    known = set(lookup)
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
    table = Table(file, {}, {}, rows)
    found = [norm(h) for h in header]
    ok = True
    for k, written in enumerate(found):
        if written not in known:
            continue
        name = lookup[written]
        if name in table.columns:
            problems.append(
                CsvProblem(file, header_line, header[k], f"column {written!r} appears twice")
            )
            ok = False
        table.columns[name] = k
        table.names[name] = header[k]
    if not table.columns:
        # Not a table of ours (maybe not a CSV file at all): say nothing of what it holds.
        names = [aliases.get(c, c) for c in (*required, *optional)]
        problems.append(
            CsvProblem(
                file,
                header_line,
                None,
                f"no header row: the first row must name the columns "
                f"{', '.join(names[: len(required)])} (it names none of {', '.join(names)})"
                + _mapping_hint(required, aliases),
            )
        )
        return None, data
    shown = ", ".join(_short(h) for h in header[:8]) + (", ..." if len(header) > 8 else "")
    for name in required:
        if name not in table.columns:
            wanted = aliases.get(name, name)
            unused = [f for f in found if f not in known]
            close = difflib.get_close_matches(norm(wanted), unused, n=1)
            if name in aliases:
                what = f"missing column {wanted!r} (organisation.columns.{name})"
                hint_ = f"; is {close[0]!r} it?" if close else ""
            else:
                what = f"missing column {name!r}"
                hint_ = f"; is {close[0]!r} it? rename it" if close else ""
                hint_ += _mapping_hint((name,), aliases)
            problems.append(
                CsvProblem(file, header_line, None, f"{what} (the header has {shown}){hint_}")
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


def _mapping_hint(required: Sequence[str], aliases: Mapping[str, str]) -> str:
    """How to name a file's own columns, for the columns the file seems to lack."""
    if not aliases and required and required[0] == "id":  # an employees file
        return (
            "; if your file names them otherwise (Medarbejdernr, Afdeling, ...), say so in "
            'the scenario\'s [organisation.columns], e.g. id = "Medarbejdernr" '
            "(netsim init --employees FILE writes it)"
        )
    return ""


def read_header(path: str | Path, known: set[str]) -> list[str]:
    """The header row of a CSV file as written (cells stripped), for guessing which column
    is which; the separator is the one that splits it into the most ``known`` names
    (casefolded), as :func:`read_table` chooses it.

    Raises
    ------
    CsvError
        The file cannot be read, or holds no header row.
    """
    file = _display(path)
    problems: list[CsvProblem] = []
    try:
        data = read_input(path, MAX_CSV_BYTES)
    except FileNotFoundError:
        raise CsvError([CsvProblem(file, None, None, "file not found")]) from None
    except OSError as exc:
        raise CsvError([CsvProblem(file, None, None, f"cannot read it ({exc.strerror})")]) from None
    text = _decode(data, file, problems)
    if text is None:
        raise CsvError(problems)
    lines = [line for line in text.splitlines() if line.strip()]
    if lines and re.fullmatch(r"\s*sep=(.)\s*", lines[0]):
        sep, lines = lines[0].strip()[4], lines[1:]
    elif lines:
        sep = _separator(lines, known)
    if not lines or "\x00" in text:
        raise CsvError([CsvProblem(file, None, None, "has no header row")])
    return [c.strip() for c in next(csv.reader([lines[0]], delimiter=sep))]


def column_label(table: Table, column: str) -> str:
    return table.names.get(column, column)


def numbers(table: Table, column: str, problems: list[CsvProblem]) -> dict[int, float]:
    """Numbers of a column by line (empty cells left out), decimal mark detected.

    Examples
    --------
    >>> t = Table("x.csv", {"v": 0}, {"v": "v"},
    ...            [(2, ["412,50"]), (3, ["1.250,00"]), (4, [""]), (5, ["3"])])
    >>> numbers(t, "v", [])
    {2: 412.5, 3: 1250.0, 5: 3.0}
    >>> t.rows = [(2, ["0.75"]), (3, ["1,5"])]
    >>> problems = []
    >>> numbers(t, "v", problems), str(problems[0])  # doctest: +ELLIPSIS
    ({}, "x.csv: line 3, column 'v': mixes ',' and '.' as decimal marks (line 2: '0.75'...")
    """
    label = column_label(table, column)
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


def digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()
