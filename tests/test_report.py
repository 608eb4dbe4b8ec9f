"""The report and the teaching page: self-contained (nothing to load from elsewhere), every
user string escaped, valid HTML, and numbers that agree with ``netsim compare``."""

from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser

import html5lib
import pandas as pd
import pytest

import netsim
from netsim.show import page, report, teach
from netsim.study.analysis import comparison_frame, paired_ci
from netsim.study.runner import replicate
from tests.conftest import small_scenario

EVIL = "<script>alert(1)</script>"
LEADERS = {
    "purpose": "leader_forum",
    "select": {"roles": ["leader"]},
    "enrollment": "automatic",
    "interval_weeks": 2,
    "quorum": 2,
    "goal_clarity": 0.2,
    "participation": 0.1,
}
VOLUNTARY = {**LEADERS, "enrollment": "voluntary", "goal_clarity": 0.9, "participation": 0.9}
#: The only URLs a page may contain: namespace names, which nothing loads.
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
URL_ATTRIBUTES = {
    "src",
    "href",
    "xlink:href",
    "action",
    "formaction",
    "poster",
    "data",
    "background",
    "srcset",
    "manifest",
    "ping",
}


def _named(name, net):
    sc = small_scenario(**{EVIL if name == "evil" else "leaders": net})
    return sc.model_copy(
        update={
            "name": name if name != "evil" else EVIL,
            "simulation": sc.simulation.model_copy(update={"years": 0.5}),
        }
    )


@pytest.fixture(scope="module")
def runs():
    scenarios = [_named("reference", LEADERS), _named("evil", VOLUNTARY)]
    return replicate(scenarios, reps=3, seed=7, workers=1, keep="result")


#: A factorial part of the teaching page's grid: every purpose, two settings of the others.
TEACH_GRID = {
    "purpose": teach.CONTROLS["purpose"],
    "enrollment": ("automatic", "voluntary"),
    "evaluation": ("none", "rough"),
}


@pytest.fixture(scope="module")
def pages(runs):
    grid = teach.grid_runs(teach.grid_cells(TEACH_GRID), years=0.5)
    return {
        "report": report.build_report(runs, seed=7, lang="en", command=["netsim", EVIL]),
        "report_da": report.build_report(runs, seed=7, lang="da"),
        "teach": teach.build_teach_page(teach.teach_data(grid), lang="en"),
    }


class _Loads(HTMLParser):
    """Every attribute value that a browser would fetch, and every <script>/<link> element."""

    def __init__(self):
        super().__init__()
        self.urls, self.scripts, self.links = [], [], []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in URL_ATTRIBUTES and value is not None:
                self.urls.append(value)
        if tag == "script":
            self.scripts.append(dict(attrs))
        if tag == "link":
            self.links.append(dict(attrs))


@pytest.mark.parametrize("name", ["report", "report_da", "teach"])
def test_page_loads_nothing_from_elsewhere(pages, name):
    text = pages[name]
    loads = _Loads()
    loads.feed(text)
    remote = [u for u in loads.urls if not u.startswith(("data:", "#"))]
    assert remote == []
    assert loads.links == []
    assert all("src" not in s for s in loads.scripts)
    # Any other http(s) text is a namespace name in an xmlns attribute or the SVG namespace
    # constant of the page's own script; nothing else (no CSS url(), no @import, no fetch).
    for match in re.finditer(r"https?://[^\s\"'<>)]*", text):
        assert match.group(0) in NAMESPACES, match.group(0)
    assert "@import" not in text
    # url() only for references inside the document (SVG clip paths: url(#id)).
    assert re.findall(r"url\(\s*['\"]?([^#'\")\s])", text) == []
    assert "fetch(" not in text and "XMLHttpRequest" not in text


@pytest.mark.parametrize("name", ["report", "report_da", "teach"])
def test_page_is_valid_html(pages, name):
    parser = html5lib.HTMLParser(strict=True)
    doc = parser.parse(pages[name])
    assert doc.find("{http://www.w3.org/1999/xhtml}body") is not None


def test_scenario_names_are_shown_as_text_never_as_markup(pages):
    text = pages["report"]
    assert EVIL not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    loads = _Loads()
    loads.feed(text)
    assert loads.scripts == []  # the report has no scripts at all
    doc = html5lib.parse(text, namespaceHTMLElements=False)
    body_text = "".join(doc.find("body").itertext())
    assert EVIL in body_text  # shown, as text


def test_teach_page_embeds_every_design_as_json_that_cannot_break_out():
    data = {"story": "</script><script>alert(1)</script>", "n": 1}
    text = teach._json_for_script(data)
    assert "</script" not in text and "<" not in text
    assert json.loads(text) == data


def _teach_data(page_text):
    m = re.search(
        r'<script type="application/json" id="teach-data">(.*?)</script>', page_text, re.S
    )
    return json.loads(m.group(1))


def test_teach_page_has_every_cell_of_the_grid(pages):
    data = _teach_data(pages["teach"])
    cells = teach.grid_cells(TEACH_GRID)
    assert len(data["runs"]) == len(cells) == 3 * 2 * 2
    assert set(data["runs"]) == {"|".join(c) for c in cells}
    assert "leaders|automatic|lecture|vague|none|none|normal" in data["runs"]
    assert [c[1] for c in data["controls"]] == [
        list(TEACH_GRID.get(n, s[:1])) for n, s in teach.CONTROLS.items()
    ]
    cell = data["runs"]["practice|voluntary|lecture|vague|none|rough|normal"]
    nodes = data["graphs"]["practice"]["nodes"]
    assert len(cell["knowledge"]) == math.ceil(data["weeks"] / data["frame_weeks"])
    assert all(len(frame) == len(nodes) for frame in cell["knowledge"])
    assert sum(n["t"] for n in nodes) == data["graphs"]["practice"]["target"] == 60
    assert len(pages["teach"]) < 1_000_000  # small enough to e-mail


def test_teach_page_states_value_in_hours_spent_and_saved(pages):
    data = _teach_data(pages["teach"])
    for cell in data["runs"].values():
        n = cell["numbers"]
        for name in (
            "hours_per_member_year",
            "hours_saved_per_member_year",
            "total_hours_year",
            "sponsor_hours_saved_year",
        ):
            assert n[name] is not None and n[name] >= 0, name
        assert not any("value" in name for name in n)
        assert "values" not in cell
        if not n["members"]:
            continue
        said = re.search(
            r"spends ([\d,]+) hours a year .* saves them ([\d,]+) hours", " ".join(cell["story"])
        )
        assert said is not None, cell["story"]
        # the story rounds the hours, the data keeps one decimal: they agree within rounding
        spent, saved = (float(g.replace(",", "")) for g in said.groups())
        assert abs(spent - n["hours_per_member_year"]) <= 0.55
        assert abs(saved - n["hours_saved_per_member_year"]) <= 0.55
        assert cell["shown"]["org_spent"].replace(",", "") == f"{n['total_hours_year']:.0f}"
    assert "The organisation" in pages["teach"] and ">spent<" in pages["teach"]
    assert "value units" not in pages["teach"]


def test_report_table_is_netsim_compare(runs):
    scenarios = [r[0].scenario for r in runs]
    names = [sc.name for sc in scenarios]
    table = comparison_frame([[r.summary for r in reps] for reps in runs], names, reference_ci=True)
    expected = netsim.compare(scenarios, reps=3, seed=7, workers=1)
    # The same frame, number for number, but for the CI of the reference's mean that the
    # report adds (compare leaves it empty).
    assert table.columns.tolist() == expected.columns.tolist()
    others = table["scenario"] != names[0]
    pd.testing.assert_frame_equal(table[others], expected[others])
    ref = table[~others].reset_index(drop=True)
    assert expected[~others]["ci_low"].isna().all()
    for k, metric in enumerate(ref["metric"]):
        values = [r.summary[metric] for r in runs[0]]
        _, lo, hi, n = paired_ci([math.nan if v is None else v for v in values])
        assert (ref["ci_low"][k], ref["ci_high"][k], ref["n"][k]) == pytest.approx(
            (lo, hi, n), nan_ok=True
        )
    for metric in ("total_hours_year", "share_worth_it", "sponsor_hours_saved_year"):
        ours = table[table["metric"] == metric].reset_index(drop=True)
        theirs = expected[expected["metric"] == metric].reset_index(drop=True)
        assert ours["mean"].tolist() == pytest.approx(theirs["mean"].tolist(), nan_ok=True)
        assert ours["diff"].iloc[1] == pytest.approx(theirs["diff"].iloc[1])
        assert ours["ci_low"].iloc[1] == pytest.approx(theirs["ci_low"].iloc[1])


def _mean(reps, metric, per=None):
    values = [r.summary[metric] / (r.summary[per] if per else 1) for r in reps]
    return sum(values) / len(values)


def test_headline_says_hours_spent_and_saved_in_plain_words(runs):
    reps = runs[0]
    words = report.headline(reps, "en")
    hours = _mean(reps, "hours_per_leader_year")
    saved = _mean(reps, "hours_saved_per_leader_year")
    assert words[0].startswith(
        f"In reference, each leader who is a member spends {hours:,.0f} hours a year in the "
        "networks — "
    )
    assert f" — and saves {saved:,.0f}; " in words[0]
    assert "get back the hours they spend" in words[0] or "gets back the hours" in words[0]
    # The organisation: network hours against the hours saved on the networks' topics.
    total = _mean(reps, "total_hours_year")
    goal = _mean(reps, "sponsor_hours_saved_year")
    back = _mean(reps, "sponsor_return_per_hour")
    assert words[-1].startswith(f"The networks cost {total:,.0f} hours and ")
    assert words[-1].endswith(
        f" a year and save {goal:,.0f} hours on their goals: {back:,.1f} hours back for every hour."
    )
    assert not any("value" in w for w in words)


def test_danish_headline_says_hours_the_danish_way(runs):
    reps = runs[0]
    da = report.headline(reps, "da")
    hours = page.number(_mean(reps, "hours_per_leader_year"), "da")
    saved = page.number(_mean(reps, "hours_saved_per_leader_year"), "da")
    assert da[0].startswith(
        f"I reference bruger hver leder, der er med, {hours} timer om året i netværkene — "
    )
    assert f" — og sparer {saved}; " in da[0]
    total = page.number(_mean(reps, "total_hours_year"), "da")
    back = page.number(_mean(reps, "sponsor_return_per_hour"), "da", digits=1)
    assert da[-1].startswith(f"Netværkene koster {total} timer og ")
    assert da[-1].endswith(f"timer på deres mål: {back} timer igen for hver time.")
    assert "," in back and "." not in back  # Danish decimal comma
    assert "kr." in da[-1]


def test_report_says_comparisons_in_hours_not_value_units(pages):
    text = pages["report"]
    said = text[text.index('id="headline"') : text.index('id="comparison"')]
    for label in (
        "Network hours a year, in all",
        "Hours saved a year, members (all their problems)",
        "Hours saved a year on the networks&#x27; topics (everyone)",
        "Net hours a year",
        "Members&#x27; hours back per hour spent",
        "Share of members who get back the hours they spend",
    ):
        assert label in said, label
    assert "value" not in said.lower()
    # The value units stay in the summary (the fold-out of every measure), not in front.
    main = text[
        text.index('id="comparison"') : text.index("<details>", text.index('id="comparison"'))
    ]
    assert "value unit" not in main and "value per hour" not in main and "share_worth_it" in main
    assert "Value is in hours" in main
    da = pages["report_da"]
    da_main = da[da.index('id="headline"') : da.index("<details>", da.index('id="comparison"'))]
    assert "værdienheder" not in da_main and "sparede timer om året" in da_main
    assert "Both accounts in hours" in text


def test_report_has_its_sections_and_figures(pages):
    text = pages["report"]
    for section in ("headline", "comparison", "figures", "parameters", "provenance"):
        assert f'id="{section}"' in text
    assert text.count("<svg") >= 4 and "data:image/png;base64," in text
    assert "seeds 7–9" in text
    da = pages["report_da"]
    assert '<html lang="da">' in da and "Parvis sammenligning" in da
