"""A finished run folder, read once for a card: its config, its stats.json, its dataset's facts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from builder.cards.dataset_facts import DatasetFacts, measure
from builder.config import BuildConfig
from builder.errors import UserError
from builder.export.dataset import model_spec, models_spec
from builder.run.folder import DATASET, STATS, read_config


class RunFacts(BaseModel):
    config: BuildConfig
    stats: dict[str, Any]
    facts: DatasetFacts

    @property
    def fingerprint(self) -> str:
        """The config hash the run was built with (stats.json), which a later builder that added
        config fields with defaults would no longer compute from config.yaml."""
        return self.stats.get("config_fingerprint") or self.config.fingerprint()

    @property
    def models(self) -> dict[str, Any]:
        return models_spec(self.config)

    def roles(self) -> list[tuple[str, str]]:
        """(role, model) of every role that took part, as a reader calls them."""
        return [(role_label(name), model_spec(cfg)) for name, cfg in self.config.used_roles()]

    @property
    def simulated_roles(self) -> list[str]:
        return [role_label(name) for name in self.config.simulated_roles()]


def role_label(name: str) -> str:
    """A role as a reader calls it: `reviewer 0`, and the human is the `user`."""
    return "user" if name == "human" else name.replace("_", " ")


def read_run(run_dir: Path) -> RunFacts:
    """Raises `UserError` when DIR is not a finished run: no config, no stats.json, no dataset."""
    run_dir = Path(run_dir)
    config = read_config(run_dir)
    stats_path = run_dir / STATS
    if not stats_path.exists():
        raise UserError(f"{run_dir} has no {STATS}: is the build finished? (re-run `builder build --out {run_dir}`)")
    facts = measure(run_dir / DATASET)
    if not facts.rows:
        raise UserError(f"{run_dir / DATASET} holds no Parquet split: nothing to describe (re-run the build)")
    return RunFacts(config=config, stats=json.loads(stats_path.read_text()), facts=facts)
