from __future__ import annotations

import json
from pathlib import Path

import pytest

from builder.config import BuildConfig
from builder.curation.run import curate
from builder.export.dataset import export_dataset
from builder.app.outputs import write_outputs
from builder.app.stats import compute_stats
from tests.domains.framework.toy import build_toy
from tests.export.records import in_task_order, make_records

SIMULATED = BuildConfig(domain="toy", seed=3)
REAL = BuildConfig.model_validate({
    "domain": "toy", "seed": 3,
    "roles": {
        "generator": {"backend": "openai:gpt-4o", "api_key_env": "OPENAI_API_KEY"},
        "reviewers": [{"backend": "openai:gpt-4o-mini", "api_key_env": "OPENAI_API_KEY"},
                      {"backend": "anthropic:claude-3-5-haiku", "api_key_env": "ANTHROPIC_API_KEY"}],
        "human": {"backend": "openai:gpt-4o-mini", "api_key_env": "OPENAI_API_KEY"},
        "agent": {"backend": "vllm:Qwen/Qwen2.5-7B-Instruct"},
    },
})


def make_run(run_dir: Path, config: BuildConfig, domain) -> Path:
    """A finished run folder of the hand-made toy records, written in the build's order: the
    Parquet files, the curation, stats.json, dataset/."""
    records = make_records()
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "config.yaml").write_text(config.to_yaml())
    write_outputs(run_dir, records)
    curation = curate(run_dir, config)
    stats = compute_stats(config, records, seconds=1.25, curation=curation)
    (run_dir / "stats.json").write_text(json.dumps(stats))
    export_dataset(run_dir, config, in_task_order(records), domain=domain)
    return run_dir


@pytest.fixture(scope="session")
def toy():
    return build_toy()


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory, toy) -> Path:
    """Read-only: tests that change the folder make their own."""
    return make_run(tmp_path_factory.mktemp("cards") / "run", SIMULATED, toy)
