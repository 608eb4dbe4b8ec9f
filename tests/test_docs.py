"""docs/model.md stays in step with the code: generated parameter tables, output names."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

import netsim
from netsim.sim.records import MEETING_COLUMNS, TRACE_COLUMNS

DOCS = Path(__file__).resolve().parent.parent / "docs"
MODEL_MD = DOCS / "model.md"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_parameters", DOCS / "gen_parameters.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def doc() -> str:
    return MODEL_MD.read_text(encoding="utf-8")


def test_parameter_tables_match_the_code(doc: str):
    gen = _generator()
    _, block, _ = gen.split(doc)
    assert block == gen.render(), (
        "the Parameters tables in docs/model.md are out of date with netsim/scenario/schema.py; "
        "run `python docs/gen_parameters.py`"
    )


def test_every_field_is_described():
    gen = _generator()
    rows = [line for line in gen.render().splitlines() if line.startswith("| `")]
    undescribed = [row.split("|")[1].strip() for row in rows if row.endswith("|  |")]
    assert not undescribed, (
        f"fields without a description: {', '.join(undescribed)}; give them "
        "Field(description=...) in netsim/scenario/schema.py or a note in "
        "docs/gen_parameters.py NOTES"
    )


@pytest.mark.parametrize("name", netsim.SUMMARY_NAMES)
def test_every_summary_name_is_documented(doc: str, name: str):
    assert f"`{name}`" in doc, f"summary name {name!r} is not documented in docs/model.md"


@pytest.mark.parametrize("name", sorted(set(MEETING_COLUMNS) | set(TRACE_COLUMNS)))
def test_every_meeting_and_trace_column_is_documented(doc: str, name: str):
    assert f"`{name}`" in doc, f"output column {name!r} is not documented in docs/model.md"
