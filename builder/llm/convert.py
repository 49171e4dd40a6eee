"""Translation between our `Message`/`ChatReply` records and the OpenAI chat wire format.

Used on both sides of the wire: by the OpenAI-compatible, litellm and llama.cpp backends to build
requests and read replies, and by the simulator server to read requests and write replies.
A tool call whose `arguments` is not a JSON object becomes a `ToolCallParseError` in the reply,
never an exception: a model's malformed call is data about the model, not a crash.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Iterable

from builder.llm.errors import MalformedReplyError
from builder.llm.types import ChatReply, Message, ToolCall, ToolCallParseError, Usage

__all__ = [
    "to_openai_messages",
    "from_openai_messages",
    "reply_from_openai",
    "reply_to_openai_message",
    "parse_arguments",
    "make_call_id",
    "coerce_messages",
]


def coerce_messages(messages: Iterable[Message | dict[str, Any]]) -> list[Message]:
    """Accept `Message`s or OpenAI-style dicts (as stages often hold them)."""
    out = []
    for m in messages:
        if isinstance(m, Message):
            out.append(m)
        else:
            out.extend(from_openai_messages([m]))
    return out


def to_openai_messages(messages: Iterable[Message]) -> list[dict[str, Any]]:
    """Messages as the OpenAI API wants them (tool call arguments as JSON strings)."""
    out: list[dict[str, Any]] = []
    for m in messages:
        d: dict[str, Any] = {"role": m.role, "content": m.content}
        if m.role == "assistant" and m.tool_calls:
            d["tool_calls"] = [
                {
                    "id": tc.id,
                    "type": "function",
                    "function": {"name": tc.name, "arguments": json.dumps(tc.arguments, ensure_ascii=False)},
                }
                for tc in m.tool_calls
            ]
        if m.role == "tool":
            d["tool_call_id"] = m.tool_call_id or ""
            d["content"] = m.content if m.content is not None else ""
        if m.name is not None and m.role != "tool":
            d["name"] = m.name
        if m.role in ("system", "user") and d["content"] is None:
            d["content"] = ""
        out.append(d)
    return out


def _content_text(content: Any) -> str | None:
    """OpenAI content may be a string or a list of parts; keep the text parts."""
    if content is None or isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") in (None, "text")]
        return "".join(texts)
    return str(content)


def from_openai_messages(messages: Iterable[dict[str, Any]]) -> list[Message]:
    """OpenAI-style dicts to `Message`s. Unparseable arguments of earlier calls are kept as
    `{"__raw_arguments__": text}` so the history is not lost."""
    out = []
    for d in messages:
        calls = None
        if d.get("tool_calls"):
            calls = []
            for i, tc in enumerate(d["tool_calls"]):
                fn = tc.get("function") or {}
                args, err = parse_arguments(fn.get("arguments"))
                if err is not None:
                    args = {"__raw_arguments__": fn.get("arguments")}
                calls.append(ToolCall(id=tc.get("id") or f"call_{i}", name=fn.get("name") or "", arguments=args))
        out.append(
            Message(
                role=d["role"],
                content=_content_text(d.get("content")),
                tool_calls=calls,
                tool_call_id=d.get("tool_call_id"),
                name=d.get("name"),
            )
        )
    return out


def parse_arguments(raw: Any) -> tuple[dict[str, Any], str | None]:
    """Parse a tool call's `arguments` (JSON text or already a dict) into a dict.

    Returns (arguments, None) or ({}, error message)."""
    if raw is None or raw == "":
        return {}, None
    if isinstance(raw, dict):
        return raw, None
    if not isinstance(raw, str):
        return {}, f"arguments must be a JSON object, got {type(raw).__name__}"
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as e:
        return {}, f"arguments are not valid JSON: {e}"
    if not isinstance(value, dict):
        return {}, f"arguments must be a JSON object, got {type(value).__name__}"
    return value, None


def make_call_id(salt: str, index: int, name: str) -> str:
    """A deterministic tool call id, for backends that return calls without ids (prompt-based
    calls, some local servers): the same conversation gives the same ids on a re-run."""
    digest = hashlib.sha1(f"{salt}|{index}|{name}".encode()).hexdigest()[:16]
    return f"call_{digest}"


def _get(obj: Any, key: str, default: Any = None) -> Any:
    """Read a field from an SDK object or a plain dict alike."""
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


def reply_from_openai(response: Any, *, salt: str = "") -> ChatReply:
    """Read `choices[0].message` and `usage` of a chat completion (SDK object or dict)."""
    choices = _get(response, "choices") or []
    if not choices:
        raise MalformedReplyError(f"chat completion has no choices: {str(response)[:200]}")
    choice = choices[0]
    msg = _get(choice, "message") or {}
    calls: list[ToolCall] = []
    errors: list[ToolCallParseError] = []
    for i, tc in enumerate(_get(msg, "tool_calls") or []):
        fn = _get(tc, "function") or {}
        name = _get(fn, "name") or ""
        raw_args = _get(fn, "arguments")
        args, err = parse_arguments(raw_args)
        if not name:
            err = err or "tool call has no function name"
        if err is not None:
            raw = json.dumps({"name": name, "arguments": raw_args}, ensure_ascii=False, default=str)
            errors.append(ToolCallParseError(raw=raw, message=err))
            continue
        calls.append(ToolCall(id=_get(tc, "id") or make_call_id(salt, i, name), name=name, arguments=args))
    usage_obj = _get(response, "usage")
    usage = Usage(
        prompt_tokens=int(_get(usage_obj, "prompt_tokens", 0) or 0) if usage_obj is not None else 0,
        completion_tokens=int(_get(usage_obj, "completion_tokens", 0) or 0) if usage_obj is not None else 0,
    )
    return ChatReply(
        content=_content_text(_get(msg, "content")),
        tool_calls=calls,
        parse_errors=errors,
        usage=usage,
        finish_reason=_get(choice, "finish_reason"),
    )


def reply_to_openai_message(reply: ChatReply) -> dict[str, Any]:
    """A `ChatReply` as an OpenAI `choices[0].message` (used by the simulator server).

    Parse errors are sent as tool calls whose `arguments` is the raw text, so a client sees the
    same malformed call a real model would have produced."""
    msg: dict[str, Any] = {"role": "assistant", "content": reply.content}
    calls = [
        {
            "id": tc.id,
            "type": "function",
            "function": {"name": tc.name, "arguments": json.dumps(tc.arguments, ensure_ascii=False)},
        }
        for tc in reply.tool_calls
    ]
    for i, err in enumerate(reply.parse_errors):
        name = "unknown"
        try:
            obj = json.loads(err.raw)
            if isinstance(obj, dict) and isinstance(obj.get("name"), str):
                name = obj["name"]
        except json.JSONDecodeError:
            pass
        args_text = err.raw
        if _is_json_object(args_text):
            args_text += "}"  # keep it unparseable: the client must see the malformed call it was meant to
        calls.append({
            "id": make_call_id(err.raw, i, name),
            "type": "function",
            "function": {"name": name, "arguments": args_text},
        })
    if calls:
        msg["tool_calls"] = calls
    return msg


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except json.JSONDecodeError:
        return False
