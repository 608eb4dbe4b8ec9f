"""Results written out for people and their tools, and read back: a sweep's database, and
the directory of ``netsim run --out``.

Reading never writes: a database on a read-only mount, or one a running sweep is writing to,
can be read. What is written is strict JSON (no ``NaN`` or ``Infinity``) and CSV whose text
cells a spreadsheet will not run as formulas (:mod:`netsim.safe`), in one of two dialects
(:data:`~netsim.safe.CSV_DIALECTS`): ``plain`` (``,`` between values, ``.`` as the decimal
mark, UTF-8) for programs, and ``excel-da`` for Danish Excel (``;``, decimal comma, UTF-8 with a
byte-order mark), the format netsim's own CSV reader takes (:mod:`netsim.scenario.tables`).

Where the organisation came from an HR file, a run's tables name people and units as the
organisation does: ``employees.csv`` has the file's ids in ``id`` (and ``employee_id``) and
the unit names in ``unit``, ``bridging_ties.csv`` the file's ids in ``a`` and ``b``.
:func:`read_run` reads either dialect and either kind of id back into the
:class:`~netsim.sim.result.RunResult` that was written.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from pydantic import ValidationError

from netsim.errors import NetsimError
from netsim.safe import CSV_DIALECTS, csv_safe, json_strict
from netsim.sim.graphs import TieGraphs
from netsim.sim.records import RECORDS
from netsim.sim.result import RunResult, atomic_write_text, written_for_planners
from netsim.sim.result import read_run as read_canonical
from netsim.study.experiment import Experiment
from netsim.study.store import ResultStore, one_line

__all__ = [
    "CSV_DIALECTS",
    "SHARE_OUTCOMES",
    "SweepResults",
    "bounded_shares",
    "check_out",
    "csv_text",
    "read_run",
    "read_sweep",
    "results_csv",
    "results_json",
    "whole_numbers",
    "write_out",
    "write_run",
]

#: Summary measures that are shares of people or meetings, between 0 and 1.
SHARE_OUTCOMES: frozenset[str] = frozenset(
    {"share_worth_it", "attendance_first_quarter", "attendance_last_quarter", "problem_time_share"}
)

_BOM = "\ufeff"
#: The tables of a run's directory, by their attribute on RunResult.
_RUN_TABLES = ("meetings", "weekly", "employees", "reviews", "knowledge", "bridging")


class SweepResults(NamedTuple):
    """What a sweep's database holds: its experiment, finished rows and failed tasks."""

    spec: Experiment
    frame: pd.DataFrame
    failures: pd.DataFrame


def read_sweep(path: str | Path) -> SweepResults:
    """Read a sweep's database without writing to it (or next to it).

    Parameters
    ----------
    path : path-like

    Returns
    -------
    SweepResults

    Raises
    ------
    NetsimError
        One line naming the file: missing, not a netsim sweep database, damaged, locked,
        or without finished tasks.
    """
    p = Path(path)
    name = one_line(str(p))
    with ResultStore(p, readonly=True) as store:
        spec_data = store.get_meta("spec")
        if spec_data is None:
            raise NetsimError(f"{name}: not a netsim sweep database (no experiment recorded)")
        try:
            spec = Experiment.model_validate(spec_data)
        except (ValidationError, TypeError):
            raise NetsimError(
                f"{name}: not a netsim sweep database (its experiment record is not valid)"
            ) from None
        frame = store.frame()
        failures = store.failures()
    if frame.empty:
        raise NetsimError(f"{name}: no finished tasks yet")
    return SweepResults(spec, frame, failures)


def csv_text(frame: pd.DataFrame, dialect: str = "plain") -> str:
    """``frame`` as CSV text in ``dialect`` (:data:`~netsim.safe.CSV_DIALECTS`), every text cell
    neutralised (:func:`netsim.safe.csv_safe`).

    Examples
    --------
    >>> df = pd.DataFrame({"name": ["=cmd", "Åskolen"], "hours": [2.5, 10.0]})
    >>> print(csv_text(df), end="")
    name,hours
    '=cmd,2.5
    Åskolen,10.0
    >>> csv_text(df, "excel-da").splitlines()
    ['\ufeffname;hours', "'=cmd;2,5", 'Åskolen;10,0']
    """
    if dialect not in CSV_DIALECTS:
        raise NetsimError(f"--csv-dialect: must be one of {', '.join(CSV_DIALECTS)}")
    safe = csv_safe(frame)
    if dialect == "plain":
        return safe.to_csv(index=False)
    return _BOM + safe.to_csv(index=False, sep=";", decimal=",")


def results_csv(
    table: pd.DataFrame, indices: pd.DataFrame | None = None, *, dialect: str = "plain"
) -> str:
    """The per-point table (and the sensitivity indices after a blank line) as CSV in
    ``dialect``, every text cell neutralised (:func:`netsim.safe.csv_safe`)."""
    text = csv_text(table, dialect)
    if indices is not None:
        text += "\n" + csv_text(indices, dialect).removeprefix(_BOM)
    return text


def whole_numbers(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with ``point``, ``n`` and every ``param:`` column whose values are all
    whole numbers as integers (a grid of ``[2, 4]`` weeks read back as floats is 2 and 4
    again, not 2.0 and 4.0).

    Examples
    --------
    >>> t = pd.DataFrame({"point": [0.0, 1.0], "param:a": [2.0, 4.0], "param:b": [0.5, 1.0]})
    >>> whole_numbers(t).dtypes.astype(str).tolist()
    ['int64', 'int64', 'float64']
    """
    out = table.copy()
    for column in out.columns:
        if column not in ("point", "n") and not str(column).startswith("param:"):
            continue
        x = out[column]
        if x.dtype.kind == "f" and x.notna().all() and (x == x.round()).all():
            out[column] = x.astype("int64")
    return out


def bounded_shares(
    table: pd.DataFrame, frame: pd.DataFrame, outcomes: list[str], *, resamples: int = 9999
) -> pd.DataFrame:
    """``table`` (:func:`netsim.study.analysis.summarise` of ``frame``) with the 95 % CIs of
    the shares (:data:`SHARE_OUTCOMES`) made percentile bootstrap intervals of the mean
    (:func:`scipy.stats.bootstrap`), which stay inside [0, 1] as a share does; a t interval
    of a few replications' shares can reach below 0 or above 1.

    The resampling is seeded by the point, so the same sweep gives the same intervals.
    Where every replication agrees the interval is that value; with one replication there
    is none (NaN), as for the t intervals.
    """
    from scipy import stats

    shares = [o for o in outcomes if o in SHARE_OUTCOMES]
    if not shares or table.empty:
        return table
    out = table.copy()
    groups = dict(list(frame.groupby("point", sort=True)))
    for i, row in out.iterrows():
        part = groups[row["point"]]
        for k, name in enumerate(shares):
            x = part[name].astype(float).to_numpy()
            x = x[np.isfinite(x)]
            if x.size < 2:
                lo = hi = math.nan
            elif np.all(x == x[0]):
                lo = hi = float(x[0])
            else:
                ci = stats.bootstrap(
                    (x,),
                    np.mean,
                    confidence_level=0.95,
                    n_resamples=resamples,
                    method="percentile",
                    rng=np.random.default_rng([int(row["point"]), k]),
                ).confidence_interval
                lo, hi = float(ci.low), float(ci.high)
            out.at[i, f"{name}_ci_low"] = lo
            out.at[i, f"{name}_ci_high"] = hi
    return out


def results_json(
    spec: Experiment,
    table: pd.DataFrame,
    failures: pd.DataFrame,
    indices: pd.DataFrame | None = None,
) -> str:
    """The results as strict JSON: an undefined value (NaN) is ``null``."""
    data: dict[str, Any] = {
        "experiment": spec.name,
        "design": spec.design,
        "points": table.to_dict(orient="records"),
        "failed": failures.to_dict(orient="records"),
    }
    if indices is not None:
        data["indices"] = indices.to_dict(orient="records")
    return json_strict(data, indent=2) + "\n"


def check_out(path: Path) -> None:
    """Refuse an output path that cannot be a file written there, before computing anything.

    Raises
    ------
    NetsimError
        ``path`` is a directory, or its directory does not exist.
    """
    name = one_line(str(path))
    if path.is_dir():
        raise NetsimError(f"{name}: is a directory; --out takes a file name")
    parent = path.parent
    if not parent.is_dir():
        raise NetsimError(
            f"{name}: the directory {one_line(str(parent))} does not exist; create it first"
        )


def write_out(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all.

    Raises
    ------
    NetsimError
        The path is not writable (see :func:`check_out`, and permissions, a full disk).
    """
    check_out(path)
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise NetsimError(
            f"{one_line(str(path))}: cannot write the results ({exc.strerror})"
        ) from None


# ------------------------------------------------------------------ a run's directory


def _planner_tables(result: RunResult) -> dict[str, pd.DataFrame]:
    """The run's tables with people and units named as the organisation names them."""
    roster = result.scenario.organisation.roster
    tables = {n: getattr(result, n) for n in _RUN_TABLES if getattr(result, n) is not None}
    if roster is None:
        return tables
    ids = np.asarray(roster.ids, dtype=object)
    units = np.asarray([unit for _, unit in roster.unit_names], dtype=object)
    emp = tables["employees"].copy()
    emp["id"] = ids[emp["id"].to_numpy(int)]
    emp["unit"] = units[emp["unit"].to_numpy(int)]
    tables["employees"] = emp
    if "bridging" in tables and not tables["bridging"].empty:
        ties = tables["bridging"].copy()
        ties["a"] = ids[ties["a"].to_numpy(int)]
        ties["b"] = ids[ties["b"].to_numpy(int)]
        tables["bridging"] = ties
    return tables


def write_run(
    result: RunResult,
    out: str | Path,
    *,
    command: list[str] | None = None,
    dialect: str = "plain",
    graphs: bool = True,
) -> Path:
    """Write a run's directory (``netsim run --out``):
    :meth:`~netsim.sim.result.RunResult.write`'s files,
    with the CSV tables in ``dialect`` and, where the organisation came from an HR file,
    its ids and unit names.

    Parameters
    ----------
    result : RunResult
    out : path-like
        The directory (created).
    command : list of str, optional
        The command line, for ``provenance.json``.
    dialect : {"plain", "excel-da"}
    graphs : bool
        Also the tie graphs (:meth:`~netsim.sim.result.RunResult.write`).

    Returns
    -------
    Path
        ``out``. :func:`read_run` reads it back.
    """
    if dialect not in CSV_DIALECTS:
        raise NetsimError(f"--csv-dialect: must be one of {', '.join(CSV_DIALECTS)}")
    path = result.write(out, command=command, graphs=graphs)
    if result.scenario.organisation.roster is None and dialect == "plain":
        return path  # RunResult.write's files are already these
    for name, frame in _planner_tables(result).items():
        atomic_write_text(path / RECORDS[name].file, csv_text(frame, dialect))
    if result.scenario.organisation.roster is not None:
        prov_file = path / "provenance.json"
        prov = json.loads(prov_file.read_text(encoding="utf-8"))
        prov["tables"] = "organisation"  # the HR file's ids and unit names
        atomic_write_text(prov_file, json_strict(prov, indent=2) + "\n")
    return path


def read_run(path: str | Path) -> RunResult:
    """A run's directory read back, whoever wrote it (``netsim run --out``,
    :func:`~netsim.study.export.write_run`,
    :meth:`RunResult.write <netsim.sim.result.RunResult.write>`), in either CSV dialect,
    with an HR file's ids and unit names turned back into netsim's.

    Raises
    ------
    NetsimError
        ``path`` is not a result directory, misses a file, or a file cannot be read.
    """
    d = Path(path)
    if not written_for_planners(d):
        return RunResult.read(d)
    with tempfile.TemporaryDirectory(prefix="netsim-run-") as tmp:
        copy = Path(tmp) / "run"
        try:
            shutil.copytree(d, copy)
            frames = {n: _read_any(copy / RECORDS[n].file) for n in _RUN_TABLES}
            _netsim_ids(frames)
            for name, frame in frames.items():
                if frame is not None:
                    (copy / RECORDS[name].file).write_text(
                        _canonical(name, frame), encoding="utf-8"
                    )
        except (OSError, ValueError, KeyError) as exc:
            raise NetsimError(f"{d}: cannot read the results ({exc})") from None
        result = read_canonical(copy, canonical=True)
    if result.graphs is not None:
        # The graphs are parsed when first used, and the copy is gone by then; the graph
        # files need no translation (their node ids are the HR file's already).
        result.graphs = TieGraphs.read(d)
    return result


def _read_any(path: Path) -> pd.DataFrame | None:
    """A table of either dialect, every cell as text; a file without columns is empty."""
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    excel = text.startswith(_BOM)
    try:
        frame = pd.read_csv(
            path,
            sep=";" if excel else ",",
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",
        )
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    frame.attrs["excel"] = excel
    return frame


def _netsim_ids(frames: dict[str, pd.DataFrame | None]) -> None:
    """Employees' ids and units back to netsim's positions and unit numbers: positions are
    the rows' order, units numbered in order of first appearance, as the roster numbers
    them."""
    emp = frames["employees"]
    if emp is None or emp.empty or emp["id"].equals(pd.Series(map(str, range(len(emp))))):
        return
    position = {e: k for k, e in enumerate(emp["id"])}
    units: dict[tuple[str, str], int] = {}
    pairs = zip(emp["department"], emp["unit"], strict=True)
    numbers = [units.setdefault((d, u), len(units)) for d, u in pairs]
    emp["id"] = [str(k) for k in range(len(emp))]
    emp["unit"] = [str(k) for k in numbers]
    ties = frames["bridging"]
    if ties is not None and not ties.empty:
        ties["a"] = [str(position[e]) for e in ties["a"]]
        ties["b"] = [str(position[e]) for e in ties["b"]]


def _canonical(name: str, frame: pd.DataFrame) -> str:
    """A table as :meth:`~netsim.sim.result.RunResult.write` writes it: ``,`` between
    values, ``.`` decimals."""
    if frame.empty and not len(frame.columns):
        return "\n"
    frame = frame.copy()
    record = RECORDS[name]
    if frame.attrs.get("excel"):
        for column in frame.columns:
            if record.dtype(column) == "float64":
                frame[column] = frame[column].str.replace(",", ".", regex=False)
    return frame.to_csv(index=False)
