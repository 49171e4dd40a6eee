"""The DuckDB session curation runs in, and the run's Parquet files as typed views.

The session is an in-memory database with a memory limit and a spill directory under
DIR/.state/, so intermediate tables move to disk and memory stays bounded however many rows the
run has: DuckDB streams the Parquet files and spills its tables, sorts and aggregates. (A
database *file* would do the same, but DuckDB parses its name: a `?` in the run folder's path
starts connection options.)
"""

from __future__ import annotations

import re
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


def exact_file(path: Path) -> str:
    """`path` as DuckDB's `read_parquet` must be given it to read that one file.

    DuckDB takes every file name as a glob pattern: a run folder named `ru*` would also read
    its sibling `run`, and `r[1]` nothing at all. Every pattern character is put in a bracket
    class of its own, which matches just that character; the path is absolute, so a leading
    `~` is not a home folder.
    """
    return re.sub(r"([*?\[{}])", r"[\1]", str(Path(path).absolute()))


def connect(work_dir: Path, memory_limit: str) -> duckdb.DuckDBPyConnection:
    work_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
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
    source = f"read_parquet({literal(exact_file(path))})"
    described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    present = {row[0] for row in described}
    missing = [c for c in columns if c not in present]
    typed = ", ".join(f"CAST({'NULL' if c in missing else c} AS {t}) AS {c}" for c, t in columns.items())
    if missing:
        (rows,) = con.execute(f"SELECT count(*) FROM {source}").fetchone()
        if rows:
            raise UserError(f"{path} has no column {missing[0]!r}: it was not written by this version of the builder")
        con.execute(f"CREATE VIEW {name} AS SELECT {typed} FROM {source} LIMIT 0")
        return
    con.execute(f"CREATE VIEW {name} AS SELECT {typed} FROM {source}")
