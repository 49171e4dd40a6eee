"""One kept conversation, normalised once so that every export format renders the same rows.

An attempt's messages are OpenAI-shaped (`builder.llm.types.Message`). Here they become a
system prompt plus a list of exchanges: a user message, or an assistant message with its tool
calls, each call paired with the tool result that answered it. Pairing is by `tool_call_id`
(positional when the ids are missing or ambiguous), so the formats can put every result right
after its call. A passed conversation that cannot be paired this way is a bug upstream: the
exporter raises `ExportError` naming the row rather than publishing a broken conversation.
Missing or repeated call ids are replaced (`call_N`) so that ids are unique within a row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from builder.conversation_protocol import strip_markers
from builder.errors import BuildFailure
from builder.llm.types import Message, ToolCall


class ExportError(BuildFailure):
    """A kept row cannot be exported as it is (a malformed conversation or value)."""


def json_text(value: Any) -> str:
    """The JSON text stored for a value: exact floats (Python's repr), insertion-ordered keys,
    readable non-ASCII. Never pandas' ujson, which keeps only 10 significant digits."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


@dataclass(frozen=True)
class CallResult:
    call: ToolCall
    result: str  # the tool message's content, as the agent saw it


@dataclass(frozen=True)
class Exchange:
    role: Literal["user", "assistant"]
    content: str
    calls: list[CallResult] = field(default_factory=list)  # assistant only


@dataclass(frozen=True)
class Conversation:
    system: str
    exchanges: list[Exchange]

    @property
    def user_turns(self) -> int:
        return sum(e.role == "user" for e in self.exchanges)

    @property
    def tool_calls(self) -> int:
        return sum(len(e.calls) for e in self.exchanges)


def _pair(calls: list[ToolCall], results: list[Message], where: str) -> list[CallResult]:
    if len(results) != len(calls):
        names = ", ".join(c.name for c in calls)
        raise ExportError(
            f"{where}: an assistant message makes {len(calls)} tool call(s) ({names}) "
            f"but {len(results)} tool message(s) follow it"
        )
    ids = [c.id for c in calls]
    result_ids = [m.tool_call_id for m in results]
    if all(ids) and len(set(ids)) == len(ids) and all(result_ids):
        by_id = {m.tool_call_id: m for m in results}
        if set(by_id) != set(ids) or len(by_id) != len(results):
            raise ExportError(
                f"{where}: tool results answer calls {sorted(map(str, by_id))} "
                f"but the assistant called {sorted(ids)}"
            )
        ordered = [by_id[i] for i in ids]
    else:
        ordered = results  # no usable ids: the results come in call order
    return [CallResult(call, m.content or "") for call, m in zip(calls, ordered)]


def normalize(messages: list[Message], default_system: str, where: str) -> Conversation:
    """Split an attempt's messages into the system prompt and the exchanges.

    The system prompt is the first system message when the attempt has one (it is what the
    agent saw), else `default_system` (the domain policy). `where` names the row in errors.
    """
    system = default_system
    body = list(messages)
    if body and body[0].role == "system":
        system = body.pop(0).content or ""
    first = len(messages) - len(body)  # so that errors give the message's index in the attempt
    exchanges: list[Exchange] = []
    i = 0
    while i < len(body):
        m = body[i]
        if m.role == "user":
            # the stop/transfer markers end a simulated dialogue; they are not training text
            text = strip_markers(m.content)
            if text:
                exchanges.append(Exchange("user", text))
            i += 1
        elif m.role == "assistant":
            calls = list(m.tool_calls or [])
            j = i + 1
            while j < len(body) and body[j].role == "tool":
                j += 1
            results = body[i + 1 : j]
            if results and not calls:
                raise ExportError(f"{where}: message {first + i + 1} is a tool result that answers no tool call")
            exchanges.append(Exchange("assistant", m.content or "", _pair(calls, results, f"{where}, message {first + i}")))
            i = j
        elif m.role == "tool":
            raise ExportError(f"{where}: message {first + i} is a tool result that answers no tool call")
        else:
            raise ExportError(
                f"{where}: message {first + i} is a system message inside the conversation; "
                "only a leading system message is supported"
            )
    if not exchanges:
        raise ExportError(f"{where}: the conversation is empty")
    return Conversation(system, _unique_call_ids(exchanges))


def _unique_call_ids(exchanges: list[Exchange]) -> list[Exchange]:
    """Give a missing or repeated tool call id a fresh one (`call_N`, N its position in the
    conversation): tool messages refer to calls by id, so ids must be unique in a row."""
    seen: set[str] = set()
    out = []
    n = 0
    for ex in exchanges:
        calls = []
        for cr in ex.calls:
            cid = cr.call.id
            if not cid or cid in seen:
                cid = f"call_{n}"
                while cid in seen:
                    cid += "_"
                cr = CallResult(cr.call.model_copy(update={"id": cid}), cr.result)
            seen.add(cid)
            calls.append(cr)
            n += 1
        out.append(Exchange(ex.role, ex.content, calls) if ex.calls else ex)
    return out
