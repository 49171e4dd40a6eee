"""The simulated agent: serves the user from the tool schemas and the conversation alone.

It never sees the blueprint, the instruction or the database: only what a real agent sees (the
policy prompt, the tools' JSON schemas, the messages). It is stateless: each call re-reads the
conversation to know where it is, then does the one next thing a careful agent does:

1. asks the user to identify, and calls the identification tool whose parameters match the
   facts the user gave (a read tool about users whose required parameters are all given);
2. reads the user's profile (a read tool that takes only `user_id`) once identified;
3. takes the user's latest request (a sentence naming a tool, see `phrases.parse_requests`),
   fills `user_id` from the identification, asks for missing required arguments (listing enum
   options), and declines when the user does not know them;
4. for a write: looks up each record it acts on (a read tool taking just that `*_id`), describes
   the write with all its arguments and asks for an explicit yes, then calls it on "yes";
5. for a read the user asked about: calls it and tells the user the result;
6. reports every outcome; transfers to a human (the domain's transfer tool) when the user asks
   for one or keeps asking for things no tool does.

Mistakes, at the configured rates: `agent_wrong_argument` (a confirmed write is called with one
argument changed), `agent_skip_confirmation` (a write is called without asking),
`agent_forget_output` (a result is reported without the figures), `agent_malformed_call` (a tool
call whose JSON does not parse, returned as `ChatReply.parse_errors`).
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from typing import Any

from builder.llm.types import ChatReply, Message, ToolCall, ToolCallParseError
from builder.simulator import phrases as P
from builder.simulator.config import SimulatorConfig
from domains.framework.policy import PERSON_ID_KEYS, is_affirmative, user_id_from_result

__all__ = ["respond", "decide", "AgentView", "read_conversation", "ANYTHING_ELSE"]

ANYTHING_ELSE = "Is there anything else I can help you with?"
_AUTH_VERBS = ("find", "auth", "authenticate", "verify", "login", "identify", "lookup", "look")
# identification tools look a person up (`find_user_id_by_email`, `get_customer_by_phone`), unlike
# tools about something of theirs (`get_bills_for_customer`)
_PERSON_RE = re.compile(r"(?<!for_)(user|customer)", re.IGNORECASE)
_ASK_HUMAN_RE = re.compile(r"\b(human|representative|supervisor|real person)\b", re.IGNORECASE)
_NEGATIVE_RE = re.compile(r"^\W*(no|nope|don'?t|do not|wait|stop)\b", re.IGNORECASE)


@dataclass
class CallRecord:
    call: ToolCall
    content: str | None  # the tool message's content, None while unanswered
    position: int  # index of the assistant message that made the call

    @property
    def malformed(self) -> bool:
        return P.MALFORMED_KEY in self.call.arguments

    @property
    def ok(self) -> bool:
        return self.content is not None and not self.malformed and not self.content.lstrip().lower().startswith("error")


@dataclass
class AgentView:
    messages: list[Message]
    tools: dict[str, P.ToolInfo]
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
    view = AgentView(messages=messages, tools=P.tool_infos(tools))
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


# ---------------------------------------------------------------------------------------------
# What the agent knows
# ---------------------------------------------------------------------------------------------
def _auth_candidates(tools: dict[str, P.ToolInfo]) -> list[P.ToolInfo]:
    out = [t for t in tools.values()
           if t.kind == "read" and not t.is_transfer and t.required and _PERSON_RE.search(t.name)]
    out.sort(key=lambda t: (not t.name.lower().startswith(_AUTH_VERBS), -len(t.required), t.name))
    return out


def _user_id_from(content: str) -> str | None:
    try:
        value = json.loads(content)
    except (json.JSONDecodeError, TypeError):
        value = content.strip()
    if isinstance(value, str):
        return value if value and " " not in value and not value.lower().startswith("error") else None
    return user_id_from_result(value)


def _authenticated(view: AgentView) -> str | None:
    names = {t.name for t in _auth_candidates(view.tools)}
    for rec in view.calls:
        if rec.call.name in names and rec.ok:
            uid = _user_id_from(rec.content or "")
            if uid:
                return uid
    return None


def _user_facts(view: AgentView, vocabulary: set[str], after: int = -1) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for i in view.user_positions:
        if i > after:
            facts.update(P.pairs_dict(P.parse_pairs(view.text(i), vocabulary=vocabulary)))
    return facts


def _profile_tool(tools: dict[str, P.ToolInfo]) -> P.ToolInfo | None:
    for t in sorted(tools.values(), key=lambda t: t.name):
        if t.kind == "read" and tuple(t.required) == ("user_id",) and "user" in t.name.lower() and not t.is_transfer:
            return t
    return None


def _reader_for(tools: dict[str, P.ToolInfo], param: str) -> P.ToolInfo | None:
    for t in sorted(tools.values(), key=lambda t: t.name):
        if t.kind == "read" and not t.is_transfer and tuple(t.required) == (param,) and set(t.params) == {param}:
            return t
    return None


def _transfer_tool(tools: dict[str, P.ToolInfo]) -> P.ToolInfo | None:
    return next((t for t in tools.values() if t.is_transfer), None)


def _ordered(info: P.ToolInfo, args: dict[str, Any]) -> dict[str, Any]:
    out = {k: args[k] for k in info.params if k in args}
    out.update({k: v for k, v in args.items() if k not in out})
    return out


@dataclass
class Request:
    tool: P.ToolInfo
    args: dict[str, Any]
    position: int  # the user message that asked


def _latest_request(view: AgentView) -> Request | None:
    """The first request of the latest user message that asks for any, if not yet handled."""
    for pos in reversed(view.user_positions):
        found = P.parse_requests(view.text(pos), view.tools)
        if not found:
            continue
        later_calls = view.calls_after(pos)
        later_texts = [view.text(i) for i in view.my_text_positions if i > pos]
        seen: dict[str, int] = {}
        for r in found:
            seen[r.tool] = seen.get(r.tool, 0) + 1
            info = view.tools[r.tool]
            done = sum(1 for c in later_calls if c.call.name == r.tool and c.content is not None)
            declined = any(P.mentions_phrase(t, info.phrase) and P.is_failure_report(t) and not P.is_confirmation_request(t)
                           for t in later_texts)
            if done < seen[r.tool] and not declined:
                return Request(tool=info, args=dict(r.args), position=pos)
        return None
    return None


# ---------------------------------------------------------------------------------------------
# Replies
# ---------------------------------------------------------------------------------------------
class _Say:
    def __init__(self, view: AgentView, rng: random.Random, rates: SimulatorConfig):
        self.view, self.rng, self.rates = view, rng, rates

    def text(self, content: str) -> ChatReply:
        return ChatReply(content=content)

    def call(self, name: str, args: dict[str, Any]) -> ChatReply:
        n = len(self.view.calls)
        if self.rng.random() < self.rates.agent_malformed_call:
            body = json.dumps({"name": name, "arguments": args}, ensure_ascii=False)
            raw = body[: max(len(body) // 2, 1)]
            return ChatReply(parse_errors=[ToolCallParseError(
                raw=raw, message="Expecting ',' delimiter: the tool call's JSON is cut short")])
        return ChatReply(tool_calls=[ToolCall(id=f"call_{n}_{name}", name=name, arguments=args)])


def _wrong(info: P.ToolInfo, args: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The same arguments with one changed: another enum option, a dropped list element, a
    mistyped identifier or a number off by one."""
    args = dict(args)
    enums = [k for k in args if (info.enum(k) or []) and len([o for o in info.enum(k) if o != args[k]]) > 0]
    if enums:
        k = rng.choice(enums)
        args[k] = rng.choice([o for o in info.enum(k) or [] if o != args[k]])
        return args
    lists = [k for k, v in args.items() if isinstance(v, list) and len(v) >= 2]
    if lists:
        k = rng.choice(lists)
        args[k] = args[k][1:]
        return args
    if P.nudge_value(args, rng, exclude=frozenset({"user_id"})):
        return args
    strs = [k for k, v in args.items() if isinstance(v, str) and k != "user_id"]
    if strs:
        k = rng.choice(strs)
        args[k] = args[k] + " (updated)"
    return args


def _ask_identity(view: AgentView, tried_all: bool) -> ChatReply:
    cands = _auth_candidates(view.tools)
    preferred = [t for t in cands if t.name.lower().startswith(_AUTH_VERBS)] or cands
    options = [P.join_words([P.humanize(p) for p in t.required]) for t in preferred]
    ask = " or ".join(f"your {o}" for o in options) if options else "your account details"
    if tried_all:
        return ChatReply(content=f"I'm sorry, I could not find your account with those details. To verify your "
                                 f"identity, could you please double-check and give me {ask}?")
    return ChatReply(content=f"Before I can help, I need to verify your identity. Could you please give me {ask}?")


def _in_words(content: str) -> str:
    """A tool result told in words, the way the verification counts outputs: records become
    `key value` phrases instead of pasted JSON (which would not count as telling the user)."""
    try:
        value = json.loads(content)
    except (json.JSONDecodeError, TypeError):
        return content
    return _phrase(value) if isinstance(value, (dict, list)) else content


def _phrase(value: Any) -> str:
    if isinstance(value, dict):
        parts = [f"{k} ({_phrase(v)})" if isinstance(v, (dict, list)) and v else f"{k} {_phrase(v)}"
                 for k, v in value.items()]
        return ", ".join(parts) or "nothing"
    if isinstance(value, list):
        return "; ".join(_phrase(v) for v in value) or "none"
    return P.render_value(value)


def _report(rec: CallRecord, info: P.ToolInfo, rng: random.Random, rates: SimulatorConfig) -> str:
    clause = P.render_clause(info.name, rec.call.arguments)
    forget = rng.random() < rates.agent_forget_output
    if info.is_transfer:
        if rec.ok:
            return "I have transferred you to a human agent. Please hold on, a colleague will be with you shortly."
        return f"I'm sorry, I could not transfer you: {rec.content}. {ANYTHING_ELSE}"
    if not rec.ok:
        return f"I'm sorry, I could not {clause}: {rec.content}. {ANYTHING_ELSE}"
    if info.kind == "write":
        details = "" if forget else f" Here are the details: {_in_words(rec.content)}"
        return f"Done: {clause} has been completed successfully.{details} {ANYTHING_ELSE}"
    if forget:
        return f"Done: I looked that up ({info.phrase}) and everything is in order. {ANYTHING_ELSE}"
    return f"Done: I looked that up. The result of {clause} is: {_in_words(rec.content)}. {ANYTHING_ELSE}"


def decide(view: AgentView, rng: random.Random, rates: SimulatorConfig) -> ChatReply:
    say = _Say(view, rng, rates)
    tools = view.tools
    msgs = view.messages
    last = msgs[-1] if msgs else None
    request = _latest_request(view)

    # 0. a tool result just came back
    if last is not None and last.role == "tool":
        rec = next((c for c in view.calls if c.call.id == last.tool_call_id), None)
        if rec is not None and not rec.malformed:
            info = tools.get(rec.call.name)
            if info is None:
                return say.text(f"I'm sorry, something went wrong on my side: {rec.content}. {ANYTHING_ELSE}")
            asked_read = info.kind == "read" and not info.is_transfer and _matches_request(rec, view)
            if info.kind == "write" or info.is_transfer or asked_read:
                return say.text(_report(rec, info, rng, rates))
            if not rec.ok and rec.call.name in {t.name for t in _auth_candidates(tools)} and _authenticated(view) is None:
                return _ask_identity(view, tried_all=True)
            if not rec.ok and request is not None:
                return say.text(f"I'm sorry, I could not {request.tool.phrase}: {rec.content}. {ANYTHING_ELSE}")

    last_user = view.last_user
    user_text = last_user[1] if last_user else ""

    # 1. identify the user
    user_id = _authenticated(view)
    if user_id is None:
        cands = _auth_candidates(tools)
        if not cands:
            user_id = ""  # a domain without identification
        else:
            vocabulary = {p for t in cands for p in t.params}
            facts = _user_facts(view, vocabulary)
            tried = {(c.call.name, json.dumps(c.call.arguments, sort_keys=True)) for c in view.calls if not c.malformed}
            for t in cands:
                if all(p in facts for p in t.required):
                    args = {p: facts[p] for p in t.params if p in facts}
                    if (t.name, json.dumps(args, sort_keys=True)) not in tried:
                        return say.call(t.name, args)
            if _ASK_HUMAN_RE.search(user_text) and _transfer_tool(tools):
                return _transfer(view, say, "The user asked for a human agent before being identified.")
            return _ask_identity(view, tried_all=bool(tried))

    # 2. read the profile once
    profile = _profile_tool(tools)
    if user_id and profile is not None and not any(
        c.call.name == profile.name and c.content is not None and c.call.arguments.get("user_id") == user_id
        for c in view.calls if not c.malformed
    ):
        return say.call(profile.name, {"user_id": user_id})

    # 3. the answer to a proposal
    mine = view.my_last_text
    if mine is not None and last_user is not None and last_user[0] > mine[0] and P.is_confirmation_request(mine[1]):
        proposed = P.parse_requests(mine[1], tools)
        if proposed and _is_yes(user_text):
            p = proposed[0]
            info = tools[p.tool]
            args = _ordered(info, p.args)
            if rng.random() < rates.agent_wrong_argument:
                args = _wrong(info, args, rng)
            return say.call(info.name, args)
        if proposed and _NEGATIVE_RE.search(user_text) and (request is None or request.position < last_user[0]):
            return say.text("I see. What would you like me to change?")

    # 4. the current request
    if request is None:
        if last_user is None:
            return say.text("Hello! How can I help you today?")
        if _ASK_HUMAN_RE.search(user_text) and _transfer_tool(tools):
            return _transfer(view, say, "The user asked to speak with a human agent.")
        if _is_unserved(view, user_text):
            if _unserved(view) >= 2 and _transfer_tool(tools):
                return _transfer(view, say, "The user asked for something I cannot do with my tools.")
            return say.text(f"I'm sorry, I can't help with that request. {ANYTHING_ELSE}")
        if any(P.parse_requests(view.text(u), tools) for u in view.user_positions):
            return say.text(ANYTHING_ELSE)
        return say.text("Thank you. How can I help you today?")

    info = request.tool
    args = dict(request.args)
    extra = _user_facts(view, set(info.params), after=request.position)
    for k, v in extra.items():
        args.setdefault(k, v)
    for key in PERSON_ID_KEYS:  # the identified person's id, under whichever name the tool uses
        if key in info.params and key not in args and user_id:
            args[key] = user_id
    if info.is_transfer:  # the agent writes the hand-over note itself
        for p in info.required:
            if p not in args and (info.params.get(p) or {}).get("type", "string") == "string":
                args[p] = _summary(view)
    missing = [p for p in info.required if p not in args]
    if missing:
        asked_before = [i for i in view.my_text_positions if i > request.position
                        and P.mentions_phrase(view.text(i), info.phrase) and "need" in view.text(i)]
        if asked_before and any(P.says_dont_know(view.text(u)) for u in view.user_positions if u > asked_before[-1]):
            names = P.join_words([P.humanize(m) for m in missing])
            return say.text(f"I'm sorry, I can't {info.phrase} without the {names}. {ANYTHING_ELSE}")
        parts = []
        for m in missing:
            options = info.enum(m)
            parts.append(P.humanize(m) + (f" (one of {', '.join(P.render_value(o) for o in options)})" if options else ""))
        return say.text(f"To {info.phrase}, I still need the following: {'; '.join(parts)}. Could you provide it?")
    args = _ordered(info, args)

    if info.is_transfer:
        return say.call(info.name, args)
    if info.kind == "read":
        return say.call(info.name, args)

    # a write: look up what it acts on, then ask for confirmation
    for k, v in args.items():
        if not (k.endswith("_id") and k != "user_id" and isinstance(v, str)):
            continue
        reader = _reader_for(tools, k)
        if reader is None or reader.name == info.name:
            continue
        done = [c for c in view.calls if c.call.name == reader.name and c.call.arguments.get(k) == v and c.content is not None]
        if not done:
            return say.call(reader.name, {k: v})
        if not any(c.ok for c in done):
            return say.text(f"I'm sorry, I could not {info.phrase}: {done[-1].content}. {ANYTHING_ELSE}")
    if rng.random() < rates.agent_skip_confirmation:
        return say.call(info.name, args)
    return say.text(
        f"Please confirm: I will {P.render_clause(info.name, args)}. Shall I go ahead (yes/no)?"
    )


def _matches_request(rec: CallRecord, view: AgentView) -> bool:
    req = None
    for pos in reversed(view.user_positions):
        found = P.parse_requests(view.text(pos), view.tools)
        if found:
            req = found
            break
    return bool(req) and any(r.tool == rec.call.name for r in req)


def _is_unserved(view: AgentView, text: str) -> bool:
    """A user message asking for something that names no tool (and is no answer to a question)."""
    if P.parse_requests(text, view.tools) or _is_yes(text) or _NEGATIVE_RE.search(text):
        return False
    if P.pairs_dict(P.parse_pairs(text)) or P.says_dont_know(text) or P.has_stop(text):
        return False
    return "?" in text or bool(re.search(r"\b(could you|can you|i'?d like|i want|please)\b", text, re.IGNORECASE))


def _unserved(view: AgentView) -> int:
    """How many user messages asked for something no tool does."""
    return sum(1 for pos in view.user_positions if _is_unserved(view, view.text(pos)))


def _summary(view: AgentView) -> str:
    asked = [r for pos in view.user_positions for r in P.parse_requests(view.text(pos), view.tools)]
    wanted = [view.tools[r.tool].phrase for r in asked if not view.tools[r.tool].is_transfer]
    if wanted:
        return f"The user asked to be transferred to a human agent after these requests: {', '.join(wanted)}."
    return "The user asked to be transferred to a human agent."


def _transfer(view: AgentView, say: _Say, summary: str) -> ChatReply:
    tool = _transfer_tool(view.tools)
    assert tool is not None
    args: dict[str, Any] = {}
    for p in tool.required:
        schema = tool.params.get(p) or {}
        args[p] = summary if schema.get("type", "string") == "string" else None
    return say.call(tool.name, args)


def _is_yes(text: str) -> bool:
    return is_affirmative(text)


def respond(messages: list[Message], tools: list[dict] | None, rng: random.Random, rates: SimulatorConfig) -> ChatReply:
    """The simulated agent's next reply: text, or one tool call (or a malformed one)."""
    view = read_conversation(messages, tools or [])
    return decide(view, rng, rates)
