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


def build_cmd(out: Path, tasks: int = 14) -> list[str]:
    return [sys.executable, "-c", "from builder.app.cli import main; main()", "build", "--domain", "retail",
            "--tasks", str(tasks), "--seed", "5", "--out", str(out)]


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


def build_processes(out: Path) -> list[int]:
    """Every live process of a build into `out` (its step processes are forked from it)."""
    import psutil

    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        if str(out) in (proc.info["cmdline"] or []) and proc.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(proc.pid)
    return found


def wait_for_stage(proc: subprocess.Popen, out: Path, stage: str, timeout: float = 180) -> None:
    journal = out / ".state" / "journal.sqlite"
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        try:
            if journal.exists() and sqlite3.connect(journal).execute(
                    "SELECT COUNT(*) FROM done WHERE stage = ?", (stage,)).fetchone()[0] > 0:
                return
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    assert proc.poll() is None, f"the build finished before reaching {stage}"


def test_killed_build_resumes_across_both_phases(finished, tmp_path):
    """SIGKILL of the build's main process only: its step processes end by themselves."""
    out = tmp_path / "killed"
    proc = subprocess.Popen(build_cmd(out), cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    wait_for_stage(proc, out, "interplay.a1")
    assert len(build_processes(out)) > 1, "the build should run its steps in processes of their own"
    proc.kill()
    proc.wait()
    deadline = time.time() + 10
    while build_processes(out) and time.time() < deadline:
        time.sleep(0.2)
    assert build_processes(out) == [], "a process of the killed build outlived it by 10 s"
    result = subprocess.run(build_cmd(out), cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    for name in ("blueprints.parquet", "trajectories.parquet"):
        a, b = pd.read_parquet(finished / name), pd.read_parquet(out / name)
        pd.testing.assert_frame_equal(a.drop(columns=["seconds"], errors="ignore"),
                                      b.drop(columns=["seconds"], errors="ignore"))
    sa = json.loads((finished / "stats.json").read_text())
    sb = json.loads((out / "stats.json").read_text())
    assert sa["funnel"] == sb["funnel"] and sa["usage"] == sb["usage"]
    assert len(sb["invocations"]) == 1, "the killed invocation never wrote stats; the resumed one did"


def test_ctrl_c_stops_the_build_and_a_second_build_of_the_folder_is_refused(finished, tmp_path):
    out = tmp_path / "interrupted"
    proc = subprocess.Popen(build_cmd(out, tasks=5000), cwd=ROOT, env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    wait_for_stage(proc, out, "generate.r0")
    started = time.time()
    second = subprocess.run(build_cmd(out, tasks=5000), cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120)
    assert second.returncode == 2, second.stderr[-2000:]
    assert f"pid {proc.pid}" in " ".join(second.stderr.split()) and "Traceback" not in second.stderr
    assert time.time() - started < 30 and proc.poll() is None, "the first build must go on unharmed"

    os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends on Ctrl-C: the whole process group
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr[-2000:]
    assert "interrupted; run the same command to resume" in stderr and "Traceback" not in stderr + stdout
    deadline = time.time() + 10
    while build_processes(out) and time.time() < deadline:
        time.sleep(0.2)
    assert build_processes(out) == []

    journal = sqlite3.connect(out / ".state" / "journal.sqlite")
    assert journal.execute("SELECT COUNT(*) FROM done").fetchone()[0] > 0, "finished work is kept for the resume"


def test_a_no_op_resume_keeps_the_run_history(finished):
    before = json.loads((finished / "stats.json").read_text())
    result = subprocess.run(build_cmd(finished), cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    after = json.loads((finished / "stats.json").read_text())
    assert after["invocations"][0] == before["invocations"][0] and len(after["invocations"]) == 2
    assert after["seconds"] == round(sum(i["seconds"] for i in after["invocations"]), 2)
    assert after["funnel"] == before["funnel"]
