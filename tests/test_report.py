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
from netsim.show import report, teach
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


@pytest.fixture(scope="module")
def pages(runs):
    grid = teach.grid_runs(years=0.5)
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


def test_teach_page_has_every_cell_of_the_grid(pages):
    m = re.search(
        r'<script type="application/json" id="teach-data">(.*?)</script>', pages["teach"], re.S
    )
    data = json.loads(m.group(1))
    assert len(data["runs"]) == 3 * 2 * 2 * 2
    assert "automatic|lecture|vague|normal" in data["runs"]
    cell = data["runs"]["voluntary|participatory|clear|high"]
    assert len(cell["knowledge"]) == data["weeks"]
    assert all(len(frame) == len(data["nodes"]) for frame in cell["knowledge"])
    assert len(pages["teach"]) < 1_000_000  # small enough to e-mail


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
    for metric in ("total_hours_year", "share_valuing", "sponsor_value_per_hour"):
        ours = table[table["metric"] == metric].reset_index(drop=True)
        theirs = expected[expected["metric"] == metric].reset_index(drop=True)
        assert ours["mean"].tolist() == pytest.approx(theirs["mean"].tolist(), nan_ok=True)
        assert ours["diff"].iloc[1] == pytest.approx(theirs["diff"].iloc[1])
        assert ours["ci_low"].iloc[1] == pytest.approx(theirs["ci_low"].iloc[1])


def test_headline_says_hours_and_share_in_plain_words(runs):
    words = report.headline(runs[0], "en")
    hours = sum(r.summary["hours_per_leader_year"] for r in runs[0]) / len(runs[0])
    assert words[0].startswith(f"In reference, each leader spends {hours:,.0f} hours a year — ")
    assert "find them worth it" in words[0] or "finds them worth it" in words[0]
    da = report.headline(runs[0], "da")
    assert da[0].startswith(f"I reference bruger hver leder {hours:,.0f} timer om året — ")


def test_report_has_its_sections_and_figures(pages):
    text = pages["report"]
    for section in ("headline", "comparison", "figures", "parameters", "provenance"):
        assert f'id="{section}"' in text
    assert text.count("<svg") >= 4 and "data:image/png;base64," in text
    assert "seeds 7–9" in text
    da = pages["report_da"]
    assert '<html lang="da">' in da and "Parvis sammenligning" in da
