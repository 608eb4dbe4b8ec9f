"""Shared helpers: small scenarios and a hand-built organisation; hypothesis's profiles."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import netsim
from netsim.scenario.schema import ROLES
from netsim.sim.org import Org

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"

# CI (``.ci/run`` sets ``CI``) draws the same examples every run, so that a red build is a
# change in the code, not a new draw, and no example fails on time on a loaded machine; at a
# desk the examples are random (hypothesis's defaults), which keeps finding new cases. Tests
# that name their own ``max_examples`` keep it under both profiles.
settings.register_profile(
    "ci",
    parent=settings.get_profile("default"),
    derandomize=True,
    max_examples=100,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", parent=settings.get_profile("default"))
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def small_scenario(**networks: dict[str, Any]) -> netsim.Scenario:
    """A 200-employee organisation with the given networks."""
    return netsim.parse_scenario(
        {"name": "small", "organisation": {"employees": 200}, "networks": networks}
    )


def hand_built_org(
    departments: list[int],
    roles: list[str],
    ties: list[tuple[int, int, float]],
    scenario: netsim.Scenario,
) -> Org:
    """An organisation written out person by person (one unit per department)."""
    cfg = scenario.organisation
    n = len(departments)
    dep = np.asarray(departments, dtype=np.intp)
    a = np.array([t[0] for t in ties] + [t[1] for t in ties], dtype=np.intp)
    b = np.array([t[1] for t in ties] + [t[0] for t in ties], dtype=np.intp)
    w = np.array([t[2] for t in ties] * 2)
    mat = sp.coo_array((w, (a, b)), shape=(n, n)).tocsr()
    mat.sort_indices()
    topics = cfg.topics()
    know = np.full((n, len(topics)), 0.2)
    know[:, len(cfg.specialties)] = np.linspace(0.1, 0.9, n)  # leadership: spread out
    role = np.array([ROLES.index(r) for r in roles], dtype=np.int8)
    return Org(
        department=dep,
        unit=dep.copy(),
        role=role,
        specialty=np.full(n, -1, dtype=np.intp),
        isolated=np.zeros(n, dtype=bool),
        career=np.full(n, 0.5),
        wage_dkk=np.asarray(cfg.hourly_cost_dkk.as_tuple())[role],
        knowledge=know,
        ties=mat,
        department_names=cfg.names(),
        specialties=list(cfg.specialties),
        topics=topics,
    )


def trace_scenario() -> netsim.Scenario:
    """Heads run so hot they are always overloaded; leaders always come."""
    return netsim.parse_scenario(
        {
            "name": "trace",
            "simulation": {"years": 0.25},  # 55 working days
            "organisation": {"employees": 20, "departments": 1, "executives": 1},
            "time_pressure": {
                "mean_by_role": {
                    "executive": 0.95,
                    "head": 0.95,
                    "leader": 0.2,
                    "specialist": 0.2,
                    "employee": 0.2,
                },
                "individual_sd": 0.0,
                "noise_sd_per_day": 0.0,
                "busy_periods_per_year": 0.0,
            },
            "attendance": {"intercept": 20.0},
            "networks": {
                "forum": {
                    "purpose": "leader_forum",
                    "select": {"ids": [0, 1, 2, 3, 4, 5]},
                    "enrollment": "automatic",
                    "interval_weeks": 4,
                    "quorum": 3,
                },
                "small": {
                    "purpose": "strategy",
                    "select": {"ids": [0, 1, 3]},
                    "enrollment": "automatic",
                    "interval_weeks": 4,
                    "start_week": 1,
                    "quorum": 2,
                },
            },
        }
    )


def trace_org(scenario: netsim.Scenario) -> Org:
    """Six people in two departments: a head and two leaders each, a few ties."""
    return hand_built_org(
        departments=[0, 0, 0, 1, 1, 1],
        roles=["head", "leader", "leader", "head", "leader", "leader"],
        ties=[(0, 1, 0.5), (1, 2, 0.5), (3, 4, 0.5), (4, 5, 0.5), (0, 3, 0.5)],
        scenario=scenario,
    )


@pytest.fixture(scope="session")
def scenario_files() -> list[Path]:
    return sorted(SCENARIOS.glob("*.toml"))


# --- the daily step on a small hand-drawn tie matrix (test_daily_step, test_kernels_numba)


@st.composite
def days(draw):
    """A small tie matrix with rows of zero strength and empty rows, knowledge, pressure and
    several days of random numbers (some exactly at the talking threshold's edges)."""
    n = draw(st.integers(2, 25))
    lengths = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 8)))
    indptr = np.r_[0, np.cumsum(lengths)].astype(np.int64)
    m = int(indptr[-1])
    strengths = st.sampled_from([0.0, 1e-300, 1e-3, 0.1, 0.25, 0.6, 1.0])
    w = draw(hnp.arrays(np.float64, m, elements=strengths))
    indices = draw(hnp.arrays(np.int32, m, elements=st.integers(0, n - 1)))
    topics = draw(st.integers(1, 5))
    k = draw(hnp.arrays(np.float64, (n, topics), elements=st.floats(0.0, 1.0)))
    unit = st.floats(0.0, 1.0, exclude_max=True)
    d = draw(st.integers(1, 4))
    pressure = draw(hnp.arrays(np.float64, (d, n), elements=st.floats(0.0, 1.0)))
    u_talk = draw(hnp.arrays(np.float64, (d, n), elements=unit))
    u_pick = draw(hnp.arrays(np.float64, (d, n), elements=unit | st.just(1.0 - 2**-53)))
    return indptr, indices, w, k, pressure, u_talk, u_pick


class StepState:
    """What :func:`netsim.sim.daily.who_talks` and :func:`netsim.sim.daily.talk` read of a state."""

    def __init__(self, indptr, indices, w, k, q, share):
        self.indptr, self.indices, self.w, self.knowledge = indptr, indices, w, k
        self.has_ties = np.diff(indptr) > 0
        self.long_row = 4
        self.pressure = np.zeros(k.shape[0])
        diffusion = type("D", (), {"talk_prob_per_day": q, "gap_share": share})
        self.scenario = type("S", (), {"diffusion": diffusion})
