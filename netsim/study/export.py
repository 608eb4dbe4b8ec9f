"""A finished (or stopped) sweep, read back and written out for people and their tools.

Reading never writes: a database on a read-only mount, or one a running sweep is writing to,
can be read. What is written is strict JSON (no ``NaN`` or ``Infinity``) and CSV whose text
cells a spreadsheet will not run as formulas (:mod:`netsim.safe`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
from pydantic import ValidationError

from netsim.errors import NetsimError
from netsim.safe import csv_safe, json_strict
from netsim.sim.result import atomic_write_text
from netsim.study.experiment import Experiment
from netsim.study.store import ResultStore, one_line

__all__ = ["SweepResults", "check_out", "read_sweep", "results_csv", "results_json", "write_out"]


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


def results_csv(table: pd.DataFrame, indices: pd.DataFrame | None = None) -> str:
    """The per-point table (and the sensitivity indices after a blank line) as CSV, every
    text cell neutralised (:func:`netsim.safe.csv_safe`)."""
    text = csv_safe(table).to_csv(index=False)
    if indices is not None:
        text += "\n" + csv_safe(indices).to_csv(index=False)
    return text


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
