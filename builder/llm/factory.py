"""`make_llm(role, cfg)`: the one place that maps a backend spec to a `ChatLLM` class.

Checks that can fail before any work starts are done here (missing API key variable, missing
GGUF file), so a misconfigured run stops at once with a message naming the role and the fix.
"""

from __future__ import annotations

import os

from builder.llm.base import ChatLLM
from builder.llm.config import RoleConfig, RolesConfig, resolve_api_key
from builder.llm.errors import LLMConfigError
from builder.llm.usage import UsageLedger

__all__ = ["make_llm", "make_role_llms", "backend_class"]


def backend_class(kind: str) -> type[ChatLLM]:
    """The `ChatLLM` subclass for a backend kind (imports only that backend's module)."""
    if kind == "openai":
        from builder.llm.backends.openai_compat import OpenAICompatLLM as cls
    elif kind == "simulator":
        from builder.llm.backends.simulator import SimulatorLLM as cls
    elif kind == "litellm":
        from builder.llm.backends.litellm import LiteLLMChatLLM as cls
    elif kind == "anthropic":
        from builder.llm.backends.anthropic import AnthropicChatLLM as cls
    elif kind == "llamacpp":
        from builder.llm.backends.llamacpp import LlamaCppChatLLM as cls
    elif kind == "vllm":
        from builder.llm.backends.vllm import VLLMChatLLM as cls
    else:  # parse_backend already rejects unknown kinds; this guards new kinds left unwired
        raise LLMConfigError(f"backend kind {kind!r} has no implementation")
    return cls


def make_llm(role_name: str, cfg: RoleConfig, *, ledger: UsageLedger | None = None,
             responder=None) -> ChatLLM:
    """Build (not load) the LLM for one role.

    `responder` replaces the simulator's brain for `simulator` roles (tests). `ledger`
    replaces the process-wide usage ledger. The object loads itself on first `achat`, or
    when a distilabel step calls `load()`.
    """
    kind = cfg.kind
    resolve_api_key(role_name, cfg)  # fail early on a missing key variable
    if kind == "llamacpp" and not os.path.isfile(cfg.model):
        raise LLMConfigError(
            f"role {role_name!r}: GGUF file {cfg.model!r} not found (roles.{role_name}.backend = "
            f"'llamacpp:/path/to/model.gguf'); bench/get_local_model.sh OUT.gguf fetches a small one"
        )
    if responder is not None and kind != "simulator":
        raise ValueError(f"role {role_name!r}: a responder only applies to the simulator backend, not {kind!r}")
    llm = backend_class(kind)(role=role_name, config=cfg)
    if ledger is not None:
        llm.set_ledger(ledger)
    if responder is not None:
        llm.set_responder(responder)  # type: ignore[attr-defined]
    return llm


def make_role_llms(roles: RolesConfig, *, ledger: UsageLedger | None = None) -> dict[str, ChatLLM]:
    """Every role's LLM by name (`generator`, `reviewer_0`..., `human`, `agent`, `judge`)."""
    return {name: make_llm(name, cfg, ledger=ledger) for name, cfg in roles.named()}
