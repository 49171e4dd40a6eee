"""End-to-end phase 1 through the real CLI and distilabel pipeline (a few runs: ~10 s each)."""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from domains import load_domain
from domains.framework.sampling import replay

TOY = "tests.domains.framework.toy:build_toy"
ROOT = Path(__file__).resolve().parents[1]


def build_cmd(out: Path, tasks: int = 16, phase: int = 1) -> list[str]:
    return [sys.executable, "-c", "from builder.app.cli import main; main()", "build", "--domain", TOY,
            "--tasks", str(tasks), "--seed", "3", "--phase", str(phase), "--out", str(out)]


def run_build(out: Path, phase: int = 1) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(build_cmd(out, phase=phase), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def first_build(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("runs") / "p1"
    result = run_build(out)
    assert result.returncode == 0, result.stderr[-3000:]
    return out, result


@pytest.fixture(scope="module")
def finished(first_build) -> Path:
    return first_build[0]


def test_the_end_of_a_phase1_build_says_where_the_blueprints_are_and_how_to_go_on(first_build):
    out, result = first_build
    said = " ".join(result.stdout.split())
    assert f"Blueprints: {out / 'blueprints.parquet'}" in said
    assert f"builder build --config {out / 'config.yaml'} --phase 2 --out {out}" in said


def test_a_phase1_run_is_extended_to_phase2_in_place_and_not_back(finished, tmp_path):
    out = tmp_path / "extended"
    shutil.copytree(finished, out)
    journal = out / ".state" / "journal.sqlite"
    generated = dict(sqlite3.connect(journal).execute(
        "SELECT stage, COUNT(*) FROM done WHERE stage NOT LIKE 'interplay%' GROUP BY stage").fetchall())
    result = run_build(out, phase=2)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Resuming" in result.stderr
    after = dict(sqlite3.connect(journal).execute(
        "SELECT stage, COUNT(*) FROM done WHERE stage NOT LIKE 'interplay%' GROUP BY stage").fetchall())
    assert after == generated  # phase 1 was not redone: every blueprint is the one phase 1 made
    pd.testing.assert_frame_equal(pd.read_parquet(finished / "blueprints.parquet"),
                                  pd.read_parquet(out / "blueprints.parquet"))
    stats = json.loads((out / "stats.json").read_text())
    assert stats["funnel"]["conversations"]["attempts"] > 0
    assert (out / "dataset" / "README.md").exists()
    assert "phase: 2" in (out / "config.yaml").read_text()

    back = run_build(out, phase=1)
    assert back.returncode == 2
    message = " ".join(back.stderr.split())
    assert "holds a phase-2 run" in message and str(out / "blueprints.parquet") in message


def test_run_folder_holds_every_candidate_and_the_funnel(finished):
    stats = json.loads((finished / "stats.json").read_text())
    f = stats["funnel"]
    assert f["contexts"] == 16
    assert stats["internal_errors"] == 0
    bp = pd.read_parquet(finished / "blueprints.parquet")
    base = bp[bp.kind == "base"]
    assert set(base.task_id) == {f"{TOY}-3-{i:05d}" for i in range(16)}
    # every task has a fate: validated, or rejected with reasons on every failed candidate
    assert set(base.task_status) <= {"validated", "rejected"}
    failed = bp[~bp.passed]
    assert all(json.loads(r) for r in failed.reasons)
    assert sum(r["candidates"] for r in f["rounds"]) == len(base)
    assert (finished / "config.yaml").exists()


def test_usage_per_stage_adds_up_to_usage_per_role(finished):
    stats = json.loads((finished / "stats.json").read_text())
    by_stage = stats["usage_by_stage"]
    assert {"generate.r0", "review.r0"} <= set(by_stage)
    for role, usage in stats["usage"].items():
        for key in ("prompt_tokens", "completion_tokens", "calls"):
            assert sum(s.get(role, {}).get(key, 0) for s in by_stage.values()) == usage[key], (role, key)


def test_every_validated_blueprint_replays_to_its_gold_state(finished):
    domain = load_domain(TOY)
    bp = pd.read_parquet(finished / "blueprints.parquet")
    passed = bp[bp.passed]
    assert len(passed) > 0
    for row in passed.itertuples():
        actions = json.loads(row.actions)
        env, obs = replay(domain, ((a["name"], a["arguments"]) for a in actions))
        assert all(o.ok for o in obs), row.task_id
        assert env.fingerprint() == row.gold_fingerprint, row.task_id


def test_rerun_with_other_config_is_refused(finished):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = build_cmd(finished, tasks=17)
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    message = " ".join(result.stderr.split())  # the terminal may wrap the message
    assert "different config" in message and "tasks (16 in the folder, 17 now)" in message
    assert "Traceback" not in result.stderr


def test_killed_run_resumes_to_the_same_blueprints(finished, tmp_path):
    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(build_cmd(out), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    journal = out / ".state" / "journal.sqlite"
    deadline = time.time() + 120
    done = 0
    while time.time() < deadline and proc.poll() is None:
        if journal.exists():
            try:
                done = sqlite3.connect(journal).execute(
                    "SELECT COUNT(*) FROM done WHERE stage = 'check.r0'").fetchone()[0]
            except sqlite3.Error:
                done = 0
            if done > 0:
                break
        time.sleep(0.05)
    assert proc.poll() is None, "the build finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    result = run_build(out)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Resuming" in result.stderr
    a = pd.read_parquet(finished / "blueprints.parquet")
    b = pd.read_parquet(out / "blueprints.parquet")
    pd.testing.assert_frame_equal(a, b)
    sa = json.loads((finished / "stats.json").read_text())
    sb = json.loads((out / "stats.json").read_text())
    assert sa["funnel"] == sb["funnel"]
