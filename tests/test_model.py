"""The model as a whole: exact traces, accounting identities, determinism, common random numbers."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import netsim
from netsim.sim.result import json_ready
from tests.conftest import SCENARIOS, small_scenario, trace_org, trace_scenario


def test_exact_trace_on_hand_built_organisation():
    sc = trace_scenario()
    org = trace_org(sc)
    res = netsim.simulate(sc, seed=1, org=org, trace=True)
    att = res.attendance
    log = [
        (
            int(day),
            net,
            tuple(int(e) for e in g.loc[g["came"], "employee"]),
            bool(g["held"].iloc[0]),
        )
        for (day, net), g in att.groupby(["day", "network"], sort=True)
    ]
    assert log == [
        (0, "forum", (1, 2, 4, 5), True),
        (5, "small", (1,), False),
        (20, "forum", (1, 2, 4, 5), True),
        (25, "small", (1,), False),
        (40, "forum", (1, 2, 4, 5), True),
        (45, "small", (1,), False),
    ]
    # The heads were invited every time and never came: operations first.
    heads = att[att["employee"].isin([0, 3])]
    assert heads["overloaded"].all() and not heads["came"].any()
    # Cancelled meetings cost only the organiser's follow-up.
    small = res.meetings[res.meetings["network"] == "small"]
    assert (small["hours"] == sc.networks["small"].followup_hours).all()
    # Who came to the forum learned leadership from those who knew more.
    forum_gain = att[(att["network"] == "forum") & att["came"]]["knowledge_gain"]
    assert (forum_gain[att["employee"] != 5] > 0).any()


@st.composite
def network_params(draw):
    return {
        "purpose": "leader_forum",
        "select": {"roles": ["leader"]},
        "enrollment": draw(st.sampled_from(["automatic", "invitation", "voluntary"])),
        "duration_hours": draw(st.floats(0.5, 4.0)),
        "travel_hours": draw(st.floats(0.0, 2.0)),
        "prep_hours": draw(st.floats(0.0, 2.0)),
        "followup_hours": draw(st.floats(0.0, 5.0)),
        "catering_dkk": draw(st.floats(0.0, 300.0)),
        "facilitator_dkk": draw(st.floats(0.0, 9000.0)),
        "facilitation": draw(st.sampled_from(["none", "professional"])),
        "quorum": draw(st.integers(1, 4)),
        "max_size": draw(st.integers(8, 20)),
        "interval_weeks": draw(st.sampled_from([1, 2, 3])),
        "organiser_role": draw(st.sampled_from(["leader", "specialist", "employee"])),
    }


@given(network_params(), st.integers(0, 2**31 - 1))
@settings(max_examples=25, deadline=None)
def test_hours_and_dkk_add_up_from_the_meeting_log(params, seed):
    sc = small_scenario(net=params)
    res = netsim.simulate(sc, seed=seed, years=0.3, trace=True)
    m, spec = res.meetings, sc.networks["net"]
    per_person = spec.duration_hours + spec.travel_hours + spec.prep_hours
    attended = np.where(m["held"], m["attended"], 0)
    # A group everybody left is logged with its leavers, at no cost: nobody organises for it.
    organised = m["invited"] > 0
    assert np.allclose(
        m["hours"], attended * per_person + spec.followup_hours * organised, rtol=1e-12
    )
    # DKK: each attendee's hours at their role's wage, catering, facilitator, organiser.
    wages = res.employees["role"].map(sc.organisation.hourly_cost_dkk.model_dump()).to_numpy()
    came = res.attendance[res.attendance["came"] & res.attendance["held"]]
    wage_cost = came.groupby(["day", "group"])["employee"].apply(
        lambda e: wages[e.to_numpy()].sum()
    )
    keys = pd.MultiIndex.from_frame(m[["day", "group"]])
    organiser = getattr(sc.organisation.hourly_cost_dkk, spec.organiser_role)
    expected = (
        pd.Series(wage_cost.reindex(keys).fillna(0.0).to_numpy(), index=m.index) * per_person
        + spec.followup_hours * organiser * organised
        + m["held"]
        * (
            spec.catering_dkk * m["attended"]
            + spec.facilitator_dkk * (spec.facilitation == "professional")
        )
    )
    assert np.allclose(m["cost_dkk"], expected, rtol=1e-12, atol=1e-9)
    # The per-employee ledger and the summary agree with the log.
    followup = spec.followup_hours * int(organised.sum())
    assert res.employees["hours"].sum() + followup == pytest.approx(m["hours"].sum(), rel=1e-12)
    years = res.summary["years"]
    assert res.summary["total_hours_year"] == pytest.approx(m["hours"].sum() / years, rel=1e-12)
    assert res.summary["cost_dkk_year"] == pytest.approx(m["cost_dkk"].sum() / years, rel=1e-12)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_overloaded_employees_never_attend(seed):
    sc = netsim.parse_scenario(
        {
            "organisation": {"employees": 300},
            "time_pressure": {"busy_periods_per_year": 6, "busy_period_raise": 0.4},
            "attendance": {"intercept": 5.0},
            "networks": {
                "all_leaders": {
                    "purpose": "leader_forum",
                    "select": {"roles": ["leader", "head"]},
                    "enrollment": "automatic",
                    "interval_weeks": 1,
                }
            },
        }
    )
    att = netsim.simulate(sc, seed=seed, years=0.5, trace=True).attendance
    assert att["overloaded"].sum() > 0, "the test needs overloaded invitees to mean anything"
    assert not (att["overloaded"] & att["came"]).any()
    assert att.loc[~att["overloaded"], "came"].mean() > 0.9


def _summary_json(res: netsim.RunResult) -> str:
    return json.dumps(json_ready(res.summary), sort_keys=True)


def test_same_seed_same_results_different_seed_different():
    sc = netsim.load_scenario(SCENARIOS / "goal_driven.toml")
    a = netsim.simulate(sc, seed=11, years=0.5)
    b = netsim.simulate(sc, seed=11, years=0.5)
    c = netsim.simulate(sc, seed=12, years=0.5)
    assert _summary_json(a) == _summary_json(b)
    for name in ("meetings", "weekly", "employees"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert _summary_json(a) != _summary_json(c)
    assert not a.meetings.equals(c.meetings)


def test_common_random_numbers_across_scenarios():
    base = netsim.load_scenario(SCENARIOS / "baseline.toml")
    auto = netsim.load_scenario(SCENARIOS / "auto_enrollment.toml")
    rb = netsim.simulate(base, seed=5, years=1)
    ra = netsim.simulate(auto, seed=5, years=1)
    org_cols = ["id", "department", "unit", "role", "specialty", "isolated"]
    pd.testing.assert_frame_equal(rb.employees[org_cols], ra.employees[org_cols])
    for col in ("mean_pressure", "share_overloaded"):
        assert rb.weekly[col].to_numpy().tolist() == ra.weekly[col].to_numpy().tolist()
    # ...while the designs differ in what they do.
    assert ra.summary["meetings_held"] > 0 == rb.summary["meetings_held"]
    other = netsim.simulate(base, seed=6, years=1)
    assert other.weekly["mean_pressure"].tolist() != rb.weekly["mean_pressure"].tolist()


def test_recorded_frames_are_consistent():
    sc = netsim.load_scenario(SCENARIOS / "auto_enrollment.toml")
    res = netsim.simulate(sc, seed=3, years=1)
    s, m = res.summary, res.meetings
    assert tuple(s) == netsim.SUMMARY_NAMES
    assert s["meetings_held"] + s["meetings_cancelled"] == len(m)
    assert (m["attended"] <= m["invited"]).all()
    assert len(res.weekly) == 44  # 220 working days, 5 a week
    leaders = res.employees[res.employees["role"] == "leader"]
    assert s["hours_per_leader_year"] == pytest.approx(leaders["hours"].mean())
    assert 0 < s["attendance_first_quarter"] <= 1


def test_selector_matching_nobody_is_a_scenario_error():
    # Found when the scenario is loaded (here from a dict), before any run is built.
    with pytest.raises(netsim.ScenarioError, match="matches nobody") as err:
        small_scenario(
            x={
                "purpose": "strategy",
                "select": {"roles": ["executive"], "departments": ["children"]},
                "enrollment": "automatic",
            }
        )
    assert err.value.field == "networks.x.select"


def test_a_drawn_shortfall_of_specialists_is_counted_not_an_error():
    # A generated organisation draws its specialists for each seed, so a network of one
    # specialty can be short of its quorum in some replications: the run goes on, the short
    # group never meets, and the summary counts it.
    sc = small_scenario(
        rare={
            "purpose": "competence",
            "topics": ["finance"],
            "select": {"roles": ["specialist"]},
            "enrollment": "automatic",
            "max_size": 100,
            "quorum": 100,  # more than the specialists a 200-employee organisation has
        },
        leaders={
            "purpose": "leader_forum",
            "select": {"roles": ["leader"]},
            "enrollment": "automatic",
        },
    )
    r = netsim.simulate(sc, seed=1, years=0.5)
    rare = r.meetings[r.meetings["network"] == "rare"]
    assert len(rare) > 0 and (rare["invited"] > 0).all() and not rare["held"].any()
    assert r.summary["groups_below_quorum"] == 1
    assert r.meetings.loc[r.meetings["network"] == "leaders", "held"].any()


def test_a_specialty_nobody_has_in_this_replication_never_meets():
    sc = small_scenario(
        nobody={
            "purpose": "competence",
            "select": {"specialties": ["finance"], "departments": ["children"], "isolated": True},
            "enrollment": "automatic",
            "quorum": 1,
        }
    )
    for seed in range(1, 30):  # a seed whose organisation has no such specialist
        r = netsim.simulate(sc, seed=seed, years=0.2)
        if r.summary["groups_below_quorum"]:
            break
    else:
        pytest.fail("every seed drew an isolated finance specialist in children")
    assert not r.meetings.loc[r.meetings["network"] == "nobody", "held"].any()
    assert r.meetings.loc[r.meetings["network"] == "nobody", "invited"].eq(0).all()


@pytest.mark.parametrize("name", ["auto_enrollment", "goal_driven"])
def test_a_meeting_computed_a_few_groups_at_a_time_is_the_same_meeting(name, monkeypatch):
    # At Copenhagen's scale a network has a thousand groups; their meetings are computed in
    # blocks so that the temporaries stay small. A person is in one group of a network, so
    # the blocks must not change anything: here blocks of 2 groups against all at once.
    from netsim.sim import meeting, model

    sc = netsim.load_scenario(SCENARIOS / f"{name}.toml")
    assert max(b.groups for b in model.run(sc, 3, years=0.05).state.batches) > 2
    whole = model.run(sc, 3, years=0.5)
    monkeypatch.setattr(meeting, "MEETING_BLOCK", 2)
    blocks = model.run(sc, 3, years=0.5)
    assert _summary_json(whole.result) == _summary_json(blocks.result)
    for frame in ("meetings", "weekly", "employees", "knowledge", "bridging"):
        pd.testing.assert_frame_equal(
            getattr(whole.result, frame), getattr(blocks.result, frame), check_exact=True
        )
    assert np.array_equal(whole.state.knowledge, blocks.state.knowledge)
    assert np.array_equal(whole.state.w, blocks.state.w)


def test_bridging_ties_are_the_new_cross_department_ties_each_pair_once():
    from netsim.sim import model

    sc = netsim.load_scenario(SCENARIOS / "goal_driven.toml")
    r = model.run(sc, 4, years=1.0)
    st, thr = r.state, sc.learning.tie_threshold
    rows = np.repeat(np.arange(st.org.n), np.diff(st.indptr))
    cols = st.indices.astype(np.int64)
    # The ties are symmetric, strengths included, after a year of meetings and decay.
    pairs = zip(rows.tolist(), cols.tolist(), strict=True)
    tie = dict(zip(pairs, st.w.tolist(), strict=True))
    assert all(tie[(b, a)] == w for (a, b), w in tie.items())
    # Bridging: no tie at the start, across departments, now at least the threshold.
    new_cross = (st.w0 == 0) & (st.org.department[rows] != st.org.department[cols])
    want = new_cross & (st.w >= thr) & (rows < cols)
    got = r.result.bridging
    assert len(got) > 0
    assert got["a"].tolist() == rows[want].tolist()
    assert got["b"].tolist() == cols[want].tolist()
    assert got["strength"].tolist() == st.w[want].tolist()
    summary = r.result.summary["bridging_ties"]
    assert r.result.weekly["bridging_ties"].iloc[-1] == len(got) == summary
