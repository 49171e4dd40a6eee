"""End-to-end build (both phases) in the retail domain through the real CLI and distilabel."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import datasets
import pandas as pd
import pytest

from builder.llm.types import Message
from domains import load_domain
from steps.verification import replay_conversation

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def build_cmd(out: Path) -> list[str]:
    return [sys.executable, "-c", "from builder.cli import main; main()", "build", "--domain", "retail",
            "--tasks", "14", "--seed", "5", "--out", str(out)]


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "e2e"
    result = subprocess.run(build_cmd(out), cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "offline simulator" in result.stderr and "Dataset:" in result.stdout
    return out


def test_every_attempt_has_a_verdict_and_stats_count_them(finished):
    traj = pd.read_parquet(finished / "trajectories.parquet")
    assert len(traj) > 0
    failed = traj[~traj.passed]
    assert all(json.loads(r) for r in failed.reasons), "a failed attempt without a reason"
    stats = json.loads((finished / "stats.json").read_text())
    conv = stats["funnel"]["conversations"]
    assert conv["attempts"] == len(traj)
    assert conv["passed_attempts"] == int(traj.passed.sum())
    assert stats["internal_errors"] == 0
    # the judge's blame: on every failed attempt whose task was not done, and nowhere else
    not_done = failed[[any(r["stage"] in ("state", "outputs") for r in json.loads(x)) for x in failed.reasons]]
    assert traj.blame.notna().sum() == len(not_done) and not_done.blame.notna().all()
    assert sum(conv["culprits"].values()) == len(not_done)
    assert conv["resampled_replies"] == int(traj.resampled.sum())


def test_kept_conversations_replay_to_the_gold_state(finished):
    domain = load_domain("retail")
    traj = pd.read_parquet(finished / "trajectories.parquet")
    kept = traj[traj.passed]
    assert len(kept) > 0
    for row in kept.itertuples():
        messages = [Message.model_validate(m) for m in json.loads(row.messages)]
        env, _ = replay_conversation(domain, messages)
        assert env.fingerprint() == row.gold_fingerprint, row.task_id


def test_dataset_configs_load_with_datasets(finished, tmp_path):
    traj = pd.read_parquet(finished / "trajectories.parquet")
    kept = int(traj.passed.sum())

    def load(config):  # a private cache: datasets' cache key can collide across local folders
        return datasets.load_dataset(str(finished / "dataset"), config, split="train", cache_dir=str(tmp_path))

    rows = load("trajectories")
    assert len(rows) == kept
    roles = {t["from"] for r in rows for t in r["conversations"]}
    assert roles <= {"human", "gpt", "function_call", "observation"}
    msgs = load("messages")
    assert len(msgs) == kept and msgs[0]["messages"][0]["role"] == "system"
    bps = load("blueprints")
    assert len(bps) >= kept


def test_killed_build_resumes_across_both_phases(finished, tmp_path):
    out = tmp_path / "killed"
    proc = subprocess.Popen(build_cmd(out), cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    journal = out / ".state" / "journal.sqlite"
    deadline = time.time() + 180
    while time.time() < deadline and proc.poll() is None:
        try:
            if journal.exists() and sqlite3.connect(journal).execute(
                    "SELECT COUNT(*) FROM results WHERE stage = 'interplay.a1'").fetchone()[0] > 0:
                break
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    assert proc.poll() is None, "the build finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    result = subprocess.run(build_cmd(out), cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    for name in ("blueprints.parquet", "trajectories.parquet"):
        a, b = pd.read_parquet(finished / name), pd.read_parquet(out / name)
        pd.testing.assert_frame_equal(a.drop(columns=["seconds"], errors="ignore"),
                                      b.drop(columns=["seconds"], errors="ignore"))
    sa = json.loads((finished / "stats.json").read_text())
    sb = json.loads((out / "stats.json").read_text())
    assert sa["funnel"] == sb["funnel"] and sa["usage"] == sb["usage"]
