"""``netsim explain``: the reasons follow from the trace's decision inputs."""

from __future__ import annotations

import pandas as pd
import pytest

import netsim
from netsim.cli import main
from netsim.show.explain import _reason, explain, explain_text
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
    assert all(e.came and e.held and e.reason == "odds" for e in forum)
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


def test_reasons_follow_the_decision_inputs():
    sc = netsim.parse_scenario({"organisation": {"employees": 100}})
    # The defaults: b0 0.8, bv 1.5, bo 1, bs 1, bp 2, hours 0.5 days at weight 1; worth it at 1.
    h = 0.5
    obliged = _row(expected_value=0.0, obligation=1.0, room=0.5, pressure=0.6, probability=0.7)
    assert _reason(obliged, sc, h)[0] == "obliged"
    valued = _row(expected_value=0.6, room=0.5, pressure=0.6, probability=0.6)
    assert _reason(valued, sc, h)[0] == "expected_value"
    too_little = _row(came=False, expected_value=0.05, pressure=0.7, probability=0.3)
    assert _reason(too_little, sc, h)[0] == "expected_too_little"
    empty = _row(came=False, expected_value=1.2, room=0.1, pressure=0.8, probability=0.45)
    reason, extra = _reason(empty, sc, h)
    assert reason == "empty_room" and extra["alt"] > 0.5
    unlucky = _row(came=False, probability=0.8)
    assert _reason(unlucky, sc, h)[0] == "chance"
    assert _reason(_row(overloaded=True, came=False), sc, h)[0] == "overloaded"


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
