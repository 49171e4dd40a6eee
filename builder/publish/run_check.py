"""Whether a run folder holds a finished, self-consistent dataset, and which files make it up.

A release must be exactly the run's curated dataset: a folder from an interrupted build, a
phase-1 (blueprints only) run, or an export that disagrees with the funnel in stats.json is
refused with the reason and the fix, before any file is read for upload.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from pydantic import BaseModel

from builder.errors import UserError
from builder.export import CONFIGS, DEFAULT_CONFIG
from builder.export.dataset import check_data_file, split_of
from builder.run.folder import CONFIG, DATASET, STATS, read_config, read_stats, resume_hint


class RunDataset(BaseModel):
    run_dir: Path
    files: dict[str, list[Path]]  # config -> its Parquet files under DIR/dataset/<config>/, sorted
    rows: dict[str, dict[str, int]]  # config -> split -> rows

    @property
    def dataset_dir(self) -> Path:
        return self.run_dir / DATASET


def expected_rows(stats: dict[str, Any]) -> dict[str, dict[str, int]]:
    """config -> split -> rows that stats.json says the export wrote (empty splits left out).

    With curation, its `kept` counts per table and split (`messages` has the rows of
    `trajectories`); before curation existed, every passed attempt of a validated task and every
    validated blueprint went into `train` (see `builder.export.dataset`).
    """
    funnel = stats["funnel"]
    curation = funnel.get("curation")
    if curation:
        conversations, blueprints = curation["kept"]["trajectories"], curation["kept"]["blueprints"]
        tables = {"trajectories": conversations, "messages": conversations, "blueprints": blueprints}
    else:
        conversations = funnel["conversations"]["passed_attempts"]
        blueprints = funnel["blueprints_validated"] + funnel["recombination"]["validated"]
        tables = {"trajectories": {"train": conversations}, "messages": {"train": conversations},
                  "blueprints": {"train": blueprints}}
    return {name: {split: n for split, n in splits.items() if n} for name, splits in tables.items()}


def _rows(paths: list[Path]) -> dict[str, int]:
    out: dict[str, int] = {}
    for path in paths:
        split = split_of(path.name) or path.stem
        out[split] = out.get(split, 0) + pq.ParquetFile(path).metadata.num_rows
    return out


def check_run(run_dir: Path) -> RunDataset:
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise UserError(f"RUN_DIR {run_dir} does not exist; pass the --out folder of a finished `builder build`")
    config = read_config(run_dir)
    if config.phase < 2:
        raise UserError(f"{run_dir} is a phase-1 run (blueprints only): it has no conversation dataset to publish; "
                        f"build with phase 2 (the default) into a new folder")
    stats_path = run_dir / STATS
    stats = read_stats(run_dir)
    if stats.get("config_fingerprint") != config.fingerprint():
        raise UserError(f"{stats_path} was written by a run with another config than {run_dir / CONFIG}; "
                        f"finish it with {resume_hint(run_dir)}")
    if "conversations" not in stats.get("funnel", {}):
        raise UserError(f"{stats_path} has no conversation funnel (a phase-1 result); "
                        f"finish it with {resume_hint(run_dir)}")
    dataset = run_dir / DATASET
    if not (dataset / "README.md").exists():
        raise UserError(f"{dataset / 'README.md'} is missing: the dataset export did not finish; "
                        f"finish it with {resume_hint(run_dir)}")
    found = {d.name: sorted(d.glob("*.parquet")) for d in dataset.iterdir() if d.is_dir()}
    order = [c for c in CONFIGS if c in found] + sorted(c for c in found if c not in CONFIGS)
    files = {name: found[name] for name in order if found[name]}
    for path in (p for paths in files.values() for p in paths):
        check_data_file(path, resume_hint(run_dir))
    rows = {name: _rows(paths) for name, paths in files.items()}
    expected = expected_rows(stats)
    problems = []
    for name in sorted(set(expected) | set(rows)):
        have, want = rows.get(name, {}), expected.get(name, {})
        problems += [f"{name}/{split}: {have.get(split, 0)} rows in {dataset / name}, {want.get(split, 0)} in {STATS}"
                     for split in sorted(set(have) | set(want)) if have.get(split, 0) != want.get(split, 0)]
    if problems:
        raise UserError(f"{dataset} does not match {stats_path} ({'; '.join(problems)}): data files are missing "
                        f"or stale; finish it with {resume_hint(run_dir)}")
    if not sum(rows.get(DEFAULT_CONFIG, {}).values()):
        raise UserError(f"{run_dir} kept no verified conversation ({DEFAULT_CONFIG} has no rows): there is "
                        f"nothing to publish; build more tasks")
    return RunDataset(run_dir=run_dir, files=files, rows=rows)
