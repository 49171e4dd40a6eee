"""The build configuration: one YAML file (or CLI flags), validated, resolved into the run folder.

Unknown keys are errors (a typo must not silently fall back to a default). The resolved config
holds no secret: LLM roles name the *variable* that holds a key, never the key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from builder.curation.config import CurationConfig
from builder.errors import UserError
from builder.config_errors import describe_errors
from builder.llm.config import RoleConfig, RolesConfig
from builder.redact import redact_data


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

    @property
    def stabilises_user(self) -> bool:
        """The judge picks among several user replies (one candidate needs no judge)."""
        return self.user_candidates > 1


class BuildConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    domain: str = Field(default="retail", description="the environment to build in (`builder domains list`)")
    tasks: int = Field(default=50, ge=1, description="task contexts to sample (blueprint candidates)")
    seed: int = Field(default=0, description="every random choice derives from the seed and the row id")
    phase: int = Field(default=2, ge=1, le=2, description="1: blueprints only; 2: blueprints and conversations")
    batch_size: int = Field(default=16, ge=1, le=1024,
                            description="unused (accepted so older configs load): tasks run as chains, not batches; "
                                        "each role's `concurrency` sets the pace")
    roles: RolesConfig = Field(default_factory=RolesConfig, description="the LLM that plays each role")
    blueprints: BlueprintConfig = Field(default_factory=BlueprintConfig, description="phase 1: task blueprints")
    interplay: InterplayConfig = Field(default_factory=InterplayConfig, description="phase 2: conversations")
    curation: CurationConfig = Field(
        default_factory=CurationConfig, description="which verified rows are published (may change on a finished run)")

    def used_roles(self) -> list[tuple[str, RoleConfig]]:
        """The roles that make this run's rows: the generator and the reviewers always; the human
        and the agent in phase 2; the judge in phase 2 with user stabilisation."""
        conversations = self.phase >= 2
        taking_part = {"human": conversations, "agent": conversations,
                       "judge": conversations and self.interplay.stabilises_user}
        return [(name, cfg) for name, cfg in self.roles.named() if taking_part.get(name, True)]

    def simulated_roles(self) -> list[str]:
        """The used roles the offline simulator played (in process or over HTTP): the one answer to
        "is this data simulated?" for the banner, stats.json, the dataset and the cards."""
        return [name for name, cfg in self.used_roles() if cfg.is_simulator]

    def fingerprint(self) -> str:
        """What makes two runs the same run: everything but the operational knobs (batch size,
        each role's concurrency, timeouts, retries and outage wait: a resumed run may change
        them, see `RolesConfig.without_operational`) and curation.

        Curation picks which of the generated rows are published; it does not change them, so a
        finished run may be curated again with other settings (the build re-runs only curation
        and the export, everything else is found in the journal). Credentials are not part of it
        either: the run folder never sees them (see `to_yaml`), and a rotated key is the same run.
        """
        data = self.model_dump(mode="json", exclude={"batch_size", "curation", "roles"})
        data = redact_data({**data, "roles": self.roles.without_operational()})
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]

    def to_yaml(self) -> str:
        """The config as the run folder keeps it: credentials in URLs and `extra_body` hidden
        (the steps get them back from the environment, see `builder.run.folder`)."""
        return yaml.safe_dump(redact_data(self.model_dump(mode="json")), sort_keys=False)


def parse_config(data: dict[str, Any], source: str = "config") -> BuildConfig:
    try:
        config = BuildConfig.model_validate(data)
    except ValidationError as exc:
        raise UserError(describe_errors(exc, BuildConfig, source)) from None
    taken = list(_bools_taken_as_numbers(data, config.model_dump()))
    if taken:
        lines = [f"{where}: expected a number, got {str(value).lower()} (write the number itself)" for where, value in taken]
        raise UserError(f"invalid build config in {source}:\n  " + "\n  ".join(lines))
    return config


def _bools_taken_as_numbers(given: Any, parsed: Any, where: str = "") -> Iterator[tuple[str, bool]]:
    """Where a YAML true/false became a number (pydantic reads `seed: true` as seed 1)."""
    if isinstance(given, bool):
        if not isinstance(parsed, bool) and isinstance(parsed, (int, float)):
            yield where, given
    elif isinstance(given, dict) and isinstance(parsed, dict):
        for key, value in given.items():
            if key in parsed:
                yield from _bools_taken_as_numbers(value, parsed[key], f"{where}.{key}".lstrip("."))
    elif isinstance(given, list) and isinstance(parsed, list):
        for i, (value, out) in enumerate(zip(given, parsed)):
            yield from _bools_taken_as_numbers(value, out, f"{where}.{i}")


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice in one mapping (YAML keeps the last one
    silently: the earlier setting would be ignored without a word)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} is given twice (lines {seen[key]} and {line}); keep one", key_node.start_mark)
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def load_config_file(path: Path, what: str = "config file") -> dict[str, Any]:
    """The mapping in the YAML file at `path`; `UserError` naming the file, the line and the fix."""
    try:
        with open(path, encoding="utf-8") as f:  # an open file: YAML's messages name it
            data = yaml.load(f, Loader=_UniqueKeyLoader) or {}
    except OSError as exc:
        raise UserError(f"cannot read {what} {path}: {exc.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise UserError(f"{what} {path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise UserError(f"{what} {path}: expected a mapping of settings at the top level")
    return data
