"""Row-level checkpoints: where every task's chain stands, committed as each stage finishes.

distilabel resumes by batch; users asked for better (a crash must not redo or recount work), so
every stage records each task's result here the moment it has it, and a re-run continues each
task from its last finished stage. Two tables:

- `checkpoints`: each task's latest record (zlib-compressed JSON) and the stage that made it.
  Only the latest is kept, so the state grows with the number of tasks, not tasks x stages.
- `done`: one tiny row per (stage, task) that finished, for progress and the funnel's counts.
  Its primary key is what guarantees nothing is counted twice.
- `claims`: which units the processes of the running build have taken (see `claim`).

SQLite in WAL mode gives atomic commits that survive SIGKILL and lets the build's processes
read while one writes. Both tables are keyed by their primary keys (no sequence to compute),
so a write costs the same at 200,000 rows as at 1,000.
"""

from __future__ import annotations

import sqlite3
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

from builder.errors import BuildFailure

SCHEMA = """
CREATE TABLE IF NOT EXISTS checkpoints (
    task_id TEXT PRIMARY KEY,
    stage TEXT NOT NULL,
    record BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS done (
    stage TEXT NOT NULL,
    task_id TEXT NOT NULL,
    PRIMARY KEY (stage, task_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS claims (
    invocation TEXT NOT NULL,
    unit INTEGER NOT NULL,
    PRIMARY KEY (invocation, unit)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


#: How long a write waits for another process's (SQLite's busy timeout), and opening retries.
LOCK_TIMEOUT_S = 60


def _locked(exc: sqlite3.DatabaseError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def journal_path(run_dir: Path) -> Path:
    return Path(run_dir) / ".state" / "journal.sqlite"


class Journal:
    def __init__(self, run_dir: Path):
        path = self.path = journal_path(run_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, timeout=LOCK_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        try:
            self._set_up()
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            if _locked(exc):
                raise BuildFailure(f"the run's journal {path} stayed locked by another process for "
                                   f"{LOCK_TIMEOUT_S} s ({exc})") from exc
            raise BuildFailure(
                f"the run's journal {path} cannot be read ({exc}); it holds the finished work of the "
                "run: restore it, or build into a new --out folder"
            ) from exc

    def _set_up(self) -> None:
        """WAL mode and the tables. Processes that open a new journal at once can find it
        locked while one of them switches it to WAL, and SQLite says so at once instead of
        waiting (a lock it cannot wait for without risking a deadlock): they try again."""
        deadline, pause = time.monotonic() + LOCK_TIMEOUT_S, 0.01
        while True:
            try:
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
                self._conn.executescript(SCHEMA)
                return
            except sqlite3.OperationalError as exc:
                if not _locked(exc) or time.monotonic() > deadline:
                    raise
            time.sleep(pause)
            pause = min(2 * pause, 0.5)

    def put(self, stage: str, task_id: str, record: str) -> None:
        """Record that `stage` finished `task_id` with `record`; a second write for the same
        (stage, task) keeps the first."""
        blob = zlib.compress(record.encode(), 1)
        with self._conn:  # one transaction: a stage is done exactly when its checkpoint is
            self._conn.execute("BEGIN")
            fresh = self._conn.execute(
                "INSERT OR IGNORE INTO done (stage, task_id) VALUES (?, ?)", (stage, task_id)
            ).rowcount
            if fresh:
                self._conn.execute(
                    "INSERT OR REPLACE INTO checkpoints (task_id, stage, record) VALUES (?, ?, ?)",
                    (task_id, stage, blob),
                )

    def checkpoint(self, task_id: str) -> tuple[str, str] | None:
        """(stage, record JSON) of the task's last finished stage, or None if none finished."""
        row = self._conn.execute("SELECT stage, record FROM checkpoints WHERE task_id = ?", (task_id,)).fetchone()
        return (row[0], zlib.decompress(row[1]).decode()) if row else None

    def records(self) -> Iterator[str]:
        """Every task's latest record JSON, by task id, streamed (never all in memory)."""
        cursor = self._conn.execute("SELECT record FROM checkpoints ORDER BY task_id")
        for (blob,) in cursor:
            yield zlib.decompress(blob).decode()

    def claim(self, invocation: str, unit: int) -> bool:
        """Take the unit starting at task `unit` for this process, if no other process of the
        build (`invocation`) took it first: the build's processes share one sequence of units,
        so whichever is free starts the next, and they all finish within a chain of each other."""
        return self._conn.execute(
            "INSERT OR IGNORE INTO claims (invocation, unit) VALUES (?, ?)", (invocation, unit)
        ).rowcount == 1

    def clear_claims(self) -> None:
        """Forget the claims of earlier builds of the run (their unfinished units are free again)."""
        self._conn.execute("DELETE FROM claims")

    def counts(self) -> dict[str, int]:
        """Stage key -> number of tasks that finished that stage."""
        return dict(self._conn.execute("SELECT stage, COUNT(*) FROM done GROUP BY stage").fetchall())

    def get_meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def compact(self) -> None:
        """Fold the write-ahead log into the database and empty it (when no one else writes)."""
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        self._conn.close()
