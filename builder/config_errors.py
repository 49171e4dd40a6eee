"""Build-config validation errors as one message a user can act on.

pydantic says what is wrong at a location; a user also needs how to fix it. An unknown key gets
the nearest known key ("did you mean") and the keys allowed there; a bad value gets the value
that was given. Locations are dotted paths as written in the YAML (`roles.reviewers.1.backend`).
"""

from __future__ import annotations

import difflib
import typing
from typing import Any

from pydantic import BaseModel, ValidationError


def _submodel(annotation: Any) -> type[BaseModel] | None:
    """The model inside a field's type: `X`, `list[X]`, `X | None`..."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((m for m in map(_submodel, typing.get_args(annotation)) if m is not None), None)


def _model_at(model: type[BaseModel] | None, path: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model that holds the field at the end of `path` (list indexes are stepped over)."""
    for part in path:
        if model is None:
            return None
        if not isinstance(part, int):
            field = model.model_fields.get(part)
            model = _submodel(field.annotation) if field is not None else None
    return model


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


#: Keys that existed once, with where their settings live now (older config files and run folders).
MOVED = {
    ("simulator",): "the simulator's mistake rates are set on each role that uses it, as "
                    "roles.ROLE.backend_options (e.g. roles: {human: {backend: simulator, backend_options: "
                    "{user_drift: 0.1}}}); a run folder holding it was made by an earlier builder, which can finish "
                    "and publish it",
}


def describe_errors(exc: ValidationError, model: type[BaseModel], source: str) -> str:
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        where = ".".join(str(p) for p in loc) or "(top level)"
        if err["type"] == "extra_forbidden" and loc in MOVED:
            lines.append(f"{where}: no longer a setting: {MOVED[loc]}")
            continue
        if err["type"] == "extra_forbidden":
            holder = _model_at(model, loc[:-1])
            known = sorted(holder.model_fields) if holder else []
            close = difflib.get_close_matches(str(loc[-1]), known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            allowed = f" (known fields here: {', '.join(known)})" if known else ""
            lines.append(f"{where}: unknown field{hint}{allowed}")
            continue
        message = err["msg"].removeprefix("Value error, ").removeprefix(f"{loc[-1] if loc else ''}: ")
        given = err.get("input")
        shown = "" if err["type"] in ("missing", "value_error") or isinstance(given, (dict, list)) \
            else f" (got {_show(given)})"
        lines.append(f"{where}: {message}{shown}")
    return f"invalid build config in {source}:\n  " + "\n  ".join(lines)
