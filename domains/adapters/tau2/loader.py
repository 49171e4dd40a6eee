"""Loading tau2: its environment for one domain (policy, toolkits, databases), tasks and splits.

The adapter imports tau2 only through this module. Importing it first points LiteLLM at its
bundled model price map (no network at import) and silences tau2's loguru logging: tau2 warns
about a missing `.env` file and logs every tool call, which is noise in a build.
"""

from __future__ import annotations

import importlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any


def _prepare_tau2_import() -> None:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    from loguru import logger

    logger.disable("tau2")


_prepare_tau2_import()


@dataclass(frozen=True)
class Source:
    """One tau2 domain as tau2 builds it: a fresh environment, its tasks file and split."""

    name: str
    solo: bool  # telecom: the agent holds the user's device tools too (tau2's solo mode)

    @property
    def module(self) -> Any:
        return importlib.import_module(f"tau2.domains.{self.name}.environment")

    def environment(self) -> Any:
        """A fresh tau2 environment: policy, toolkits and databases loaded from tau2's data files."""
        if self.solo:
            return self.module.get_environment(solo_mode=True)
        return self.module.get_environment()

    @property
    def tasks_path(self) -> Path:
        utils = importlib.import_module(f"tau2.domains.{self.name}.utils")
        paths = [v for k, v in vars(utils).items() if k.endswith("TASK_SET_PATH")]
        if len(paths) != 1:
            raise RuntimeError(f"tau2 {self.name}: expected one *_TASK_SET_PATH in tau2.domains.{self.name}.utils")
        return Path(paths[0])

    def splits(self) -> dict[str, list[str]]:
        """tau2's task splits (`train`, `test`, ...): task ids per split, from `split_<tasks>.json`."""
        return self.module.get_tasks_split() or {}

    def tasks(self, split: str | None = None) -> list[Any]:
        """tau2 `Task`s of a split (all tasks with None), validated only for the ids kept."""
        from tau2.data_model.tasks import Task

        raw = json.loads(self.tasks_path.read_text(encoding="utf-8"))
        if isinstance(raw, dict) and "tasks" in raw:
            raw = raw["tasks"]
        if split is not None:
            ids = set(self.splits().get(split, []))
            raw = [t for t in raw if t["id"] in ids]
        return [Task.model_validate(t) for t in raw]


SOURCES = {
    "retail": Source("retail", solo=False),
    "airline": Source("airline", solo=False),
    "telecom": Source("telecom", solo=True),
}


@lru_cache(maxsize=None)
def cached_tasks(name: str, split: str | None) -> list[Any]:
    return SOURCES[name].tasks(split)
