"""The pages in a real browser: headless Chromium (the system's, driven by Playwright).

No browser is downloaded: the tests use Debian's ``chromium`` package at /usr/bin/chromium
and skip, saying how to enable them, where it is missing.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pandas as pd
import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not CHROMIUM.exists():
    pytest.skip(
        f"browser tests need Chromium at {CHROMIUM}: apt-get install chromium",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need Playwright: pip install -e '.[dev]'"
)

from netsim.show import report, teach  # noqa: E402
from netsim.study.runner import replicate  # noqa: E402
from tests.conftest import small_scenario  # noqa: E402


@pytest.fixture(scope="module")
def browser():
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_api.sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            args=ARGS,
            headless=True,
            viewport={"width": 1100, "height": 900},
        )
        yield context
        context.close()


def _open(context, path: Path):
    """A page with everything it logs, throws and requests collected."""
    page = context.new_page()
    seen = {"console": [], "errors": [], "requests": []}
    page.on("console", lambda m: seen["console"].append((m.type, m.text)))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, seen


#: The teaching page's grid in the tests: the blind design, each setting of each control
#: changed on its own, and one designed network (a year and a quarter, so "a year later"
#: exists).
BLIND = tuple(settings[0] for settings in teach.CONTROLS.values())
STAR = [BLIND] + [
    (*BLIND[:k], value, *BLIND[k + 1 :])
    for k, settings in enumerate(teach.CONTROLS.values())
    for value in settings[1:]
]
DESIGNED = ("practice", "invitation", "participatory", "clear", "professional", "careful", "normal")


@pytest.fixture(scope="module")
def teach_runs():
    return teach.grid_runs([*STAR, DESIGNED], years=1.25)


@pytest.fixture(scope="module")
def teach_html(tmp_path_factory, teach_runs) -> Path:
    path = tmp_path_factory.mktemp("teach") / "teach.html"
    path.write_text(teach.build_teach_page(teach.teach_data(teach_runs)))
    return path


@pytest.fixture(scope="module")
def teach_html_da(tmp_path_factory, teach_runs) -> Path:
    path = tmp_path_factory.mktemp("teach") / "teach_da.html"
    page = teach.build_teach_page(teach.teach_data(teach_runs, lang="da"), lang="da")
    path.write_text(page, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def report_runs():
    leaders = {
        "purpose": "leader_forum",
        "select": {"roles": ["leader"]},
        "enrollment": "automatic",
        "interval_weeks": 2,
        "quorum": 2,
    }
    a = small_scenario(leaders=leaders)
    b = small_scenario(leaders={**leaders, "enrollment": "voluntary", "participation": 0.9})
    b = b.model_copy(update={"name": "<script>alert(1)</script>"})
    return replicate([a, b], reps=3, seed=1, workers=1, keep="result")


@pytest.fixture(scope="module")
def report_html(tmp_path_factory, report_runs) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(report.build_report(report_runs, seed=1))
    return path


@pytest.fixture(scope="module")
def report_da_html(tmp_path_factory, report_runs) -> Path:
    path = tmp_path_factory.mktemp("report") / "rapport.html"
    path.write_text(report.build_report(report_runs, seed=1, lang="da"))
    return path


def _choose(page, design):
    for name, value in zip(teach.CONTROLS, design, strict=True):
        page.check(f'input[name="{name}"][value="{value}"]')


def test_teach_page_switches_the_figures_when_a_control_changes(browser, teach_html):
    page, seen = _open(browser, teach_html)
    before = page.inner_html("#attendance-chart")
    story = page.inner_text("#story")
    assert page.evaluate("document.body.dataset.run") == "|".join(BLIND)
    _choose(page, DESIGNED)
    assert page.evaluate("document.body.dataset.run") == "|".join(DESIGNED)
    assert page.inner_html("#attendance-chart") != before
    assert page.inner_text("#story") != story
    assert page.locator("#attendance-chart path.attendance-line").count() == 1
    # Both accounts in hours: spent and saved, for a member and for the organisation.
    for bar in ("member-spent", "member-saved", "org-spent", "org-saved"):
        assert page.locator(f"#{bar}").count() == 1
        assert page.inner_text(f"#{bar}-num").strip() != ""
    assert "saved" in page.inner_text("#outcome")
    # A design the page was not built with is said to be missing, not shown as another's.
    page.check('input[name="pressure"][value="high"]')
    assert page.inner_text("#verdict") == teach.say("teach.missing", "en")
    assert page.inner_text("#member-spent-num") == "–"
    assert seen["errors"] == [] and [m for m in seen["console"] if m[0] == "error"] == []
    assert all(u.startswith(("file:", "data:")) for u in seen["requests"])
    page.close()


def test_every_control_changes_the_numbers_shown(browser, teach_html):
    page, seen = _open(browser, teach_html)
    blind = page.inner_text("#outcome")
    for k, (name, settings) in enumerate(teach.CONTROLS.items()):
        for value in settings[1:]:
            page.check(f'input[name="{name}"][value="{value}"]')
            assert page.evaluate("document.body.dataset.run") == "|".join(
                (*BLIND[:k], value, *BLIND[k + 1 :])
            )
            assert page.inner_text("#outcome") != blind, (name, value)
        page.check(f'input[name="{name}"][value="{settings[0]}"]')
        assert page.inner_text("#outcome") == blind
    assert seen["errors"] == []
    page.close()


#: Every visible piece of text on the page as boxes (a wrapped line is a box of its own),
#: the pairs of different texts whose boxes overlap, and the texts outside the page.
TEACH_LAYOUT = """() => {
  const boxes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node, k = 0;
  while ((node = walker.nextNode())) {
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (r.width > 0 && r.height > 0) {
        boxes.push({k: k, text: node.textContent.trim().slice(0, 40), l: r.left, r: r.right,
                    t: r.top, b: r.bottom, h: r.height});
      }
    }
    k++;
  }
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.k === b.k) continue;
      const dx = Math.min(a.r, b.r) - Math.max(a.l, b.l);
      const dy = Math.min(a.b, b.b) - Math.max(a.t, b.t);
      if (dx > 0.5 && dy > 0.5) overlaps.push([a.text, b.text]);
    }
  }
  const width = document.documentElement.clientWidth;
  return {
    texts: k,
    overlaps: overlaps,
    outside: boxes.filter(function (b) { return b.l < -0.5 || b.r > width + 0.5; })
                  .map(function (b) { return b.text; }),
    scroll: document.documentElement.scrollWidth,
    width: width,
    smallest: Math.min.apply(null, boxes.map(function (b) { return b.h; })),
    chart: Array.from(document.querySelectorAll("svg text")).length,
  };
}"""


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("lang", ["en", "da"])
def test_teach_page_text_never_overlaps_nor_leaves_the_page(
    browser, teach_html, teach_html_da, width, lang
):
    page, seen = _open(browser, teach_html if lang == "en" else teach_html_da)
    page.set_viewport_size({"width": width, "height": 900})
    for design in (BLIND, DESIGNED):
        _choose(page, design)
        page.wait_for_timeout(150)  # the charts are drawn again after a resize
        layout = page.evaluate(TEACH_LAYOUT)
        assert layout["texts"] > 60 and layout["chart"] > 5
        assert layout["overlaps"] == [], (width, lang, design)
        assert layout["outside"] == [] and layout["scroll"] <= layout["width"], (width, lang)
        # Chart labels are drawn in screen pixels: as readable on a phone as on a projector.
        assert layout["smallest"] >= 12, layout["smallest"]
    assert seen["errors"] == []
    page.close()


def test_teach_animation_moves_through_the_weeks(browser, teach_html):
    page, seen = _open(browser, teach_html)
    start = page.inner_html("#graph")
    page.locator("#week").fill("40")
    assert page.inner_text("#week-label") == "week 40"
    assert page.inner_html("#graph") != start
    page.click("#play")
    page.wait_for_function("document.getElementById('week').value !== '40'", timeout=5000)
    page.click("#play")
    assert seen["errors"] == []
    page.close()


def test_report_opens_without_console_errors_or_requests(browser, report_html):
    page, seen = _open(browser, report_html)
    assert seen["errors"] == []
    assert [m for m in seen["console"] if m[0] in ("error", "warning")] == []
    assert seen["requests"] == [report_html.as_uri()] or all(
        u.startswith(("file:", "data:")) for u in seen["requests"]
    )
    assert page.locator("figure svg").count() >= 4
    assert "<script>alert(1)</script>" in page.inner_text("#comparison")
    assert page.locator("script").count() == 0
    page.close()


#: Every piece of text the page shows, with its box: the line boxes of each visible HTML
#: text node and each SVG <text>; pairs from different pieces that intersect by more than a pixel,
#: SVG texts outside their figure, and the page's own width against the window's.
REPORT_LAYOUT = """() => {
  const pieces = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!node.textContent.trim() || element.closest("svg")) continue;
    // Inside a closed <details>: laid out, but not shown.
    if (!element.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true})) {
      continue;
    }
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
    if (rects.length) pieces.push({text: node.textContent.trim().slice(0, 40), rects});
  }
  const outside = [];
  for (const svg of document.querySelectorAll("figure svg")) {
    const frame = svg.getBoundingClientRect();
    for (const t of svg.querySelectorAll("text")) {
      const r = t.getBoundingClientRect();
      if (r.width === 0) continue;
      pieces.push({text: t.textContent.trim().slice(0, 40), rects: [r]});
      if (r.left < frame.left - 1 || r.right > frame.right + 1 || r.top < frame.top - 1
          || r.bottom > frame.bottom + 1) outside.push(t.textContent);
    }
  }
  const overlaps = [];
  const hit = (a, b) => a.left < b.right - 1 && b.left < a.right - 1
                        && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  for (let i = 0; i < pieces.length; i++) {
    for (let j = i + 1; j < pieces.length; j++) {
      if (pieces[i].rects.some(a => pieces[j].rects.some(b => hit(a, b)))) {
        overlaps.push([pieces[i].text, pieces[j].text]);
      }
    }
  }
  const root = document.documentElement;
  return {overlaps: overlaps.slice(0, 10), outside: outside.slice(0, 10), pieces: pieces.length,
          scroll: root.scrollWidth, width: root.clientWidth};
}"""


@pytest.mark.parametrize("lang", ["en", "da"])
def test_report_fits_a_projector_and_a_phone_without_overlapping_text(
    browser, report_html, report_da_html, lang
):
    page, seen = _open(browser, report_html if lang == "en" else report_da_html)
    for opened in (False, True):
        if opened:  # the fold-outs: every measure, the scenarios' TOML
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            layout = page.evaluate(REPORT_LAYOUT)
            assert layout["scroll"] <= layout["width"] == width, (width, opened, layout)
            assert layout["overlaps"] == [], (width, opened, layout["overlaps"])
            assert layout["outside"] == [], (width, opened, layout["outside"])
            assert layout["pieces"] > 200  # the tables' and the figures' texts were all seen
            # A wide table scrolls inside its own box, which stays within the page.
            boxes = page.evaluate(
                "[...document.querySelectorAll('div.scroll')].map(d => "
                "[d.getBoundingClientRect().right, d.scrollWidth, d.clientWidth])"
            )
            assert boxes and all(right <= width for right, _, _ in boxes)
            if width == 390:
                assert any(inner > outer for _, inner, outer in boxes)  # it does scroll
            else:  # on a projector every table is seen whole
                assert all(inner <= outer for _, inner, outer in boxes), boxes
    assert seen["errors"] == []
    page.close()


def test_report_csv_downloads_work_offline_and_hold_the_numbers(browser, report_da_html):
    page, seen = _open(browser, report_da_html)
    link = page.locator("#comparison a[download]").first
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "sammenligning.csv"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")
    shown = page.locator("#comparison table").first.locator("tbody tr")
    assert frame.shape[0] == shown.count()
    first = shown.first.locator("td").nth(1).inner_text()  # network hours, the reference
    assert page_number(first) == pytest.approx(frame.iloc[0, 2], abs=0.5)
    assert all(u.startswith(("file:", "data:")) for u in seen["requests"])
    page.close()


def page_number(text: str) -> float:
    """A whole number as the Danish page writes it ("4.962")."""
    return float(text.replace(".", "").replace("\xa0", ""))
