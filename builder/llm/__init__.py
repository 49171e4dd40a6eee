"""LLM roles and backends: chat with tools for every role, real backends and the simulator.

Public API (imported lazily: `import builder.llm` does not pull in distilabel or aiohttp until
one of the heavier names is used):

- config:   `RoleConfig`, `RolesConfig`, `parse_backend`, `LLMConfigError`
- calling:  `make_llm(role, cfg) -> ChatLLM`, `make_role_llms(roles)`,
            `await llm.achat(messages, tools, row_id=..., seed=...) -> ChatReply`
- JSON:     `await achat_json(llm, messages, ModelCls, row_id=...)`, `JSONOutputError`
- failures: `LLMCallFailed` (role, row_id, endpoint, attempts, last_error): the row's;
            `EndpointDown` (endpoint, role, down_s, error): no row's, the build stops
- usage:    `get_ledger()`, `UsageLedger.snapshot()`, `UsageLedger.pop_row(row_id)`
- records:  `Message`, `ToolCall`, `ChatReply`, `ToolCallParseError`, `Usage`
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    # records
    "Message": "builder.llm.types",
    "ToolCall": "builder.llm.types",
    "ChatReply": "builder.llm.types",
    "ToolCallParseError": "builder.llm.types",
    "Usage": "builder.llm.types",
    # config and errors
    "RoleConfig": "builder.llm.config",
    "RolesConfig": "builder.llm.config",
    "parse_backend": "builder.llm.config",
    "BackendSpec": "builder.llm.config",
    "LLMConfigError": "builder.llm.errors",
    "LLMCallFailed": "builder.llm.errors",
    "EndpointDown": "builder.llm.errors",
    "JSONOutputError": "builder.llm.errors",
    # calling
    "ChatLLM": "builder.llm.base",
    "make_llm": "builder.llm.factory",
    "make_role_llms": "builder.llm.factory",
    "achat_json": "builder.llm.json_output",
    "extract_json": "builder.llm.json_output",
    # reliability and accounting
    "UsageLedger": "builder.llm.usage",
    "get_ledger": "builder.llm.usage",
    "get_limiter": "builder.llm.limits",
    "reset_limiters": "builder.llm.limits",
    "RetryPolicy": "builder.llm.retry",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'builder.llm' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
