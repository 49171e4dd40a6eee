"""Curation inside a real build (retail, offline simulator, the real CLI and distilabel): the
published dataset holds exactly the curated rows, and a finished run can be curated again."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import datasets
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from builder.curation.selection import FOLDER, read_selection
from tests.build_runs import run_cli, write_config

CURATION = {"test_share": 0.5, "max_user_turns": 6}


def build(out: Path, curation: dict) -> None:
    config = write_config(out.parent / f"{out.name}-{len(curation)}.yaml", domain="retail", tasks=10, seed=5,
                          curation=curation)
    result = run_cli("build", "--config", str(config), "--out", str(out))
    assert result.returncode == 0, result.stderr[-3000:]


def published(run_dir: Path, cache: Path) -> dict[str, dict[str, list[str]]]:
    """config -> split -> ids, as `datasets.load_dataset` returns them."""
    datasets.disable_progress_bars()
    card = yaml.safe_load((run_dir / "dataset" / "README.md").read_text().split("---\n")[1])
    out: dict[str, dict[str, list[str]]] = {}
    for entry in card["configs"]:
        name = entry["config_name"]
        for files in entry["data_files"]:
            ds = datasets.load_dataset(str(run_dir / "dataset"), name, split=files["split"], cache_dir=str(cache))
            out.setdefault(name, {})[files["split"]] = list(ds["id"])
    return out


def expected(run_dir: Path) -> dict[str, dict[str, list[str]]]:
    sel = read_selection(run_dir)
    out: dict[str, dict[str, list[str]]] = {}
    for (task, attempt), split in sorted(sel.trajectories.items()):
        for name in ("trajectories", "messages"):
            out.setdefault(name, {}).setdefault(split, []).append(f"{task}-a{attempt}")
    for task, split in sorted(sel.blueprints.items()):
        out.setdefault("blueprints", {}).setdefault(split, []).append(task)
    return out


@pytest.fixture(scope="module")
def curated_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("curation") / "run"
    build(out, CURATION)
    return out


def test_the_dataset_is_exactly_the_curated_rows(curated_run, tmp_path):
    stats = json.loads((curated_run / "stats.json").read_text())
    funnel = stats["funnel"]["curation"]
    rows = published(curated_run, tmp_path)
    assert rows == expected(curated_run)
    assert {s: len(ids) for s, ids in rows["trajectories"].items()} == funnel["kept"]["trajectories"]
    assert {s: len(ids) for s, ids in rows["blueprints"].items()} == funnel["kept"]["blueprints"]
    assert stats["kept_rows"] == sum(funnel["kept"]["trajectories"].values())
    # the turn filter removed exactly the long conversations
    traj = pd.read_parquet(curated_run / "trajectories.parquet")
    long = traj[traj.passed & (traj.user_turns > 6)]
    assert funnel["trajectories"]["filters"]["removed"].get("too_many_user_turns", 0) == len(long) > 0
    assert not {f"{r.task_id}-a{r.attempt}" for r in long.itertuples()} & set(sum(rows["trajectories"].values(), []))
    # every row on the side the documented hash puts its family (or, without one, its task)
    families = {r["task_id"]: r["family"] for r in pq.read_table(curated_run / "blueprints.parquet").to_pylist()}
    for name in ("trajectories", "blueprints"):
        for split, ids in rows[name].items():
            for row_id in ids:
                task = row_id.rsplit("-a", 1)[0] if name == "trajectories" else row_id
                h = int(hashlib.md5(f"5:{families[task] or task}".encode()).hexdigest()[:13], 16)
                assert split == ("test" if h < CURATION["test_share"] * 2 ** 52 else "train"), row_id


def test_recombined_tasks_and_their_parents_share_a_split(curated_run):
    bps = pd.read_parquet(curated_run / "blueprints.parquet").drop_duplicates("task_id")
    sel = read_selection(curated_run).blueprints
    families = bps[bps.kind == "recombined"]
    assert len(families) > 0
    for row in families.itertuples():
        sides = {sel.get(t) for t in [row.task_id, *json.loads(row.parents)]} - {None}
        assert len(sides) == 1, row.task_id


@pytest.mark.slow  # a second build (~20 s, mostly pipeline start-up); the fingerprint rule has a fast test
def test_a_finished_run_is_curated_again_with_new_settings(curated_run, tmp_path):
    build(curated_run, {})  # same run, default curation: resumes, nothing is generated again
    assert yaml.safe_load((curated_run / "config.yaml").read_text())["curation"]["test_share"] == 0.0
    traj = pd.read_parquet(curated_run / "trajectories.parquet")
    rows = published(curated_run, tmp_path)
    assert rows == expected(curated_run)
    assert set(rows["trajectories"]) == {"train"}
    removed = pd.read_parquet(curated_run / FOLDER / "removed_trajectories.parquet")
    assert len(rows["trajectories"]["train"]) == int(traj.passed.sum()) - int((removed.stage != "candidates").sum())
