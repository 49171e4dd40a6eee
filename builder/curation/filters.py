"""Conversation filters: user-turn range, tool errors, length. Off unless configured.

A row that breaks several rules is counted under the first one in this order: too few user
turns, too many user turns, too many tool errors, too long (so the reasons add up to the rows
removed). Length is the characters of the stored messages JSON (system prompt, turns, tool
calls and results): a proxy for the context a row needs when training.
"""

from __future__ import annotations

import duckdb

from builder.curation.config import CurationConfig

STAGE = "filters"


def drop_filtered(con: duckdb.DuckDBPyConnection, cfg: CurationConfig) -> None:
    rules = [
        (cfg.min_user_turns, "user_turns < {}", "too_few_user_turns"),
        (cfg.max_user_turns, "user_turns > {}", "too_many_user_turns"),
        (cfg.max_tool_errors, "tool_errors > {}", "too_many_tool_errors"),
        (cfg.max_chars, "chars > {}", "too_long"),
    ]
    cases = [f"WHEN {cond.format(int(limit))} THEN '{reason}'" for limit, cond, reason in rules if limit is not None]
    if not cases:
        return
    con.execute(f"""
        INSERT INTO row_fate
        SELECT task_id, attempt, '{STAGE}', reason, NULL
        FROM (SELECT task_id, attempt, CASE {' '.join(cases)} END AS reason FROM live_rows)
        WHERE reason IS NOT NULL
    """)
