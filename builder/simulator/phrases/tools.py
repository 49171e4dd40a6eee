"""Tools as the phrasebook sees them: name, parameters, kind, from any schema source."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from builder.conversation_protocol import is_transfer_tool
from builder.simulator.phrases.values import humanize


READ_VERBS = (
    "get", "find", "list", "search", "lookup", "look", "check", "calculate", "compute", "query",
    "fetch", "read", "show", "view", "retrieve", "think", "count", "describe", "estimate", "browse",
)


@dataclass(frozen=True)
class ToolInfo:
    """What the phrasebook needs of a tool: name, description, parameters, kind."""

    name: str
    description: str = ""
    params: Mapping[str, dict] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    kind: str = "read"  # read | write
    returns_scalar: bool | None = None  # known only from a ToolSpec's return type

    @cached_property
    def phrase(self) -> str:
        return humanize(self.name)

    @property
    def is_transfer(self) -> bool:
        return is_transfer_tool(self.name)

    def enum(self, param: str) -> list[Any] | None:
        schema = self.params.get(param) or {}
        if "enum" in schema:
            return list(schema["enum"])
        for alt in schema.get("anyOf", []) or []:
            if isinstance(alt, dict) and "enum" in alt:
                return list(alt["enum"])
        return None


def guess_kind(name: str, description: str = "") -> str:
    """`read` or `write` from a tool's name, as an agent that sees only schemas would guess.

    Transfers count as reads: they hand the conversation over and change no record.
    """
    first = name.lower().split("_", 1)[0]
    if first in READ_VERBS or is_transfer_tool(name):
        return "read"
    return "write"


def _from_schema(name: str | None, schema: Any) -> ToolInfo:
    kind = getattr(schema, "kind", None)
    if hasattr(schema, "parameters_schema"):  # a domains.framework ToolSpec
        params_schema = schema.parameters_schema
        returns = getattr(schema, "returns", None)
        return ToolInfo(
            name=schema.name, description=schema.description,
            params=dict(params_schema.get("properties", {})),
            required=tuple(params_schema.get("required", [])), kind=kind or "read",
            returns_scalar=returns in (str, int, float, bool) if returns is not None else None,
        )
    if not isinstance(schema, Mapping):
        raise TypeError(f"cannot read a tool schema from {type(schema).__name__}")
    kind = schema.get("kind") or schema.get("x-kind")
    fn = schema.get("function") if isinstance(schema.get("function"), Mapping) else schema
    kind = kind or fn.get("kind") or fn.get("x-kind")
    tool_name = fn.get("name") or name or ""
    if "parameters" in fn:
        params_schema = fn.get("parameters") or {}
    elif "properties" in fn or fn.get("type") == "object":  # {name: parameters schema}
        params_schema = fn
    else:
        params_schema = {}
    return ToolInfo(
        name=tool_name, description=fn.get("description") or "",
        params=dict(params_schema.get("properties", {}) or {}),
        required=tuple(params_schema.get("required", []) or []),
        kind=kind if kind in ("read", "write") else guess_kind(tool_name, fn.get("description") or ""),
    )


def tool_infos(tools: Any) -> dict[str, ToolInfo]:
    """Normalise tools given as {name: ToolSpec | OpenAI schema | parameters schema}, or a list
    of OpenAI schemas.

    Kinds come from the source when it says (`ToolSpec.kind`, a `"kind"` key), else are guessed
    from the name (`guess_kind`).
    """
    out: dict[str, ToolInfo] = {}
    if tools is None:
        return out
    if isinstance(tools, Mapping):
        items: Iterable[tuple[str | None, Any]] = tools.items()
    else:
        items = ((None, t) for t in tools)
    for name, schema in items:
        if isinstance(schema, ToolInfo):
            info = schema
        else:
            info = _from_schema(name, schema)
        if info.name:
            out[info.name] = info
    return out
