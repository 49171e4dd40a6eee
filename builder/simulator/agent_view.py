"""What the simulated agent reads: the conversation (its calls and their results, who said what
where) and the tools (which identify a person, read a profile, look a record up, transfer), from
the tool schemas and the messages alone, as a real agent would."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from builder.conversation_protocol import MALFORMED_KEY
from builder.llm.types import Message, ToolCall
from builder.simulator import phrases
from domains.framework.policy import user_id_from_result

AUTH_VERBS = ("find", "auth", "authenticate", "verify", "login", "identify", "lookup", "look")
# identification tools look a person up (`find_user_id_by_email`, `get_customer_by_phone`), unlike
# tools about something of theirs (`get_bills_for_customer`)
_PERSON_RE = re.compile(r"(?<!for_)(user|customer)", re.IGNORECASE)


@dataclass
class CallRecord:
    call: ToolCall
    content: str | None  # the tool message's content, None while unanswered
    position: int  # index of the assistant message that made the call

    @property
    def malformed(self) -> bool:
        return MALFORMED_KEY in self.call.arguments

    @property
    def ok(self) -> bool:
        return self.content is not None and not self.malformed and not self.content.lstrip().lower().startswith("error")


@dataclass
class AgentView:
    messages: list[Message]
    tools: dict[str, phrases.ToolInfo]
    calls: list[CallRecord] = field(default_factory=list)
    user_positions: list[int] = field(default_factory=list)
    my_text_positions: list[int] = field(default_factory=list)

    def text(self, i: int) -> str:
        return self.messages[i].content or ""

    @property
    def last_user(self) -> tuple[int, str] | None:
        return (self.user_positions[-1], self.text(self.user_positions[-1])) if self.user_positions else None

    @property
    def my_last_text(self) -> tuple[int, str] | None:
        return (self.my_text_positions[-1], self.text(self.my_text_positions[-1])) if self.my_text_positions else None

    def calls_after(self, position: int) -> list[CallRecord]:
        return [c for c in self.calls if c.position > position and not c.malformed]


def read_conversation(messages: list[Message], tools: Any) -> AgentView:
    view = AgentView(messages=messages, tools=phrases.tool_infos(tools))
    by_id: dict[str, CallRecord] = {}
    for i, m in enumerate(messages):
        if m.role == "user":
            view.user_positions.append(i)
        elif m.role == "assistant":
            if m.content:
                view.my_text_positions.append(i)
            for tc in m.tool_calls or []:
                rec = CallRecord(call=tc, content=None, position=i)
                view.calls.append(rec)
                by_id[tc.id] = rec
        elif m.role == "tool" and m.tool_call_id in by_id:
            by_id[m.tool_call_id].content = m.content or ""
    return view


def auth_candidates(tools: dict[str, phrases.ToolInfo]) -> list[phrases.ToolInfo]:
    out = [t for t in tools.values()
           if t.kind == "read" and not t.is_transfer and t.required and _PERSON_RE.search(t.name)]
    out.sort(key=lambda t: (not t.name.lower().startswith(AUTH_VERBS), -len(t.required), t.name))
    return out


def user_id_from(content: str) -> str | None:
    try:
        value = json.loads(content)
    except (json.JSONDecodeError, TypeError):
        value = content.strip()
    if isinstance(value, str):
        return value if value and " " not in value and not value.lower().startswith("error") else None
    return user_id_from_result(value)


def authenticated(view: AgentView) -> str | None:
    names = {t.name for t in auth_candidates(view.tools)}
    for rec in view.calls:
        if rec.call.name in names and rec.ok:
            uid = user_id_from(rec.content or "")
            if uid:
                return uid
    return None


def user_facts(view: AgentView, vocabulary: set[str], after: int = -1) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for i in view.user_positions:
        if i > after:
            facts.update(phrases.pairs_dict(phrases.parse_pairs(view.text(i), vocabulary=vocabulary)))
    return facts


def profile_tool(tools: dict[str, phrases.ToolInfo]) -> phrases.ToolInfo | None:
    for t in sorted(tools.values(), key=lambda t: t.name):
        if t.kind == "read" and tuple(t.required) == ("user_id",) and "user" in t.name.lower() and not t.is_transfer:
            return t
    return None


def reader_for(tools: dict[str, phrases.ToolInfo], param: str) -> phrases.ToolInfo | None:
    for t in sorted(tools.values(), key=lambda t: t.name):
        if t.kind == "read" and not t.is_transfer and tuple(t.required) == (param,) and set(t.params) == {param}:
            return t
    return None


def transfer_tool(tools: dict[str, phrases.ToolInfo]) -> phrases.ToolInfo | None:
    return next((t for t in tools.values() if t.is_transfer), None)


def ordered(info: phrases.ToolInfo, args: dict[str, Any]) -> dict[str, Any]:
    out = {k: args[k] for k in info.params if k in args}
    out.update({k: v for k, v in args.items() if k not in out})
    return out


@dataclass
class Request:
    tool: phrases.ToolInfo
    args: dict[str, Any]
    position: int  # the user message that asked


def latest_request(view: AgentView) -> Request | None:
    """The first request of the latest user message that asks for any, if not yet handled."""
    for pos in reversed(view.user_positions):
        found = phrases.parse_requests(view.text(pos), view.tools)
        if not found:
            continue
        later_calls = view.calls_after(pos)
        later_texts = [view.text(i) for i in view.my_text_positions if i > pos]
        seen: dict[str, int] = {}
        for r in found:
            seen[r.tool] = seen.get(r.tool, 0) + 1
            info = view.tools[r.tool]
            done = sum(1 for c in later_calls if c.call.name == r.tool and c.content is not None)
            declined = any(phrases.mentions_phrase(t, info.phrase) and phrases.is_failure_report(t) and not phrases.is_confirmation_request(t)
                           for t in later_texts)
            if done < seen[r.tool] and not declined:
                return Request(tool=info, args=dict(r.args), position=pos)
        return None
    return None


def matches_request(rec: CallRecord, view: AgentView) -> bool:
    req = None
    for pos in reversed(view.user_positions):
        found = phrases.parse_requests(view.text(pos), view.tools)
        if found:
            req = found
            break
    return bool(req) and any(r.tool == rec.call.name for r in req)
