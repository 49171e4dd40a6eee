"""`builder build --domain tau2:retail` end to end (both phases, the offline simulator), through the CLI."""

import json

import pytest

pytest.importorskip("tau2", reason="tau2 is not installed: pip install -e '.[tau2]'")

import datasets  # noqa: E402
import pandas as pd  # noqa: E402

from builder.llm.types import Message  # noqa: E402
from domains import load_domain  # noqa: E402
from steps.verification import replay_conversation  # noqa: E402
from tests.build_runs import run_cli  # noqa: E402


def test_build_in_tau2_retail(tmp_path):
    out = tmp_path / "run"
    result = run_cli("build", "--domain", "tau2:retail", "--tasks", "4", "--seed", "3", "--out", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    stats = json.loads((out / "stats.json").read_text())
    funnel = stats["funnel"]
    assert funnel["contexts"] == 4 and stats["internal_errors"] == 0
    assert funnel["blueprints_validated"] >= 1 and funnel["conversations"]["blueprints_verified"] >= 1

    domain = load_domain("tau2:retail")
    kept = pd.read_parquet(out / "trajectories.parquet").query("passed")
    for row in kept.itertuples():  # every kept conversation, replayed on tau2's data, reaches the gold state
        messages = [Message.model_validate(m) for m in json.loads(row.messages)]
        env, _events = replay_conversation(domain, messages)
        assert env.fingerprint() == row.gold_fingerprint, row.task_id

    rows = datasets.load_dataset(str(out / "dataset"), "trajectories", split="train", cache_dir=str(tmp_path / "hf"))
    assert len(rows) == funnel["curation"]["kept"]["trajectories"]["train"] >= 1
    assert rows[0]["system"].count(domain.policy.text[:200]) == 1  # tau2's policy is the system prompt
    assert {t["name"] for t in json.loads(rows[0]["tools"])} == set(domain.tools)
