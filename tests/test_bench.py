"""The benchmark script runs and writes its report (a smoke run: tiny sizes, no timings judged).

Benchmarks are not tests: ``make bench`` measures; this only checks that it can.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO


def test_bench_smoke_run_writes_the_report(tmp_path):
    out = tmp_path / "performance.md"
    # An earlier run's numbers: the new run says how far it is from them.
    earlier = {
        "started": "2026-01-01 00:00 UTC",
        "commit": "abc1234",
        "numbers": {"600 employees: netsim total (s)": 1e-6, "no longer measured": 1.0},
    }
    (tmp_path / "performance.json").write_text(json.dumps(earlier))
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
    # Beside the page, the same numbers by name; and the comparison with the earlier run,
    # a run far slower than a microsecond marked as outside the noise.
    record = json.loads((tmp_path / "performance.json").read_text())
    assert record["started"] != earlier["started"]
    assert record["numbers"]["600 employees: netsim total (s)"] > 1e-6
    assert "1,000 employees: reference / netsim" in record["numbers"]
    # The daily step is also timed inside model runs (whose knowledge the timing must not
    # change: the child checks it against an untimed run, to the bit).
    assert record["numbers"]["diffusion step in a model run, numpy_week / bound"] > 0
    assert "| implementation, in a model run | ms per day | ÷ bound |" in text
    assert "against " in done.stderr and "(2026-01-01 00:00 UTC, commit abc1234)" in done.stderr
    moved = [ln for ln in done.stderr.splitlines() if "600 employees: netsim total" in ln]
    assert moved and moved[0].endswith("<- outside the noise"), moved
    assert "no longer measured" not in done.stderr
