"""``netsim explain``: the reasons follow from the trace's decision inputs."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import netsim
from netsim.cli import main
from netsim.show.explain import (
    TERMS,
    _odds_words,
    _reason,
    decision_terms,
    explain,
    explain_text,
)
from tests.conftest import trace_org, trace_scenario


@pytest.fixture(scope="module")
def traced():
    sc = trace_scenario()
    org = trace_org(sc)
    return netsim.simulate(sc, seed=1, org=org, trace=True)


def test_the_head_is_overloaded_by_operations_every_time(traced):
    items = explain(traced, 0)
    assert [(e.day, e.network) for e in items] == [
        (0, "forum"),
        (5, "small"),
        (20, "forum"),
        (25, "small"),
        (40, "forum"),
        (45, "small"),
    ]
    assert all(e.reason == "overloaded" and not e.came for e in items)
    assert all(
        "did not come: overloaded by operations (time pressure 0.95" in e.sentence for e in items
    )


def test_a_leader_comes_learns_at_the_forum_and_finds_the_small_room_empty(traced):
    items = explain(traced, 1)
    forum = [e for e in items if e.network == "forum"]
    small = [e for e in items if e.network == "small"]
    # Coming was all but certain (intercept 20): the reason is what pushed the odds up most.
    assert all(e.came and e.held and e.reason in TERMS and e.probability > 0.99 for e in forum)
    assert all(e.terms[e.reason] == max(e.terms.values()) for e in forum)
    assert all("came: as was likely — chance of coming 100%" in e.sentence for e in forum)
    assert all("will save them" in e.sentence for e in forum)
    assert all(e.came and not e.held for e in small)
    assert all("the meeting was cancelled — too few came" in e.sentence for e in small)


def test_text_has_a_header_and_one_sentence_per_invitation(traced):
    text = explain_text(traced, 3)
    lines = text.splitlines()
    assert lines[0] == (
        "Employee 3 (head, children) was invited to 6 meetings and came to 0; 0.0 hours in all."
    )
    assert len(lines) == 7
    da = explain_text(traced, 3, lang="da")
    assert "for travl med driften" in da
    assert explain_text(traced, 2).count("\n") == 3  # invited to the forum only


def _row(**kw):
    base = {
        "overloaded": False,
        "expected_value": 0.3,
        "obligation": 0.0,
        "room": 1.0,
        "pressure": 0.5,
        "probability": 0.5,
        "came": True,
    }
    return pd.Series({**base, **kw})


def test_the_words_of_the_odds_do_not_depend_on_how_the_draw_went():
    """The bug of issue 15: "came: expected it to be worth it (0.15)" one week and "did not
    come: expected too little (0.15)" another. Now the same inputs give the same chance and
    the same terms, whichever way the draw went; only came / did not come and whether that
    was likely differ."""
    sc = netsim.parse_scenario({"organisation": {"employees": 100}})
    h = 3.5  # hours per attendee
    inputs = {"expected_value": 0.15, "obligation": 0.6, "room": 0.4, "pressure": 0.7}
    terms = decision_terms(_row(**inputs), sc, h / sc.simulation.hours_per_day)
    came = _odds_words(_row(**inputs, probability=0.35, came=True), terms, h, "en")
    absent = _odds_words(_row(**inputs, probability=0.35, came=False), terms, h, "en")
    assert came.startswith("against the odds — chance of coming 35%")
    assert absent.startswith("as was likely — chance of coming 35%")
    assert came.split("—", 1)[1] == absent.split("—", 1)[1]
    below = "expecting 0.15 hours saved for every hour it costs, below the 1 that makes it"
    assert below in came and below in absent
    assert "time pressure 0.70 (−1.40)" in came  # pressure_weight 2 x 0.7, lowering it
    assert _reason(terms, 0.35) == "pressure" and _reason(terms, 0.65) == "obligation"


def test_the_terms_are_the_models_logit(traced):
    """The contributions an explanation names, with the intercept, are the decision's
    logit: they give back the probability the model drew against, invitation by invitation."""
    sc = traced.scenario
    for employee in range(6):
        for e in explain(traced, employee):
            if e.reason == "overloaded":
                assert e.terms == {} and e.probability == 0.0
                continue
            logit = sc.attendance.intercept + sum(e.terms.values())
            assert math.isclose(1 / (1 + math.exp(-logit)), e.probability, rel_tol=1e-9)
            side = max if e.probability >= 0.5 else min
            assert e.terms[e.reason] == side(e.terms.values())


def test_cli_explains_one_employee(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text(
        'name = "s"\n[organisation]\nemployees = 200\n[networks.leaders]\n'
        'purpose = "leader_forum"\nselect = { ids = [5, 6, 7, 8] }\nenrollment = "automatic"\n'
        "quorum = 2\n"
    )
    assert main(["explain", str(path), "--employee", "6", "--years", "0.25"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Employee 6 (") and len(out) == 1 + 3  # weeks 0, 4, 8
    assert all(line.startswith("- Week ") for line in out[1:])
    assert main(["explain", str(path), "--employee", "999"]) == 2
    err = capsys.readouterr().err
    assert err == "netsim: error: --employee: no employee 999 (ids are 0 to 199)\n"


# --- the organisation's own ids, and whom to explain


@pytest.fixture(scope="module")
def starter(tmp_path_factory):
    """`netsim init`'s example organisation: an HR file with ids 101.. and named units."""
    from netsim.cli.init import write_starter

    d = tmp_path_factory.mktemp("own")
    write_starter(d)
    return d / "scenario.toml"


def test_explain_takes_and_says_the_hr_files_ids_and_unit_names(starter, capsys):
    assert main(["explain", str(starter), "--employee", "209", "--years", "0.5"]) == 0
    out = capsys.readouterr().out.splitlines()
    # 209 is line 17 of employees.csv: a leader of Børnehuset Mælkebøtten in Børn og Skole.
    assert out[0].startswith("Employee 209 (leader, Børnehuset Mælkebøtten, Børn og Skole) was")
    assert len(out) > 1 and all(line.startswith("- Week ") for line in out[1:])
    # netsim's own position of 209 is 16; as an HR id, 16 is nobody.
    assert main(["explain", str(starter), "--employee", "16", "--years", "0.5"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("netsim: error: --employee: no employee '16' in ")
    assert "employees.csv (the ids of its 'id' column)" in err and "209" not in err


def test_explain_list_shows_who_kept_coming_and_who_stopped(tmp_path, capsys):
    from netsim.show.explain import KEPT_AFTER, who_is_worth_explaining

    sc = netsim.parse_scenario(
        {
            "name": "s",
            "simulation": {"years": 1},
            "organisation": {"employees": 200},
            "networks": {
                "leaders": {
                    "purpose": "leader_forum",
                    "select": {"roles": ["leader"]},
                    "enrollment": "automatic",
                    "quorum": 2,
                }
            },
        }
    )
    result = netsim.simulate(sc, seed=1, trace=True)
    frame = who_is_worth_explaining(result)
    assert set(frame["kind"]) <= {"kept", "stopped"} and (frame["kind"] == "kept").any()
    att = result.attendance
    for _, row in frame.iterrows():
        came = att[(att["employee"] == row["position"]) & (att["network"] == row["network"])]
        came = came.sort_values("day")["came"].to_numpy(bool)
        assert row["came"] == came.sum() and row["invited"] == len(came)
        if row["kind"] == "kept":
            assert came[-KEPT_AFTER:].all()
        else:
            assert came.any() and not came[-1]
    path = tmp_path / "s.toml"
    path.write_text(
        'name = "s"\n[organisation]\nemployees = 200\n[networks.leaders]\n'
        'purpose = "leader_forum"\nselect = { roles = ["leader"] }\nenrollment = "automatic"\n'
        "quorum = 2\n"
    )
    assert main(["explain", str(path), "--list", "--years", "1", "--seed", "1"]) == 0
    text = capsys.readouterr().out
    assert "kept coming" in text
    first = frame[frame["kind"] == "kept"].iloc[0]
    assert f"{first['came']} of {first['invited']}" in text
    assert f"netsim explain {path} --employee ID" in text.replace("\n", "")
    with pytest.raises(SystemExit) as info:  # one or the other
        main(["explain", str(path), "--list", "--employee", "3"])
    assert info.value.code == 2
    assert "not allowed with argument --list" in capsys.readouterr().err
