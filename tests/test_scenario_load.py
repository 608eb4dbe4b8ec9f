"""The loader is the one place a scenario is filled, validated and checked.

``load_scenario`` (and ``parse_scenario`` for mappings) reads the files, validates, and checks
what needs the organisation; the schema reads no file; building a run never raises a user's
error.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import netsim
from netsim.errors import ScenarioError
from netsim.scenario.load import load_scenario, parse_scenario, with_overrides
from netsim.scenario.schema import Scenario
from netsim.scenario.staff import count_varies_with_seed, matching, split_groups, staff_of
from netsim.sim.org import build_organisation
from netsim.sim.rng import Streams
from netsim.sim.state import build_state

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"

NOBODY = """
[organisation]
employees = 200

[networks.x]
purpose = "strategy"
select = { roles = ["executive"], departments = ["children"] }
enrollment = "automatic"
"""


def _state(scenario: Scenario, seed: int):
    streams = Streams(seed)
    org = build_organisation(scenario.organisation, rng=streams.organisation)
    return org, build_state(scenario, org, streams)


@pytest.mark.parametrize("name", ["baseline", "leader_forum_redesign", "own_organisation"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_loaded_scenario_builds_and_its_fixed_groups_are_the_ones_checked(
    name: str, seed: int
) -> None:
    scenario = load_scenario(SCENARIOS / f"{name}.toml")
    _, state = _state(scenario, seed)
    staff = staff_of(scenario.organisation)
    for batch in state.batches:
        spec = batch.spec
        if count_varies_with_seed(scenario.organisation, spec) or spec.select.sample:
            continue
        # What the loader counted is what the run built, whatever the seed.
        found = np.flatnonzero(matching(staff, spec.select, within=scenario.members_of(batch.name)))
        groups = split_groups(staff, found, spec.max_size, spec.split)
        assert sorted(len(g) for g in groups) == sorted(batch.slot.sum(axis=1).tolist())
        assert min(len(g) for g in groups) >= spec.quorum


def test_staff_is_the_organisation_before_its_draws() -> None:
    cfg = parse_scenario({"organisation": {"employees": 500, "departments": 4}}).organisation
    staff = staff_of(cfg)
    org = build_organisation(cfg, rng=Streams(5).organisation)
    assert np.array_equal(staff.department, org.department)
    assert np.array_equal(staff.unit, org.unit)
    drawn = org.role == 3  # specialists: drawn from the employees
    assert np.array_equal(staff.role[~drawn], org.role[~drawn])
    assert (staff.role[drawn] == 4).all()


def test_a_selector_matching_nobody_fails_at_load_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nobody.toml"
    path.write_text(NOBODY, encoding="utf-8")
    with pytest.raises(ScenarioError, match="matches nobody in the organisation") as info:
        load_scenario(path)
    assert info.value.source == str(path)
    assert info.value.field == "networks.x.select"
    assert str(info.value) == f"{path}: networks.x.select: matches nobody in the organisation"


def test_too_few_for_the_quorum_fails_at_load(tmp_path: Path) -> None:
    path = tmp_path / "few.toml"
    path.write_text(
        NOBODY.replace('roles = ["executive"], departments = ["children"]', "ids = [1, 2]"),
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == (
        f"{path}: networks.x.quorum: the selector matches only 2 people, fewer than the quorum "
        "(got 3)"
    )


def test_the_smallest_group_below_the_quorum_fails_at_load() -> None:
    # 15 leaders in groups of at most 7: 5, 5, 5, each below a quorum of 6.
    data = {
        "organisation": {"employees": 200},
        "networks": {
            "leaders": {
                "purpose": "leader_forum",
                "select": {"roles": ["leader"]},
                "enrollment": "automatic",
                "max_size": 7,
                "quorum": 6,
            }
        },
    }
    with pytest.raises(ScenarioError, match=r"the smallest group has 5 people") as info:
        parse_scenario(data, source="mine.toml")
    assert info.value.source == "mine.toml" and info.value.field == "networks.leaders.quorum"


def test_overrides_are_checked_like_a_file() -> None:
    base = netsim.parse_scenario(
        {
            "organisation": {"employees": 200},
            "networks": {
                "leaders": {
                    "purpose": "leader_forum",
                    "select": {"roles": ["leader"]},
                    "enrollment": "automatic",
                }
            },
        }
    )
    with pytest.raises(ScenarioError, match="matches only 15 people") as info:
        with_overrides(base, {"networks.leaders.quorum": 16}, source="exp.toml")
    assert info.value.source == "exp.toml"


def test_building_a_run_never_raises_a_users_error() -> None:
    # Built in Python, past the loader: the selector matches nobody. The run goes on; the
    # empty group never meets.
    scenario = Scenario.model_validate(
        {
            "organisation": {"employees": 200},
            "networks": {
                "x": {
                    "purpose": "strategy",
                    "select": {"roles": ["executive"], "departments": ["children"]},
                    "enrollment": "automatic",
                }
            },
        }
    )
    _, state = _state(scenario, 1)
    assert not state.batches[0].slot.any()
    result = netsim.simulate(scenario, seed=1, years=0.1)
    assert not result.meetings["held"].any()


def test_the_schema_reads_no_file(tmp_path: Path) -> None:
    data = {
        "organisation": {"employees_csv": "missing.csv"},
        "networks": {
            "x": {
                "purpose": "strategy",
                "select": {},
                "members_csv": "missing_members.csv",
                "enrollment": "automatic",
            }
        },
    }
    context = {"base_dir": str(tmp_path)}
    scenario = Scenario.model_validate(data, context=context)  # nothing read, nothing missed
    assert scenario.organisation.employees_csv == str(tmp_path / "missing.csv")
    assert scenario.organisation.roster is None and scenario.members_of("x") is None
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data, source="s.toml", base_dir=tmp_path)
    assert str(info.value) == (
        f"s.toml: organisation.employees_csv: file not found: {tmp_path / 'missing.csv'}"
    )


def test_a_missing_member_list_is_named_at_its_field(tmp_path: Path) -> None:
    text = (SCENARIOS / "own_organisation.toml").read_text(encoding="utf-8")
    path = tmp_path / "own.toml"
    data = SCENARIOS / "data"
    path.write_text(
        text.replace('"data/', f'"{data.as_posix()}/').replace(
            "eksempel_kommune_projektledernetvaerk.csv", "gone.csv"
        ),
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == (
        f"{path}: networks.projektledere.members_csv: file not found: {data / 'gone.csv'}"
    )
