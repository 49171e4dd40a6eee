"""Per-domain balancing: at most N conversations per domain, or as many as the smallest has.

Which rows of a capped domain stay is a seeded shuffle (md5 of seed, task id and attempt), not
the first N by id: ids sort recombined tasks after every base task, so "first" would drop them
all. Balancing counts conversations; the `blueprints` config is not balanced.
"""

from __future__ import annotations

from typing import Literal

import duckdb

STAGE = "balance"


def cap_domains(con: duckdb.DuckDBPyConnection, cap: int | Literal["smallest"] | None, seed: int) -> None:
    if cap is None:
        return
    if cap == "smallest":
        (cap,) = con.execute("SELECT coalesce(min(n), 0) FROM (SELECT count(*) AS n FROM live_rows GROUP BY domain)").fetchone()
    con.execute(f"""
        INSERT INTO row_fate
        SELECT task_id, attempt, '{STAGE}', 'domain_cap', NULL FROM (
            SELECT task_id, attempt, row_number() OVER (
                PARTITION BY domain ORDER BY md5('{int(seed)}:' || task_id || ':' || attempt), task_id, attempt
            ) AS n
            FROM live_rows
        ) WHERE n > {int(cap)}
    """)
