"""NetworkX graphs in and out: an organisation from a graph (file or object), the tie graphs
at the start and the end of a run, GraphML written by `netsim run --out`."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import tomli_w

import netsim
from netsim.cli import main
from netsim.scenario.graph import GraphError, graph_roster
from netsim.study.export import read_run

YEARS = 0.3
NETWORKS = {
    "forum": {
        "purpose": "knowledge_sharing",
        "select": {"roles": ["leader", "head"]},
        "enrollment": "automatic",
        "participation": 0.9,
        "interval_weeks": 2,
    }
}


def _differences(a: netsim.RunResult, b: netsim.RunResult) -> list[str]:
    """What differs between two runs: summary values, tables and tie graphs, by name."""
    out = []
    for name, value in a.summary.items():
        other = b.summary[name]
        if name != "scenario" and not (value == other or (value != value and other != other)):
            out.append(name)
    for table in ("meetings", "weekly", "employees", "knowledge", "bridging"):
        if not getattr(a, table).equals(getattr(b, table)):
            out.append(table)
    if a.graphs is None or b.graphs is None:
        return [*out, "graphs"]
    # A graph's units are names (text): a generated organisation's are numbers.
    units = {"unit": str}
    if not a.graphs.nodes.astype(units).equals(b.graphs.nodes.astype(units)):
        out.append("graph nodes")
    if not a.graphs.ties.equals(b.graphs.ties):
        out.append("graph ties")
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    sc = netsim.parse_scenario(
        {"name": "gen", "organisation": {"employees": 240}, "networks": NETWORKS}
    )
    result = netsim.simulate(sc, seed=3, years=YEARS)
    out = tmp_path_factory.mktemp("gen")
    result.write(out / "run")
    return result, out


def test_a_run_on_its_exported_start_graph_is_the_same_run_to_the_bit(generated):
    result, out = generated
    toml = out / "from_graph.toml"
    data = {"organisation": {"graph": "run/graph_start.graphml"}, "networks": NETWORKS}
    toml.write_text(tomli_w.dumps(data), encoding="utf-8")
    again = netsim.simulate(netsim.load_scenario(toml), seed=3, years=YEARS)
    assert _differences(result, again) == []


def test_the_same_run_from_the_graph_object(generated):
    result, _ = generated
    again = netsim.simulate(result.scenario, seed=3, years=YEARS, graph=result.graph("start"))
    assert _differences(result, again) == []


def test_graphs_out_say_what_the_networks_did(generated):
    result, _ = generated
    start, end = result.graph("start"), result.graph("end")
    assert list(start) == list(end) == [str(k) for k in range(240)]
    # The start graph is the organisation's informal network.
    org = result.organisation()
    assert start.number_of_edges() == org.ties.nnz // 2
    i, j = (int(x) for x in next(iter(start.edges())))
    assert start.edges[str(i), str(j)]["strength"] == org.ties[i, j]
    thr = result.scenario.learning.tie_threshold
    formed = [(u, v, d) for u, v, d in end.edges(data=True) if d["formed"]]
    assert formed, "a participatory forum forms ties"
    for u, v, d in end.edges(data=True):
        assert d["formed"] == (not start.has_edge(u, v))
        assert d["bridging"] == (d["formed"] and d["cross_department"])
        assert d["cross_department"] == (end.nodes[u]["department"] != end.nodes[v]["department"])
        assert d["strength"] >= (thr if d["formed"] else d["strength_start"])
        assert d["strengthened"] == (not d["formed"] and d["strength"] > d["strength_start"])
    bridging = {(min(int(u), int(v)), max(int(u), int(v))) for u, v, d in formed if d["bridging"]}
    assert bridging == set(zip(result.bridging["a"], result.bridging["b"], strict=True))
    # Nodes: who they are, the networks they were in, knowledge and hours saved.
    members = set(result.employees.loc[result.employees["member"], "employee_id"])
    assert {v for v, d in end.nodes(data=True) if d["member:forum"]} == members
    assert {v for v, d in end.nodes(data="networks") if d == "forum"} == members
    saved = sum(d for _, d in end.nodes(data="hours_saved"))
    assert saved > 0 and all(d == 0 for _, d in start.nodes(data="hours_saved"))
    topic = "leadership"
    gained = [
        end.nodes[v][f"knowledge:{topic}"] - start.nodes[v][f"knowledge:{topic}"] for v in members
    ]
    assert max(gained) > 0


def test_graphml_of_run_out_is_typed_and_has_hr_ids(tmp_path):
    assert main(["init", str(tmp_path / "own")]) == 0
    scenario = tmp_path / "own" / "scenario.toml"
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--years", str(YEARS), "--out", str(out)]) == 0
    assert {"graph_start.graphml", "graph_end.graphml"} <= {p.name for p in out.iterdir()}
    ids = pd.read_csv(tmp_path / "own" / "employees.csv", sep=None, engine="python", dtype=str)
    end = nx.read_graphml(out / "graph_end.graphml")
    assert list(end) == ids.iloc[:, 0].str.strip().tolist()  # the HR ids, in file order
    types = {
        "department": str,
        "unit": str,
        "role": str,
        "specialty": str,
        "isolated": bool,
        "networks": str,
        "member:project_leaders": bool,
        "hours_saved": float,
        "career": float,
        "knowledge:projektledelse": float,
    }
    for _, attrs in end.nodes(data=True):
        for name, kind in types.items():
            assert type(attrs[name]) is kind, name
    for *_, attrs in end.edges(data=True):
        assert type(attrs["strength"]) is float and type(attrs["formed"]) is bool
        assert type(attrs["bridging"]) is bool
    # And the organisation read back from that graph runs the same.
    data = tomllib.loads(scenario.read_text(encoding="utf-8"))
    organisation = data["organisation"]
    for name in ("employees_csv", "ties_csv", "role_map"):
        organisation.pop(name)
    organisation["graph"] = str(out / "graph_start.graphml")
    (tmp_path / "own" / "graph.toml").write_text(tomli_w.dumps(data), encoding="utf-8")
    first = read_run(out)  # an HR organisation's directory: its ids and unit names
    again = netsim.simulate(
        netsim.load_scenario(tmp_path / "own" / "graph.toml"), seed=first.seed, years=YEARS
    )
    assert _differences(first, again) == []


def test_result_read_back_has_the_graphs(generated, tmp_path):
    result, out = generated
    back = netsim.RunResult.read(out / "run")
    assert back.graphs is not None
    pd.testing.assert_frame_equal(back.graphs.ties, result.graphs.ties)
    pd.testing.assert_frame_equal(back.graphs.nodes, result.graphs.nodes)
    assert nx.utils.graphs_equal(back.graph("end"), result.graph("end"))


def _small_world(n: int = 60) -> nx.Graph:
    g = nx.relabel_nodes(nx.connected_watts_strogatz_graph(n, 4, 0.2, seed=7), str)
    for k in g:
        i = int(k)
        g.nodes[k].update(
            department="central" if i < 4 else f"dept{i % 3}",
            unit=i % 6,
            role="executive" if i < 4 else ("leader" if i < 16 else "employee"),
        )
    nx.set_edge_attributes(g, 0.4, "strength")
    return g


def test_a_graph_from_networkx_generators_is_the_informal_network():
    g = _small_world()
    sc = netsim.parse_scenario({"name": "sw", "networks": NETWORKS})
    result = netsim.simulate(sc, seed=1, years=YEARS, graph=g)
    start = result.graph("start")
    assert result.summary["employees"] == 60
    assert {frozenset(e) for e in start.edges()} == {frozenset(e) for e in g.edges()}
    assert {d for *_, d in start.edges(data="strength")} == {0.4}
    # The scenario records the graph: written out, it reads and reruns the same.
    scenario = netsim.with_graph(sc, g)
    assert scenario.organisation.department_names == ["central", "dept1", "dept2", "dept0"]


def test_a_run_given_a_graph_in_python_writes_a_scenario_that_reruns(tmp_path):
    result = netsim.simulate(
        netsim.parse_scenario({"name": "sw", "networks": NETWORKS}),
        seed=2,
        years=YEARS,
        graph=_small_world(),
    )
    result.write(tmp_path)
    text = (tmp_path / "scenario.toml").read_text(encoding="utf-8")
    assert 'graph = "graph_start.graphml"' in text
    again = netsim.simulate(netsim.load_scenario(tmp_path / "scenario.toml"), years=YEARS)
    assert _differences(result, again) == []


def test_gexf_is_read_too(tmp_path):
    g = _small_world()
    nx.write_gexf(g, tmp_path / "org.gexf")
    data = {"organisation": {"graph": "org.gexf"}, "networks": NETWORKS}
    (tmp_path / "s.toml").write_text(tomli_w.dumps(data), encoding="utf-8")
    scenario = netsim.load_scenario(tmp_path / "s.toml")
    assert scenario.organisation.employees == 60
    assert scenario.organisation.roster.tie_a.size == g.number_of_edges()


ALLOWED_ROLES = "executive, head, leader, specialist, employee"


def _broken(change) -> nx.Graph:
    g = _small_world(30)
    change(g)
    return g


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda g: g.nodes["17"].update(role="boss"),
            f"node 17: role: 'boss' is not one of {ALLOWED_ROLES}",
        ),
        (lambda g: g.nodes["5"].pop("department"), "node 5: department: missing"),
        (
            lambda g: g.nodes["20"].update(role="specialist"),
            "node 20: specialty: missing; a specialist needs one",
        ),
        (
            lambda g: g.nodes["21"].update(specialty="lean"),
            "node 21: specialty: 'lean' given for a employee; only specialists",
        ),
        (
            lambda g: g.edges["0", "1"].update(strength=1.5),
            "edge (0, 1): strength: must be above 0 and at most 1 (got 1.5)",
        ),
        (
            lambda g: g.nodes["3"].update(career=2.0),
            "node 3: career: must be 0 or more and at most 1 (got 2.0)",
        ),
        (
            lambda g: g.nodes["9"].update({"knowledge:juggling": 0.5}),
            "node 9: knowledge:juggling: no such topic in the scenario; topics: ",
        ),
    ],
)
def test_a_mistake_in_a_graph_file_is_one_line_naming_file_node_and_allowed(
    change, expected, tmp_path, capsys
):
    nx.write_graphml(_broken(change), tmp_path / "org.graphml")
    data = {"organisation": {"graph": "org.graphml"}, "networks": NETWORKS}
    (tmp_path / "s.toml").write_text(tomli_w.dumps(data), encoding="utf-8")
    assert main(["validate", str(tmp_path / "s.toml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("netsim: error: ") and "org.graphml: " + expected in err


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"password=hunter2\n<graphml", "org.graphml", "not valid GraphML: "),
        (b"<?xml version='1.0'?><nothing secret='hunter2'/>", "org.graphml", "not a GraphML graph"),
        (b"anything", "org.dot", "unknown kind of graph file; allowed endings: .graphml"),
    ],
)
def test_a_file_that_is_not_a_graph_is_refused_without_quoting_it(
    content, name, expected, tmp_path, capsys
):
    (tmp_path / name).write_bytes(content)
    data = {"organisation": {"graph": name}}
    (tmp_path / "s.toml").write_text(tomli_w.dumps(data), encoding="utf-8")
    assert main(["validate", str(tmp_path / "s.toml")]) == 2
    err = capsys.readouterr().err
    assert expected in err and "hunter2" not in err and err.count("\n") == 1


def test_directed_graphs_and_a_missing_graph_file_are_refused(tmp_path):
    with pytest.raises(GraphError, match="<graph>: the graph is directed"):
        graph_roster(nx.DiGraph(_small_world()))
    data = {"organisation": {"graph": "nowhere.graphml"}}
    with pytest.raises(netsim.ScenarioError, match=r"organisation\.graph: file not found"):
        netsim.parse_scenario(data, base_dir=tmp_path)
    with pytest.raises(netsim.ScenarioError, match="ties_csv: not used with graph"):
        netsim.parse_scenario(
            {"organisation": {"graph": "x.graphml", "ties_csv": "t.csv"}}, base_dir=tmp_path
        )


def test_a_graph_in_python_is_checked_like_a_file():
    sc = netsim.parse_scenario({"networks": NETWORKS})
    with pytest.raises(GraphError, match=r"^<graph>: node 17: role: 'boss' is not one of"):
        netsim.with_graph(sc, _broken(lambda g: g.nodes["17"].update(role="boss")))
    # An edge without a strength has the scenario's strongest informal tie.
    g = _small_world(30)
    for *_, d in g.edges(data=True):
        d.pop("strength")
    roster = netsim.with_graph(sc, g).organisation.roster
    assert np.all(roster.tie_strength == sc.organisation.ties.strength_max)


@pytest.fixture
def own(tmp_path):
    """`netsim init`'s organisation, its scenario as data, and the ids of its employees file."""
    assert main(["init", str(tmp_path)]) == 0
    data = tomllib.loads((tmp_path / "scenario.toml").read_text(encoding="utf-8"))
    data["organisation"].pop("ties_csv")
    rows = (tmp_path / "employees.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    return tmp_path, data, [r.split(";")[0] for r in rows if r.strip()]


def _load(directory: Path, data: dict) -> netsim.Scenario:
    (directory / "s.toml").write_text(tomli_w.dumps(data), encoding="utf-8")
    return netsim.load_scenario(directory / "s.toml")


def test_an_edge_list_with_the_employees_file_as_node_table_is_all_the_ties(own):
    directory, data, ids = own
    ties = [(ids[k], ids[k + 1], 0.25 + k / 100) for k in range(0, len(ids) - 1, 2)]
    lines = ["# a survey's ties", *(f"{a} {b} {w}" for a, b, w in ties), f"{ids[0]} {ids[5]}"]
    (directory / "ties.edgelist").write_text("\n".join(lines) + "\n", encoding="utf-8")
    data["organisation"]["graph"] = "ties.edgelist"
    result = netsim.simulate(_load(directory, data), seed=1, years=YEARS)
    start = result.graph("start")
    strength = data["organisation"].get("ties", {}).get("strength_max", 0.6)
    expected = {frozenset((a, b)): w for a, b, w in ties} | {frozenset((ids[0], ids[5])): strength}
    assert {frozenset((a, b)): w for a, b, w in start.edges(data="strength")} == expected
    assert list(start) == ids


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["{0} {1}", "{0} nobody-7"], "line 2: no employee with id 'nobody-7' in "),
        (["{0} {1} 0.5 extra"], "line 1: 4 values; a tie is 'a b' or 'a b strength'"),
        (["{0} {1} 0"], "line 1: strength: must be above 0 and at most 1 (got 0.0)"),
        (["{0} {0}"], "line 1: a tie from an employee to themselves"),
    ],
)
def test_a_mistake_in_an_edge_list_names_its_line(own, lines, expected, capsys):
    directory, data, ids = own
    text = "\n".join(line.format(ids[0], ids[1]) for line in lines)
    (directory / "ties.edgelist").write_text(text, encoding="utf-8")
    data["organisation"]["graph"] = "ties.edgelist"
    (directory / "s.toml").write_text(tomli_w.dumps(data), encoding="utf-8")
    assert main(["validate", str(directory / "s.toml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"ties.edgelist: {expected}" in err


def test_an_edge_list_needs_its_node_table(tmp_path):
    (tmp_path / "ties.edgelist").write_text("a b\n", encoding="utf-8")
    with pytest.raises(netsim.ScenarioError, match="an edge list needs employees_csv"):
        netsim.parse_scenario({"organisation": {"graph": "ties.edgelist"}}, base_dir=tmp_path)


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lollollollollollollollollollol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph edgedefault="undirected">
<node id="&lol9;"/></graph></graphml>
"""


def test_hostile_graph_files_are_refused_on_one_line(tmp_path, capsys):
    (tmp_path / "bomb.graphml").write_bytes(BOMB)
    fifo = tmp_path / "fifo.graphml"
    os.mkfifo(fifo)
    for name, expected in (("bomb.graphml", "not valid GraphML"), ("fifo.graphml", "FIFO")):
        (tmp_path / "s.toml").write_text(f'[organisation]\ngraph = "{name}"\n', encoding="utf-8")
        assert main(["validate", str(tmp_path / "s.toml")]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and expected in err and "lol" not in err


def test_run_out_without_graphs_and_a_result_without_them(generated, tmp_path):
    result, out = generated
    scenario = out / "run" / "scenario.toml"
    target = tmp_path / "out"
    assert main(["run", str(scenario), "--years", "0.1", "--out", str(target), "--no-graphs"]) == 0
    assert not list(target.glob("*.graphml"))
    back = netsim.RunResult.read(target)
    assert back.graphs is None
    with pytest.raises(netsim.NetsimError, match="no tie graphs"):
        back.graph("end")
    with pytest.raises(ValueError, match="which must be 'start' or 'end'"):
        result.graph("middle")


def test_a_damaged_graph_file_is_a_one_line_error_when_read(generated, tmp_path):
    _, out = generated
    copy = tmp_path / "run"
    copy.mkdir()
    for path in (out / "run").iterdir():
        copy.joinpath(path.name).write_bytes(path.read_bytes())
    (copy / "graph_end.graphml").write_text("<graphml>secret", encoding="utf-8")
    back = netsim.RunResult.read(copy)  # the tables read; the graphs when first used
    assert len(back.meetings) > 0
    with pytest.raises(netsim.NetsimError, match="a graph file is not one netsim wrote") as info:
        back.graph("start")
    assert "secret" not in str(info.value)


def test_graphml_holds_text_xml_cannot(tmp_path):
    # A scenario's name (or an HR file's text) may carry control characters XML cannot hold:
    # the graphs are still written, with U+FFFD in their place, and read back.
    sc = netsim.parse_scenario(
        {
            "name": "nul\x00bell\x07",
            "organisation": {"employees": 60, "departments": 2},
            "networks": {
                "x": {
                    "purpose": "strategy",
                    "enrollment": "automatic",
                    "select": {"roles": ["head", "leader"]},
                    "quorum": 2,
                }
            },
        }
    )
    out = netsim.simulate(sc, seed=1, years=0.2).write(tmp_path / "out")
    end = nx.read_graphml(out / "graph_end.graphml")
    assert end.graph["scenario"] == "nul\ufffdbell\ufffd"
    assert end.number_of_nodes() == 60
