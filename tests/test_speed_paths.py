"""What the model does only for speed changes no result: large organisations draw the next
week's random numbers on a second thread and measure problem hours in two halves on two
threads; paired runs share their organisation and random numbers. Each path is forced here on
a small organisation and held to the plain path's results, to the bit."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from netsim.scenario.load import load_scenario
from netsim.sim import account, daily, meeting, model
from tests.conftest import REPO

needs_numba = pytest.mark.skipif(
    importlib.util.find_spec("numba") is None, reason="the numba extra is not installed"
)


def _differences(a: model.Run, b: model.Run) -> list[str]:
    """What differs between two runs: tables, summary values and knowledge, by name."""
    out = [n for n in ("meetings", "weekly", "employees")
           if not getattr(a.result, n).equals(getattr(b.result, n))]  # fmt: skip
    for key, x in a.result.summary.items():
        y = b.result.summary[key]
        if not (x == y or (x != x and y != y)):
            out.append(key)
    if not np.array_equal(a.state.knowledge, b.state.knowledge):
        out.append("knowledge")
    # A run that replays the measurements of the organisation without networks (shared by
    # paired runs) carries no shadow of its own: its hours saved are in the summary.
    shadows = a.state.account.shadow, b.state.account.shadow
    if None not in shadows and not np.array_equal(shadows[0].knowledge, shadows[1].knowledge):
        out.append("shadow knowledge")
    return out


@needs_numba
@pytest.mark.parametrize("name", ["auto_enrollment", "goal_driven"])
def test_threads_for_draws_and_measurements_change_no_result(monkeypatch, name):
    sc = load_scenario(REPO / "scenarios" / f"{name}.toml")
    plain = model.run(sc, 3, years=0.4, kernels="numba")
    monkeypatch.setattr(daily, "AHEAD_EMPLOYEES", 1)  # draw ahead, talk on two threads
    monkeypatch.setattr(account, "PARALLEL_ROWS", 2)  # measure in halves on two threads
    threaded = model.run(sc, 3, years=0.4, kernels="numba")
    assert _differences(plain, threaded) == []
    numpy = model.run(sc, 3, years=0.4, kernels="numpy")
    assert _differences(numpy, threaded) == []


@needs_numba
def test_a_large_run_keeps_one_helper_thread_for_draws_and_shadow(monkeypatch):
    # The next week's random numbers and the shadow's steps share the run's one helper
    # thread, so that a run keeps at most two threads busy (a third would take a core from
    # the step on a two-core machine), and the thread ends with the run.
    import threading

    sc = load_scenario(REPO / "scenarios" / "goal_driven.toml")
    monkeypatch.setattr(daily, "AHEAD_EMPLOYEES", 1)
    seen: set[str] = set()
    days_compiled = daily.days_compiled

    def days(state, first, eps, u, shadow=None):
        days_compiled(state, first, eps, u, shadow)
        seen.update(t.name.rsplit("_", 1)[0] for t in threading.enumerate())
        if shadow is not None:
            assert shadow.has_thread and state.helper is not None

    monkeypatch.setattr(daily, "days_compiled", days)
    result = model.run(sc, 3, years=0.3, kernels="numba")
    assert {name for name in seen if name.startswith("netsim")} == {"netsim-helper"}
    assert result.state.helper is None
    assert not [t for t in threading.enumerate() if t.name.startswith("netsim-helper")]


@pytest.mark.parametrize("name", ["auto_enrollment", "goal_driven"])
def test_numpy_measuring_in_parts_changes_no_result(monkeypatch, name):
    sc = load_scenario(REPO / "scenarios" / f"{name}.toml")
    kept = model.run(sc, 3, years=0.4, kernels="numpy")
    assert kept.state.account.everybody is not None  # one plan of everybody, kept
    monkeypatch.setattr(account, "KEPT_PLAN_ROWS", 1)  # a plan of 7 rows at a time
    monkeypatch.setattr(account, "PLAN_PART_ROWS", 7)
    parts = model.run(sc, 3, years=0.4, kernels="numpy")
    assert parts.state.account.everybody is None
    assert _differences(kept, parts) == []


@pytest.mark.parametrize("kernels", ["numpy", pytest.param("numba", marks=needs_numba)])
def test_measuring_a_meetings_attendees_in_the_order_of_their_ids_changes_no_result(
    monkeypatch, kernels
):
    sc = load_scenario(REPO / "scenarios" / "goal_driven.toml")
    monkeypatch.setattr(meeting, "SORTED_ROWS", 10**9)  # in the people's order
    plain = model.run(sc, 3, years=0.4, kernels=kernels)
    monkeypatch.setattr(meeting, "SORTED_ROWS", 1)  # every meeting's in the order of ids
    monkeypatch.setattr(account, "PARALLEL_ROWS", 2)  # and in halves
    ordered = model.run(sc, 3, years=0.4, kernels=kernels)
    assert _differences(plain, ordered) == []


def test_a_shared_organisation_and_replayed_numbers_change_no_result():
    a = load_scenario(REPO / "scenarios" / "auto_enrollment.toml")
    g = load_scenario(REPO / "scenarios" / "goal_driven.toml")
    alone = [model.run(sc, 4, years=0.3) for sc in (a, g)]
    with model.sharing():
        shared = [model.run(sc, 4, years=0.3) for sc in (a, g)]
    assert shared[0].state.org is shared[1].state.org  # built once
    # The second replays the first's organisation without networks instead of carrying it.
    assert shared[1].state.account.replay is shared[0].state.account.record is not None
    assert shared[1].state.account.shadow is None
    for x, y in zip(alone, shared, strict=True):
        assert _differences(x, y) == []


@needs_numba
def test_a_shadow_on_its_own_thread_kept_and_replayed_changes_no_result(monkeypatch):
    # The compiled step hands the shadow's days, fading and measurements to a thread of its
    # own; a run in a sharing block keeps those measurements for the next, which replays them.
    a = load_scenario(REPO / "scenarios" / "auto_enrollment.toml")
    g = load_scenario(REPO / "scenarios" / "goal_driven.toml")
    alone = [model.run(sc, 4, years=0.3, kernels="numba") for sc in (a, g)]
    monkeypatch.setattr(daily, "AHEAD_EMPLOYEES", 1)
    with model.sharing():
        shared = [model.run(sc, 4, years=0.3, kernels="numba") for sc in (a, g)]
    assert shared[1].state.account.replay is shared[0].state.account.record is not None
    for x, y in zip(alone, shared, strict=True):
        assert _differences(x, y) == []


def test_organisations_from_different_graphs_are_not_shared():
    # Two arms that differ only in the graph their organisation came from (same settings,
    # same seed) must not share one built organisation.
    import networkx as nx

    from netsim.scenario.load import parse_scenario, with_graph

    def graph(rewire: float) -> nx.Graph:
        g = nx.connected_watts_strogatz_graph(120, 6, rewire, seed=1)
        for i in g:
            g.nodes[i].update(
                department=f"d{i % 3}", unit=i // 10, role="leader" if i % 10 == 0 else "employee"
            )
        nx.set_edge_attributes(g, 0.4, "strength")
        return g

    base = parse_scenario(
        {
            "organisation": {"employees": 120},
            "networks": {
                "leaders": {
                    "purpose": "leader_forum",
                    "select": {"roles": ["leader"]},
                    "enrollment": "automatic",
                },
                "sharing": {
                    "purpose": "knowledge_sharing",
                    "select": {"roles": ["employee"], "sample": 30},
                    "enrollment": "invitation",
                },
            },
        }
    )
    arms = [with_graph(base, graph(0.0)), with_graph(base, graph(0.5))]
    alone = [model.summarise(a, seed=2, years=0.3) for a in arms]
    with model.sharing():
        shared = [model.summarise(a, seed=2, years=0.3) for a in arms]
    assert alone[0] != alone[1]
    for a, s in zip(alone, shared, strict=True):
        assert all(a[k] == s[k] or a[k] != a[k] for k in a)
