"""The benchmark script runs its plan and writes its report (tiny sizes, no timings judged).

Benchmarks are not tests: ``make bench`` measures; this only checks that it can. The script
makes every measurement in a fresh interpreter; the default run drives its smoke plan
in-process instead (each child's work called directly, a few seconds), so that the page, the
numbers beside it and the comparison with an earlier run are checked on every run, as is the
measuring code against the netsim it measures. The real smoke run, two dozen interpreters
(about 45 s), is marked ``slow``: ``pytest -m slow`` or ``make test-all``.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from netsim.sim import kernels
from tests.conftest import REPO

_spec = importlib.util.spec_from_file_location("bench", REPO / "experiments/benchmarks/bench.py")
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
sys.modules["bench"] = bench  # dataclasses look their module up while defined
_spec.loader.exec_module(bench)

# An earlier run's numbers: the new run says how far it is from them.
EARLIER = {
    "started": "2026-01-01 00:00 UTC",
    "commit": "abc1234",
    "numbers": {"600 employees: netsim total (s)": 1e-6, "no longer measured": 1.0},
}


def check_report(out: Path, stderr: str) -> None:
    """The page, the numbers beside it, and what the run said against :data:`EARLIER`."""
    text = out.read_text(encoding="utf-8")
    assert "Smoke run" in text
    for heading in ("## Machine and versions", "## netsim and the naive reference", "## The bars"):
        assert heading in text
    table = [line for line in text.splitlines() if line.startswith("| 600 |")]
    assert table and table[0].count("|") == 12, table
    assert "exponent" in text and "bandwidth" in text
    # Beside the page, the same numbers by name; and the comparison with the earlier run,
    # a run far slower than a microsecond marked as outside the noise.
    record = json.loads(out.with_suffix(".json").read_text())
    assert record["started"] != EARLIER["started"]
    assert record["numbers"]["600 employees: netsim total (s)"] > 1e-6
    assert "1,000 employees: reference / netsim" in record["numbers"]
    # The daily step is also timed inside model runs (whose knowledge the timing must not
    # change: the child checks it against an untimed run, to the bit).
    assert record["numbers"]["diffusion step in a model run, numpy_week / bound"] > 0
    assert "| implementation, in a model run | ms per day | ÷ bound |" in text
    # Issue 16's bar: the step in a model run against the scattered-line rate.
    assert record["numbers"]["diffusion step in a model run, numpy_week / scattered-line time"] > 0
    assert "÷ scattered-line time (the bar: ≤ 1)" in text
    assert "against " in stderr and "(2026-01-01 00:00 UTC, commit abc1234)" in stderr
    moved = [ln for ln in stderr.splitlines() if "600 employees: netsim total" in ln]
    assert moved and moved[0].endswith("<- outside the noise"), moved
    assert "no longer measured" not in stderr


def test_bench_smoke_plan_in_process_writes_the_report(tmp_path, monkeypatch, capsys):
    out = tmp_path / "performance.md"
    (tmp_path / "performance.json").write_text(json.dumps(EARLIER))

    def measure_here(spec: dict[str, Any]) -> dict[str, Any]:
        """The child's work in this process, its answer through JSON as the child prints it."""
        if spec["kind"] == "compare":  # the wall time of `netsim compare` in a subprocess
            return {"wall_s": 1.0, "peak_rss_mb": 1.0}
        return json.loads(json.dumps(bench._child(spec)))

    monkeypatch.setattr(bench, "measure", measure_here)
    # What a child changes for good in its own process, restored after the test.
    monkeypatch.setenv(kernels.ENV, "numpy")
    monkeypatch.setattr(sys, "path", list(sys.path))
    assert bench.main(["--smoke", "--out", str(out)]) == 0
    check_report(out, capsys.readouterr().err)


@pytest.mark.slow
def test_bench_smoke_run_writes_the_report(tmp_path):
    out = tmp_path / "performance.md"
    (tmp_path / "performance.json").write_text(json.dumps(EARLIER))
    done = subprocess.run(
        [sys.executable, "experiments/benchmarks/bench.py", "--smoke", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    check_report(out, done.stderr)
