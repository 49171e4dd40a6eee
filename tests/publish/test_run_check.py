"""Only a finished, self-consistent run is published: each kind of incomplete run is refused."""

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from builder.errors import UserError
from builder.export.dataset import split_of
from builder.publish.run_check import check_run, expected_rows
from tests.export.records import data_path
from tests.hub.fixtures import builder, hub_env


def test_a_finished_run_is_accepted_with_its_files_and_rows(runs):
    run = check_run(runs["a"])
    stats = json.loads((runs["a"] / "stats.json").read_text())
    assert run.rows == expected_rows(stats) and run.rows["trajectories"]["train"] > 0
    assert {name: [split_of(p.name) for p in paths] for name, paths in run.files.items()} == {
        name: ["train"] for name in ("trajectories", "messages", "blueprints")}


def test_expected_rows_follow_curation_when_the_run_was_curated():
    funnel = {"conversations": {"passed_attempts": 9}, "blueprints_validated": 7, "recombination": {"validated": 1}}
    assert expected_rows({"funnel": funnel}) == {
        "trajectories": {"train": 9}, "messages": {"train": 9}, "blueprints": {"train": 8}}
    kept = {"trajectories": {"train": 5, "test": 1}, "blueprints": {"train": 4, "test": 0}}
    curated = {**funnel, "curation": {"kept": kept}}
    assert expected_rows({"funnel": curated}) == {
        "trajectories": {"train": 5, "test": 1}, "messages": {"train": 5, "test": 1}, "blueprints": {"train": 4}}


def _edit_yaml(path: Path, **changes) -> None:
    path.write_text(yaml.safe_dump({**yaml.safe_load(path.read_text()), **changes}))


def _edit_stats(run: Path, edit) -> None:
    stats = json.loads((run / "stats.json").read_text())
    edit(stats)
    (run / "stats.json").write_text(json.dumps(stats))


def _claim_more_conversations(stats: dict) -> None:
    """Make stats.json claim more conversation rows than the export wrote, wherever it keeps that count."""
    curation = stats["funnel"].get("curation")
    if curation:
        curation["kept"]["trajectories"]["train"] += 1
    else:
        stats["funnel"]["conversations"]["passed_attempts"] += 1


BREAKS = {
    "no stats.json": (lambda run: (run / "stats.json").unlink(), "has no stats.json"),
    "phase-1 run": (lambda run: _edit_yaml(run / "config.yaml", phase=1), "phase-1 run"),
    "phase-1 stats": (lambda run: _edit_stats(run, lambda s: s["funnel"].pop("conversations")),
                      "no conversation funnel"),
    "stats of another config": (lambda run: _edit_yaml(run / "config.yaml", seed=99), "another config"),
    "no card": (lambda run: (run / "dataset" / "README.md").unlink(), "README.md is missing"),
    "missing data file": (lambda run: data_path(run / "dataset", "messages").unlink(),
                          "messages/train: 0 rows"),
    "rows disagree with stats": (lambda run: _edit_stats(run, _claim_more_conversations),
                                 lambda run: f"trajectories/train: {_train_rows(run)} rows in "),
}


def _train_rows(run: Path) -> int:
    return pq.read_metadata(data_path(run / "dataset", "trajectories")).num_rows


@pytest.mark.parametrize("case", sorted(BREAKS))
def test_an_incomplete_run_is_refused_with_the_fix(run_copy, case):
    breaks, message = BREAKS[case]
    breaks(run_copy)
    with pytest.raises(UserError) as exc:
        check_run(run_copy)
    assert (message(run_copy) if callable(message) else message) in str(exc.value)


def test_the_cli_refuses_an_incomplete_run_before_touching_the_hub(run_copy, hub_server, tmp_path):
    (run_copy / "stats.json").unlink()
    seen = len(hub_server.app.requests)
    result = builder("publish", str(run_copy), "--repo", "acme/never", "--version", "1.0.0",
                     env=hub_env(hub_server, tmp_path / "home"))
    assert result.returncode == 2
    assert "has no stats.json" in result.stderr and "builder build --config" in result.stderr
    assert "Traceback" not in result.stderr
    assert hub_server.app.requests[seen:] == []
