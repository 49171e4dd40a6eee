"""`curate(run_dir, config)`: run every curation stage over a run's Parquet files.

The stages (see the package docstring) run as SQL in one DuckDB session whose spill files
live in DIR/.state/curation.work/ (removed afterwards); Python only ever fetches
counts. The result's counts go to stats.json, the selection to DIR/.state/curation/.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import duckdb

from builder.config import BuildConfig
from builder.curation import balance, candidates, exact, filters, ledger, near, selection, tables
from builder.curation.database import BLUEPRINT_COLUMNS, TRAJECTORY_COLUMNS, connect, source_view
from builder.curation.result import CurationResult
from builder.curation.split import split_sql
from builder.errors import BuildFailure
from builder.run.folder import BLUEPRINTS, TRAJECTORIES

TRAJECTORY_STAGES = (candidates.TRAJECTORY_STAGE, exact.STAGE, near.STAGE, filters.STAGE, balance.STAGE)
BLUEPRINT_STAGES = (candidates.BLUEPRINT_STAGE, exact.STAGE, near.STAGE)
WORK = Path(".state") / "curation.work"


def curate(run_dir: Path, config: BuildConfig) -> CurationResult:
    """Curate the run in `run_dir` with `config.curation` (and the run seed, for the split and
    the balancing shuffle); write the selection; return the counts.

    Raises `BuildFailure` naming the step when DuckDB fails (e.g. out of memory: raise
    `curation.memory_limit`), `UserError` when the folder holds no finished run.
    """
    run_dir = Path(run_dir)
    cfg = config.curation
    work = run_dir / WORK
    shutil.rmtree(work, ignore_errors=True)  # a killed curation's leftovers
    con = connect(work, cfg.memory_limit)
    seconds: dict[str, float] = {}
    check = None

    def read() -> None:
        source_view(con, "src_trajectories", run_dir / TRAJECTORIES, TRAJECTORY_COLUMNS)
        source_view(con, "src_blueprints", run_dir / BLUEPRINTS, BLUEPRINT_COLUMNS)
        tables.create(con, hash_messages=cfg.dedup_conversations)
        ledger.create(con)

    def near_duplicates() -> None:
        nonlocal check
        if cfg.near_dup_threshold is not None:
            check = near.drop_near_duplicates(con, cfg.near_dup_threshold, cfg.near_dup_ngram)

    def split() -> None:
        side = split_sql(config.seed, cfg.test_share)
        con.execute(f"CREATE TABLE kept_rows AS SELECT task_id, attempt, {side} AS split FROM live_rows")
        con.execute(f"CREATE TABLE kept_tasks AS SELECT task_id, {side} AS split FROM live_tasks")

    steps = [
        ("read", read),
        (candidates.TRAJECTORY_STAGE, lambda: candidates.drop_ineligible(con)),
        (exact.STAGE, lambda: exact.drop_exact_duplicates(con, cfg)),
        (near.STAGE, near_duplicates),
        (filters.STAGE, lambda: filters.drop_filtered(con, cfg)),
        (balance.STAGE, lambda: balance.cap_domains(con, cfg.domain_cap, config.seed)),
        ("split", split),
        ("write", lambda: selection.write(con, run_dir)),
    ]
    try:
        for name, step in steps:
            started = time.perf_counter()
            try:
                step()
            except duckdb.Error as exc:
                raise BuildFailure(f"curation of {run_dir} failed in step {name!r}: {exc}") from exc
            seconds[name] = round(time.perf_counter() - started, 2)
        (rows,) = con.execute("SELECT count(*) FROM attempts").fetchone()
        (tasks_,) = con.execute("SELECT count(DISTINCT task_id) FROM src_blueprints").fetchone()
        kept = {
            name: dict(con.execute(f"SELECT split, count(*) FROM {table} GROUP BY split ORDER BY split DESC").fetchall())
            for name, table in (("trajectories", "kept_rows"), ("blueprints", "kept_tasks"))
        }
        return CurationResult(
            trajectories=ledger.stage_counts(con, "row_fate", TRAJECTORY_STAGES, rows),
            blueprints=ledger.stage_counts(con, "task_fate", BLUEPRINT_STAGES, tasks_),
            kept=kept,
            near_duplicates=check,
            seconds=round(sum(seconds.values()), 2),
            step_seconds=seconds,
        )
    finally:
        con.close()
        shutil.rmtree(work, ignore_errors=True)
