"""The pages in a real browser: headless Chromium (the system's, driven by Playwright).

No browser is downloaded: the tests use Debian's ``chromium`` package at /usr/bin/chromium
and skip, saying how to enable them, where it is missing.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

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


@pytest.fixture(scope="module")
def teach_html(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("teach") / "teach.html"
    path.write_text(teach.build_teach_page(teach.teach_data(teach.grid_runs(years=1.0))))
    return path


@pytest.fixture(scope="module")
def report_html(tmp_path_factory) -> Path:
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
    runs = replicate([a, b], reps=3, seed=1, workers=1, keep="result")
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(report.build_report(runs, seed=1))
    return path


def test_teach_page_switches_the_figures_when_a_control_changes(browser, teach_html):
    page, seen = _open(browser, teach_html)
    before = page.inner_html("#attendance-chart")
    story = page.inner_text("#story")
    assert page.evaluate("document.body.dataset.run") == "automatic|lecture|vague|normal"
    page.check('input[name="format"][value="participatory"]')
    page.check('input[name="enrollment"][value="voluntary"]')
    assert page.evaluate("document.body.dataset.run") == "voluntary|participatory|vague|normal"
    assert page.inner_html("#attendance-chart") != before
    assert page.inner_text("#story") != story
    assert page.locator("#attendance-chart path.attendance-line").count() == 1
    # Both accounts in hours: spent and saved, for a leader and for the organisation.
    for bar in ("participant-spent", "participant-saved", "sponsor-spent", "sponsor-saved"):
        assert page.locator(f"#values-chart rect#{bar}").count() == 1
    assert "saved" in page.text_content("#values-chart")
    assert seen["errors"] == [] and [m for m in seen["console"] if m[0] == "error"] == []
    assert all(u.startswith(("file:", "data:")) for u in seen["requests"])
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
