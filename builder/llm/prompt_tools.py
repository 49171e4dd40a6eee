"""Prompt-based tool calling, for backends without native `tools` support.

The tools are described in the system prompt; the model answers a call as tagged JSON,
    <tool_call>
    {"name": "get_order", "arguments": {"order_id": "#W1"}}
    </tool_call>
and tool results go back as a user message holding `<tool_response>` blocks. The tags and wording
follow the Hermes/Qwen convention, which many open models were trained on, so small local models
get it right more often than with an invented format.

Parsing never raises: a call that cannot be read becomes a `ToolCallParseError` in the reply.
"""

from __future__ import annotations

import json
import re
from typing import Any

from builder.llm.convert import make_call_id, parse_arguments
from builder.llm.types import Message, ToolCall, ToolCallParseError

__all__ = ["TOOL_CALL_OPEN", "TOOL_CALL_CLOSE", "tools_system_prompt", "to_prompt_messages",
           "parse_tool_calls", "format_tool_call", "format_tool_response"]

TOOL_CALL_OPEN, TOOL_CALL_CLOSE = "<tool_call>", "</tool_call>"
RESPONSE_OPEN, RESPONSE_CLOSE = "<tool_response>", "</tool_response>"

_CALL_RE = re.compile(r"<tool_call>(.*?)</tool_call>", re.DOTALL)
_FENCE_RE = re.compile(r"^\s*```(?:json|JSON)?\s*\n?(.*?)\n?\s*```\s*$", re.DOTALL)


def tools_system_prompt(tools: list[dict[str, Any]]) -> str:
    """The block appended to the system prompt that teaches the call format."""
    lines = "\n".join(json.dumps(t, ensure_ascii=False) for t in tools)
    return (
        "# Tools\n\n"
        "You may call one or more functions to assist with the user query.\n\n"
        "You are provided with function signatures within <tools></tools> XML tags:\n"
        f"<tools>\n{lines}\n</tools>\n\n"
        "For each function call, return a json object with function name and arguments within "
        "<tool_call></tool_call> XML tags:\n"
        "<tool_call>\n"
        '{"name": <function-name>, "arguments": <args-json-object>}\n'
        "</tool_call>"
    )


def format_tool_call(call: ToolCall) -> str:
    body = json.dumps({"name": call.name, "arguments": call.arguments}, ensure_ascii=False)
    return f"{TOOL_CALL_OPEN}\n{body}\n{TOOL_CALL_CLOSE}"


def format_tool_response(name: str | None, content: str | None) -> str:
    body = json.dumps({"name": name or "", "content": content or ""}, ensure_ascii=False)
    return f"{RESPONSE_OPEN}\n{body}\n{RESPONSE_CLOSE}"


def to_prompt_messages(messages: list[Message], tools: list[dict[str, Any]]) -> list[Message]:
    """Rewrite a conversation for a backend that knows nothing of tools.

    The tool block joins the (first) system message; assistant tool calls become tagged text;
    consecutive tool results become one user message (chat templates want user/assistant turns
    to alternate).
    """
    block = tools_system_prompt(tools)
    names_by_id: dict[str, str] = {}
    out: list[Message] = []
    pending: list[str] = []  # tool responses waiting to be emitted as one user message

    def flush() -> None:
        if pending:
            out.append(Message(role="user", content="\n".join(pending)))
            pending.clear()

    has_system = any(m.role == "system" for m in messages)
    if not has_system:
        out.append(Message(role="system", content=block))
    system_done = not has_system
    for m in messages:
        if m.role == "tool":
            name = m.name or names_by_id.get(m.tool_call_id or "", "")
            pending.append(format_tool_response(name, m.content))
            continue
        flush()
        if m.role == "system":
            if not system_done:
                text = (m.content or "").rstrip()
                out.append(Message(role="system", content=f"{text}\n\n{block}" if text else block))
                system_done = True
            else:
                out.append(Message(role="system", content=m.content))
        elif m.role == "assistant" and m.tool_calls:
            for tc in m.tool_calls:
                names_by_id[tc.id] = tc.name
            parts = [m.content.strip()] if m.content and m.content.strip() else []
            parts += [format_tool_call(tc) for tc in m.tool_calls]
            out.append(Message(role="assistant", content="\n".join(parts)))
        else:
            out.append(Message(role=m.role, content=m.content))
    flush()
    return out


def _strip_fence(text: str) -> str:
    m = _FENCE_RE.match(text)
    return m.group(1) if m else text


def _read_call(body: str, index: int, salt: str) -> ToolCall | ToolCallParseError:
    text = _strip_fence(body.strip()).strip()
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        return ToolCallParseError(raw=body, message=f"tool call is not valid JSON: {e}")
    if not isinstance(obj, dict):
        return ToolCallParseError(raw=body, message=f"tool call must be a JSON object, got {type(obj).__name__}")
    name = obj.get("name")
    if not isinstance(name, str) or not name:
        return ToolCallParseError(raw=body, message='tool call needs a string "name"')
    raw_args = obj.get("arguments", obj.get("parameters", {}))
    args, err = parse_arguments(raw_args)
    if err is not None:
        return ToolCallParseError(raw=body, message=f"tool call {name!r}: {err}")
    return ToolCall(id=make_call_id(salt, index, name), name=name, arguments=args)


def parse_tool_calls(
    text: str | None, *, salt: str = "", tool_names: set[str] | None = None
) -> tuple[str | None, list[ToolCall], list[ToolCallParseError]]:
    """Split a reply into (remaining text, tool calls, parse errors).

    Besides tagged calls, a reply that is nothing but a call object (optionally in a ```json
    fence) naming one of `tool_names` is read as a call: small models often drop the tags.
    An opening tag with no closing tag (a reply cut off by max_tokens) is a parse error.
    """
    if not text:
        return text, [], []
    calls: list[ToolCall] = []
    errors: list[ToolCallParseError] = []

    def add(item: ToolCall | ToolCallParseError) -> None:
        (calls if isinstance(item, ToolCall) else errors).append(item)

    index = 0
    for m in _CALL_RE.finditer(text):
        add(_read_call(m.group(1), index, salt))
        index += 1
    rest = _CALL_RE.sub("", text)
    if TOOL_CALL_OPEN in rest:
        head, _, tail = rest.partition(TOOL_CALL_OPEN)
        errors.append(ToolCallParseError(raw=TOOL_CALL_OPEN + tail,
                                         message="unterminated <tool_call> (reply cut off by max_tokens?)"))
        rest = head
    rest = rest.replace(TOOL_CALL_CLOSE, "")
    if index == 0 and not errors and tool_names:
        bare = _bare_calls(rest, tool_names)
        if bare is not None:
            for i, obj in enumerate(bare):
                add(_read_call(json.dumps(obj, ensure_ascii=False), i, salt))
            rest = ""
    rest = rest.strip()
    return (rest or None), calls, errors


def _bare_calls(text: str, tool_names: set[str]) -> list[dict] | None:
    """The call objects of a reply made only of one call or a list of calls, else None."""
    body = _strip_fence(text.strip()).strip()
    if not body or body[0] not in "[{":
        return None
    try:
        obj = json.loads(body)
    except json.JSONDecodeError:
        return None
    items = obj if isinstance(obj, list) else [obj]
    if items and all(isinstance(o, dict) and o.get("name") in tool_names
                     and ("arguments" in o or "parameters" in o) for o in items):
        return items
    return None
