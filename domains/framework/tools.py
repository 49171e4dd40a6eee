"""Tools are typed Python functions; their signature and docstring become the JSON schema.

A tool is `def name(db: Database, arg: type, ...) -> ReturnType` with a Google-style docstring
(first paragraph: what the tool does; `Args:` section: one line per argument). The decorator
records whether it reads or writes, builds a pydantic model of its arguments (which validates
every call before it runs, strictly, as JSON would be) and an OpenAI-style function schema.
A tool refuses by raising `ToolError`; the environment turns that into an error observation.
"""

from __future__ import annotations

import functools
import inspect
import re
import typing
from collections.abc import Callable
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

ToolKind = Literal["read", "write"]


class ToolError(Exception):
    """A refusal by a tool: bad input or a policy precondition. Shown to the agent as an error."""


class ArgumentError(ToolError):
    """The arguments of a call do not match the tool's schema."""


def _parse_docstring(doc: str) -> tuple[str, dict[str, str]]:
    """Split a Google-style docstring into the description and per-argument descriptions."""
    doc = inspect.cleandoc(doc or "")
    parts = re.split(r"^\s*(?:Args|Arguments|Parameters):\s*$", doc, maxsplit=1, flags=re.MULTILINE)
    description = " ".join(parts[0].split())
    params: dict[str, str] = {}
    if len(parts) == 2:
        body = re.split(r"^\s*(?:Returns|Raises):\s*$", parts[1], maxsplit=1, flags=re.MULTILINE)[0]
        current = None
        for line in body.splitlines():
            m = re.match(r"^\s*(\w+)(?:\s*\([^)]*\))?\s*:\s*(.*)$", line)
            if m:
                current = m.group(1)
                params[current] = m.group(2).strip()
            elif current and line.strip():
                params[current] += " " + line.strip()
    return description, params


def _output_fields(annotation: Any, seen: set[type] | None = None) -> set[str]:
    """Every field name reachable in a return type: what a tool's output can feed into others."""
    seen = seen or set()
    names: set[str] = set()
    origin = get_origin(annotation)
    if origin is not None:
        for arg in get_args(annotation):
            names |= _output_fields(arg, seen)
        return names
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in seen:
        seen.add(annotation)
        for name, field in annotation.model_fields.items():
            names.add(name)
            names |= _output_fields(field.annotation, seen)
    return names


class ToolSpec:
    """A registered tool: the function, its kind, its argument model and its schema."""

    def __init__(
        self,
        func: Callable[..., Any],
        kind: ToolKind,
        discovers: dict[str, str] | None = None,
    ):
        self.func = func
        self.name = func.__name__
        self.kind: ToolKind = kind
        description, param_docs = _parse_docstring(func.__doc__ or "")
        if not description:
            raise TypeError(f"tool {self.name!r} needs a docstring: it becomes the tool's description")
        self.description = description
        hints = typing.get_type_hints(func)
        params = list(inspect.signature(func).parameters.values())
        if not params or params[0].name != "db":
            raise TypeError(f"tool {self.name!r}: the first parameter must be `db`")
        fields: dict[str, Any] = {}
        for p in params[1:]:
            if p.name not in hints:
                raise TypeError(f"tool {self.name!r}: argument {p.name!r} needs a type hint")
            default = ... if p.default is inspect.Parameter.empty else p.default
            fields[p.name] = (hints[p.name], Field(default, description=param_docs.get(p.name)))
            if p.name not in param_docs:
                raise TypeError(f"tool {self.name!r}: argument {p.name!r} is not described in Args:")
        self.args_model: type[BaseModel] = create_model(
            f"{self.name}_args", __config__=ConfigDict(extra="forbid", strict=True), **fields
        )
        self.params = [p.name for p in params[1:]]
        self.required = [p.name for p in params[1:] if p.default is inspect.Parameter.empty]
        self.returns = hints.get("return", Any)
        self.output_fields = _output_fields(self.returns)
        # which output field a parameter's values are found under, when the names differ
        self.discovers = discovers or {}

    @functools.cached_property
    def parameters_schema(self) -> dict[str, Any]:
        """The arguments' JSON schema; built once (pydantic takes about a millisecond, and every
        prompt lists every tool) and shared: read it, never edit it."""
        schema = self.args_model.model_json_schema()
        schema.pop("title", None)
        for prop in schema.get("properties", {}).values():
            prop.pop("title", None)
        schema.setdefault("required", [])
        return schema

    def openai_schema(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters_schema,
            },
        }

    def validate(self, arguments: Any) -> dict[str, Any]:
        """The validated arguments, or an ArgumentError naming the argument and what was expected."""
        if not isinstance(arguments, dict):
            raise ArgumentError(f"arguments of {self.name} must be a JSON object, got {type(arguments).__name__}")
        try:
            model = self.args_model.model_validate(arguments)
        except ValidationError as exc:
            problems = []
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"]) or "(arguments)"
                problems.append(f"{where}: {err['msg']}")
            raise ArgumentError(f"invalid arguments for {self.name}: " + "; ".join(problems)) from exc
        return {name: getattr(model, name) for name in self.params}

    def __repr__(self) -> str:
        return f"ToolSpec({self.name!r}, kind={self.kind!r})"


def tool(kind: ToolKind, *, discovers: dict[str, str] | None = None) -> Callable[[Callable[..., Any]], ToolSpec]:
    """Mark a function as a domain tool that reads or writes the database.

    `discovers` maps an argument to the output field its values come from when the names
    differ (e.g. `{"new_item_ids": "item_id"}`); the API graph and the chain sampler use it.
    """
    if kind not in ("read", "write"):
        raise ValueError(f"tool kind must be 'read' or 'write', got {kind!r}")

    def wrap(func: Callable[..., Any]) -> ToolSpec:
        return ToolSpec(func, kind, discovers)

    return wrap
