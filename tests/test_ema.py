"""netsim.study.ema: a scenario as an EMA Workbench model, and the PRIM example's small design."""

from __future__ import annotations

import importlib
import importlib.util
import pickle
import sys

import numpy as np
import pandas as pd
import pytest

import netsim
from netsim.errors import NetsimError, ScenarioError
from netsim.scenario.load import parse_scenario, with_overrides
from netsim.sim.model import summarise
from netsim.study import ema as ema_mod
from tests.conftest import REPO

ema_workbench = pytest.importorskip("ema_workbench")

LEADERS = {
    "purpose": "leader_forum",
    "select": {"roles": ["leader"]},
    "enrollment": "automatic",
    "participation": 0.1,
    "goal_clarity": 0.2,
    "interval_weeks": 4.0,
}


@pytest.fixture(scope="module")
def small() -> netsim.Scenario:
    return parse_scenario(
        {
            "name": "small leaders",
            "organisation": {"employees": 200},
            "simulation": {"years": 0.4},
            "networks": {"leaders": LEADERS},
        }
    )


def test_parameters_are_addressed_by_path_with_the_fields_kind(small):
    m = ema_mod.model(
        small,
        uncertainties={
            "work.problems_per_day": (1.0, 4.0),
            "networks.leaders.quorum": {"bounds": [2, 5]},
        },
        levers={"networks.leaders.facilitation": {"values": ["none", "professional"]}},
        outcomes=["sponsor_return_per_hour"],
        replications=3,
        seed=7,
    )
    kinds = {p.name: type(p).__name__ for p in [*m.uncertainties, *m.levers]}
    assert kinds == {
        "work__problems_per_day": "RealParameter",
        "networks__leaders__quorum": "IntegerParameter",
        "networks__leaders__facilitation": "CategoricalParameter",
    }
    assert [p.variable_name for p in m.uncertainties] == [
        ["work.problems_per_day"],
        ["networks.leaders.quorum"],
    ]
    assert m.name == "smallleaders"
    assert [dict(r) for r in m.replications] == [{"seed": 7}, {"seed": 8}, {"seed": 9}]


def test_replication_r_runs_seed_base_plus_r_in_every_experiment(small):
    """Common random numbers: each experiment's replication r is the scenario with the
    experiment's values under seed + r, so two policies are paired replication by replication."""
    m = ema_mod.model(
        small,
        uncertainties={"work.problems_per_day": (1.0, 4.0)},
        levers={"networks.leaders.participation": (0.0, 1.0)},
        outcomes=["sponsor_return_per_hour", "meetings_held"],
        replications=2,
        seed=11,
        keep="all",
    )
    design = pd.DataFrame({"work.problems_per_day": [1.5, 3.5]})
    policies = ema_mod.points(
        m, pd.DataFrame({"networks.leaders.participation": [0.1, 0.9]}), kind="policies"
    )
    experiments, outcomes = ema_workbench.perform_experiments(
        m, scenarios=ema_mod.points(m, design), policies=policies
    )
    got = outcomes["sponsor_return_per_hour_by_replication"]
    assert got.shape == (4, 2)
    for i, row in experiments.iterrows():
        sc = with_overrides(
            small,
            {
                "work.problems_per_day": row["work__problems_per_day"],
                "networks.leaders.participation": row["networks__leaders__participation"],
            },
        )
        want = [summarise(sc, seed=11 + r)["sponsor_return_per_hour"] for r in range(2)]
        np.testing.assert_array_equal(got[i], want)
    # The levers matter, and the pairing holds: same problem load, other participation.
    assert not np.array_equal(got[0], got[2])


def test_outcomes_are_the_mean_over_replications_by_default(small):
    m = ema_mod.model(
        small,
        uncertainties={"learning.peer_rate": (0.2, 0.8)},
        outcomes=["meetings_held", "attendance_decay"],
        replications=2,
        seed=3,
    )
    _, outcomes = ema_workbench.perform_experiments(
        m, scenarios=ema_mod.points(m, pd.DataFrame({"learning.peer_rate": [0.5]}))
    )
    sc = with_overrides(small, {"learning.peer_rate": 0.5})
    runs = [summarise(sc, seed=3 + r) for r in range(2)]
    assert outcomes["meetings_held"][0] == np.mean([r["meetings_held"] for r in runs])
    assert outcomes["attendance_decay"][0] == pytest.approx(
        np.nanmean([r["attendance_decay"] for r in runs])
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"uncertainties": {"work.problems_per_dy": (1, 2)}},
            "<uncertainties>: work.problems_per_dy: no such field in the scenario",
        ),
        (
            {"uncertainties": {"learning.peer_rate": (0.5, 1.5)}},
            "<uncertainties>: learning.peer_rate:",
        ),
        ({"uncertainties": {"learning.peer_rate": (0.8, 0.2)}}, "lower bound must be below"),
        ({"uncertainties": {"learning.peer_rate": [0.1, 0.2, 0.3]}}, "give bounds (low, high)"),
        (
            {"uncertainties": {"networks.leaders.quorum": (2.5, 5)}},
            "networks.leaders.quorum: a whole-number field takes whole-number bounds",
        ),
        (
            {"uncertainties": {"networks.leaders.enrollment": {"values": ["automatic", "forced"]}}},
            "<uncertainties>: networks.leaders.enrollment:",
        ),
        (
            {
                "uncertainties": {"learning.peer_rate": (0.1, 0.9)},
                "levers": {"learning.peer_rate": (0.1, 0.9)},
            },
            "<levers>: learning.peer_rate: is an uncertainty too",
        ),
        (
            {"uncertainties": {}, "outcomes": ["sponsor_return"]},
            "<outcomes>: sponsor_return: unknown outcome",
        ),
        ({"uncertainties": {}, "replications": 0}, "<model>: replications: must be"),
        ({"uncertainties": {}, "keep": "median"}, "<model>: keep: must be 'mean' or 'all'"),
        (
            {"uncertainties": {"networks.leaders.quorum": (2, 50)}},
            "<uncertainties>: networks.leaders.quorum: ",
        ),
    ],
)
def test_bad_parameters_are_one_line_errors_naming_the_path(small, kwargs, message):
    with pytest.raises(ScenarioError) as info:
        ema_mod.model(small, **kwargs)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_the_model_pickles_for_process_evaluators(small):
    m = ema_mod.model(
        small, uncertainties={"learning.peer_rate": (0.2, 0.8)}, outcomes=["meetings_held"]
    )
    again = pickle.loads(pickle.dumps(m))
    values = {"learning.peer_rate": 0.4}
    assert again.function(seed=5, **values) == m.function(seed=5, **values)


def test_points_need_every_parameter_and_round_whole_numbers(small):
    m = ema_mod.model(
        small,
        uncertainties={"networks.leaders.quorum": (2, 6), "learning.peer_rate": (0.1, 0.9)},
        outcomes=["meetings_held"],
    )
    pts = ema_mod.points(
        m, pd.DataFrame({"networks.leaders.quorum": [2.6], "learning.peer_rate": [0.3]})
    )
    assert dict(pts[0]) == {"networks__leaders__quorum": 3, "learning__peer_rate": 0.3}
    with pytest.raises(ScenarioError, match=r"<design>: learning.peer_rate: no column"):
        ema_mod.points(m, pd.DataFrame({"networks.leaders.quorum": [3]}))


def test_without_ema_workbench_the_module_imports_and_model_says_how_to_install(small, monkeypatch):
    monkeypatch.setitem(sys.modules, "ema_workbench", None)  # import raises ImportError
    module = importlib.reload(ema_mod)
    try:
        assert module.parameter_name("a.b") == "a__b"
        with pytest.raises(NetsimError, match=r"pip install 'netsim\[ema\]'"):
            module.model(small, uncertainties={"learning.peer_rate": (0.1, 0.9)})
    finally:
        monkeypatch.undo()
        importlib.reload(ema_mod)


def _example():
    spec = importlib.util.spec_from_file_location(
        "ema_prim_blind_leaders", REPO / "experiments" / "ema_prim_blind_leaders.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# EMA Workbench's own PRIM code uses a pandas keyword that pandas 3.1 deprecates.
@pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.drop is deprecated")
def test_prim_example_runs_a_small_design(tmp_path, capsys):
    example = _example()
    out = tmp_path / "prim"
    argv = ["--experiments", "12", "--replications", "2", "--employees", "300", "--years", "1"]
    assert example.main([*argv, "--out", str(out)]) == 0
    printed = capsys.readouterr().out

    frame = pd.read_csv(out / "experiments.csv")
    names = {ema_mod.parameter_name(p) for p in example.UNCERTAINTIES}
    assert len(frame) == 12 and names <= set(frame.columns)
    for path, (low, high) in example.UNCERTAINTIES.items():
        column = frame[ema_mod.parameter_name(path)]
        assert column.between(low, high).all()
    failing = int((frame[example.OUTCOME] < 1).sum())
    assert f"{failing} of 12 experiments return less than an hour" in printed
    assert 0 < failing < 12, "the small design should hold both classes for PRIM"

    box = pd.read_csv(out / "box.csv")
    trajectory = pd.read_csv(out / "trajectory.csv")
    assert set(box["uncertainty"]) <= names
    assert {"coverage", "density", "mass"} <= set(trajectory.columns)
    assert (out / "tradeoff.png").stat().st_size > 0
