"""The crash-safe results store of sweeps: one SQLite file per experiment.

Each task (one design point, one replication) is one row, keyed by a hash of the resolved
scenario, the seed and the netsim version, and committed in its own transaction the moment its
result arrives. SQLite's journal makes every commit all-or-nothing, so a sweep killed at any
moment (Ctrl-C, ``kill -9``, power loss) leaves a database that holds exactly the tasks that
finished; running the sweep again skips them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd

from netsim.errors import NetsimError
from netsim.safe import json_strict

__all__ = ["LOCK_TIMEOUT", "ResultStore", "StoreError", "one_line", "sqlite_problem"]

#: Seconds a write waits for another process's lock before giving up with a clear error.
LOCK_TIMEOUT = 30.0

_TABLES = {"meta", "tasks", "design"}

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


def one_line(text: str) -> str:
    """``text`` with line breaks and other control characters written as escapes, so that a
    name a user gave (a path, a key) cannot split an error message over several lines.

    Examples
    --------
    >>> one_line("a\\nb\\tc")
    'a\\\\nb\\\\tc'
    """
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _name(path: Path) -> str:
    return one_line(str(path))


def sqlite_problem(path: Path, exc: sqlite3.Error, doing: str) -> str:
    """One line that names the database, what went wrong and what to do about it.

    Parameters
    ----------
    path : Path
        The database file.
    exc : sqlite3.Error
        What SQLite raised.
    doing : {"open", "read", "write"}
        What netsim was doing with the database.
    """
    text = str(exc)
    low = text.lower()
    name = _name(path)
    if "locked" in low or "busy" in low:
        return (
            f"{name}: the database is locked by another process (another sweep writing to "
            "it?); wait until it has finished, or use --db OTHER.sqlite"
        )
    if "readonly" in low or "read-only" in low:
        return (
            f"{name}: the database is read-only (a read-only file, directory or mount); "
            "`netsim results` can read it, but a sweep needs --db OTHER.sqlite in a "
            "writable place"
        )
    if "malformed" in low or "not a database" in low or "corrupt" in low:
        return (
            f"{name}: the database is damaged or not an SQLite database (sqlite: "
            f"{one_line(text)}); delete it and sweep again, or use --db OTHER.sqlite"
        )
    if "unable to open" in low:
        return f"{name}: cannot {doing} the database (sqlite: unable to open the file)"
    return f"{name}: cannot {doing} the database (sqlite: {one_line(text)})"


def _open_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection that writes nothing next to the file either.

    ``mode=ro`` sees what a running or killed sweep has committed (its write-ahead log
    included); on a read-only mount SQLite cannot make the log's index file there, and the
    file is opened as ``immutable``: nothing can change it there.
    """
    if path.is_dir():
        raise StoreError(f"{_name(path)}: is a directory; give a sweep's .sqlite file")
    if not path.is_file():
        raise StoreError(f"{_name(path)}: no such results database")
    uri = "file:" + quote(str(path.resolve()))
    try:
        con = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=LOCK_TIMEOUT)
        con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        if "unable to open" not in str(exc):
            raise StoreError(sqlite_problem(path, exc, "read")) from None
        try:
            con = sqlite3.connect(f"{uri}?immutable=1", uri=True)
            con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as exc2:
            raise StoreError(sqlite_problem(path, exc2, "read")) from None
    except sqlite3.Error as exc:
        raise StoreError(sqlite_problem(path, exc, "read")) from None
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not _TABLES <= tables:
        con.close()
        raise StoreError(
            f"{_name(path)}: not a netsim results database (no sweep has written to it)"
        )
    return con


class ResultStore:
    """Task results of one experiment in SQLite.

    Parameters
    ----------
    path : path-like
        The database file (created with its directory if missing).
    readonly : bool
        Open an existing database for reading only, so that it can be read from a read-only
        file, directory or mount; nothing is created and nothing is written.

    Raises
    ------
    StoreError
        One line naming the file: a directory, not a database, another program's database,
        damaged, locked, read-only (when writing); when reading, also missing.

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

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        if readonly:
            self._con = _open_readonly(self.path)
            return
        if self.path.is_dir():
            raise StoreError(f"{_name(self.path)}: is a directory; --db takes a file name")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"{_name(self.path)}: cannot create its directory ({exc.strerror})"
            ) from None
        if self.path.exists() and not (
            os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)
        ):
            # SQLite needs to write the file and its journal beside it; it would only say
            # "unable to open".
            raise StoreError(sqlite_problem(self.path, sqlite3.OperationalError("readonly"), ""))
        with self._errors("open"):
            self._con = sqlite3.connect(self.path, timeout=LOCK_TIMEOUT, isolation_level=None)
            self._refuse_foreign()
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.execute("PRAGMA synchronous=NORMAL")
            self._con.executescript(_SCHEMA)

    def _refuse_foreign(self) -> None:
        """Refuse an SQLite file that holds some other program's tables: netsim would add
        its own beside them."""
        tables = {r[0] for r in self._con.execute("SELECT name FROM sqlite_master")}
        foreign = tables - _TABLES - {n for n in tables if n.startswith("sqlite_")}
        if foreign:
            self._con.close()
            raise StoreError(
                f"{_name(self.path)}: not a netsim results database (it has other tables: "
                f"{', '.join(sorted(map(repr, foreign))[:5])}); use --db OTHER.sqlite"
            )

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """SQLite's errors as one line that says what to do (see :func:`sqlite_problem`)."""
        try:
            yield
        except sqlite3.Error as exc:
            raise StoreError(sqlite_problem(self.path, exc, doing)) from None

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
        with self._errors("write"):
            self._con.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                (key, json_strict(value)),
            )

    def get_meta(self, key: str, default: Any = None) -> Any:
        """The value stored under ``key``."""
        with self._errors("read"):
            row = self._con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row is None:
            return default
        try:
            return json.loads(row[0])
        except (TypeError, ValueError):
            raise StoreError(
                f"{_name(self.path)}: not a netsim results database (its {key!r} record is "
                "not JSON)"
            ) from None

    # ----------------------------------------------------------------- tasks

    def done_keys(self) -> set[str]:
        """Keys of tasks that finished successfully."""
        with self._errors("read"):
            rows = self._con.execute("SELECT key FROM tasks WHERE status = 'done'").fetchall()
        return {r[0] for r in rows}

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
        with self._errors("write"):
            self._con.execute(
                "INSERT OR REPLACE INTO tasks VALUES (?, ?, ?, ?, ?, 'done', ?, NULL, ?, ?)",
                (
                    key,
                    point,
                    replication,
                    seed,
                    json_strict(params),
                    json_strict(summary),
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
        with self._errors("write"):
            self._con.execute(
                "INSERT OR REPLACE INTO tasks VALUES (?, ?, ?, ?, ?, 'failed', NULL, ?, NULL, ?)",
                (key, point, replication, seed, json_strict(params), error, time.time()),
            )

    def failures(self) -> pd.DataFrame:
        """Failed tasks with their errors."""
        with self._errors("read"):
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
        with self._errors("write"), self._con:
            self._con.execute("BEGIN")
            self._con.execute("DELETE FROM design")
            self._con.executemany(
                "INSERT INTO design VALUES (?, ?, ?, ?, ?)",
                ((p, r, s, json_strict(params), k) for p, r, s, params, k in rows),
            )

    def frame(self) -> pd.DataFrame:
        """One row per (design point, replication) whose task finished: point, replication,
        seed, ``param:<path>`` columns and the summary, ordered by (point, replication)."""
        with self._errors("read"):
            return self._frame()

    def _frame(self) -> pd.DataFrame:
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
            try:
                rec.update({f"param:{k}": v for k, v in json.loads(params).items()})
                rec.update(json.loads(summary))
            except (TypeError, ValueError, AttributeError):
                raise StoreError(
                    f"{_name(self.path)}: task ({point}, {rep}) is damaged (not JSON); delete "
                    "the database and sweep again"
                ) from None
            rec["seed"] = seed
            records.append(rec)
        return pd.DataFrame.from_records(records)
