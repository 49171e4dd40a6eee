"""The DuckDB session curation runs in, and the run's Parquet files as typed views.

The session is a database file under DIR/.state/ with a memory limit and a spill directory
next to it, so intermediate tables live on disk and memory stays bounded however many rows the
run has: DuckDB streams the Parquet files and spills its sorts and aggregates.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from builder.errors import UserError

# column -> SQL type of what curation reads; casting makes all-null columns (e.g. `family` in a
# run without recombination, written by pyarrow as the null type) typed like any other
TRAJECTORY_COLUMNS = {
    "task_id": "VARCHAR", "domain": "VARCHAR", "attempt": "BIGINT", "passed": "BOOLEAN",
    "messages": "VARCHAR", "tool_errors": "BIGINT", "user_turns": "BIGINT",
}
BLUEPRINT_COLUMNS = {
    "task_id": "VARCHAR", "domain": "VARCHAR", "kind": "VARCHAR", "family": "VARCHAR", "user_id": "VARCHAR",
    "round": "BIGINT", "instruction": "VARCHAR", "actions": "VARCHAR", "passed": "BOOLEAN", "task_status": "VARCHAR",
}


def literal(text: str) -> str:
    """A SQL string literal (for the places DuckDB takes no parameters: SET, COPY, paths)."""
    return "'" + text.replace("'", "''") + "'"


def connect(work_dir: Path, memory_limit: str) -> duckdb.DuckDBPyConnection:
    work_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(work_dir / "work.duckdb"))
    con.execute(f"SET memory_limit = {literal(memory_limit)}")
    con.execute(f"SET temp_directory = {literal(str(work_dir / 'spill'))}")
    con.execute("SET preserve_insertion_order = false")  # lets DuckDB stream without reordering buffers
    con.execute("SET enable_progress_bar = false")
    return con


def source_view(con: duckdb.DuckDBPyConnection, name: str, path: Path, columns: dict[str, str]) -> None:
    """View `name` over the Parquet file with `columns`, typed.

    A run with no row of a kind writes a file with only `task_id` (see `run.outputs`): that is
    an empty view. A file with rows but a missing column was not written by this builder.
    """
    if not path.exists():
        raise UserError(f"{path} is missing: curation needs a finished run folder (run `builder build` on it)")
    described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({literal(str(path))})").fetchall()
    present = {row[0] for row in described}
    missing = [c for c in columns if c not in present]
    typed = ", ".join(f"CAST({'NULL' if c in missing else c} AS {t}) AS {c}" for c, t in columns.items())
    source = f"read_parquet({literal(str(path))})"
    if missing:
        (rows,) = con.execute(f"SELECT count(*) FROM {source}").fetchone()
        if rows:
            raise UserError(f"{path} has no column {missing[0]!r}: it was not written by this version of the builder")
        con.execute(f"CREATE VIEW {name} AS SELECT {typed} FROM {source} LIMIT 0")
        return
    con.execute(f"CREATE VIEW {name} AS SELECT {typed} FROM {source}")
