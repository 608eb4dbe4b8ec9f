"""experiments/robustness.py's table: which facts, which cells, what changed (no model runs)."""

from __future__ import annotations

import importlib.util
import sys

from tests.conftest import REPO


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "experiments" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module


robustness = _load("robustness")


def _variant(label: str, holds: bool, mean: float) -> dict:
    measure = {"name": "lift", "mean": mean, "lo": mean - 0.01, "hi": mean + 0.01, "n": 20}
    return {
        "label": label,
        "facts": [{"number": 3, "holds": holds, "measures": [{**measure, "holds": holds}]}],
    }


def test_a_table_of_one_fact_has_its_column_and_command_only():
    done = {"a": _variant("a", True, 0.09), "b": _variant("b", False, 0.02)}
    table = robustness.render(done, ["a", "b", "missing"], {3: set()}, [3])
    lines = table.splitlines()
    assert "| variant | F3 | F3: lift | changed from the defaults |" in lines
    assert "`python experiments/robustness.py --facts 3`" in table
    assert "| a | yes | 0.09 [0.08, 0.1] | — |" in lines
    # b fails where the defaults hold: listed as a loss, with its interval
    assert "| b | **no** | 0.02 [0.01, 0.03] | ↓ F3 lift: 0.02 [0.01, 0.03] |" in lines
    assert not any(line.startswith("| missing") for line in lines)


def test_the_whole_table_has_every_fact():
    table = robustness.render({}, [], {n: set() for n in range(1, 7)})
    assert "| variant | F1 | F2 | F3 | F4 | F5 | F6 | changed from the defaults |" in table
    assert "20 replications, fact 4 40" in table


def test_variants_cover_both_sizes_and_both_directions_of_every_parameter():
    labels = [label for label, _ in robustness.variants()]
    assert labels[:2] == ["500 employees", "5,000 employees"]
    assert len(labels) == 2 + 2 * len(robustness.PARAMETERS)
