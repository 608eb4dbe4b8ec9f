"""The result of one run: writing it to a directory, and reading it back, side by side.

Every file is written atomically (to a temporary file in the same directory, then renamed),
so an interrupted write never leaves a half file behind. Each table is written and read
through its row type (:mod:`netsim.sim.records`), so a run read back has the tables it was
written with, dtypes included.
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
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import tomli_w

from netsim.errors import NetsimError
from netsim.safe import csv_safe, json_strict
from netsim.scenario.load import scenario_to_toml
from netsim.scenario.schema import Scenario
from netsim.sim.graphs import GRAPH_FILES, TieGraphs
from netsim.sim.records import RECORDS, Record

if TYPE_CHECKING:
    import networkx as nx

    from netsim.sim.org import Org

__all__ = ["RunResult", "atomic_write_text", "json_ready", "provenance", "read_run"]

#: The tables of a run's directory: always there, or written when the result has them.
_ALWAYS = ("meetings", "weekly", "employees")
_OPTIONAL = ("reviews", "knowledge", "bridging")


@dataclass(eq=False)
class RunResult:
    """One replication's outputs.

    Attributes
    ----------
    scenario : Scenario
        The resolved scenario that was run.
    seed : int
    summary : dict
        Flat, stable names (:data:`netsim.sim.summary.SUMMARY_NAMES`).
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
    kernels : str or None
        The kernels that ran it (``"numpy"`` or ``"numba"``); None where unknown (a result
        built by hand, or read from a directory without ``provenance.json``).
    graphs : TieGraphs or None
        The tie graph at the start and at the end, as tables
        (:meth:`~netsim.sim.result.RunResult.graph` gives them as NetworkX graphs); None
        for a result built by hand, or read from a directory without
        the graph files.
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
    kernels: str | None = None
    graphs: TieGraphs | None = None

    def graph(self, which: str = "end") -> nx.Graph:
        """The tie graph at the ``"start"`` or the ``"end"`` of the run, as NetworkX builds it.

        Nodes are the employees (ids: the organisation's own, from an HR export or a graph,
        else the employee's number as text), with ``department``, ``unit``, ``role``,
        ``specialty`` (empty for none), ``isolated``, ``career``, ``hourly_cost_dkk``,
        ``networks`` (``;``-joined names of the networks they were ever a member of),
        ``member:NAME`` per network, ``hours_saved`` and ``hours_saved_on_goals`` (hours the
        networks saved them over the run; 0 at the start) and ``knowledge:TOPIC`` per topic
        at that time. Edges carry ``strength`` (and ``weight``, the same) and
        ``cross_department``; at the end also ``strength_start``, and whether a network
        ``formed`` or ``strengthened`` the tie, and whether it is ``bridging`` (formed across
        departments). A tie formed at a meeting is in the end graph if it counts (at least
        ``learning.tie_threshold``).

        Examples
        --------
        >>> import netsim, networkx as nx
        >>> sc = netsim.parse_scenario({"organisation": {"employees": 200}, "networks": {
        ...     "forum": {"purpose": "knowledge_sharing", "select": {"roles": ["leader"]},
        ...               "enrollment": "automatic", "participation": 0.9}}})
        >>> end = netsim.simulate(sc, seed=1, years=0.5).graph("end")
        >>> bridging = [e for e in end.edges(data="bridging") if e[2]]
        >>> len(bridging) > 0, end.nodes["0"]["role"]
        (True, 'executive')
        >>> brokers = nx.betweenness_centrality(end, weight=None)
        """
        if self.graphs is None:
            raise NetsimError(
                "this result has no tie graphs (it was built by hand, or read "
                "from a directory without graph_start.graphml)"
            )
        if which not in GRAPH_FILES:
            raise ValueError(f"which must be 'start' or 'end' (got {which!r})")
        return self.graphs.graph("start" if which == "start" else "end")

    def write(
        self, out: str | Path, *, command: list[str] | None = None, graphs: bool = True
    ) -> Path:
        """Write ``summary.json``, ``meetings.csv``, ``weekly.csv``, ``employees.csv``,
        ``reviews.csv``, ``knowledge.csv`` and ``bridging_ties.csv`` (where the result has
        them), ``graph_start.graphml`` and ``graph_end.graphml`` (the tie graphs, as
        :meth:`~netsim.sim.result.RunResult.graph` gives them; GraphML that Gephi opens),
        ``scenario.toml`` (resolved) and
        ``provenance.json`` into ``out`` (created). Nothing is written outside ``out``.
        ``graphs=False`` leaves the graphs out (a large organisation's take a while: about
        a minute at 45,000 employees).

        The JSON files are strict (an undefined value is ``null``); a text cell of a CSV file
        that starts like a spreadsheet formula (``=``, ``+``, ``-``, ``@``) gets a leading
        ``'`` (:func:`netsim.safe.csv_safe`).

        :meth:`read` reads them back."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out / "summary.json", json_strict(self.summary, indent=2) + "\n")
        for name in _ALWAYS + _OPTIONAL:
            frame = getattr(self, name)
            if frame is not None:
                # Text cells that a spreadsheet would run as formulas are neutralised.
                atomic_write_text(out / RECORDS[name].file, csv_safe(frame).to_csv(index=False))
        # A scenario given its graph in Python names no file: its start graph is what
        # scenario.toml can name, so it is written whatever ``graphs`` says.
        graphs = graphs or _given_graph(self.scenario)
        if graphs and self.graphs is not None:
            for path, text in self.graphs.write(out):
                atomic_write_text(path, text)
        written = self.graphs if graphs else None
        atomic_write_text(out / "scenario.toml", _scenario_toml(self.scenario, written))
        prov = provenance(seed=self.seed, command=command, kernels=self.kernels)
        prov["tables"] = "netsim"  # netsim's ids and unit numbers (netsim.read_run's mark)
        atomic_write_text(out / "provenance.json", json_strict(prov, indent=2) + "\n")
        return out

    @classmethod
    def read(cls, path: str | Path) -> RunResult:
        """A run written by :meth:`write` (or ``netsim run --out DIR``), read back.

        Every table :meth:`write` writes comes back as it was written, dtypes included;
        the summary's nulls (undefined values) come back as NaN; the graphs come back from
        their GraphML files. The decision trace and ``knowledge_by_employee`` are not
        written, so they are None.

        Raises
        ------
        NetsimError
            ``path`` is not a result directory, misses a file, or a file cannot be read.
        """
        return read_run(path)

    def organisation(self) -> Org:
        """The run's organisation, generated again from its scenario and seed (the same as
        the run's, to the bit). A run on an organisation passed to ``simulate(..., org=)``
        cannot be rebuilt so: keep that organisation instead."""
        from netsim.sim.org import build_organisation
        from netsim.sim.rng import Streams

        return build_organisation(self.scenario.organisation, rng=Streams(self.seed).organisation)


def read_run(path: str | Path, *, canonical: bool = False) -> RunResult:
    """:meth:`RunResult.read`: a run's directory read back. ``canonical``: its tables are
    netsim's whatever its scenario says (:func:`netsim.read_run`'s translated copy)."""
    from netsim.scenario.load import load_scenario

    d = Path(path)
    if not (d / "summary.json").is_file():
        raise NetsimError(f"{d}: not a netsim result directory (no summary.json)")
    if not canonical and written_for_planners(d):
        raise NetsimError(
            f"{d}: written by `netsim run --out` with an HR file's ids or in Excel's dialect; "
            "read it with netsim.read_run"
        )
    try:
        summary = json.loads((d / "summary.json").read_text(encoding="utf-8"))
        scenario = load_scenario(d / "scenario.toml")
        meetings, weekly, employees = (
            _read_table(RECORDS[name], d / RECORDS[name].file) for name in _ALWAYS
        )
        reviews, knowledge, bridging = (
            _read_table(RECORDS[name], d / RECORDS[name].file)
            if (d / RECORDS[name].file).is_file()
            else None
            for name in _OPTIONAL
        )
        graphs = _read_graphs(d)
        prov_file = d / "provenance.json"
        prov = json.loads(prov_file.read_text(encoding="utf-8")) if prov_file.is_file() else {}
    except FileNotFoundError as exc:
        raise NetsimError(
            f"{d}: incomplete result directory ({Path(exc.filename).name} is missing)"
        ) from None
    except (ValueError, OSError) as exc:
        raise NetsimError(f"{d}: cannot read the results ({exc})") from None
    return RunResult(
        scenario=scenario,
        seed=int(summary.get("seed", scenario.simulation.seed)),
        summary={k: math.nan if v is None else v for k, v in summary.items()},
        meetings=meetings,
        weekly=weekly,
        employees=employees,
        reviews=reviews,
        knowledge=knowledge,
        bridging=bridging,
        kernels=prov.get("kernels"),
        graphs=graphs,
    )


def _read_graphs(d: Path) -> TieGraphs | None:
    """The tie graphs of a run's directory, if it has them (read when first used)."""
    return TieGraphs.read(d) if (d / GRAPH_FILES["start"]).is_file() else None


def _given_graph(scenario: Scenario) -> bool:
    """Whether the scenario's organisation is a graph given in Python."""
    from netsim.scenario.graph import GraphRoster

    roster = scenario.organisation.roster
    return isinstance(roster, GraphRoster) and roster.from_object


def _scenario_toml(scenario: Scenario, graphs: TieGraphs | None) -> str:
    """The resolved scenario as TOML. A scenario given its graph in Python has no file to
    name: its ``scenario.toml`` names the start graph written beside it, which holds the
    same people, ties, career motives and starting knowledge."""
    if graphs is None or not _given_graph(scenario):
        return scenario_to_toml(scenario)
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["organisation"]["graph"] = GRAPH_FILES["start"]
    return tomli_w.dumps(data)


def written_for_planners(d: Path) -> bool:
    """Whether a run's directory has tables in Excel's dialect or an HR file's ids and unit
    names (:func:`netsim.study.export.write_run`), which :func:`netsim.read_run` reads and
    :meth:`RunResult.read` does not."""
    try:
        with open(d / RECORDS["employees"].file, "rb") as fh:
            if fh.read(3) == "\ufeff".encode():  # Excel's byte-order mark
                return True
        prov_file = d / "provenance.json"
        if prov_file.is_file():
            tables = json.loads(prov_file.read_text(encoding="utf-8")).get("tables")
            if tables is not None:  # written since the directories say which ids they hold
                return bool(tables == "organisation")
        # Older directories: netsim's units are numbers, an HR file's are names.
        units = pd.read_csv(d / RECORDS["employees"].file, dtype=str, usecols=["unit"])["unit"]
    except (OSError, ValueError, AttributeError):
        return False  # RunResult.read says what is missing or wrong
    return not bool(units.dropna().str.fullmatch(r"\d+").all())


def _read_table(record: Record, path: Path) -> pd.DataFrame:
    """One table written by :meth:`RunResult.write`, with its record's columns and dtypes.

    Every cell is read as text and converted here, so text stays text (an empty specialty,
    an id like ``007``) and every float is the one written.
    """
    try:
        text = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:  # a table without columns was written as an empty line
        return record.empty_frame()
    if text.empty and record.empty != "typed":
        return record.empty_frame()
    return record.frame({c: _parse(text[c].to_numpy(), record.dtype(c), c) for c in text.columns})


_KINDS = {"int64": "whole numbers", "float64": "numbers"}


def _parse(cells: np.ndarray, dtype: str, column: str) -> np.ndarray:
    if dtype in ("str", "object"):
        return cells.astype(object)
    if dtype == "bool":
        if not np.isin(cells, ["True", "False"]).all():
            raise ValueError(f"column {column}: not True or False")
        return cells == "True"
    try:
        if dtype == "float64":
            # pandas writes NaN as an empty cell.
            return np.where(cells == "", "nan", cells).astype(np.float64)
        return cells.astype(dtype)
    except ValueError:  # numpy's message quotes the cell: say where, not what
        raise ValueError(f"column {column}: not all {_KINDS.get(dtype, dtype)}") from None


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


def provenance(
    *, seed: int, command: list[str] | None = None, kernels: str | None = None
) -> dict[str, Any]:
    """Versions and inputs needed to reproduce a run, and which kernels ran it (both give
    the same results; the compiled one is recorded with numba's version). ``kernels``: the
    run's (``RunResult.kernels``); by default the process's
    (:func:`netsim.sim.kernels.backend`)."""
    from netsim.sim.kernels import backend

    kernels = backend() if kernels is None else kernels
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
