"""netsim against its executable specification, experiments/benchmarks/reference.py.

The reference is the model written the naive way (a SimPy process per employee, Python loops
over people at meetings) drawing the same random numbers in the same order. For a fixed seed
on a 1,000-employee organisation with networks of every enrollment, both formats, an
evaluation and a scheduled change, it must give netsim's meeting log, reviews and final
knowledge to 1e-9, with either kernels (numpy and compiled): the test of the vectorised
kernels, and of the value model in hours (problem hours before and after each meeting).
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import numpy as np
import pytest

import netsim
from netsim.scenario.schema import ROLES, Organisation
from netsim.sim.model import run
from netsim.sim.org import build_organisation
from netsim.sim.rng import Streams
from tests.conftest import REPO


def _load(name: str) -> ModuleType:
    """A module of experiments/benchmarks, which is no package (its meeting module first: the
    reference imports it by name, as it does when run as a script)."""
    spec = importlib.util.spec_from_file_location(
        name, REPO / "experiments" / "benchmarks" / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module


_load("reference_meeting")
reference = _load("reference")

YEARS, SEED = 0.3, 7  # 66 working days: a few seconds for the reference


ORGANISATION = {"employees": 1000, "departments": 4, "specialist_share": 0.08}


def _neighbourhood() -> list[int]:
    """45 employees of three neighbouring units: people with informal ties to each other,
    so that word of mouth can reach a voluntary network's candidates."""
    org = build_organisation(Organisation(**ORGANISATION), rng=Streams(SEED).organisation)
    people = np.flatnonzero((org.department == 1) & (org.role == ROLES.index("employee")))
    return [int(i) for i in people[:45]]


def _scenario() -> netsim.Scenario:
    return netsim.parse_scenario(
        {
            "name": "reference_check",
            "organisation": ORGANISATION,
            # Values are hours saved per hour spent. Members leave after two meetings they
            # expect to return less than 0.9 h an hour (some groups empty entirely); the
            # sponsor closes below 0.5 h and transforms below 1.5 h per attendee hour, with
            # enough noise (grown by vague goals) for wrong decisions both ways.
            "attendance": {
                "leave_threshold": 0.9,
                "leave_after_meetings": 2,
                "hearsay_weight": 1.0,
            },
            "evaluation": {
                "every_meetings": 3,
                "measurement_noise": 0.3,
                "close_below": 0.5,
                "transform_below": 1.5,
            },
            "networks": {
                "leaders": {  # automatic, lecture, vague
                    "purpose": "leader_forum",
                    "select": {"roles": ["leader"]},
                    "enrollment": "automatic",
                    "goal_clarity": 0.2,
                    "participation": 0.1,
                    "interval_weeks": 2,
                    "quorum": 4,
                },
                "sharing": {  # invitation, participatory, facilitated, within departments
                    "purpose": "knowledge_sharing",
                    "select": {"roles": ["employee", "specialist"], "sample": 90},
                    "enrollment": "invitation",
                    "split": "department",
                    "goal_clarity": 0.8,
                    "participation": 0.9,
                    "facilitation": "professional",
                    "interval_weeks": 2,
                    "start_week": 1,
                    "quorum": 3,
                },
                "specialists": {  # voluntary: recruitment between meetings
                    "purpose": "competence",
                    "select": {
                        "roles": ["specialist"],
                        "specialties": ["project_management", "lean", "finance"],
                    },
                    "enrollment": "voluntary",
                    "max_size": 8,
                    "goal_clarity": 0.5,
                    "participation": 0.8,
                    "interval_weeks": 1.5,
                    "quorum": 2,
                },
                "practice": {  # voluntary, unreviewed, among neighbours: word of mouth recruits
                    "purpose": "knowledge_sharing",
                    "select": {"ids": _neighbourhood()},
                    "enrollment": "voluntary",
                    "reviewed": False,
                    "max_size": 15,
                    "goal_clarity": 0.4,
                    "participation": 0.9,
                    "facilitation": "professional",
                    "interval_weeks": 2,
                    "quorum": 2,
                },
                "strategy": {  # self-organised (never reviewed), a high quorum: cancellations
                    "kind": "self_organised",
                    "purpose": "strategy",
                    "select": {"roles": ["head", "leader"], "sample": 24},
                    "enrollment": "invitation",
                    "max_size": 12,
                    "participation": 0.5,
                    "interval_weeks": 3,
                    "quorum": 9,
                },
            },
            "schedule": [
                {
                    "at_week": 6,
                    "set": {
                        "networks.leaders.participation": 0.9,
                        "networks.leaders.goal_clarity": 0.7,
                        "networks.sharing.facilitation": "none",
                        "time_pressure.overload": 0.85,
                    },
                }
            ],
        }
    )


@pytest.fixture(scope="module")
def naive():
    return reference.simulate(_scenario(), SEED, years=YEARS)


@pytest.fixture(scope="module", params=["numpy", "numba"])
def both(request, naive):
    return run(_scenario(), SEED, years=YEARS, kernels=request.param), naive


def test_same_meeting_log(both):
    ours, ref = both
    got, want = ours.result.meetings, ref.meetings
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want)
    for col in got.columns:
        a, b = got[col].to_numpy(), want[col].to_numpy()
        if got[col].dtype.kind == "f":
            np.testing.assert_allclose(a, b.astype(float), rtol=1e-9, atol=1e-9, err_msg=col)
        else:
            assert a.tolist() == b.tolist(), col


def test_same_reviews(both):
    ours, ref = both
    got, want = ours.result.reviews, ref.reviews
    assert len(got) == len(want) > 0
    for col in ("day", "network", "group", "decision", "true_decision"):
        assert got[col].tolist() == want[col].tolist(), col
    for col in ("true_value_per_hour", "measured_value_per_hour"):
        np.testing.assert_allclose(got[col], want[col], rtol=1e-9, atol=1e-12, err_msg=col)


def test_same_final_knowledge(both):
    ours, ref = both
    assert ours.state.knowledge.shape == ref.knowledge.shape
    np.testing.assert_allclose(ours.state.knowledge, ref.knowledge, rtol=0, atol=1e-9)
    assert (ours.state.knowledge != ours.state.knowledge0).mean() > 0.5, "diffusion ran"


def test_the_scenario_exercises_every_branch(both):
    """The equivalence means something only if the run went through every rule."""
    ours, _ = both
    m, s = ours.result.meetings, ours.result.summary
    assert m["held"].any() and (~m["held"]).any(), "held and cancelled meetings"
    assert set(m["network"]) == {"leaders", "sharing", "specialists", "practice", "strategy"}
    assert s["members_left"] > 0, "members left"
    assert (m["bridging_gain"] > 0).any(), "bridging ties formed"
    emptied = m[(m["invited"] == 0) & (m["left"] > 0)]
    assert len(emptied) > 0, "a group everybody left stays in the log"
    assert (emptied["hours"] == 0).all() and (emptied["cost_dkk"] == 0).all(), "at no cost"
    decisions = set(ours.result.reviews["decision"])
    assert {"continue", "transform", "close"} <= decisions, decisions
    assert "strategy" not in set(ours.result.reviews["network"]), "self-organised: not reviewed"
    invited = m[m["network"] == "practice"].groupby("day")["invited"].sum()
    assert invited.diff().max() > 0, "voluntary members joined between meetings"
    leaders = m[m["network"] == "leaders"]
    assert (leaders["week"] < 6).any() and (leaders["week"] >= 6).any(), "before and after"
    assert ours.state.scenario.networks["leaders"].participation == 0.9, "the change applied"
    specialists = next(b for b in ours.state.batches if b.name == "specialists")
    assert (specialists.isolated & specialists.ever).any(), "isolated specialists took part"
