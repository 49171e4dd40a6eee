"""Row-level checkpoints: the result of every stage for every task, committed as it is made.

distilabel resumes by batch; users asked for better (a crash must not redo or recount work),
so every step records each row's result here the moment it has it, and on a re-run looks the
row up before doing anything. SQLite in WAL mode gives atomic commits that survive SIGKILL and
lets the pipeline's step processes write concurrently; the primary key (stage, task) is what
guarantees nothing is counted twice.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    stage TEXT NOT NULL,
    task_id TEXT NOT NULL,
    record TEXT NOT NULL,
    seq INTEGER NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (stage, task_id)
);
"""


def journal_path(run_dir: Path) -> Path:
    return Path(run_dir) / ".state" / "journal.sqlite"


class Journal:
    def __init__(self, run_dir: Path):
        path = journal_path(run_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(SCHEMA)

    def get(self, stage: str, task_id: str) -> str | None:
        row = self._conn.execute(
            "SELECT record FROM results WHERE stage = ? AND task_id = ?", (stage, task_id)
        ).fetchone()
        return row[0] if row else None

    def put(self, stage: str, task_id: str, record: str) -> None:
        """Record a result once; a second write for the same (stage, task) keeps the first."""
        self._conn.execute(
            "INSERT OR IGNORE INTO results (stage, task_id, record, seq, created) "
            "VALUES (?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM results), ?)",
            (stage, task_id, record, time.time()),
        )

    def records(self, stage: str) -> Iterator[tuple[str, str]]:
        yield from self._conn.execute(
            "SELECT task_id, record FROM results WHERE stage = ? ORDER BY task_id", (stage,)
        )

    def counts(self) -> dict[str, int]:
        return dict(self._conn.execute("SELECT stage, COUNT(*) FROM results GROUP BY stage").fetchall())

    def close(self) -> None:
        self._conn.close()
