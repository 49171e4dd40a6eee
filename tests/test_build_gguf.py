"""Opt-in: a whole `builder build` with every role on a real local model (configs/local-gguf.yaml).

Run with: BUILDER_TEST_GGUF=/path/model.gguf pytest -m gguf tests/test_build_gguf.py
A small model on a CPU writes few valid blueprints and fewer verified conversations; success is
not asked. What is: the build finishes, no role fell back to the simulator, and every candidate
and every attempt carries a verdict with its reasons.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.build_runs import ROOT, run_cli

pytestmark = pytest.mark.gguf

GGUF = os.environ.get("BUILDER_TEST_GGUF", "")
if not GGUF or not os.path.isfile(GGUF):
    pytest.skip("set BUILDER_TEST_GGUF to a GGUF model file to run these", allow_module_level=True)
pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (pip install 'builder[local]')")


def local_config(tmp_path: Path) -> Path:
    """The shipped config with its model path replaced by the one under test."""
    config = yaml.safe_load((ROOT / "configs" / "local-gguf.yaml").read_text())
    for name, role in config["roles"].items():
        for cfg in role if isinstance(role, list) else [role]:
            assert cfg["backend"].startswith("llamacpp:"), name
            cfg["backend"] = f"llamacpp:{GGUF}"
    path = tmp_path / "local.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def test_a_build_on_the_local_model_records_every_verdict(tmp_path):
    run = tmp_path / "run"
    result = run_cli("build", "--config", str(local_config(tmp_path)), "--out", str(run), timeout=4 * 3600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "offline simulator" not in result.stderr

    stats = json.loads((run / "stats.json").read_text())
    assert stats["simulated"] is False and stats["internal_errors"] == 0
    assert stats["funnel"]["contexts"] == 2
    assert all(u["calls"] > 0 for role, u in stats["usage"].items() if role in ("generator", "reviewer_0")), stats["usage"]

    blueprints = pd.read_parquet(run / "blueprints.parquet")
    assert len(blueprints) >= 2
    assert all(json.loads(r) for r in blueprints[~blueprints.passed].reasons), "a rejected blueprint without a reason"
    trajectories = pd.read_parquet(run / "trajectories.parquet")
    assert len(trajectories) == stats["funnel"]["conversations"]["attempts"]
    assert all(json.loads(r) for r in trajectories[~trajectories.passed].reasons), "a failed attempt without a reason"
