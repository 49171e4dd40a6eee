"""The curated selection on disk, DIR/.state/curation/, which the export reads:

    trajectories.parquet          (task_id, attempt, split)   the kept conversations
    blueprints.parquet            (task_id, split)            the kept validated blueprints
    removed_trajectories.parquet  (task_id, attempt, stage, reason, duplicate_of)
    removed_blueprints.parquet    (task_id, stage, reason, duplicate_of)

Every attempt and every task of the run is in exactly one of the two files of its kind: kept,
or removed by a stage with a reason (`duplicate_of` names the kept-earlier copy, a task id or
`TASK-aN`). The folder is written whole next to the old one and swapped in.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from builder.curation.database import literal
from builder.errors import BuildFailure

FOLDER = Path(".state") / "curation"
FILES = {
    "trajectories": "SELECT task_id, attempt, split FROM kept_rows ORDER BY task_id, attempt",
    "blueprints": "SELECT task_id, split FROM kept_tasks ORDER BY task_id",
    "removed_trajectories": "SELECT * FROM row_fate ORDER BY task_id, attempt",
    "removed_blueprints": "SELECT * FROM task_fate ORDER BY task_id",
}


def write(con: duckdb.DuckDBPyConnection, run_dir: Path) -> None:
    """Write the tables `kept_rows`, `kept_tasks` and the fates to DIR/.state/curation/."""
    out = run_dir / FOLDER
    new = out.with_name(out.name + ".new")
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir(parents=True)
    for name, query in FILES.items():
        con.execute(f"COPY ({query}) TO {literal(str(new / f'{name}.parquet'))} (FORMAT parquet)")
    old = out.with_name(out.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        os.replace(out, old)
    os.replace(new, out)
    shutil.rmtree(old, ignore_errors=True)


@dataclass(frozen=True)
class Selection:
    """What the export publishes: (task id, attempt) -> split, and task id -> split."""

    trajectories: dict[tuple[str, int], str]
    blueprints: dict[str, str]


def read_selection(run_dir: Path) -> Selection:
    import pyarrow.parquet as pq

    folder = Path(run_dir) / FOLDER
    paths = {name: folder / f"{name}.parquet" for name in ("trajectories", "blueprints")}
    missing = [p for p in paths.values() if not p.exists()]
    if missing:
        raise BuildFailure(f"{missing[0]} is missing: the run has not been curated (build it again to curate it)")
    traj = pq.read_table(paths["trajectories"]).to_pydict()
    bps = pq.read_table(paths["blueprints"]).to_pydict()
    return Selection(
        trajectories={(t, int(a)): s for t, a, s in zip(traj["task_id"], traj["attempt"], traj["split"])},
        blueprints=dict(zip(bps["task_id"], bps["split"])),
    )
