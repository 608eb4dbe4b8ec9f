"""The model's results, to the bit, against the golden outputs in ``tests/golden/data``.

A refactoring or a speed-up must not move any number; a change that means to (a new
mechanism, a recalibration) regenerates the files with ``tests/golden/record.py`` in the same
commit and says why in its message.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "golden"


def _recorder():
    spec = importlib.util.spec_from_file_location("golden_record", HERE / "record.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def produced() -> dict[str, str]:
    return _recorder().outputs()


def test_the_same_files_are_produced(produced: dict[str, str]) -> None:
    assert sorted(produced) == sorted(p.name for p in (HERE / "data").iterdir())


@pytest.mark.parametrize("name", sorted(p.name for p in (HERE / "data").iterdir()))
def test_output_is_identical_to_the_bit(produced: dict[str, str], name: str) -> None:
    assert produced[name] == (HERE / "data" / name).read_text(), f"{name} changed"
