"""The benchmark script runs and writes its report (a smoke run: tiny sizes, no timings judged).

Benchmarks are not tests: ``make bench`` measures; this only checks that it can.
"""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_bench_smoke_run_writes_the_report(tmp_path):
    out = tmp_path / "performance.md"
    done = subprocess.run(
        [sys.executable, "experiments/benchmarks/bench.py", "--smoke", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert "Smoke run" in text
    for heading in ("## Machine and versions", "## netsim and the naive reference", "## The bars"):
        assert heading in text
    table = [line for line in text.splitlines() if line.startswith("| 600 |")]
    assert table and table[0].count("|") == 12, table
    assert "exponent" in text and "bandwidth" in text
