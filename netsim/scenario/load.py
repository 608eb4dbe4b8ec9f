"""The one loader: TOML -> fill -> validate -> files -> organisation checks, once.

:func:`load_scenario` reads a scenario file and :func:`parse_scenario` takes the same tables as
a mapping; both run the same steps, in this order, and are the only places a problem with a
scenario becomes a :class:`~netsim.errors.ScenarioError` (or, for the rows of a CSV file, a
:class:`~netsim.scenario.roster.CsvError`):

1. The pure schema (:mod:`netsim.scenario.schema`) validates the tables. For an organisation
   read from files it calls back into this module (``_fill``, handed over in the
   validation context): the employees file is read with
   :func:`~netsim.scenario.roster.read_roster` and fills in ``employees``, ``departments``,
   ``department_names`` and ``specialties``, which the schema then validates like any others.
2. Every network's ``members_csv`` is read against the roster.
3. The checks that need the organisation (a selector that matches nobody, or fewer people
   than the quorum, or a smallest group below it) run over the organisation's staff, as
   :mod:`netsim.scenario.staff` lays it out from the settings and the roster with the same
   code the run uses to build its groups. They cover only what the seed cannot change, so
   they need no seed and no random draw, and they stay in this wing, below the simulation.

So a scenario that loads runs: building a run's state never raises a user's error.
"""

from __future__ import annotations

import functools
import os
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import ValidationError

from netsim.errors import ScenarioError
from netsim.scenario.files import MAX_SCENARIO_BYTES, NotARegularFile, read_input
from netsim.scenario.graph import (
    GraphRoster,
    check_topics,
    edge_list_roster,
    graph_roster,
    read_graph,
)
from netsim.scenario.organisation import FROM_FILE
from netsim.scenario.overrides import overridden
from netsim.scenario.problems import consistency, scenario_error
from netsim.scenario.roster import CsvError, CsvProblem, Roster, read_members, read_roster
from netsim.scenario.schema import Organisation, Scenario
from netsim.scenario.staff import network_problems, size_problem

__all__ = [
    "load_scenario",
    "parse_organisation",
    "parse_scenario",
    "scenario_to_toml",
    "with_graph",
    "with_overrides",
]

#: The fewest employees an employees file may list.
MIN_EMPLOYEES = 20
#: The deepest nesting of tables and arrays a scenario may have (its own go 5 deep:
#: ``networks.NAME.select.roles``).
MAX_DEPTH = 16
_TOO_DEEP = f"tables or arrays nested more than {MAX_DEPTH} deep"


def _depth(value: Any) -> int:
    """How deep tables and arrays nest in parsed TOML (without recursion: it may be deep)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list) and depth <= MAX_DEPTH:
            deepest = max(deepest, depth + 1)
            children = node.values() if isinstance(node, dict) else node
            stack.extend((c, depth + 1) for c in children)
    return deepest


def load_scenario(path: str | Path) -> Scenario:
    """Read, fill, validate and check a scenario TOML file.

    The scenario's ``name`` defaults to the file's stem. Paths of CSV files in the scenario
    are relative to the file's directory.

    Raises
    ------
    ScenarioError
        File missing or unreadable, TOML syntax (with line and column), any invalid field, or
        a network whose groups cannot meet in this organisation.
    netsim.scenario.roster.CsvError
        Problems in the CSV files the scenario names, one per line.
    """
    p = Path(path)
    source = str(path)
    try:
        text = read_input(p, MAX_SCENARIO_BYTES).decode("utf-8-sig")
    except FileNotFoundError:
        raise ScenarioError(source, "", "file not found") from None
    except IsADirectoryError:
        raise ScenarioError(source, "", "is a directory, not a scenario file") from None
    except UnicodeDecodeError:
        raise ScenarioError(source, "", "cannot read the file: it is not UTF-8 text") from None
    except NotARegularFile as exc:
        raise ScenarioError(source, "", f"cannot read the file: {exc.strerror}") from None
    except OSError as exc:
        raise ScenarioError(source, "", f"cannot read the file ({exc.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = toml_message(exc, text)
        raise ScenarioError(source, "", f"TOML syntax error: {message}") from None
    except ValueError:  # Python's own limit: an integer of more than 4300 digits
        message = f"an integer has more than {sys.get_int_max_str_digits()} digits"
        raise ScenarioError(source, "", f"TOML syntax error: {message}") from None
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively.
        raise ScenarioError(source, "", _TOO_DEEP) from None
    if _depth(data) > MAX_DEPTH:
        raise ScenarioError(source, "", _TOO_DEEP)
    data.setdefault("name", p.stem)
    return parse_scenario(data, source=source, strict=True, base_dir=p.parent)


def parse_scenario(
    data: Mapping[str, Any],
    *,
    source: str = "<scenario>",
    strict: bool = False,
    base_dir: str | Path | None = None,
    graph: Any = None,
) -> Scenario:
    """Fill, validate and check a scenario given as a mapping (the parsed TOML).

    Parameters
    ----------
    data : mapping
        The scenario's tables and values.
    source : str
        Named in error messages (the file path).
    strict : bool
        No type coercion: ``"200"`` or ``true`` is not a number, ``200.5``/``200.0`` not a
        whole number. :func:`load_scenario` validates files strictly.
    base_dir : path, optional
        What relative paths of CSV files (``organisation.employees_csv``, ...) are relative
        to; default the working directory. :func:`load_scenario` passes the scenario file's
        directory. The scenario holds the absolute paths.
    graph : networkx.Graph, optional
        The organisation's people and all its informal ties
        (:func:`~netsim.scenario.load.with_graph`).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        For the first problem found, with its field path; the message says how many more
        there are.
    netsim.scenario.roster.CsvError
        For every problem in the CSV files the scenario names.
    netsim.scenario.graph.GraphError
        For the first problem in the graph file the scenario names, or in ``graph``.

    Examples
    --------
    >>> s = parse_scenario({"name": "tiny", "organisation": {"employees": 100}})
    >>> s.organisation.employees, s.simulation.years
    (100, 2.0)
    >>> parse_scenario({"organisation": {"employes": 100}}, source="x.toml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    netsim.errors.ScenarioError: x.toml: organisation.employes: unknown field; did you mean...
    """
    context = _context(base_dir, graph)
    try:
        scenario = Scenario.model_validate(dict(data), strict=strict, context=context)
    except ValidationError as exc:
        raise scenario_error(Scenario, exc, source) from None
    too_large = size_problem(scenario.organisation)
    if too_large is not None:
        raise ScenarioError(source, *too_large)
    scenario._members = _member_lists(scenario, source)
    for field, message in network_problems(scenario):
        raise ScenarioError(source, field, message)
    return scenario


def parse_organisation(
    data: Mapping[str, Any], *, source: str = "<organisation>", base_dir: str | Path | None = None
) -> Organisation:
    """Fill and validate an ``[organisation]`` table alone (its files read, as in a scenario).

    Raises
    ------
    ScenarioError
        For the first problem found, with its field path within the table.
    netsim.scenario.roster.CsvError
        For every problem in the CSV files the table names.
    """
    try:
        return Organisation.model_validate(dict(data), context=_context(base_dir, None))
    except ValidationError as exc:
        raise scenario_error(Organisation, exc, source) from None


def _context(base_dir: str | Path | None, graph: Any) -> dict[str, Any]:
    """The validation context: where relative paths start, how files fill in an
    organisation, and the graph passed in Python (if any)."""
    context: dict[str, Any] = {"base_dir": None if base_dir is None else str(base_dir)}
    context["fill"] = _fill if graph is None else functools.partial(_fill, graph=graph)
    context["graph"] = graph
    return context


def _fill(
    first: Organisation, data: Mapping[str, Any], *, graph: Any = None
) -> tuple[dict[str, Any], Roster]:
    """Read an organisation's files and fill in what they decide (a
    :data:`~netsim.scenario.schema.Fill`). Problems with the table are raised as the schema's
    own errors, so they are reported at their field like any other."""
    if graph is not None or first.graph is not None:
        strength = first.ties.strength_max
        if isinstance(graph, GraphRoster):  # already read: a scenario changed by overrides
            roster: Roster = graph
        elif graph is not None:
            roster = graph_roster(graph, default_strength=strength)
        elif first.employees_csv is not None:  # an edge list, with its node table
            _must_exist("employees_csv", first.employees_csv)
            _must_exist("graph", first.graph)
            assert first.graph is not None
            people = read_roster(first.employees_csv, role_map=first.role_map)
            roster = edge_list_roster(
                first.graph, people, source=_shown(first.graph), default_strength=strength
            )
        else:
            assert first.graph is not None
            _must_exist("graph", first.graph)
            source = _shown(first.graph)
            roster = graph_roster(read_graph(first.graph), source=source, default_strength=strength)
        filled = _filled_from(roster, data)
        assert isinstance(roster, GraphRoster)
        names = filled["department_names"]
        specialties = filled.get("specialties", data.get("specialties", first.specialties))
        topics = [*specialties, "leadership", "strategy", *(f"practice:{d}" for d in names)]
        check_topics(roster, topics)
        return filled, roster
    assert first.employees_csv is not None  # the schema calls this only then
    _must_exist("employees_csv", first.employees_csv)
    _must_exist("ties_csv", first.ties_csv)
    roster = read_roster(
        first.employees_csv, first.ties_csv, role_map=first.role_map, columns=first.columns
    )
    return _filled_from(roster, data), roster


def _shown(path: str) -> str:
    """A file as messages name it: relative to the working directory if inside it."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def _must_exist(field: str, path: str | None) -> None:
    """A missing file is a mistake in the scenario: report it at the field that names it."""
    if path is not None and not os.path.exists(path):
        raise consistency(field, f"file not found: {path}")


def _filled_from(roster: Roster, data: Mapping[str, Any]) -> dict[str, Any]:
    """``employees``, ``departments``, ``department_names`` and ``specialties`` of a CSV
    organisation, checked against what the scenario says about them (if anything)."""
    n, names = roster.n, list(roster.department_names)
    if n < MIN_EMPLOYEES:
        raise consistency(
            "employees_csv",
            f"{roster.employees_file} has {n} employees; netsim needs at least {MIN_EMPLOYEES}",
        )
    leave_out = "leave it out: with employees_csv it comes from the file"
    if "employees" in data and data["employees"] != n:
        raise consistency(
            "employees",
            f"{roster.employees_file} has {n} employees; {leave_out} (got {data['employees']!r})",
        )
    if "departments" in data and data["departments"] != len(names) - 1:
        raise consistency(
            "departments",
            f"{roster.employees_file} has {len(names)} departments, which is departments = "
            f"{len(names) - 1} (the first is counted apart, like a central administration); "
            f"{leave_out} (got {data['departments']!r})",
        )
    given = data.get("department_names")
    if given is not None:
        if not isinstance(given, list) or sorted(map(str, given)) != sorted(names):
            shown = ", ".join(repr(d) for d in names)
            raise consistency(
                "department_names",
                f"must name the departments of {roster.employees_file} ({shown}), in any "
                f"order; or {leave_out}",
            )
        names = [str(d) for d in given]
    filled: dict[str, Any] = {
        "employees": n,
        "departments": len(names) - 1,
        "department_names": names,
    }
    given = data.get("specialties")
    if isinstance(given, list):
        # The scenario may list more specialties (topics nobody specialises in yet) and
        # chooses their order.
        missing = [k for k, s in enumerate(roster.specialties) if s not in given]
        if missing:
            shown = ", ".join(
                f"{roster.specialties[k]!r} (line {roster.lines[roster.specialty == k][0]})"
                for k in missing
            )
            raise consistency(
                "specialties",
                f"misses specialties of {roster.employees_file}: {shown}; add them, or leave "
                "specialties out to take the file's",
            )
    elif roster.specialties:
        filled["specialties"] = list(roster.specialties)
    return filled


def _member_lists(scenario: Scenario, source: str) -> dict[str, tuple[int, ...]]:
    """Every network's ``members_csv``, read against the organisation's employee ids."""
    roster = scenario.organisation.roster
    members: dict[str, tuple[int, ...]] = {}
    problems: list[CsvProblem] = []
    for name, net in scenario.networks.items():
        if net.members_csv is None:
            continue
        assert roster is not None  # the schema allows members_csv only with employees_csv
        if not os.path.exists(net.members_csv):
            raise ScenarioError(
                source, f"networks.{name}.members_csv", f"file not found: {net.members_csv}"
            )
        try:
            members[name] = tuple(read_members(net.members_csv, roster).tolist())
        except CsvError as exc:
            problems.extend(exc.problems)
    if problems:
        raise CsvError(problems)
    return members


def toml_message(exc: tomllib.TOMLDecodeError, text: str | None = None) -> str:
    r"""'line L, column C: what' from tomllib's 'What (at line L, column C)'.

    tomllib says 'at end of document' when the file ends inside a value (an unclosed string
    or array); given the ``text``, that is turned into the line and column of the end too.

    Examples
    --------
    >>> def err(text):
    ...     try:
    ...         tomllib.loads(text)
    ...     except tomllib.TOMLDecodeError as exc:
    ...         return toml_message(exc, text)
    >>> err("a = 1\nb = = 2\n")
    'line 2, column 5: Invalid value'
    >>> err("a = 1\nb = [1, 2")
    'line 2, column 10: Unclosed array (at end of document)'
    """
    msg = str(exc)
    head, sep, tail = msg.rpartition(" (at ")
    if sep and tail.endswith(")"):
        where = tail[:-1]
        if where == "end of document" and text is not None:
            doc = text.replace("\r\n", "\n")  # as tomllib sees it
            line = doc.count("\n") + 1
            column = len(doc) - doc.rfind("\n")
            return f"line {line}, column {column}: {head} (at end of document)"
        return f"{where}: {head}"
    return msg


def scenario_to_toml(scenario: Scenario) -> str:
    """The resolved scenario (every default filled in) as TOML text.

    Examples
    --------
    >>> s = parse_scenario({"name": "tiny"})
    >>> parse_scenario(tomllib.loads(scenario_to_toml(s))) == s
    True
    """
    return tomli_w.dumps(scenario.model_dump(mode="json", exclude_none=True))


def with_overrides(
    scenario: Scenario, overrides: Mapping[str, Any], *, source: str = "<scenario>"
) -> Scenario:
    """The scenario with values replaced at dotted paths, loaded again
    (:func:`~netsim.scenario.load.parse_scenario`): what an experiment's design point is.

    Examples
    --------
    >>> sc = parse_scenario({"organisation": {"employees": 300}})
    >>> with_overrides(sc, {"time_pressure.overload": 0.8}).time_pressure.overload
    0.8
    >>> with_overrides(sc, {"time_pressure.overlode": 0.8})
    Traceback (most recent call last):
    ...
    netsim.errors.ScenarioError: <scenario>: time_pressure.overlode: no such field in the scenario
    """
    return parse_scenario(
        overridden(scenario, overrides, source=source), source=source, graph=_given(scenario)
    )


def _given(scenario: Scenario) -> GraphRoster | None:
    """The graph a scenario was given in Python (already read), to carry into a scenario
    made from it: its fields hold no file to read it from again."""
    roster = scenario.organisation.roster
    return roster if isinstance(roster, GraphRoster) and roster.from_object else None


def with_graph(scenario: Scenario, graph: Any) -> Scenario:
    """The scenario with its organisation's people and informal ties taken from a graph.

    Parameters
    ----------
    scenario : Scenario
        Everything but the organisation's people and ties is kept: networks, time pressure,
        wages by role, ``ties.strength_max`` (the strength of an edge that gives none).
    graph : networkx.Graph
        Undirected; nodes carry ``department``, ``unit``, ``role`` and, for specialists,
        ``specialty`` (optionally ``hourly_cost_dkk``, ``career`` and ``knowledge:TOPIC``);
        edges carry ``strength`` (or ``weight``) in (0, 1]. Node ids become employee ids as
        text; nodes keep the graph's order. Every edge is a tie, and no other tie is drawn
        (:mod:`netsim.scenario.graph`).

    Returns
    -------
    Scenario
        Checked as a loaded scenario is (every network's selector against the graph's
        people). Career motives and starting knowledge the graph does not give are drawn per
        seed, as for any organisation.

    Raises
    ------
    netsim.scenario.graph.GraphError
        A problem in the graph, as ``<graph>: node 17: role: ...``.
    ScenarioError
        The scenario does not fit the graph (a selector that finds nobody, ...).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.relabel_nodes(nx.watts_strogatz_graph(40, 4, 0.1, seed=1), str)
    >>> for k in g:
    ...     g.nodes[k].update(department=f"d{int(k) % 2}", unit=int(k) % 4,
    ...                       role="leader" if int(k) < 4 else "employee")
    >>> sc = with_graph(parse_scenario({"name": "small_world"}), g)
    >>> sc.organisation.employees, sc.organisation.department_names
    (40, ['d0', 'd1'])
    """
    data = scenario.model_dump(mode="python")
    organisation = data["organisation"]
    for name in (*FROM_FILE, "employees_csv", "ties_csv", "role_map", "graph"):
        organisation.pop(name, None)
    for name in ("unit_size", "executives", "specialist_share"):
        organisation.pop(name, None)
    return parse_scenario(data, source="<graph>", graph=graph)
