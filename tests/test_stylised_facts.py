"""The six stylised facts of issue 16 as mechanism tests: each fact at the defaults, asserted on
95 % confidence intervals from 20 paired replications, and its ablation, the run with the
mechanism switched off, where the fact must disappear. The measuring code is
experiments/stylised_facts.py, which also writes docs/calibration.md, so the document reports
exactly what these tests assert.

Nothing is tuned to make a fact come out. A fact the model does not produce is asserted as
stated and marked ``xfail(strict=True)`` with the measured CI: the day the model produces it,
the test fails as "unexpectedly passing" and the mark must go."""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

import numpy as np
import pytest

from tests.conftest import REPO


def _experiment(name: str) -> Any:
    """``experiments/<name>.py`` as a module (registered: dataclasses look their module up
    while defined)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "experiments" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


facts = _experiment("stylised_facts")

REPS, SEED = 20, 1
FOUR = facts.FACT_4_FACTOR * REPS  # fact 4's noisier measure gets more replications


def _m(fact, prefix, reps=REPS):
    m = fact.measure(prefix)
    assert m.n == reps, f"{m.name}: {m.n} of {reps} replications defined"
    return m


@pytest.fixture(scope="module")
def auto():
    return facts.summaries(facts.scenario("auto_enrollment"), REPS, SEED)


@pytest.fixture(scope="module")
def one(auto):
    return facts.fact_1(auto, REPS, SEED)


@pytest.fixture(scope="module")
def two(auto):
    return facts.fact_2(auto, REPS, SEED)


@pytest.fixture(scope="module")
def three():
    return facts.fact_3(REPS, SEED)


@pytest.fixture(scope="module")
def four():
    return facts.fact_4(FOUR, SEED)


@pytest.fixture(scope="module")
def five():
    return facts.fact_5(REPS, SEED)


@pytest.fixture(scope="module")
def six():
    return facts.fact_6(REPS, SEED)


# --- 1: auto_enrollment ------------------------------------------------------------------


def test_fact_1_auto_enrollment_costs_a_working_week(one):
    hours = _m(one, "hours_per_leader_year")
    assert 30 <= hours.ci_low and hours.ci_high <= 40


def test_fact_1_few_but_some_find_it_worth_it(one):
    share = _m(one, "share_worth_it")
    assert 0 < share.ci_low and share.ci_high < 0.3


def test_fact_1_attendance_decays_to_at_most_70_percent(one):
    assert _m(one, "attendance_decay").ci_high <= 0.7


@pytest.mark.xfail(
    strict=True,
    reason="measured decay with expectations frozen 0.852 [0.840, 0.864] (20 seeds): "
    "obligation fading and the room emptying for it take up to 16 % of attendance; "
    "experienced value takes it from there to 0.647",
)
def test_fact_1_ablation_frozen_expectations_keep_the_room(one):
    # The decay comes from what members learn, not from fading obligation.
    assert _m(one, "attendance_decay, expectations frozen").ci_low >= 0.85


def test_fact_1_what_frozen_expectations_leave_is_obligation_fading(one):
    # With obligation kept at its start too, the room hardly empties: the ablation's decline
    # is obligation's fading (and the emptier room it brings), not anything else.
    frozen = _m(one, "attendance_decay, expectations frozen")
    neither = _m(one, "attendance_decay, expectations frozen and obligation not fading")
    assert neither.ci_low > frozen.ci_high and neither.ci_low > 0.95


# --- 2: designed against blind --------------------------------------------------------------


def test_fact_2_designed_returns_more_per_hour_on_both_accounts(two):
    assert _m(two, "participant_return_per_hour, designed").ci_low > 0
    assert _m(two, "sponsor_return_per_hour, designed").ci_low > 0


@pytest.mark.xfail(
    strict=True,
    reason="measured designed attendance_decay 0.063 [0.048, 0.078] (20 seeds): at best "
    "(all at their group's best, ties as meetings keep them) peer learning saves these "
    "leaders 46 hours a year for the 55 the meetings cost, 57 with alliances valued; and the "
    "best-informed, who learn least, leave first (correlation 0.67), so the groups unravel; "
    "recognition for teaching (learning.teaching_credit 1, off) would keep it (0.89) and break "
    "fact 1 instead; on the departments' practice (a ceiling above the cost) it keeps 0.51, "
    "with peers averaged over those who know more 0.28 (docs/calibration.md)",
)
def test_fact_2_designed_keeps_its_room(two):
    assert _m(two, "attendance_decay, designed").ci_low >= 0.85


def test_fact_2_peer_learning_cannot_save_the_hours_the_leaders_meetings_cost(two):
    # Why the designed room empties: even with every member at their group's best on the
    # network's topics and ties as strong as meetings keep them, the hours saved a year stay
    # below what the meetings cost; only the alliances' hours-equivalent brings it near.
    assert _m(two, "hours a year a designed member could save at most").ci_high < 0
    with_alliances = _m(two, "the same with the alliances")
    assert with_alliances.mean > _m(two, "hours a year a designed member could save at most").mean


def test_fact_2_designed_groups_unravel_from_the_best_informed(two):
    # The best-informed learn least from their peers, leave first, and take with them what
    # the others could learn.
    assert _m(two, "designed: correlation").ci_low > 0.3


def test_fact_2_goal_driven_spends_fewer_hours_and_saves_more(two):
    assert _m(two, "total_hours_year, goal_driven").ci_high < 0
    assert _m(two, "sponsor_hours_saved_year, goal_driven").ci_low > 0


# --- 3: relaunch against a no-change control ----------------------------------------------


def test_fact_3_relaunch_draws_more_than_no_change(three):
    assert _m(three, "attendance after relaunch − no-change control").ci_low > 0


def test_fact_3_relaunch_draws_at_least_five_points_more(three):
    m = _m(three, "attendance after relaunch − no-change control")
    assert m.ci_low > 0 and m.mean >= 0.05


def test_fact_3_ablation_frozen_expectations_draw_nobody_more(three):
    # The lift comes from what members learn of the new format, by coming and by hearsay.
    assert _m(three, "attendance after relaunch − no-change control, expectations").ci_low <= 0


def test_fact_3_format_alone_draws_more(three):
    assert _m(three, "attendance after format-only").ci_low > 0


def test_fact_3_relaunch_builds_cross_department_ties(three):
    assert _m(three, "cross-department tie strength").ci_low > 0


# --- 4: isolated specialists ---------------------------------------------------------------


def test_fact_4_isolated_specialists_save_more_per_hour(four):
    assert _m(four, "hours saved per hour spent, isolated", FOUR).ci_low > 0


def test_fact_4_ablation_colleagues_of_their_specialty_leave_no_advantage(four):
    assert _m(four, "the same, isolated given", FOUR).ci_low <= 0


# --- 5: evaluation -------------------------------------------------------------------------


def test_fact_5_wrong_decisions_both_ways_rise_with_noise(five):
    assert _m(five, "false_closures at noise").ci_low > 0
    assert _m(five, "false_keeps at noise").ci_low > 0


def test_fact_5_vague_goals_give_more_wrong_decisions(five):
    assert _m(five, "wrong decisions at noise").ci_low > 0


# --- 6: moving knowledge around ------------------------------------------------------------


def test_fact_6_knowledge_sharing_saves_nonmembers_hours(six):
    assert _m(six, "nonmember_hours_saved_year").ci_low > 0


def test_fact_6_ablation_no_diffusion_no_nonmember_hours(six):
    assert _m(six, "nonmember_hours_saved_year, no informal").ci_low <= 0


def test_fact_6_each_channel_carries_part(six):
    # Talk and asking both carry knowledge to non-members: switching either one off leaves
    # fewer hours saved, but some.
    full = _m(six, "nonmember_hours_saved_year").mean
    for channel in ("no talk", "no asking"):
        part = _m(six, f"nonmember_hours_saved_year, {channel}")
        assert 0 < part.ci_low and part.ci_high < full


def test_calibration_doc_shows_the_current_measurements(one, two):
    doc = (REPO / "docs" / "calibration.md").read_text(encoding="utf-8")
    table = facts.render([one, two], REPS, SEED).splitlines()
    # The doc holds all six facts; its rows for facts 1 and 2 must be today's numbers.
    rows = [line for line in table if line.startswith(("| 1", "| 2"))]
    assert rows
    for line in rows:
        assert line in doc, (
            f"docs/calibration.md is stale: run experiments/stylised_facts.py\n{line}"
        )


def test_no_lift_before_anyone_has_seen_the_new_format():
    # Why fact 3 counts from the meeting after the first relaunched one: at that first
    # meeting, and before it, the relaunch cannot draw anyone (no expectation jump).
    details = _experiment("fact_details")
    lift = details.relaunch_by_meeting(3, SEED)
    assert not lift[20].any() and not lift[24].any()
    assert lift[40].mean() > 0


def test_the_peer_rule_what_if_differs_only_where_few_know_more():
    # experiments/peer_rule.py's alternative participatory rule (docs/calibration.md, fact 2)
    # averages over those who know more: in a pair it is the model's rule, and what one of
    # 20 alone knows reaches the others 19 times as fast; the model's kernel is put back.
    rule = _experiment("peer_rule")
    from netsim.sim import kernels

    kw = {"lecture_rate": 0.1, "peer_rate": 0.3}
    pair = np.array([[[0.2], [0.7]]])
    both = np.ones((1, 2), dtype=bool)
    model = kernels.meeting_learning(pair, both, 0.8, 0.9, **kw)
    np.testing.assert_array_equal(
        rule.learning_from_those_who_know_more(pair, both, 0.8, 0.9, **kw), model
    )
    group = np.full((1, 20, 1), 0.1)
    group[0, 0, 0] = 0.6
    everyone = np.ones((1, 20), dtype=bool)
    model = kernels.meeting_learning(group, everyone, 1.0, 1.0, **kw)
    alternative = rule.learning_from_those_who_know_more(group, everyone, 1.0, 1.0, **kw)
    np.testing.assert_allclose(alternative[0, 1:], 19 * model[0, 1:])
    assert alternative[0, 0, 0] == model[0, 0, 0] == 0.0
    rows = rule.measure(1, SEED)
    assert kernels.meeting_learning is not rule.learning_from_those_who_know_more
    assert len(rows) == 8
