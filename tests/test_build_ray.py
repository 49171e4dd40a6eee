"""`builder build --ray` on a local Ray cluster gives the local pipeline's dataset, row for row.

Opt-in (`pytest -m ray`, needs the `ray` extra): the CLI starts a Ray cluster for the build
(every step an actor, about 35 worker processes) and shuts it down after, which takes a minute
or more on two cores.
"""

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.build_runs import run_cli

pytestmark = pytest.mark.ray

ARGS = ("build", "--domain", "retail", "--tasks", "6", "--seed", "1")


def rows(path: Path, drop: tuple[str, ...] = ()) -> list[dict]:
    table = pq.read_table(path)
    return table.drop_columns([c for c in drop if c in table.column_names]).to_pylist()


def dataset_rows(run: Path) -> dict[str, list[dict]]:
    return {str(p.relative_to(run)): rows(p) for p in sorted((run / "dataset").rglob("*.parquet"))}


def test_ray_pipeline_builds_the_same_dataset_as_the_local_one(tmp_path):
    pytest.importorskip("ray")
    local, on_ray = tmp_path / "local", tmp_path / "ray"
    result = run_cli(*ARGS, "--out", str(local))
    assert result.returncode == 0, result.stderr[-3000:]
    result = run_cli(*ARGS, "--ray", "--out", str(on_ray), timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]

    assert dataset_rows(on_ray) == dataset_rows(local) and dataset_rows(local)
    for name in ("blueprints.parquet", "trajectories.parquet"):  # every candidate and attempt, not only kept ones
        assert rows(on_ray / name, drop=("seconds",)) == rows(local / name, drop=("seconds",))
    a, b = (json.loads((run / "stats.json").read_text()) for run in (local, on_ray))
    assert a["funnel"]["conversations"]["passed_attempts"] > 0
    assert (b["funnel"], b["usage"], b["llm"], b["kept_rows"]) == (a["funnel"], a["usage"], a["llm"], a["kept_rows"])
