"""Every build-config key with its default, type and meaning, as YAML the config parser loads.

Generated from the pydantic models (`BuildConfig` and the sections it holds), so the reference
cannot drift from the code: `builder config defaults` prints it, the README shows it, and a
test checks that the README's copy is this text and loads to the defaults.

A role that repeats an earlier role's type is written as `{}` (all defaults) with a pointer to
the keys listed for the first one, so the reference stays readable and still loads as it is.
"""

from __future__ import annotations

import textwrap
import types
import typing
from typing import Any

import annotated_types
import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from builder.config import BuildConfig

WIDTH = 100


def _type_name(annotation: Any) -> str:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type_name(a) for a in args)
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in args)
    if origin is list:
        return f"list of {_type_name(args[0])}" if args and _type_name(args[0]) != "section" else "list"
    if origin is dict or annotation is dict:
        return "mapping"
    if annotation is type(None):
        return "null"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "section"
    return getattr(annotation, "__name__", str(annotation))


def _bounds(info: FieldInfo) -> str:
    signs = {annotated_types.Ge: (">=", "ge"), annotated_types.Gt: (">", "gt"),
             annotated_types.Le: ("<=", "le"), annotated_types.Lt: ("<", "lt")}
    parts = []
    for item in info.metadata:
        for kind, (sign, attr) in signs.items():
            if isinstance(item, kind):
                parts.append(f"{sign} {getattr(item, attr)}")
    return ", ".join(parts)


def _comment(info: FieldInfo, indent: str, extra: str = "") -> list[str]:
    kind = _type_name(info.annotation)
    bounds = _bounds(info)
    what = (info.description or "").rstrip(".")
    if what[:2].istitle():  # "Endpoint URL" -> "endpoint URL"; "KIND:MODEL", "NAME" stay
        what = what[0].lower() + what[1:]
    text = f"{what} ({kind}{', ' + bounds if bounds else ''})" if kind != "section" else what
    text = (text + extra).strip()
    return textwrap.wrap(text, WIDTH - len(indent) - 2, initial_indent=f"{indent}# ", subsequent_indent=f"{indent}#   ") \
        if text else []


def _value(name: str, value: Any, indent: str) -> str:
    dumped = yaml.safe_dump({name: value}, default_flow_style=True, sort_keys=False, width=10_000).strip()
    return indent + dumped[1:-1]  # {name: value} -> name: value


def _section(model: BaseModel, indent: str, lines: list[str]) -> None:
    expanded: dict[type, str] = {}  # section type -> the key where its keys are listed
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            first = expanded.get(type(value))
            if first is not None:
                lines += _comment(info, indent, f"; the keys of `{first}`")
                lines.append(_value(name, value.model_dump(mode="json", exclude_defaults=True), indent))
                continue
            expanded[type(value)] = name
            lines += _comment(info, indent)
            lines.append(f"{indent}{name}:")
            _section(value, indent + "  ", lines)
        elif isinstance(value, list) and value and all(isinstance(v, BaseModel) for v in value):
            first = expanded.get(type(value[0]))
            lines += _comment(info, indent, f"; each: the keys of `{first}`" if first else "")
            lines.append(_value(name, [v.model_dump(mode="json", exclude_defaults=True) for v in value], indent))
        else:
            lines += _comment(info, indent)
            lines.append(_value(name, value, indent))


def reference_yaml() -> str:
    """The defaults of every key, with comments: the same build as no config file at all."""
    lines: list[str] = []
    _section(BuildConfig(), "", lines)
    return "\n".join(lines) + "\n"
