"""An environment executes tool calls against one database view and returns observations.

Nothing a model sends can raise out of `execute`: an unknown tool, bad arguments, a refusal
and even a bug in a tool all come back as error observations, so one bad call never kills a
conversation or a batch. Only registered tools are dispatched (no getattr on model text).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from domains.framework.database import Database, RecordDiff
from domains.framework.tools import ArgumentError, ToolError

if TYPE_CHECKING:
    from domains.framework.domain import Domain


def to_jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


class Observation(BaseModel):
    """The outcome of one tool call as the agent sees it (`content`) and as checks see it."""

    name: str
    arguments: dict[str, Any]
    ok: bool
    content: str
    result: Any = None
    error_code: str | None = None  # unknown_tool | invalid_arguments | refused | internal_error
    kind: str | None = None  # read | write, None for unknown tools


class Environment:
    def __init__(self, domain: "Domain", db: Database):
        self.domain = domain
        self.db = db
        self.trace: list[Observation] = []

    def execute(self, name: str, arguments: Any) -> Observation:
        obs = self._execute(name, arguments)
        self.trace.append(obs)
        return obs

    def _execute(self, name: str, arguments: Any) -> Observation:
        args_record = arguments if isinstance(arguments, dict) else {"_raw": arguments}
        spec = self.domain.tools.get(name) if isinstance(name, str) else None
        if spec is None:
            known = ", ".join(sorted(self.domain.tools))
            return Observation(
                name=str(name), arguments=args_record, ok=False, error_code="unknown_tool",
                content=f"Error: unknown tool {name!r}. Available tools: {known}",
            )
        try:
            args = spec.validate(arguments)
        except ArgumentError as exc:
            return Observation(
                name=name, arguments=args_record, ok=False, error_code="invalid_arguments",
                content=f"Error: {exc}", kind=spec.kind,
            )
        try:
            result = to_jsonable(spec.func(self.db, **args))
        except ToolError as exc:
            return Observation(
                name=name, arguments=args_record, ok=False, error_code="refused",
                content=f"Error: {exc}", kind=spec.kind,
            )
        except Exception as exc:  # a bug in a tool: surfaced as data, checked by `domains check`
            return Observation(
                name=name, arguments=args_record, ok=False, error_code="internal_error",
                content=f"Error: internal error in {name}: {type(exc).__name__}: {exc}", kind=spec.kind,
            )
        content = result if isinstance(result, str) else json.dumps(result, ensure_ascii=False)
        return Observation(name=name, arguments=args_record, ok=True, content=content, result=result, kind=spec.kind)

    def reset(self) -> None:
        self.db.reset()
        self.trace.clear()

    def fingerprint(self) -> str:
        return self.db.fingerprint()

    def diff(self, other: "Environment") -> list[RecordDiff]:
        return self.db.diff(other.db)
