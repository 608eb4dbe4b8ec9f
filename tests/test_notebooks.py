"""The tutorials run as shown: each notebook of docs/tutorials (kept as Markdown in jupytext's
text format) is executed from its first cell to its last in a fresh Jupyter kernel."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO

jupytext = pytest.importorskip("jupytext", reason="the tutorials need jupytext: make test")
nbclient = pytest.importorskip("nbclient", reason="the tutorials need nbclient: make test")

#: The tutorials that are notebooks: Markdown pages with jupytext's header.
TUTORIALS = sorted(
    p
    for p in (REPO / "docs" / "tutorials").glob("*.md")
    if p.read_text(encoding="utf-8").startswith("---\njupyter:")
)


def test_there_are_tutorials():
    assert len(TUTORIALS) >= 2, [p.name for p in TUTORIALS]


@pytest.mark.parametrize("path", TUTORIALS, ids=lambda p: p.stem)
def test_tutorial_runs(path: Path, tmp_path: Path):
    notebook = jupytext.read(path)
    # "python3" is the kernel of the interpreter running the tests (jupyter_client starts it
    # with sys.executable), so the tutorial runs against the netsim under test.
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute(cwd=str(REPO))
    errors = [
        out
        for cell in notebook.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]
    assert not errors
