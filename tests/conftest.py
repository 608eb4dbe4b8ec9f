"""Shared helpers: small scenarios and a hand-built organisation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

import netsim
from netsim.config import ROLES
from netsim.org import Org

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"


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


@pytest.fixture(scope="session")
def scenario_files() -> list[Path]:
    return sorted(SCENARIOS.glob("*.toml"))
