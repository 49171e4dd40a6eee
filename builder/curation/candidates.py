"""The first stage of both tables: what may be published at all.

Conversations: the passed attempts of validated tasks (a failed attempt, or any attempt of a
task whose blueprint was rejected, is removed with that reason). Blueprints: the validated
tasks with their passed blueprint (others are removed by their status, e.g. `rejected`).
"""

from __future__ import annotations

import duckdb

TRAJECTORY_STAGE = "candidates"
BLUEPRINT_STAGE = "validated"


def drop_ineligible(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"""
        INSERT INTO row_fate
        SELECT a.task_id, a.attempt, '{TRAJECTORY_STAGE}',
               CASE WHEN t.task_id IS NULL THEN 'task_not_validated' ELSE 'attempt_failed' END, NULL
        FROM attempts a LEFT JOIN tasks t ON t.task_id = a.task_id
        WHERE t.task_id IS NULL OR NOT coalesce(a.passed, false)
    """)
    con.execute(f"""
        INSERT INTO task_fate
        SELECT task_id, '{BLUEPRINT_STAGE}',
               CASE WHEN max(task_status) = 'validated' THEN 'no_passed_blueprint' ELSE coalesce(max(task_status), 'unknown') END,
               NULL
        FROM src_blueprints ANTI JOIN tasks USING (task_id)
        GROUP BY task_id
    """)
