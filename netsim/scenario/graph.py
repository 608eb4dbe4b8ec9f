"""An organisation's people and informal network from a graph: a GraphML or GEXF file, an
edge list with an employees file as its node table, or a :class:`networkx.Graph` built in
Python.

A graph organisation is complete: its edges are *all* the informal ties (none is drawn), and
its nodes are the employees, in the graph's node order:

==========================  ===============================================================
node attribute              meaning
==========================  ===============================================================
``department``              required; text
``unit``                    required; text or a whole number (a unit is a (department,
                            unit) pair: two departments may each have a unit 1)
``role``                    required; one of :data:`~netsim.scenario.organisation.ROLES`
``specialty``               specialists only, and required for them (empty or absent for
                            everybody else)
``hourly_cost_dkk``         optional; absent: the role's cost in the scenario
``career``                  optional, in [0, 1]; absent: drawn as for any organisation
``knowledge:TOPIC``         optional, in [0, 1]; the starting knowledge on a topic of the
                            scenario (absent: drawn)
==========================  ===============================================================

An edge's ``strength`` (or, failing that, its ``weight``, NetworkX's name) is the tie's
strength in (0, 1]; an edge with neither has ``ties.strength_max``. Other attributes (the
ones netsim writes for Gephi, such as ``networks`` or ``hours_saved``) are ignored. The
graph's attributes ``departments`` and ``specialties`` (JSON lists, which netsim writes) fix
the order of departments and specialties, so a graph netsim wrote runs as the run it came
from, to the bit.

An edge list (``.edgelist`` or ``.edges``, NetworkX's plain format: ``a b`` or
``a b strength`` a line) gives only ties: its nodes are the employees of an employees file
(:func:`edge_list_roster`, with ``organisation.employees_csv`` as its node table).

A file is read only if it is a regular file of bounded size (:mod:`netsim.scenario.files`),
with the standard library's XML parser through NetworkX: its expat (2.4.1 or later, which
Python 3.11 bundles) refuses entity expansion bombs, and it resolves no external entity.
Every problem is a :class:`GraphError`: one line naming the file, the node or edge, the
attribute and what is allowed, quoting nothing of the file but the offending key and value
(shortened).
"""

from __future__ import annotations

import io
import json
import math
import xml.etree.ElementTree as ET
from collections.abc import Hashable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from netsim.errors import NetsimError
from netsim.scenario.files import NotARegularFile, read_input
from netsim.scenario.organisation import EDGE_LIST_SUFFIXES, MAX_HOURLY_DKK, ROLES
from netsim.scenario.roster import Roster
from netsim.scenario.tables import digest

if TYPE_CHECKING:  # NetworkX is imported where a graph is read or given, not at start-up
    import networkx as nx

__all__ = [
    "GRAPH_SUFFIXES",
    "MAX_GRAPH_BYTES",
    "GraphError",
    "GraphRoster",
    "check_topics",
    "edge_list_roster",
    "graph_roster",
    "read_graph",
]

#: The largest graph file read (XML takes several times its size in memory as a tree).
MAX_GRAPH_BYTES = 256 * 2**20
#: File name endings and the format each means.
GRAPH_SUFFIXES = {".graphml": "GraphML", ".gexf": "GEXF"}
#: The prefix of node attributes that give starting knowledge on a topic.
KNOWLEDGE_PREFIX = "knowledge:"


class GraphError(NetsimError):
    """A problem in a graph (a file, or a graph passed in Python): one line,
    ``SOURCE: node ID: ATTRIBUTE: what is wrong and what is allowed``.

    Examples
    --------
    >>> str(GraphError("org.graphml", "node 17: role", "'boss' is not one of executive, head"))
    "org.graphml: node 17: role: 'boss' is not one of executive, head"
    """

    def __init__(self, source: str, where: str, message: str) -> None:
        self.source, self.where, self.message = source, where, message
        super().__init__(": ".join(p for p in (source, where, message) if p))

    def __reduce__(self) -> tuple[type, tuple[str, str, str]]:
        return (type(self), (self.source, self.where, self.message))


@dataclass(frozen=True, eq=False)
class GraphRoster(Roster):
    """A :class:`~netsim.scenario.roster.Roster` read from a graph: its ties are all the
    ties (nothing is drawn), and it may give career motives and starting knowledge.

    Attributes
    ----------
    career : ndarray of float
        Career motive per employee; NaN where the graph gives none.
    knowledge : ndarray of float, shape (N, K)
        Starting knowledge on ``knowledge_topics``; NaN where the graph gives none.
    knowledge_topics : tuple of str
        The topics of ``knowledge``'s columns.
    from_object : bool
        Built from a graph passed in Python rather than read from a file.
    """

    career: np.ndarray = field(default_factory=lambda: np.empty(0))
    knowledge: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    knowledge_topics: tuple[str, ...] = ()
    from_object: bool = False


def _text(value: Any, limit: int = 40) -> str:
    """A key or value as a message shows it: on one line, shortened (text quoted)."""
    text = repr(value) if isinstance(value, str) else str(value)
    if not text.isprintable():
        text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _bare(value: Any) -> str:
    """A node id or attribute name as a message shows it: unquoted, on one line, shortened."""
    text = str(value)
    if not text.isprintable():
        text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= 40 else text[:37] + "..."


def _node(node: Hashable) -> str:
    return f"node {_bare(node)}"


def _read_bytes(path: str | Path, file: str) -> bytes:
    """A graph file's bytes, or a one-line reason it cannot be read."""
    try:
        return read_input(path, MAX_GRAPH_BYTES)
    except FileNotFoundError:
        raise GraphError(file, "", "file not found") from None
    except IsADirectoryError:
        raise GraphError(file, "", "is a directory, not a graph file") from None
    except NotARegularFile as exc:
        raise GraphError(file, "", f"cannot read it: {exc.strerror}") from None
    except OSError as exc:
        raise GraphError(file, "", f"cannot read it ({exc.strerror})") from None


def read_graph(path: str | Path) -> nx.Graph:
    """The graph in a GraphML or GEXF file (told by the file name's ending), node ids as text.

    Raises
    ------
    GraphError
        The file cannot be read (missing, not a regular file, too large), is not valid XML
        of its format, or holds a directed graph or a multigraph.
    """
    file = str(path)
    kind = GRAPH_SUFFIXES.get(Path(file).suffix.lower())
    if kind is None:
        allowed = ", ".join(f"{s} ({k})" for s, k in GRAPH_SUFFIXES.items())
        lists = " or ".join(EDGE_LIST_SUFFIXES)
        raise GraphError(
            file,
            "",
            f"unknown kind of graph file; allowed endings: {allowed}, or {lists} (an edge "
            "list, with employees_csv)",
        )
    import networkx as nx

    data = _read_bytes(path, file)
    try:
        if kind == "GraphML":
            graph = nx.parse_graphml(data, node_type=str)
        else:
            graph = nx.read_gexf(io.BytesIO(data), node_type=str, relabel=False)
    except ET.ParseError as exc:  # its message is a position: "... line 3, column 4"
        raise GraphError(file, "", f"not valid {kind}: {exc}") from None
    except (nx.NetworkXError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        # What went wrong inside the file may quote it: say only what it is not.
        raise GraphError(file, "", f"not a {kind} graph NetworkX can read") from None
    return graph


def _json_names(graph: nx.Graph, key: str, source: str) -> list[str] | None:
    raw = graph.graph.get(key)
    if raw is None:
        return None
    try:
        names = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        names = None
    if not isinstance(names, list) or not all(isinstance(x, str) for x in names):
        raise GraphError(source, f"graph attribute {key}", "must be a JSON list of names")
    return names


def _number(
    value: Any, where: str, source: str, low: float, high: float, *, low_open: bool = False
) -> float:
    """A number attribute in [low, high] (or (low, high])."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        try:
            value = float(str(value).strip())
        except ValueError:
            raise GraphError(source, where, f"not a number (got {_text(value)})") from None
    x = float(value)
    below = x <= low if low_open else x < low
    if not math.isfinite(x) or below or x > high:
        bound = f"above {low:g}" if low_open else f"{low:g} or more"
        raise GraphError(source, where, f"must be {bound} and at most {high:g} (got {_text(x)})")
    return x


def graph_roster(
    graph: nx.Graph, *, source: str = "<graph>", default_strength: float = 1.0
) -> GraphRoster:
    """What a graph says about an organisation, checked: its people, ties and what it gives
    of their career motives and starting knowledge.

    Parameters
    ----------
    graph : networkx.Graph
        Undirected, no parallel edges; nodes and edges with the attributes of this module's
        table. Node ids become employee ids as text (``str(node)``).
    source : str
        Named in messages (the file).
    default_strength : float
        The strength of an edge without ``strength`` or ``weight`` (the scenario's
        ``ties.strength_max``).

    Returns
    -------
    GraphRoster

    Raises
    ------
    GraphError
        For the first problem, naming the node or edge and the attribute.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.Graph()
    >>> g.add_node("a", department="Rådhus", unit="Direktion", role="executive")
    >>> g.add_node("b", department="Skoler", unit=1, role="boss")
    >>> graph_roster(g, source="org.graphml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    netsim.scenario.graph.GraphError: org.graphml: node b: role: 'boss' is not one of executive, ...
    """
    import networkx as nx

    if not isinstance(graph, nx.Graph):
        raise GraphError(source, "", f"not a networkx graph (got {type(graph).__name__})")
    if graph.is_directed():
        raise GraphError(
            source, "", "the graph is directed; ties are mutual: give an undirected graph"
        )
    if graph.is_multigraph():
        raise GraphError(source, "", "the graph has parallel edges; give one edge per tie")
    if graph.number_of_nodes() == 0:
        raise GraphError(source, "", "the graph has no nodes")
    departments = _json_names(graph, "departments", source)
    spec_order = _json_names(graph, "specialties", source)
    ids: list[str] = []
    pos: dict[Hashable, int] = {}
    seen: dict[str, Hashable] = {}
    depts: dict[str, int] = {d: k for k, d in enumerate(departments or [])}
    units: dict[tuple[str, str], int] = {}
    specs: dict[str, int] = {s: k for k, s in enumerate(spec_order or [])}
    dep_idx, unit_idx, role_idx, spec_idx = [], [], [], []
    n = graph.number_of_nodes()
    wage = np.full(n, np.nan)
    career = np.full(n, np.nan)
    topics: dict[str, int] = {}
    known: list[tuple[int, int, float]] = []
    for k, (node, attrs) in enumerate(graph.nodes(data=True)):
        where = _node(node)
        name = str(node)
        if name in seen:
            raise GraphError(source, where, f"has the same id as another node ({_text(name)})")
        seen[name] = node
        ids.append(name)
        pos[node] = k
        values: dict[str, str] = {}
        for attr in ("department", "unit", "role"):
            value = attrs.get(attr)
            if value is None or (isinstance(value, str) and not value.strip()):
                raise GraphError(source, f"{where}: {attr}", "missing; every node needs one")
            if isinstance(value, bool) or not isinstance(value, str | int | np.integer):
                raise GraphError(source, f"{where}: {attr}", f"must be text (got {_text(value)})")
            values[attr] = str(value).strip()
        role = values["role"]
        if role not in ROLES:
            raise GraphError(
                source, f"{where}: role", f"{_text(role)} is not one of {', '.join(ROLES)}"
            )
        raw_spec = attrs.get("specialty")
        specialty = "" if raw_spec is None else str(raw_spec).strip()
        if role == "specialist" and not specialty:
            raise GraphError(source, f"{where}: specialty", "missing; a specialist needs one")
        if role != "specialist" and specialty:
            raise GraphError(
                source,
                f"{where}: specialty",
                f"{_text(specialty)} given for a {role}; only specialists have a specialty",
            )
        dept = values["department"]
        dep_idx.append(depts.setdefault(dept, len(depts)))
        unit_idx.append(units.setdefault((dept, values["unit"]), len(units)))
        role_idx.append(ROLES.index(role))
        spec_idx.append(specs.setdefault(specialty, len(specs)) if specialty else -1)
        if attrs.get("hourly_cost_dkk") is not None:
            wage[k] = _number(
                attrs["hourly_cost_dkk"], f"{where}: hourly_cost_dkk", source, 0, MAX_HOURLY_DKK
            )
        if attrs.get("career") is not None:
            career[k] = _number(attrs["career"], f"{where}: career", source, 0, 1)
        for attr, value in attrs.items():
            if isinstance(attr, str) and attr.startswith(KNOWLEDGE_PREFIX) and value is not None:
                level = _number(value, f"{where}: {_bare(attr)}", source, 0, 1)
                topic = topics.setdefault(attr[len(KNOWLEDGE_PREFIX) :], len(topics))
                known.append((k, topic, level))
    knowledge = np.full((n, len(topics)), np.nan)
    for k, t, level in known:
        knowledge[k, t] = level

    m = graph.number_of_edges()
    tie_a = np.empty(m, dtype=np.intp)
    tie_b = np.empty(m, dtype=np.intp)
    strength = np.empty(m)
    for e, (u, v, attrs) in enumerate(graph.edges(data=True)):
        where = f"edge ({_bare(u)}, {_bare(v)})"
        if u == v:
            raise GraphError(source, where, "a tie from a node to itself; leave it out")
        tie_a[e], tie_b[e] = pos[u], pos[v]
        key = "strength" if attrs.get("strength") is not None else "weight"
        value = attrs.get(key)
        strength[e] = (
            default_strength
            if value is None
            else _number(value, f"{where}: {key}", source, 0, 1, low_open=True)
        )
    names = tuple(depts)
    blob = repr((ids, names, tuple(units), dep_idx, unit_idx, role_idx, spec_idx)).encode()
    return GraphRoster(
        ids=tuple(ids),
        lines=np.arange(1, n + 1, dtype=np.int64),
        department=np.asarray(dep_idx, dtype=np.intp),
        unit=np.asarray(unit_idx, dtype=np.intp),
        department_names=names,
        unit_names=tuple(units),
        role=np.asarray(role_idx, dtype=np.int8),
        specialty=np.asarray(spec_idx, dtype=np.intp),
        specialties=tuple(specs),
        wage_dkk=wage,
        tie_a=tie_a,
        tie_b=tie_b,
        tie_strength=strength,
        employees_file=source,
        ties_file=source,
        digest=digest(
            blob,
            tie_a.tobytes(),
            tie_b.tobytes(),
            strength.tobytes(),
            wage.tobytes(),
            career.tobytes(),
            knowledge.tobytes(),
            repr(tuple(topics)).encode(),
        ),
        career=career,
        knowledge=knowledge,
        knowledge_topics=tuple(topics),
        from_object=source == "<graph>",
    )


def check_topics(roster: GraphRoster, topics: list[str]) -> None:
    """Every ``knowledge:TOPIC`` the graph gives names a topic of the scenario.

    Raises
    ------
    GraphError
        At the first node that gives knowledge on another topic.
    """
    allowed = set(topics)
    for t, topic in enumerate(roster.knowledge_topics):
        if topic in allowed:
            continue
        k = int(np.flatnonzero(~np.isnan(roster.knowledge[:, t]))[0])
        shown = ", ".join(topics[:12]) + (", ..." if len(topics) > 12 else "")
        raise GraphError(
            roster.employees_file,
            f"{_node(roster.ids[k])}: {_bare(KNOWLEDGE_PREFIX + topic)}",
            f"no such topic in the scenario; topics: {shown}",
        )


def edge_list_roster(
    path: str | Path, roster: Roster, *, source: str | None = None, default_strength: float = 1.0
) -> GraphRoster:
    """An employees file's organisation with all its ties from an edge list.

    The edge list is NetworkX's plain format: one tie a line, ``a b`` or ``a b strength``
    (employee ids of the employees file, whitespace between; strength in (0, 1], else
    ``default_strength``); ``#`` starts a comment. A pair listed twice keeps its stronger
    tie.

    ``source`` names the file in messages (default: ``path``).

    Raises
    ------
    GraphError
        At the first line that is not a tie between two employees of the file.

    Examples
    --------
    >>> import tempfile
    >>> from netsim.scenario.roster import read_roster
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = open(f"{d}/staff.csv", "w").write("id,department,unit,role\\n"
    ...         + "\\n".join(f"e{k},Rådhus,1,employee" for k in range(4)))
    ...     _ = open(f"{d}/ties.edgelist", "w").write("e0 e1 0.5\\ne2 e3  # colleagues\\n")
    ...     r = edge_list_roster(f"{d}/ties.edgelist", read_roster(f"{d}/staff.csv"))
    >>> r.tie_a.tolist(), r.tie_b.tolist(), r.tie_strength.tolist()
    ([0, 2], [1, 3], [0.5, 1.0])
    """
    file = str(path) if source is None else source
    data = _read_bytes(path, file)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise GraphError(file, "", "cannot read it: not UTF-8 text") from None
    pos = roster.position()
    a: list[int] = []
    b: list[int] = []
    strength: list[float] = []
    for line, raw in enumerate(text.splitlines(), start=1):
        tokens = raw.split("#", 1)[0].split()
        if not tokens:
            continue
        where = f"line {line}"
        if len(tokens) not in (2, 3):
            raise GraphError(
                file,
                where,
                f"{len(tokens)} values; a tie is 'a b' or 'a b strength' (employee ids and a "
                "strength in (0, 1], whitespace between)",
            )
        ends = []
        for token in tokens[:2]:
            if token not in pos:
                raise GraphError(
                    file, where, f"no employee with id {_text(token)} in {roster.employees_file}"
                )
            ends.append(pos[token])
        if ends[0] == ends[1]:
            raise GraphError(file, where, "a tie from an employee to themselves; leave it out")
        w = default_strength
        if len(tokens) == 3:
            w = _number(tokens[2], f"{where}: strength", file, 0, 1, low_open=True)
        a.append(ends[0])
        b.append(ends[1])
        strength.append(w)
    base = {f.name: getattr(roster, f.name) for f in fields(Roster)}
    tie_a, tie_b = np.asarray(a, dtype=np.intp), np.asarray(b, dtype=np.intp)
    return GraphRoster(
        **{
            **base,
            "tie_a": tie_a,
            "tie_b": tie_b,
            "tie_strength": np.asarray(strength, dtype=np.float64),
            "ties_file": file,
            "digest": digest(roster.digest.encode(), data, repr(default_strength).encode()),
        },
        career=np.full(roster.n, np.nan),
        knowledge=np.empty((roster.n, 0)),
    )
