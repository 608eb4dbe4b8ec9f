"""The result of one run, and writing it to a directory.

Every file is written atomically (to a temporary file in the same directory, then renamed),
so an interrupted write never leaves a half file behind.
"""

from __future__ import annotations

import json
import math
import os
import platform
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from netsim.scenario.schema import Scenario, scenario_to_toml

__all__ = ["RunResult", "atomic_write_text", "json_ready", "provenance"]


@dataclass(eq=False)
class RunResult:
    """One replication's outputs.

    Attributes
    ----------
    scenario : Scenario
        The resolved scenario that was run.
    seed : int
    summary : dict
        Flat, stable names (:data:`netsim.sim.metrics.SUMMARY_NAMES`).
    meetings : pandas.DataFrame
        One row per group meeting (:data:`netsim.sim.records.MEETING`).
    weekly : pandas.DataFrame
        One row per simulated week.
    employees : pandas.DataFrame
        One row per employee: role, department, membership, hours and cost.
    attendance : pandas.DataFrame or None
        With ``simulate(..., trace=True)``: one row per invited member per meeting.
    reviews : pandas.DataFrame or None
        The sponsor's reviews: per group and review the true and measured sponsor value per
        hour, the decision taken and the one the true value called for.
    knowledge : pandas.DataFrame or None
        Weekly mean knowledge by topic group (``week``, ``topics``, ``members``, ``others``):
        members of any network so far against everybody else.
    bridging : pandas.DataFrame or None
        The bridging ties at the end: ``a``, ``b`` (employee ids, ``a < b``), ``strength``.
    knowledge_by_employee : numpy.ndarray or None
        With ``trace=True``: (weeks, employees) mean knowledge on the sponsored topics.
    """

    scenario: Scenario
    seed: int
    summary: dict[str, Any]
    meetings: pd.DataFrame
    weekly: pd.DataFrame
    employees: pd.DataFrame
    attendance: pd.DataFrame | None = None
    reviews: pd.DataFrame | None = None
    knowledge: pd.DataFrame | None = None
    bridging: pd.DataFrame | None = None
    knowledge_by_employee: np.ndarray | None = None

    def write(self, out: str | Path, *, command: list[str] | None = None) -> Path:
        """Write ``summary.json``, ``meetings.csv``, ``weekly.csv``, ``employees.csv``,
        ``scenario.toml`` (resolved) and ``provenance.json`` into ``out`` (created)."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_text(
            out / "summary.json", json.dumps(json_ready(self.summary), indent=2) + "\n"
        )
        atomic_write_text(out / "meetings.csv", self.meetings.to_csv(index=False))
        atomic_write_text(out / "weekly.csv", self.weekly.to_csv(index=False))
        atomic_write_text(out / "employees.csv", self.employees.to_csv(index=False))
        if self.reviews is not None:
            atomic_write_text(out / "reviews.csv", self.reviews.to_csv(index=False))
        if self.knowledge is not None:
            atomic_write_text(out / "knowledge.csv", self.knowledge.to_csv(index=False))
        if self.bridging is not None:
            atomic_write_text(out / "bridging_ties.csv", self.bridging.to_csv(index=False))
        atomic_write_text(out / "scenario.toml", scenario_to_toml(self.scenario))
        prov = provenance(seed=self.seed, command=command)
        atomic_write_text(out / "provenance.json", json.dumps(prov, indent=2) + "\n")
        return out


def json_ready(summary: Mapping[Any, Any]) -> dict[str, Any]:
    """NaN (undefined, e.g. attendance of a run without meetings) becomes JSON null; numpy
    scalars become Python numbers."""
    out = {}
    for k, v in summary.items():
        if hasattr(v, "item"):
            v = v.item()
        out[str(k)] = None if isinstance(v, float) and math.isnan(v) else v
    return out


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never half."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o644)  # mkstemp makes it private (0600); results are meant to be shared
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def provenance(*, seed: int, command: list[str] | None = None) -> dict[str, Any]:
    """Versions and inputs needed to reproduce a run, and which kernels ran it (both give
    the same results; the compiled one is recorded with numba's version)."""
    from netsim.sim.kernels import backend

    kernels = backend()
    versions: dict[str, str | None] = {}
    packages = ["netsim", "numpy", "scipy", "simpy", "networkx", "pandas", "pydantic"]
    for pkg in packages + (["numba"] if kernels == "numba" else []):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    return {
        "seed": seed,
        "command": command if command is not None else sys.argv,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "kernels": kernels,
        "versions": versions,
    }
