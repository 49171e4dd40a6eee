"""Per-role LLM configuration: which backend, how to sample, how hard to push the endpoint.

A role (generator, each reviewer, human, agent, judge) is configured by a backend spec string
such as `openai:Qwen/Qwen2.5-7B-Instruct` plus sampling and reliability settings. Secrets never
live here: `api_key_env` holds the *name* of the environment variable with the key, so the
resolved config can be written to the run folder and printed safely.
"""

from __future__ import annotations

import os
import re
from typing import Any, Literal, NamedTuple
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from builder.llm.errors import LLMConfigError
from builder.llm.registry import BACKENDS

__all__ = [
    "BackendSpec",
    "LLMConfigError",
    "RoleConfig",
    "RolesConfig",
    "parse_backend",
    "resolve_api_key",
    "endpoint_key",
]

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class BackendSpec(NamedTuple):
    kind: str
    model: str


def parse_backend(spec: str, field: str = "backend") -> BackendSpec:
    """Split `KIND:MODEL` into its parts; `simulator` takes no model.

    Raises `LLMConfigError` naming `field` (e.g. `roles.agent.backend`) and the known kinds.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise LLMConfigError(f"{field}: empty backend spec; use e.g. 'openai:MODEL' or 'simulator'")
    spec = spec.strip()
    kind, sep, model = spec.partition(":")
    kind = kind.strip().lower()
    model = model.strip()
    if kind not in BACKENDS:
        known = ", ".join(f"'{k}'" for k in BACKENDS)
        raise LLMConfigError(
            f"{field}: unknown backend {kind!r} in {spec!r}; known backends are {known} "
            f"(write KIND:MODEL, e.g. 'openai:gpt-4o-mini', 'llamacpp:/models/m.gguf', or 'simulator')"
        )
    if not BACKENDS[kind].takes_model:
        return BackendSpec(kind, model or kind)
    if not sep or not model:
        raise LLMConfigError(f"{field}: backend {kind!r} needs a model, write '{kind}:MODEL' (got {spec!r})")
    return BackendSpec(kind, model)


class RoleConfig(BaseModel):
    """How one role talks to its LLM. Unknown keys are rejected so typos surface at once."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    backend: str = Field(
        default="simulator",
        description="KIND:MODEL, KIND one of openai, litellm, anthropic, vllm, llamacpp; or 'simulator'.",
    )
    base_url: str | None = Field(default=None, description="Endpoint URL, e.g. http://localhost:8000/v1.")
    api_key_env: str | None = Field(
        default=None, description="NAME of the environment variable holding the API key (never the key)."
    )
    temperature: float | None = Field(default=None, ge=0.0, le=2.0, description="Sampling temperature; null: the backend's.")
    top_p: float | None = Field(default=None, gt=0.0, le=1.0, description="Nucleus sampling; null: the backend's.")
    max_tokens: int | None = Field(default=None, ge=1, description="Cap on the tokens of one reply; null: the backend's.")
    seed: int | None = Field(default=None, description="Sampling seed sent to the backend when it takes one.")
    concurrency: int = Field(default=8, ge=1, description="Max in-flight calls to this endpoint (shared by all roles using it).")
    timeout_s: float = Field(default=120.0, gt=0, description="Per-attempt timeout in seconds.")
    max_retries: int = Field(default=5, ge=0, description="Retries after the first attempt on transient errors.")
    retry_base_s: float = Field(default=0.5, gt=0, description="Backoff base: attempt n waits up to base*2^n (full jitter).")
    retry_max_s: float = Field(default=30.0, gt=0, description="Cap on one backoff wait (Retry-After may ask for more).")
    outage_wait_s: float = Field(
        default=120.0, ge=0,
        description="When the endpoint cannot be reached at all after the retries: how long to wait for it "
        "to come back before stopping the build (resume it with the same command).",
    )
    tool_calling: Literal["native", "prompt"] = Field(
        default="native",
        description="'native': send OpenAI `tools`; 'prompt': describe tools in the system prompt and parse <tool_call> tags.",
    )
    extra_body: dict[str, Any] = Field(
        default_factory=dict, description="Extra request fields passed as-is (e.g. vLLM's chat_template_kwargs)."
    )
    backend_options: dict[str, Any] = Field(
        default_factory=dict,
        description="Options of in-process backends: llamacpp's constructor (n_ctx, n_threads...), vllm's "
        "engine, the simulator's mistake rates (malformed_json, user_drift...).",
    )
    context_tag: bool | None = Field(
        default=None,
        description="Send prompts' <builder-context> tag (the structured facts the offline simulator reads). "
        "Default: only to the simulator: backend 'simulator', or a server whose model is named 'simulator' "
        "(the simulator's HTTP server). A real model reads the prose; the tag would only cost it tokens.",
    )

    @field_validator("backend")
    @classmethod
    def _check_backend(cls, v: str) -> str:
        try:
            parse_backend(v, field="backend")
        except LLMConfigError as e:
            raise ValueError(str(e)) from None
        return v.strip()

    @field_validator("api_key_env")
    @classmethod
    def _check_key_env(cls, v: str | None) -> str | None:
        if v is not None and not _ENV_NAME.match(v):
            # Refuse anything that is not a variable name: it may well be a pasted key.
            raise ValueError(
                "api_key_env must be the NAME of an environment variable (letters, digits, '_'), "
                "e.g. OPENAI_API_KEY; put the key itself in that variable, never in the config"
            )
        return v

    @property
    def spec(self) -> BackendSpec:
        return parse_backend(self.backend)

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def is_simulator(self) -> bool:
        """Played by the offline simulator: in process (`simulator`), or through an endpoint whose
        model is named `simulator` (the simulator's HTTP server, `simulator serve`)."""
        kind, model = self.spec
        return kind == "simulator" or model == "simulator"

    @property
    def sends_context_tag(self) -> bool:
        return self.is_simulator if self.context_tag is None else self.context_tag

    @property
    def model(self) -> str:
        return self.spec.model


# per-role settings that bound load and patience, never what a call returns
OPERATIONAL = ("concurrency", "timeout_s", "max_retries", "retry_base_s", "retry_max_s", "outage_wait_s")


class RolesConfig(BaseModel):
    """The LLM for each role of the pipeline. Everything defaults to the offline simulator."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    generator: RoleConfig = Field(default_factory=RoleConfig, description="Writes the task blueprints (phase 1).")
    reviewers: list[RoleConfig] = Field(
        default_factory=lambda: [RoleConfig(), RoleConfig(), RoleConfig()],
        min_length=1,
        description="The review committee: one or more models; a majority decides.",
    )
    human: RoleConfig = Field(default_factory=RoleConfig, description="Plays the user in the conversations (phase 2).")
    agent: RoleConfig = Field(default_factory=RoleConfig, description="The tool-calling agent whose turns are the training data.")
    judge: RoleConfig = Field(default_factory=RoleConfig, description="Picks the user reply during stabilisation; says who made a failed conversation fail.")

    def without_operational(self) -> dict[str, Any]:
        """The roles as data, less how hard each endpoint is pushed and how long failures are
        waited out (`OPERATIONAL`): those change no row, so a run may resume with other values."""
        data = self.model_dump(mode="json")
        for role in (data["generator"], *data["reviewers"], data["human"], data["agent"], data["judge"]):
            for key in OPERATIONAL:
                role.pop(key, None)
        return data

    def named(self) -> list[tuple[str, RoleConfig]]:
        """Every role with its name, in pipeline order: the one list of role names. Reviewers are
        `reviewer_0`, `reviewer_1`, ..."""
        out = [("generator", self.generator)]
        out += [(f"reviewer_{i}", r) for i, r in enumerate(self.reviewers)]
        out += [("human", self.human), ("agent", self.agent), ("judge", self.judge)]
        return out


def resolve_api_key(role: str, cfg: RoleConfig) -> str | None:
    """Read the role's API key from the environment, or fail naming the variable and the role.

    Returns None when the backend needs no key (simulator, in-process models, a local
    OpenAI-compatible server with no `api_key_env`, litellm reading its own variables).
    """
    env = cfg.api_key_env
    if env is None:
        env = BACKENDS[cfg.kind].public_key_env if cfg.base_url is None else None  # the public API needs a key
        if env is None:
            return None
    value = os.environ.get(env)
    if not value:
        raise LLMConfigError(
            f"role {role!r} ({cfg.backend}): environment variable {env} is not set or empty; "
            f"export {env}=<your key>, or set roles.{role}.api_key_env to the variable that holds it"
        )
    return value


def _where(url: str) -> str:
    """The URL without anything that may hold a secret or vary per call: credentials, query,
    fragment (what names an endpoint in keys, logs and errors)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


def endpoint_key(cfg: RoleConfig) -> str:
    """Identity of the endpoint a role talks to (base URL + model); roles that share it share
    one concurrency limiter. Credentials in the URL are hidden, so it is safe in logs and errors."""
    kind, model = cfg.spec
    backend = BACKENDS[kind]
    if backend.over_http:
        return f"{_where(cfg.base_url or backend.public_url or kind).rstrip('/')}#{model}"
    return f"{kind}:{model}"
