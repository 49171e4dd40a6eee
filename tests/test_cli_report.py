"""What a person reads after a build and from `builder stats`, through the installed command.

Output is read as text: off a terminal (these subprocesses) nothing is wrapped unless COLUMNS
says so, and at COLUMNS=80 or 120 nothing is wider than that.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).with_name("builder")  # the console script `pip install -e .` installed
TOY = "tests.domains.framework.toy:build_toy"


def builder(*args: str, columns: int | None = None, **env: str) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    full.update(PYTHONPATH=str(ROOT), **env, **({"COLUMNS": str(columns)} if columns else {}))
    return subprocess.run([str(SCRIPT), *args], cwd=ROOT, env=full, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("report") / "run"
    result = builder("build", "--domain", TOY, "--tasks", "8", "--seed", "1", "--out", str(out),
                     BUILDER_PROGRESS_EVERY_S="0.2")
    assert result.returncode == 0, result.stderr[-3000:]
    return out, result


def table_row(text: str, stage: str) -> list[str]:
    """The cells of the funnel row whose stage starts with `stage` (one line: nothing wrapped)."""
    line = next(line for line in text.splitlines() if line.strip().startswith(stage))
    return line.split(stage, 1)[1].split()


def test_off_a_terminal_the_build_prints_plain_progress_lines_and_no_datasets_bar(build):
    _, result = build
    lines = [line for line in result.stderr.splitlines() if line.startswith("[0:")]
    assert len(lines) >= 2, result.stderr  # periodic lines, then the last one
    assert lines[-1].endswith("pipeline finished") and "generate.r0 8/8" in lines[-1]
    assert all(line.endswith(" left") for line in lines[:-1])  # "about 20 s left", "estimating time left"
    assert "Generating train split" not in result.stderr + result.stdout
    assert "━" not in result.stderr  # no bars in a log


def test_the_build_ends_with_the_funnel_curation_and_kept_rows_unwrapped(build):
    out, result = build
    stats = json.loads((out / "stats.json").read_text())
    f = stats["funnel"]
    said = result.stdout
    assert table_row(said, "Validated blueprints")[:2] == [str(f["contexts"]), str(f["blueprints_validated"])]
    conv = f["conversations"]
    attempts = table_row(said, "Conversation attempts")
    assert attempts[:2] == [str(conv["attempts"]), str(conv["passed_attempts"])]
    # the stage counts may add up to more than the failed attempts: the row says so, on one line
    assert "(an attempt that fails several checks counts once for each)" in " ".join(attempts)
    kept = stats["funnel"]["curation"]["kept"]
    assert f"Kept: {sum(kept['trajectories'].values())} conversations (train {kept['trajectories']['train']})" in said
    assert "Curation" in said and f"Dataset: {out / 'dataset'}" in said
    assert f'datasets.load_dataset("{out / "dataset"}", "trajectories")' in said


@pytest.mark.parametrize("columns", [80, 120])
def test_stats_prints_the_funnel_as_tables_within_the_width(build, columns):
    out, _ = build
    stats = json.loads((out / "stats.json").read_text())
    result = builder("stats", str(out), columns=columns)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert max(len(line) for line in text.splitlines()) <= columns
    for title in ("Funnel", "Curation", "Why candidates failed", "Token usage"):
        assert title in text
    assert "{" not in text  # tables, not the JSON
    rounds = [line for line in text.splitlines() if "Blueprint generation, round" in line]
    assert len(rounds) == len(stats["funnel"]["rounds"])
    words = " ".join(text.split())
    assert f"Kept: {stats['kept_rows']} conversations" in words


def test_stats_json_prints_the_file(build):
    out, _ = build
    result = builder("stats", str(out), "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout) == json.loads((out / "stats.json").read_text())


def test_stats_of_a_folder_without_stats_is_a_usage_error(tmp_path):
    result = builder("stats", str(tmp_path))
    assert result.returncode == 2 and "is not a run folder" in " ".join(result.stderr.split())
