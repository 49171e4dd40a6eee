"""A resumed run's journal is read before the pipeline starts: a damaged one is refused there,
naming the rows and the fix, rather than failing in a step process far from its cause."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from builder.errors import UserError
from builder.run.journal import journal_path


def check_journal(run_dir: Path) -> None:
    """Raise `UserError` when the journal is not a readable SQLite database or holds a record
    that is not JSON (SQLite checks every row in C: seconds for millions of rows)."""
    path = journal_path(run_dir)
    if not path.exists():
        return
    try:
        con = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=60)
        try:
            bad = con.execute(
                "SELECT stage, task_id FROM results WHERE NOT json_valid(record) ORDER BY stage, task_id LIMIT 6"
            ).fetchall()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise UserError(f"the run's journal {path} is damaged ({exc}); build into a new --out folder, or delete "
                        f"{path} (and its -wal and -shm files) to redo the run's work from the start") from None
    if bad:
        rows = ", ".join(f"{stage} {task}" for stage, task in bad[:5]) + (", ..." if len(bad) > 5 else "")
        raise UserError(f"the run's journal {path} holds records that are not JSON ({rows}): delete them to have "
                        f"them redone: sqlite3 {path} \"DELETE FROM results WHERE NOT json_valid(record)\"")
