from __future__ import annotations

from pathlib import Path

import pytest

from builder.config import BuildConfig
from tests.domains.framework.toy import build_toy
from tests.export.records import curate_and_export, make_records


@pytest.fixture(scope="session")
def toy_domain():
    return build_toy()


@pytest.fixture(scope="session")
def toy_config() -> BuildConfig:
    return BuildConfig(domain="toy", seed=0)


@pytest.fixture(scope="session")
def exported(tmp_path_factory, toy_domain, toy_config):
    """One export of the hand-made records, shared by the read-only tests: (run_dir, counts)."""
    run_dir = tmp_path_factory.mktemp("run")
    counts = curate_and_export(run_dir, toy_config, make_records(), domain=toy_domain)
    return run_dir, counts


@pytest.fixture(scope="session")
def hf_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hf_cache")


@pytest.fixture(scope="session")
def load(exported, hf_cache):
    """load(config) -> the train split as `datasets.load_dataset` returns it (cached per config)."""
    import datasets

    datasets.disable_progress_bars()
    run_dir, _ = exported
    cache: dict[str, object] = {}

    def _load(config: str):
        if config not in cache:
            cache[config] = datasets.load_dataset(str(run_dir / "dataset"), config, split="train", cache_dir=str(hf_cache))
        return cache[config]

    return _load
