"""Lazy imports of optional backend SDKs, failing with the install command to run."""

from __future__ import annotations

import importlib
from types import ModuleType

from builder.llm.errors import LLMConfigError


def import_optional(module: str, *, role: str, backend: str, install: str) -> ModuleType:
    """Import `module` or raise `LLMConfigError` saying how to get it."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise LLMConfigError(
            f"role {role!r} uses backend {backend!r}, which needs the Python package {module!r} "
            f"(not importable: {e}); install it with: {install}"
        ) from e
