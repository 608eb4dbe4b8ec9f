"""The teaching page's numbers and words: the contrast comes from the model, the words agree
with the numbers, and ``netsim teach`` writes it in either language."""

from __future__ import annotations

import json
import re

import pytest

import netsim.cli
from netsim.show import teach, texts
from netsim.show.teach_story import HOLDS, cell_numbers
from netsim.study.runner import Task, run_replications

BLIND = tuple(settings[0] for settings in teach.CONTROLS.values())
DESIGNED_PRACTICE = (
    "practice",
    "invitation",
    "participatory",
    "clear",
    "professional",
    "careful",
    "normal",
)
DESIGNED_LEADERS = (
    "leaders",
    "invitation",
    "participatory",
    "clear",
    "professional",
    "none",
    "normal",
)


@pytest.fixture(scope="module")
def page_runs():
    """Three cells as ``netsim teach`` runs them (its organisation, horizon and seed)."""
    return teach.grid_runs([BLIND, DESIGNED_LEADERS, DESIGNED_PRACTICE])


def _said(runs, cell, lang="en"):
    """The cell as the page has it."""
    key = "|".join(cell)
    return teach.teach_data({key: runs[key]}, lang=lang)["runs"][key]


def test_the_blind_design_fails_and_a_designed_network_pays(page_runs):
    blind = _said(page_runs, BLIND)
    n = blind["numbers"]
    assert blind["verdict"]["kind"] == "fails"
    assert n["sponsor_hours_saved_year"] < n["total_hours_year"]
    assert n["later"] < HOLDS * n["first"]
    assert blind["verdict"]["text"].startswith("Does not pay")

    paid = _said(page_runs, DESIGNED_PRACTICE)
    n = paid["numbers"]
    assert paid["verdict"]["kind"] == "pays"
    assert n["sponsor_hours_saved_year"] > n["total_hours_year"]
    assert n["hours_saved_per_member_year"] > n["hours_per_member_year"]
    assert n["later"] >= HOLDS * n["first"] > 0
    assert paid["verdict"]["text"].startswith("Pays off")

    # A designed network of the same leaders returns more per hour than the blind one, but
    # less than it costs (docs/calibration.md, fact 2): peers who only learn from each
    # other run out of things to teach.
    leaders = _said(page_runs, DESIGNED_LEADERS)["numbers"]
    ratio = leaders["sponsor_return_per_hour"]
    assert blind["numbers"]["sponsor_return_per_hour"] < ratio < 1


def test_attendance_is_said_in_people_and_agrees_with_the_numbers(page_runs):
    for cell in (BLIND, DESIGNED_PRACTICE):
        said = _said(page_runs, cell)
        n, story = said["numbers"], " ".join(said["story"])
        assert f"{n['first']} came to the first meeting" in story
        assert f"a year later {round(n['later'])} come" in story
        assert said["shown"]["coming"] == f"{round(n['later'])} of {n['target']}"
        assert "%" not in story
        first_meeting = said["attendance"][0]
        assert first_meeting[0] == 0 and first_meeting[1] == n["first"]


def test_a_network_nobody_joins_says_so(page_runs):
    run = page_runs["|".join(BLIND)]
    sc = teach.teach_scenario("leaders", "voluntary")
    # Nobody expects a network to be worth joining: a voluntary network stays empty.
    sc = sc.model_copy(
        update={"attendance": sc.attendance.model_copy(update={"join_threshold": 100.0})}
    )
    (outcome,) = run_replications([Task(sc, run.seed)], workers=1, keep="result", trace=True)
    empty = outcome.value
    assert empty.summary["members"] == 0
    said = cell_numbers(empty, target=41, purpose="leaders", lang="en")
    assert said["verdict"] == {"kind": "nobody", "text": "Nothing happens: nobody joined."}
    assert said["story"][0] == "None of the 41 leaders joined, so no meeting was held."
    assert not any("spends" in s or "0 hours" in s for s in said["story"])
    assert said["shown"]["member_note"] == "nobody joined"
    assert said["numbers"]["hours_per_member_year"] == 0


def test_the_grid_is_every_combination_of_the_controls():
    cells = teach.grid_cells()
    assert len(cells) == len(set(cells)) == 3 * 3 * 2 * 2 * 2 * 3 * 2
    assert cells[0] == BLIND
    with pytest.raises(ValueError, match="evaluation: settings must be among none, careful"):
        teach.grid_cells({"evaluation": ["sometimes"]})
    sc = teach.teach_scenario(*DESIGNED_PRACTICE)
    assert sc.evaluation is not None and sc.evaluation.measurement_noise == 0.1
    assert teach.teach_scenario(*BLIND).evaluation is None
    assert len(teach.teach_scenario("specialists").networks) == 4


def test_netsim_teach_writes_the_page_in_danish(tmp_path, monkeypatch):
    small = teach.grid_cells({"purpose": ("leaders", "practice"), "goal": ("vague", "clear")})
    monkeypatch.setattr(teach, "grid_cells", lambda settings=None: small)
    out = tmp_path / "teach.html"
    argv = ["teach", "--out", str(out), "--lang", "da", "--workers", "1", "--seed", "3"]
    assert netsim.cli.main(argv) == 0
    page = out.read_text(encoding="utf-8")
    assert '<html lang="da">' in page
    m = re.search(r'<script type="application/json" id="teach-data">(.*?)</script>', page, re.S)
    data = json.loads(m.group(1))
    assert len(data["runs"]) == len(small)
    # Every sentence in Danish, numbers as Danish readers write them (Babel's da_DK).
    blind = data["runs"]["|".join(BLIND)]
    assert blind["verdict"]["text"].startswith("Det betaler sig ikke")
    assert re.search(r"\d,\d timer", blind["verdict"]["text"])
    assert re.search(r"\d\.\d{3} timer om året", " ".join(blind["story"]))
    for key, forms in texts.catalogue().items():
        if key.startswith("teach") and forms["en"] != forms["da"]:
            english = max(re.split(r"\{\w+\}", forms["en"]), key=len).strip(" .;:—")
            if len(english) > 8:
                assert english not in page, key
