"""The narrow working tables curation decides on, built from the run's Parquet files.

    attempts  one row per conversation attempt: verdict, counts, length, a hash of the messages
    tasks     one row per validated task: its passed blueprint, normalised, and its rank

The messages themselves are never copied: DuckDB streams them from the Parquet file once, to
measure and hash them.

Task order (`rank`, "earlier"/"later" for deduplication): tasks with a verified conversation
first, then by task id. "Keep the first" then never keeps a copy without a conversation while
dropping the copy that has one.
"""

from __future__ import annotations

import duckdb

from builder.curation.text import normalized

TASK_ORDER = "(v.task_id IS NULL), bp.task_id"


def create(con: duckdb.DuckDBPyConnection, hash_messages: bool) -> None:
    """`attempts` and `tasks` from the views `src_trajectories` and `src_blueprints`."""
    conv_key = "md5_number(messages)" if hash_messages else "NULL::UHUGEINT"
    con.execute(f"""
        CREATE TABLE attempts AS
        SELECT task_id, attempt, passed, user_turns, tool_errors, length(messages) AS chars, {conv_key} AS conv_key
        FROM src_trajectories
    """)
    con.execute(f"""
        CREATE TABLE tasks AS
        WITH bp AS (
            SELECT task_id, domain, kind, family, user_id, instruction, actions
            FROM src_blueprints
            WHERE task_status = 'validated' AND passed AND instruction IS NOT NULL
            QUALIFY row_number() OVER (PARTITION BY task_id ORDER BY round DESC) = 1
        ), verified AS (SELECT DISTINCT task_id FROM attempts WHERE passed)
        SELECT bp.task_id, row_number() OVER (ORDER BY {TASK_ORDER}) AS rank,
               bp.domain, bp.kind, bp.family, bp.user_id, coalesce(bp.family, bp.task_id) AS grp,
               {normalized('bp.instruction')} AS norm, md5_number(norm) AS norm_key, md5_number(bp.actions) AS actions_key
        FROM bp LEFT JOIN verified v ON v.task_id = bp.task_id
    """)
