"""A resumed run's journal is opened before the pipeline starts: a damaged one is refused there,
naming the file and the fix, rather than failing in a step process far from its cause. A single
damaged record is named when its task resumes (`damaged_record`): reading every record here
would cost a resume time proportional to the whole run."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from builder.errors import UserError
from builder.run.journal import journal_path


def check_journal(run_dir: Path) -> None:
    """Raise `UserError` when the journal is not a readable SQLite database of checkpoints."""
    path = journal_path(run_dir)
    if not path.exists():
        return
    try:
        con = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=60)
        try:
            con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise UserError(f"the run's journal {path} is damaged ({exc}); build into a new --out folder, or delete "
                        f"{path} (and its -wal and -shm files) to redo the run's work from the start") from None


def damaged_record(path: Path, task_id: str, error: Exception) -> UserError:
    """The error for a checkpoint of the journal at `path` that does not read back as a task
    record, with the fix."""
    return UserError(
        f"the run's journal {path} holds a damaged record for task {task_id} ({type(error).__name__}); delete it "
        f"to have the task redone: sqlite3 {path} \"DELETE FROM checkpoints WHERE task_id = '{task_id}'; "
        f"DELETE FROM done WHERE task_id = '{task_id}'\""
    )
