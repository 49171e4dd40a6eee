"""Structured (JSON) output from any chat LLM, validated by a pydantic model.

Models wrap JSON in ```json fences, think aloud before it, or get a field wrong. `achat_json`
tolerates the first two and gives the model exactly one chance to fix the third: the validation
error is sent back and the corrected reply is validated again. Still wrong means a
`JSONOutputError` carrying the raw text and the error, for the caller to record.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from builder.llm.base import ChatLLM
from builder.llm.convert import coerce_messages
from builder.llm.errors import JSONOutputError
from builder.llm.types import Message

__all__ = ["achat_json", "achat_json_reply", "extract_json", "NoJSONFound"]

T = TypeVar("T", bound=BaseModel)

_THINK_RE = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_FENCE_RE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)


class NoJSONFound(ValueError):
    """The text holds no JSON object."""


def extract_json(text: str | None) -> Any:
    """The JSON object in a reply: the first fenced block that parses, else the first `{...}`
    that parses, skipping `<think>` sections and any prose around it."""
    if not text:
        raise NoJSONFound("the reply is empty")
    cleaned = _THINK_RE.sub("", text)
    for m in _FENCE_RE.finditer(cleaned):
        try:
            return json.loads(m.group(1))
        except json.JSONDecodeError:
            continue
    decoder = json.JSONDecoder()
    start = cleaned.find("{")
    while start != -1:
        try:
            obj, _ = decoder.raw_decode(cleaned, start)
            return obj
        except json.JSONDecodeError:
            start = cleaned.find("{", start + 1)
    raise NoJSONFound("no JSON object found in the reply")


def _validate(text: str | None, model_cls: type[T]) -> tuple[T | None, str | None]:
    try:
        obj = extract_json(text)
    except NoJSONFound as e:
        return None, str(e)
    try:
        return model_cls.model_validate(obj), None
    except ValidationError as e:
        return None, _short_validation_error(e)


def _short_validation_error(e: ValidationError) -> str:
    parts = []
    for err in e.errors()[:10]:
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{loc}: {err['msg']}")
    more = f" (+{e.error_count() - 10} more)" if e.error_count() > 10 else ""
    return "; ".join(parts) + more


async def achat_json(
    llm: ChatLLM,
    messages: list[Message],
    model_cls: type[T],
    *,
    row_id: str = "",
    seed: int | None = None,
    response_format: dict | None = None,
) -> T:
    """Ask for JSON and return it validated as `model_cls`, with one repair round.

    `response_format` (e.g. `{"type": "json_object"}`) is passed through to backends that
    honour it. `LLMCallFailed` from the calls propagates unchanged.
    """
    value, _ = await achat_json_reply(llm, messages, model_cls, row_id=row_id, seed=seed, response_format=response_format)
    return value


async def achat_json_reply(
    llm: ChatLLM,
    messages: list[Message],
    model_cls: type[T],
    *,
    row_id: str = "",
    seed: int | None = None,
    response_format: dict | None = None,
) -> tuple[T, str]:
    """`achat_json`, also returning the text of the reply that parsed, as the model wrote it
    (a caller that shows a model its own earlier reply must show what it wrote)."""
    msgs = coerce_messages(messages)
    reply = await llm.achat(msgs, row_id=row_id, seed=seed, response_format=response_format)
    value, error = _validate(reply.content, model_cls)
    if value is not None:
        return value, reply.content or ""
    first_raw = reply.content or ""
    repair = msgs + [
        Message(role="assistant", content=first_raw),
        Message(
            role="user",
            content=(
                f"Your reply could not be used: {error}.\n"
                "Reply again with only the corrected JSON object, no other text."
            ),
        ),
    ]
    reply = await llm.achat(repair, row_id=row_id, seed=seed, response_format=response_format)
    value, error2 = _validate(reply.content, model_cls)
    if value is not None:
        return value, reply.content or ""
    raise JSONOutputError(role=llm.role, row_id=row_id, raw=reply.content or "", error=error2 or "", first_raw=first_raw)
