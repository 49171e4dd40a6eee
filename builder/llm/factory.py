"""`make_llm(role, cfg)`: builds the `ChatLLM` of a role from the backend registry.

Checks that can fail before any work starts are done here (missing API key variable, missing
GGUF file), so a misconfigured run stops at once with a message naming the role and the fix.
"""

from __future__ import annotations

import os

from builder.llm.base import ChatLLM
from builder.llm.config import RoleConfig, RolesConfig, resolve_api_key
from builder.llm.errors import LLMConfigError
from builder.llm.registry import get_backend
from builder.llm.usage import UsageLedger

__all__ = ["make_llm", "make_role_llms"]


def make_llm(role_name: str, cfg: RoleConfig, *, ledger: UsageLedger | None = None) -> ChatLLM:
    """Build (not load) the LLM for one role.

    `ledger` replaces the process-wide usage ledger. The object loads itself on first `achat`,
    or when a distilabel step calls `load()`.
    """
    kind = cfg.kind
    resolve_api_key(role_name, cfg)  # fail early on a missing key variable
    if kind == "llamacpp" and not os.path.isfile(cfg.model):
        raise LLMConfigError(
            f"role {role_name!r}: GGUF file {cfg.model!r} not found (roles.{role_name}.backend = "
            f"'llamacpp:/path/to/model.gguf'); bench/get_local_model.sh OUT.gguf fetches a small one"
        )
    llm = get_backend(kind).chat_class()(role=role_name, config=cfg)
    if ledger is not None:
        llm.set_ledger(ledger)
    return llm


def make_role_llms(roles: RolesConfig, *, ledger: UsageLedger | None = None) -> dict[str, ChatLLM]:
    """Every role's LLM by name (`generator`, `reviewer_0`..., `human`, `agent`, `judge`)."""
    return {name: make_llm(name, cfg, ledger=ledger) for name, cfg in roles.named()}
