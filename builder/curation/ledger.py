"""The fate of every task and conversation row: removed (by which stage, why, duplicate of
what) or still live. Stages only ever add fates; the counts are read off the fates.

    task_fate(task_id, stage, reason, duplicate_of)            one row per removed task
    row_fate(task_id, attempt, stage, reason, duplicate_of)    one row per removed attempt
    live_tasks, live_rows                                      views: what no stage removed yet

A task removed by deduplication takes its conversations with it (`propagate`), so the
`blueprints` and the conversation configs agree on which tasks were duplicates.
"""

from __future__ import annotations

import duckdb

from builder.curation.result import StageCount


def create(con: duckdb.DuckDBPyConnection) -> None:
    """The fate tables and live views, over the `tasks` and `attempts` tables (`tables`)."""
    con.execute("CREATE TABLE task_fate (task_id VARCHAR, stage VARCHAR, reason VARCHAR, duplicate_of VARCHAR)")
    con.execute(
        "CREATE TABLE row_fate (task_id VARCHAR, attempt BIGINT, stage VARCHAR, reason VARCHAR, duplicate_of VARCHAR)"
    )
    con.execute("CREATE VIEW live_tasks AS SELECT * FROM tasks ANTI JOIN task_fate USING (task_id)")
    con.execute("""
        CREATE VIEW live_rows AS
        SELECT a.task_id, a.attempt, a.user_turns, a.tool_errors, a.chars, a.conv_key,
               t.rank, t.domain, t.grp
        FROM attempts a JOIN tasks t USING (task_id) ANTI JOIN row_fate USING (task_id, attempt)
    """)


def propagate(con: duckdb.DuckDBPyConnection, stage: str) -> None:
    """Remove the live conversations of the tasks `stage` removed, with the task's reason."""
    con.execute("""
        INSERT INTO row_fate
        SELECT r.task_id, r.attempt, f.stage, f.reason, f.duplicate_of
        FROM live_rows r JOIN task_fate f USING (task_id) WHERE f.stage = ?
    """, [stage])


def stage_counts(con: duckdb.DuckDBPyConnection, fate_table: str, stages: tuple[str, ...], total: int) -> dict[str, StageCount]:
    """Stage -> rows in, out, removed by reason; each stage's input is the previous one's output."""
    removed: dict[str, dict[str, int]] = {s: {} for s in stages}
    for stage, reason, n in con.execute(
        f"SELECT stage, reason, count(*) FROM {fate_table} GROUP BY stage, reason ORDER BY stage, reason"
    ).fetchall():
        if stage not in removed:
            raise AssertionError(f"curation stage {stage!r} removed rows but is not in the stage list {stages}")
        removed[stage][reason] = n
    out: dict[str, StageCount] = {}
    rows = total
    for stage in stages:
        gone = sum(removed[stage].values())
        out[stage] = StageCount(rows_in=rows, rows_out=rows - gone, removed=removed[stage])
        rows -= gone
    return out
