"""Exact duplicates: the same normalised instruction, the same gold actions for the same user
(per task), the same messages (per conversation). The earliest copy is kept
(task order: `tables.TASK_ORDER`; conversations then by attempt).

Each rule runs on what the previous one left, so a task is never dropped as the copy of a task
that is itself gone. Instruction copies are compared after `text.normalized`; action sequences
as the stored JSON, whose keys are sorted when the run is written, so equal actions are equal text.
"""

from __future__ import annotations

import duckdb

from builder.curation.config import CurationConfig
from builder.curation.ledger import propagate

STAGE = "exact_duplicates"


def _drop_later_tasks(con: duckdb.DuckDBPyConnection, key: str, reason: str) -> None:
    con.execute(f"""
        INSERT INTO task_fate
        SELECT task_id, '{STAGE}', '{reason}', first FROM (
            SELECT task_id, first_value(task_id) OVER w AS first, row_number() OVER w AS n
            FROM live_tasks WINDOW w AS (PARTITION BY {key} ORDER BY rank)
        ) WHERE n > 1
    """)


def drop_exact_duplicates(con: duckdb.DuckDBPyConnection, cfg: CurationConfig) -> None:
    if cfg.dedup_instructions:
        _drop_later_tasks(con, "norm_key", "duplicate_instruction")
    if cfg.dedup_actions:
        _drop_later_tasks(con, "user_id, actions_key", "duplicate_actions")
    propagate(con, STAGE)
    if cfg.dedup_conversations:
        con.execute(f"""
            INSERT INTO row_fate
            SELECT task_id, attempt, '{STAGE}', 'duplicate_conversation', first FROM (
                SELECT task_id, attempt, first_value(task_id || '-a' || attempt) OVER w AS first, row_number() OVER w AS n
                FROM live_rows WINDOW w AS (PARTITION BY conv_key ORDER BY rank, attempt)
            ) WHERE n > 1
        """)
