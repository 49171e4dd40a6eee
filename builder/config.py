"""The build configuration: one YAML file (or CLI flags), validated, resolved into the run folder.

Unknown keys are errors (a typo must not silently fall back to a default). The resolved config
holds no secret: LLM roles name the *variable* that holds a key, never the key.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from builder.curation.config import CurationConfig
from builder.errors import UserError
from builder.config_errors import describe_errors
from builder.llm.config import RolesConfig
from builder.simulator.config import SimulatorConfig


class BlueprintConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    feedback_rounds: int = Field(default=2, ge=0, le=10, description="regeneration rounds after the first")
    recombine_share: float = Field(default=0.2, ge=0.0, le=0.5, description="share of tasks that are recombined")
    examples: int = Field(default=2, ge=0, le=10, description="in-context example blueprints per prompt")
    max_targets: int = Field(default=2, ge=1, le=4, description="target calls (tasks) per sampled chain")
    generation: Literal["free", "from_chain"] = Field(
        default="free",
        description="free: the generator writes the actions (the paper's method); from_chain: the sampled "
        "chain, already replayed, is the actions and the generator writes the instruction and outputs",
    )
    compact_prompt: bool = Field(
        default=False, description="list only the chain's tools in the generator's prompt (small context windows)"
    )


class InterplayConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    attempts: int = Field(default=3, ge=1, le=10, description="conversation attempts per blueprint")
    keep_all_successes: bool = Field(default=False, description="keep trying after the first verified conversation")
    max_turns: int = Field(default=30, ge=2, description="user+agent messages before giving up")
    max_tool_errors: int = Field(default=5, ge=0, description="tool errors before giving up")
    user_candidates: int = Field(default=0, ge=0, le=8, description="user stabilisation: candidate replies per user turn (0 = off)")


class BuildConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    domain: str = "retail"
    tasks: int = Field(default=50, ge=1, description="task contexts to sample (blueprint candidates)")
    seed: int = 0
    phase: int = Field(default=2, ge=1, le=2, description="1: blueprints only; 2: blueprints and conversations")
    batch_size: int = Field(default=16, ge=1, le=1024)
    roles: RolesConfig = Field(default_factory=RolesConfig)
    simulator: SimulatorConfig = Field(default_factory=SimulatorConfig)
    blueprints: BlueprintConfig = Field(default_factory=BlueprintConfig)
    interplay: InterplayConfig = Field(default_factory=InterplayConfig)
    curation: CurationConfig = Field(default_factory=CurationConfig)

    def fingerprint(self) -> str:
        """What makes two runs the same run: everything but parallelism knobs and curation.

        Curation picks which of the generated rows are published; it does not change them, so a
        finished run may be curated again with other settings (the build re-runs only curation
        and the export, everything else is found in the journal).
        """
        data = self.model_dump(mode="json", exclude={"batch_size", "curation"})
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False)


def parse_config(data: dict[str, Any], source: str = "config") -> BuildConfig:
    try:
        return BuildConfig.model_validate(data)
    except ValidationError as exc:
        raise UserError(describe_errors(exc, BuildConfig, source)) from None


def load_config_file(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(Path(path).read_text()) or {}
    except OSError as exc:
        raise UserError(f"cannot read config file {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise UserError(f"config file {path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise UserError(f"config file {path}: expected a mapping of settings at the top level")
    return data
