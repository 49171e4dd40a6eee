"""One small end-to-end build in a BFCL domain: both phases with the simulator, through the CLI."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("bfcl_eval", reason="bfcl-eval is not installed (pip install 'builder[bfcl]')")

from builder.llm.types import Message  # noqa: E402
from domains import load_domain  # noqa: E402
from steps.verification import replay_conversation  # noqa: E402

ROOT = Path(__file__).resolve().parents[4]
DOMAIN = "bfcl:trading"


def test_build_runs_both_phases_and_kept_conversations_reach_the_gold_state(tmp_path):
    out = tmp_path / "run"
    cmd = [sys.executable, "-c", "from builder.app.cli import main; main()", "build", "--domain", DOMAIN,
           "--tasks", "5", "--seed", "3", "--out", str(out)]
    result = subprocess.run(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]

    stats = json.loads((out / "stats.json").read_text())
    assert stats["internal_errors"] == 0
    blueprints = pd.read_parquet(out / "blueprints.parquet")
    assert blueprints.passed.any()
    traj = pd.read_parquet(out / "trajectories.parquet")
    kept = traj[traj.passed]
    assert len(kept) > 0

    domain = load_domain(DOMAIN)
    for row in kept.itertuples():
        messages = [Message.model_validate(m) for m in json.loads(row.messages)]
        assert "find_user" in messages[0].content  # the no-rules prompt of the BFCL domain
        calls = [c.name for m in messages for c in (m.tool_calls or [])]
        assert calls[0] == "find_user"
        env, _ = replay_conversation(domain, messages)
        assert env.fingerprint() == row.gold_fingerprint, row.task_id
