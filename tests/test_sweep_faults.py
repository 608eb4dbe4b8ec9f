"""A sweep stopped at any moment keeps every finished task, whatever its worker count, and
leaves no worker process behind.

These tests start the real command (``python -m netsim.cli sweep``) in its own session and
stop it with a signal; every wait is bounded.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from netsim.study.experiment import sweep
from tests.test_experiment import write_experiment

# 40 tasks of a two-year horizon: long enough (~0.1 s each) that the sweep is still running
# when the test stops it, short enough to resume and to compare with a clean sweep.
SLOW = """
replications = 20
outcomes = ["attendance_decay", "total_hours_year"]
[parameters."networks.leaders.goal_clarity"]
values = [0.1, 0.9]
"""
TOTAL = 40


def _slow_experiment(tmp: Path, replications: int = 20) -> Path:
    exp = write_experiment(tmp, SLOW.replace("replications = 20", f"replications = {replications}"))
    exp.write_text(exp.read_text().replace("years = 0.25", "years = 2"))
    return exp


def _count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=1) as con:
            return con.execute("SELECT COUNT(*) FROM tasks").fetchone()[0]
    except sqlite3.Error:
        return 0  # the sweep is still creating its tables


def _start(cmd: list[str], cwd: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    return subprocess.Popen(
        cmd,
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _wait_for_rows(proc: subprocess.Popen[str], db: Path, rows: int, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        done = _count(db)
        if done >= rows:
            break
        time.sleep(0.02)
    return done


def _err(proc: subprocess.Popen[str]) -> str:
    return proc.stderr.read() if proc.stderr is not None else ""


def _rows(frame) -> list[dict]:
    return json.loads(frame.to_json(orient="records"))


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["sigint", "sigkill"])
def test_one_worker_sweep_stopped_keeps_finished_tasks_and_resumes(tmp_path, sig):
    exp = _slow_experiment(tmp_path)
    db = tmp_path / "one.sqlite"
    cmd = [sys.executable, "-m", "netsim.cli", "sweep", str(exp), "--db", str(db)]
    cmd += ["--workers", "1"]
    proc = _start(cmd, tmp_path)
    try:
        seen = _wait_for_rows(proc, db, 2, seconds=120)
        assert proc.poll() is None, f"the sweep ended before it could be stopped: {_err(proc)}"
        assert seen >= 2, "tasks finished but none was saved while the sweep ran"
        os.kill(proc.pid, sig)  # the sweep's process alone: one worker runs in it
        _, err = proc.communicate(timeout=60)
    finally:
        _kill_group(proc)
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        assert err.strip().endswith("run the same command to resume"), err
        assert "Traceback" not in err
    else:
        assert proc.returncode == -signal.SIGKILL
    saved = _count(db)
    assert seen <= saved < TOTAL, "every task finished before the signal was lost"

    out = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert f"{TOTAL} tasks done" in out.stdout
    resumed = sweep(exp, workers=1, db=db)
    clean = sweep(exp, workers=1, db=tmp_path / "clean.sqlite")
    assert _rows(resumed) == _rows(clean)


def _children(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                kids.append(int(entry.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status waits to be read


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
def test_pool_workers_end_when_the_sweep_is_killed(tmp_path):
    exp = _slow_experiment(tmp_path, replications=200)
    db = tmp_path / "pool.sqlite"
    cmd = [sys.executable, "-m", "netsim.cli", "sweep", str(exp), "--db", str(db)]
    proc = _start([*cmd, "--workers", "2"], tmp_path)
    try:
        _wait_for_rows(proc, db, 2, seconds=120)
        assert proc.poll() is None, f"the sweep ended before it could be killed: {_err(proc)}"
        workers = [k for k in _children(proc.pid) if _alive(k)]
        assert workers, "no worker processes found"
        os.kill(proc.pid, signal.SIGKILL)  # the main process alone, as `kill -9 PID` does
        proc.wait(timeout=30)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_alive(k) for k in workers):
            time.sleep(0.1)
        left = [k for k in workers if _alive(k)]
        assert not left, f"workers {left} live on after their sweep was killed"
    finally:
        _kill_group(proc)
