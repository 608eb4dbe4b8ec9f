"""The reference site (``make docs``) builds strictly and works offline.

CI runs only ``make test``, so this is where a broken reference, a docstring numpydoc cannot
read or a page missing from the table of contents fails the build. The whole site takes
about 15 s of CPU to build (15 to 25 s on the shared 2-core VM), once per test run.
"""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO

pytest.importorskip("sphinx")
pytest.importorskip("numpydoc")
pytest.importorskip("myst_parser")
pytest.importorskip("furo")

from sphinx.cmd.build import build_main

# MyST's use of a Sphinx attribute that Sphinx 11 will remove: theirs to change, not ours.
pytestmark = pytest.mark.filterwarnings("ignore:.*Check CHANGES for Sphinx API modifications")

DOCS = REPO / "docs"
SPHINX_LOGGERS = {"sphinx", "myst_parser", "numpydoc", "furo", "docutils"}
#: What a page may load: its own files only (a link to elsewhere is fine, a resource is not).
REMOTE_RESOURCE = re.compile(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=\"(?:https?:)?//", re.I)


def _sphinx_build(src: Path, out: Path) -> int:
    """Build as ``make docs`` does: warnings are errors, every reference must resolve."""
    # A logging configuration made earlier in this process (import-linter's, in
    # test_architecture) disables the loggers that exist by then, Sphinx's among them: its
    # warnings would go uncounted and a broken build pass.
    for name, logger in logging.root.manager.loggerDict.items():
        if isinstance(logger, logging.Logger) and name.split(".")[0] in SPHINX_LOGGERS:
            logger.disabled = False
    args = ["-W", "-n", "--keep-going", "-q", "-b", "html", "-d", str(out / ".doctrees")]
    return build_main([*args, str(src), str(out)])


def _build(src: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = _sphinx_build(src, out)
    return code, capsys.readouterr().err


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    code = _sphinx_build(DOCS, out)
    assert code == 0, "the strict build of docs/ failed; its warnings are printed above"
    return out


def test_the_api_reference_documents_the_public_api_and_the_wings(site: Path):
    api = (site / "reference" / "netsim.html").read_text(encoding="utf-8")
    for name in ("simulate", "load_scenario", "compare", "sweep", "RunResult", "Scenario"):
        assert f'id="netsim.{name}"' in api, f"netsim.{name} is not on the API page"
    study = (site / "reference" / "study.html").read_text(encoding="utf-8")
    assert 'id="netsim.study.ema.model"' in study
    # numpydoc turned the sections into structure, and a cross-reference into a link.
    assert "Parameters" in study and 'href="#netsim.study.ema.parameter_name"' in study


def test_the_pages_and_the_tutorial_slot_are_in_the_site(site: Path):
    for page in ("model", "odd", "calibration", "performance", "architecture"):
        assert (site / f"{page}.html").is_file(), page
    tutorials = (site / "tutorials" / "index.html").read_text(encoding="utf-8")
    assert 'href="scenario_discovery.html"' in tutorials


def test_the_site_loads_nothing_from_the_network(site: Path):
    pages = list(site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        found = REMOTE_RESOURCE.search(page.read_text(encoding="utf-8"))
        assert found is None, f"{page.relative_to(site)} loads {found.group(0)!r}"
    assert (site / "searchindex.js").is_file()


def test_a_broken_netsim_reference_fails_the_build(tmp_path: Path, capsys):
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(DOCS / "conf.py", src / "conf.py")
    page = "# Page\n\n{py:class}`pandas.DataFrame` of {py:class}`int`.\n"
    (src / "index.md").write_text(page, encoding="utf-8")
    code, err = _build(src, tmp_path / "ok", capsys)
    assert code == 0, err  # a library's name is not a broken reference
    (src / "index.md").write_text(page + "{py:func}`netsim.no_such_function`\n", encoding="utf-8")
    code, err = _build(src, tmp_path / "broken", capsys)
    assert code != 0 and "netsim.no_such_function" in err, err


def test_every_module_has_a_reference_page():
    # The reference pages list modules by hand (one section each): a new module must be added.
    import pkgutil

    import netsim

    listed = "".join(p.read_text(encoding="utf-8") for p in (DOCS / "reference").glob("*.rst"))
    modules = [
        m.name
        for m in pkgutil.walk_packages(netsim.__path__, "netsim.")
        if not m.name.rsplit(".", 1)[-1].startswith("_")
    ]
    missing = [m for m in modules if f".. automodule:: {m}\n" not in listed]
    assert not missing, f"add to docs/reference/*.rst: {missing}"
