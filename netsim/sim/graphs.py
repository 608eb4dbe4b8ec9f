"""The tie graph at the start and at the end of a run, as NetworkX graphs and as GraphML.

A run keeps, per employee, who they are, the networks they were members of, their knowledge
at the start and at the end and the hours the networks saved them; and, per pair of
employees, the strength of their tie at the start and at the end. From these
:class:`TieGraphs` gives both graphs:

- **start**: every informal tie the organisation began with;
- **end**: those ties, and every tie a network formed that counts (at least
  ``learning.tie_threshold``), each saying whether a network *formed* it, *strengthened* it
  (its strength is above where it started), and whether it is *bridging* (formed across
  departments: the alliances the model values).

Both carry only scalar attributes (text, numbers, booleans; no ``None``, no lists), so they
are GraphML that Gephi opens: memberships are a ``;``-joined ``networks`` and one
``member:NAME`` boolean per network. The node ids are the employees' ids (the HR export's,
or the graph's, where the organisation came from files; else the employee's number).
The start graph holds everything a graph organisation reads (:mod:`netsim.scenario.graph`),
career motives and starting knowledge on every topic included, so a run on it (with the same
scenario and seed) is the run it came from, to the bit.
"""

from __future__ import annotations

import functools
import io
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import networkx as nx
import numpy as np
import pandas as pd

from netsim.errors import NetsimError
from netsim.scenario.schema import ROLES

if TYPE_CHECKING:
    from netsim.scenario.schema import Scenario
    from netsim.sim.org import Org
    from netsim.sim.state import State

__all__ = ["GRAPH_FILES", "TieGraphs", "tie_graphs"]

#: The files a run's directory holds the two graphs in.
GRAPH_FILES = {"start": "graph_start.graphml", "end": "graph_end.graphml"}

# The node attributes that are the same in both graphs, in order.
_PEOPLE = (
    "index",
    "department",
    "unit",
    "role",
    "specialty",
    "isolated",
    "career",
    "hourly_cost_dkk",
    "networks",
)
_END_EDGE = ("strength_start", "formed", "strengthened", "bridging")


class TieGraphs:
    """The start and end tie graphs of a run, as tables; :meth:`graph` builds either.

    Read back from a run's directory (:meth:`read`), the tables are read from the GraphML
    files when first used: parsing a large organisation's graphs takes a while, and a reader
    that wants only the run's tables (the figures) does not pay for it.

    Attributes
    ----------
    nodes : pandas.DataFrame
        One row per employee, in employee order: ``node`` (the graph's node id),
        ``index`` (the employee's number), ``department``, ``unit``, ``role``,
        ``specialty`` (empty for none), ``isolated``, ``career``, ``hourly_cost_dkk``,
        ``networks`` (``;``-joined names of the networks they were ever a member of),
        ``member:NAME`` per network, ``hours_saved`` and ``hours_saved_on_goals`` (hours the
        networks saved them over the run: on all topics, and on the sponsored networks'),
        ``knowledge_start:TOPIC`` and ``knowledge_end:TOPIC`` per topic.
    ties : pandas.DataFrame
        One row per pair ``a < b`` (employee numbers) with a tie at the start or a tie that
        counts at the end: ``strength_start`` (0 if none), ``strength_end`` (0 if none at the
        end), ``cross_department``, ``formed``, ``strengthened``, ``bridging``.
    meta : dict of str to str
        The graphs' attributes: ``departments`` and ``specialties`` (JSON lists, in the
        organisation's order), ``scenario`` and ``seed``.
    """

    def __init__(self, nodes: pd.DataFrame, ties: pd.DataFrame, meta: dict[str, str]) -> None:
        self._tables: tuple[pd.DataFrame, pd.DataFrame, dict[str, str]] | None = (
            nodes,
            ties,
            meta,
        )
        self._directory: Path | None = None
        self._build: Callable[[], tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]] | None = None

    def _loaded(self) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
        if self._tables is None:
            if self._build is not None:
                self._tables, self._build = self._build(), None
            else:
                assert self._directory is not None
                self._tables = _read_tables(self._directory)
        return self._tables

    @property
    def nodes(self) -> pd.DataFrame:
        """One row per employee (see the class)."""
        return self._loaded()[0]

    @property
    def ties(self) -> pd.DataFrame:
        """One row per tie at the start or at the end (see the class)."""
        return self._loaded()[1]

    @property
    def meta(self) -> dict[str, str]:
        """The graphs' attributes (see the class)."""
        return self._loaded()[2]

    def graph(self, which: Literal["start", "end"] = "end") -> nx.Graph:
        """The tie graph at the ``"start"`` or the ``"end"`` of the run.

        Nodes carry the columns of :attr:`nodes` (knowledge as ``knowledge:TOPIC``, at that
        time; hours saved are 0 at the start); edges carry ``strength`` (and ``weight``, the
        same number under NetworkX's and Gephi's name) and ``cross_department``, and at the
        end ``strength_start``, ``formed``, ``strengthened`` and ``bridging``.
        """
        if which not in GRAPH_FILES:
            raise ValueError(f"which must be 'start' or 'end' (got {which!r})")
        g = nx.Graph(**self.meta, state=which)
        nodes = self.nodes
        columns = [c for c in nodes.columns if c != "node"]
        drop = "knowledge_end:" if which == "start" else "knowledge_start:"
        keep = "knowledge_start:" if which == "start" else "knowledge_end:"
        names = {
            c: "knowledge:" + c.removeprefix(keep) if c.startswith(keep) else c for c in columns
        }
        columns = [c for c in columns if not c.startswith(drop)]
        values = {c: nodes[c].tolist() for c in columns}
        if which == "start":
            for c in ("hours_saved", "hours_saved_on_goals"):
                values[c] = [0.0] * len(nodes)
        for k, node in enumerate(nodes["node"].tolist()):
            g.add_node(node, **{names[c]: values[c][k] for c in columns})
        ties = self.ties
        strength = ties["strength_start" if which == "start" else "strength_end"].to_numpy()
        present = ties["strength_start"].to_numpy() > 0
        if which == "end":
            present = present | (strength > 0)
        rows = np.flatnonzero(present)
        ids = nodes["node"].tolist()
        a, b = ties["a"].to_numpy()[rows], ties["b"].to_numpy()[rows]
        cross = ties["cross_department"].to_numpy()[rows]
        extra = {c: ties[c].to_numpy()[rows] for c in _END_EDGE} if which == "end" else {}
        for k in range(rows.size):
            attrs = {"strength": float(strength[rows[k]]), "weight": float(strength[rows[k]])}
            attrs["cross_department"] = bool(cross[k])
            for c, v in extra.items():
                attrs[c] = float(v[k]) if c == "strength_start" else bool(v[k])
            g.add_edge(ids[int(a[k])], ids[int(b[k])], **attrs)
        return g

    def write(self, directory: Path) -> list[tuple[Path, str]]:
        """Both graphs as GraphML text, with the file each goes to in ``directory``. Text
        that XML cannot hold (control characters a scenario's name or an HR file may carry)
        is written as U+FFFD."""
        out = []
        for which in ("start", "end"):
            buffer = io.BytesIO()
            # NetworkX writes with lxml (a dependency): twice as fast as the standard library.
            nx.write_graphml(_xml_safe(self.graph(which)), buffer)
            out.append((directory / GRAPH_FILES[which], buffer.getvalue().decode("utf-8")))
        return out

    @classmethod
    def read(cls, directory: Path) -> TieGraphs:
        """The graphs :meth:`write` wrote into ``directory``, read when first used.

        Reading raises :class:`~netsim.errors.NetsimError` if a graph file is missing or is
        not one netsim wrote."""
        out = cls.__new__(cls)
        out._tables, out._directory, out._build = None, Path(directory), None
        return out


def _parse(directory: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """The tables of the graphs :meth:`TieGraphs.write` wrote, as they were."""
    start = nx.read_graphml(directory / GRAPH_FILES["start"], node_type=str)
    end = nx.read_graphml(directory / GRAPH_FILES["end"], node_type=str)
    if list(start) != list(end):
        raise ValueError("the start and end graphs have different nodes")
    ids = list(start)
    people = [dict(start.nodes[v]) for v in ids]
    ended = [dict(end.nodes[v]) for v in ids]
    first = people[0] if people else {}
    columns: dict[str, list[object]] = {"node": ids}
    for c in first:
        if c.startswith("knowledge:"):
            continue
        source = ended if c.startswith("hours_saved") else people
        columns[c] = [p[c] for p in source]
    for prefix, source in (("knowledge_start:", people), ("knowledge_end:", ended)):
        for c in first:
            if c.startswith("knowledge:"):
                columns[prefix + c.removeprefix("knowledge:")] = [p[c] for p in source]
    pos = {v: k for k, v in enumerate(ids)}
    keys = ("strength_start", "strength", "cross_department", *_END_EDGE[1:])
    edges = [(*sorted((pos[u], pos[v])), *(e[c] for c in keys)) for u, v, e in end.edges(data=True)]
    data = list(zip(*edges, strict=True)) if edges else [()] * len(_TIES)
    ties = _frame({c: np.asarray(v, dtype=_TIES[c]) for c, v in zip(_TIES, data, strict=True)})
    ties = ties.sort_values(["a", "b"], kind="stable", ignore_index=True)
    # NetworkX's reader adds its own defaults to the graph's attributes.
    ours = set(start.graph) - {"state", "node_default", "edge_default"}
    meta = {k: str(v) for k, v in start.graph.items() if k in ours}
    return _frame({c: _array(v) for c, v in columns.items()}), ties, meta


def _read_tables(directory: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """:func:`_parse`, every problem a one-line :class:`~netsim.errors.NetsimError`."""
    import xml.etree.ElementTree as ET

    try:
        return _parse(directory)
    except FileNotFoundError as exc:
        raise NetsimError(
            f"{directory}: incomplete result directory ({Path(exc.filename).name} is missing)"
        ) from None
    except (nx.NetworkXError, ET.ParseError, KeyError, TypeError, IndexError, ValueError) as exc:
        # What is wrong inside a file may quote it: name the kind of problem only.
        raise NetsimError(
            f"{directory}: a graph file is not one netsim wrote ({type(exc).__name__})"
        ) from None


#: The columns of :attr:`TieGraphs.ties` and their dtypes.
_TIES = {
    "a": "int64",
    "b": "int64",
    "strength_start": "float64",
    "strength_end": "float64",
    "cross_department": "bool",
    "formed": "bool",
    "strengthened": "bool",
    "bridging": "bool",
}


def _array(values: list[object]) -> np.ndarray:
    """Values read from GraphML as the array they were written from (text stays text)."""
    kinds = {type(x) for x in values}
    for kind, dtype in ((bool, bool), (float, np.float64), (int, np.int64)):
        if kinds == {kind}:
            return np.asarray(values, dtype=dtype)
    return np.asarray(values, dtype=object)


def _frame(columns: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """A table of typed columns; text is kept as Python objects (as written and read)."""
    return pd.DataFrame({c: pd.Series(v, dtype=v.dtype) for c, v in columns.items()})


def tie_graphs(state: State) -> TieGraphs:
    """The start and end tie graphs of a finished run's state, made into tables when first
    used: at 45,000 employees the tables take about 90 MB, which a run whose graphs nobody
    asks for (a sweep's, a benchmark's) need not hold. What they are made from is taken now
    (the arrays themselves; the run no longer changes them)."""
    org, sc = state.org, state.scenario
    names = list(sc.networks)
    member = np.zeros((len(names), org.n), dtype=bool)
    for batch in state.batches:
        member[names.index(batch.name), batch.idx[batch.ever]] = True
    build = functools.partial(
        _tables_of,
        org,
        sc,
        names,
        member,
        state.account.saved.astype(np.float64),
        state.account.saved_goal.astype(np.float64),
        state.knowledge,
        (state.w, state.w0, state.indptr, state.indices),
    )
    out = TieGraphs.__new__(TieGraphs)
    out._tables, out._directory, out._build = None, None, build
    return out


def _tables_of(
    org: Org,
    sc: Scenario,
    names: list[str],
    member: np.ndarray,
    saved: np.ndarray,
    saved_goal: np.ndarray,
    knowledge: np.ndarray,
    ties_csr: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """The tables of :class:`TieGraphs` from what :func:`tie_graphs` took of a run."""
    n = org.n
    ids = org.employee_ids if org.employee_ids is not None else [str(k) for k in range(n)]
    spec = np.asarray([*org.specialties, ""], dtype=object)
    unit = (
        np.asarray(org.unit_names, dtype=object)[org.unit]
        if org.unit_names is not None
        else org.unit.astype(np.int64)
    )
    joined = [";".join(nm for j, nm in enumerate(names) if member[j, i]) for i in range(n)]
    columns: dict[str, np.ndarray] = {
        "node": np.asarray(ids, dtype=object),
        "index": np.arange(n, dtype=np.int64),
        "department": np.asarray(org.department_names, dtype=object)[org.department],
        "unit": unit,
        "role": np.asarray(ROLES, dtype=object)[org.role],
        "specialty": spec[org.specialty],
        "isolated": org.isolated.astype(bool),
        "career": org.career.astype(np.float64),
        "hourly_cost_dkk": org.wage_dkk.astype(np.float64),
        "networks": np.asarray(joined, dtype=object),
    }
    for j, nm in enumerate(names):
        columns[f"member:{nm}"] = member[j]
    columns["hours_saved"] = saved
    columns["hours_saved_on_goals"] = saved_goal
    for t, topic in enumerate(org.topics):
        columns[f"knowledge_start:{topic}"] = org.knowledge[:, t].astype(np.float64)
    for t, topic in enumerate(org.topics):
        columns[f"knowledge_end:{topic}"] = knowledge[:, t].astype(np.float64)
    nodes = _frame(columns)

    thr = sc.learning.tie_threshold
    w, w0, indptr, indices = ties_csr
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    cols = indices.astype(np.int64)
    counts = w >= thr
    keep = (rows < cols) & ((w0 > 0) | counts)
    end = np.where((w0 > 0) | counts, w, 0.0)[keep]
    start = w0[keep]
    a, b = rows[keep], cols[keep]
    cross = org.department[a] != org.department[b]
    formed = start == 0
    ties = _frame(
        {
            "a": a,
            "b": b,
            "strength_start": start,
            "strength_end": end,
            "cross_department": cross,
            "formed": formed,
            "strengthened": (~formed) & (end > start),
            "bridging": formed & cross,
        }
    )
    meta = {
        "departments": json.dumps(list(org.department_names), ensure_ascii=False),
        "specialties": json.dumps(list(org.specialties), ensure_ascii=False),
        "scenario": sc.name,
        "seed": str(sc.simulation.seed),
    }
    return nodes, ties, meta


#: Characters XML 1.0 cannot hold in text (lxml refuses them, and a writer left half-way
#: by its refusal must not be what a run's directory ends with).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(g: nx.Graph) -> nx.Graph:
    """``g`` with every text (graph, node and edge attributes, node ids) XML can hold."""
    cache: dict[str, str] = {}

    def clean(v: object) -> object:
        if not isinstance(v, str):
            return v
        if v not in cache:
            cache[v] = _NOT_XML.sub("\ufffd", v)
        return cache[v]

    g.graph.update({k: clean(v) for k, v in g.graph.items()})
    for _, data in g.nodes(data=True):
        data.update({k: clean(v) for k, v in data.items()})
    renamed = {n: clean(n) for n in g if isinstance(n, str) and _NOT_XML.search(n)}
    return nx.relabel_nodes(g, renamed, copy=False) if renamed else g
