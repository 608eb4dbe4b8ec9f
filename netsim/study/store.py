"""The crash-safe results store of sweeps: one SQLite file per experiment.

Each task (one design point, one replication) is one row, keyed by a hash of the resolved
scenario, the seed and the netsim version, and committed in its own transaction the moment its
result arrives. SQLite's journal makes every commit all-or-nothing, so a sweep killed at any
moment (Ctrl-C, ``kill -9``, power loss) leaves a database that holds exactly the tasks that
finished; running the sweep again skips them.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from netsim.errors import NetsimError
from netsim.sim.result import json_ready

__all__ = ["ResultStore", "StoreError"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tasks (
    key TEXT PRIMARY KEY,
    point INTEGER NOT NULL,
    replication INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    params TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('done', 'failed')),
    summary TEXT,
    error TEXT,
    seconds REAL,
    finished REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS design (
    point INTEGER NOT NULL,
    replication INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    params TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (point, replication)
);
"""


class StoreError(NetsimError):
    """The results database cannot be opened or is not a netsim results database."""


class ResultStore:
    """Task results of one experiment in SQLite.

    Parameters
    ----------
    path : path-like
        The database file (created with its directory if missing).

    Examples
    --------
    >>> import tempfile, os
    >>> db = ResultStore(os.path.join(tempfile.mkdtemp(), "x.sqlite"))
    >>> db.record_done("k1", point=0, replication=0, seed=1, params={"a": 1},
    ...                summary={"y": 2.0}, seconds=0.1)
    >>> db.done_keys()
    {'k1'}
    >>> db.frame()[["point", "seed", "y"]].to_dict("records")
    [{'point': 0, 'seed': 1, 'y': 2.0}]
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._con = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.execute("PRAGMA synchronous=NORMAL")
            self._con.executescript(_SCHEMA)
        except (sqlite3.DatabaseError, OSError) as exc:
            raise StoreError(f"{self.path}: not a usable results database ({exc})") from None

    def close(self) -> None:
        """Close the connection."""
        self._con.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- metadata

    def set_meta(self, key: str, value: Any) -> None:
        """Store a JSON-serialisable value under ``key``."""
        self._con.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, json.dumps(value))
        )

    def get_meta(self, key: str, default: Any = None) -> Any:
        """The value stored under ``key``."""
        row = self._con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    # ----------------------------------------------------------------- tasks

    def done_keys(self) -> set[str]:
        """Keys of tasks that finished successfully."""
        return {r[0] for r in self._con.execute("SELECT key FROM tasks WHERE status = 'done'")}

    def record_done(
        self,
        key: str,
        *,
        point: int,
        replication: int,
        seed: int,
        params: dict[str, Any],
        summary: dict[str, Any],
        seconds: float,
    ) -> None:
        """Commit one finished task (replacing an earlier failure of the same task)."""
        self._con.execute(
            "INSERT OR REPLACE INTO tasks VALUES (?, ?, ?, ?, ?, 'done', ?, NULL, ?, ?)",
            (
                key,
                point,
                replication,
                seed,
                json.dumps(params),
                json.dumps(json_ready(summary)),
                seconds,
                time.time(),
            ),
        )

    def record_failed(
        self,
        key: str,
        *,
        point: int,
        replication: int,
        seed: int,
        params: dict[str, Any],
        error: str,
    ) -> None:
        """Commit one failed task with its error."""
        self._con.execute(
            "INSERT OR REPLACE INTO tasks VALUES (?, ?, ?, ?, ?, 'failed', NULL, ?, NULL, ?)",
            (key, point, replication, seed, json.dumps(params), error, time.time()),
        )

    def failures(self) -> pd.DataFrame:
        """Failed tasks with their errors."""
        return pd.read_sql_query(
            "SELECT point, replication, seed, params, error FROM tasks "
            "WHERE status = 'failed' ORDER BY point, replication",
            self._con,
        )

    def set_design(self, rows: Iterable[tuple[int, int, int, dict[str, Any], str]]) -> None:
        """Record the experiment's (point, replication, seed, parameters, task key) rows.

        Two design points with the same parameters (Morris trajectories revisit points) are
        the same task, run once; the design maps each of them to it.
        """
        with self._con:
            self._con.execute("BEGIN")
            self._con.execute("DELETE FROM design")
            self._con.executemany(
                "INSERT INTO design VALUES (?, ?, ?, ?, ?)",
                ((p, r, s, json.dumps(params), k) for p, r, s, params, k in rows),
            )

    def frame(self) -> pd.DataFrame:
        """One row per (design point, replication) whose task finished: point, replication,
        seed, ``param:<path>`` columns and the summary, ordered by (point, replication)."""
        has_design = self._con.execute("SELECT COUNT(*) FROM design").fetchone()[0] > 0
        query = (
            "SELECT d.point, d.replication, d.seed, d.params, t.summary FROM design d "
            "JOIN tasks t ON t.key = d.key WHERE t.status = 'done' "
            "ORDER BY d.point, d.replication"
            if has_design
            else "SELECT point, replication, seed, params, summary FROM tasks "
            "WHERE status = 'done' ORDER BY point, replication"
        )
        records = []
        for point, rep, seed, params, summary in self._con.execute(query).fetchall():
            rec: dict[str, Any] = {"point": point, "replication": rep, "seed": seed}
            rec.update({f"param:{k}": v for k, v in json.loads(params).items()})
            rec.update(json.loads(summary))
            rec["seed"] = seed
            records.append(rec)
        return pd.DataFrame.from_records(records)
