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
from typing import Any

from builder.conversation_protocol import has_stop
from builder.llm.types import ChatReply, Message, ToolCall, ToolCallParseError
from builder.simulator import phrases
from builder.simulator.agent_view import (
    AUTH_VERBS, AgentView, CallRecord, Request, auth_candidates, authenticated, latest_request, matches_request, ordered,
    profile_tool, read_conversation, reader_for, transfer_tool, user_facts,
)
from builder.simulator.config import SimulatorConfig
from domains.framework.policy import PERSON_ID_KEYS, is_affirmative

__all__ = ["respond", "decide", "ANYTHING_ELSE"]

ANYTHING_ELSE = "Is there anything else I can help you with?"
_ASK_HUMAN_RE = re.compile(r"\b(human|representative|supervisor|real person)\b", re.IGNORECASE)
_NEGATIVE_RE = re.compile(r"^\W*(no|nope|don'?t|do not|wait|stop)\b", re.IGNORECASE)


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


def _wrong(info: phrases.ToolInfo, args: dict[str, Any], rng: random.Random) -> dict[str, Any]:
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
    if phrases.nudge_value(args, rng, exclude=frozenset({"user_id"})):
        return args
    strs = [k for k, v in args.items() if isinstance(v, str) and k != "user_id"]
    if strs:
        k = rng.choice(strs)
        args[k] = args[k] + " (updated)"
    return args


def _ask_identity(view: AgentView, tried_all: bool) -> ChatReply:
    cands = auth_candidates(view.tools)
    preferred = [t for t in cands if t.name.lower().startswith(AUTH_VERBS)] or cands
    options = [phrases.join_words([phrases.humanize(p) for p in t.required]) for t in preferred]
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
    return phrases.render_value(value)


def _report(rec: CallRecord, info: phrases.ToolInfo, rng: random.Random, rates: SimulatorConfig) -> str:
    clause = phrases.render_clause(info.name, rec.call.arguments)
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
    """The one next thing a careful agent does, in order of precedence."""
    say = _Say(view, rng, rates)
    request = latest_request(view)
    reply = _after_tool_result(view, say, request)
    if reply is not None:
        return reply
    user_id = authenticated(view)
    if user_id is None:
        if auth_candidates(view.tools):
            return _identify(view, say)
        user_id = ""  # a domain without identification
    reply = _read_profile(view, say, user_id) or _answer_to_proposal(view, say, request)
    if reply is not None:
        return reply
    if request is None:
        return _without_request(view, say)
    return _serve(view, say, request, user_id)


def _after_tool_result(view: AgentView, say: _Say, request: Request | None) -> ChatReply | None:
    """A tool result just came back: report a write, a transfer or a read the user asked for;
    after a failed identification ask again; after another failure, apologise."""
    last = view.messages[-1] if view.messages else None
    if last is None or last.role != "tool":
        return None
    rec = next((c for c in view.calls if c.call.id == last.tool_call_id), None)
    if rec is None or rec.malformed:
        return None
    info = view.tools.get(rec.call.name)
    if info is None:
        return say.text(f"I'm sorry, something went wrong on my side: {rec.content}. {ANYTHING_ELSE}")
    asked_read = info.kind == "read" and not info.is_transfer and matches_request(rec, view)
    if info.kind == "write" or info.is_transfer or asked_read:
        return say.text(_report(rec, info, say.rng, say.rates))
    if not rec.ok and rec.call.name in {t.name for t in auth_candidates(view.tools)} and authenticated(view) is None:
        return _ask_identity(view, tried_all=True)
    if not rec.ok and request is not None:
        return say.text(f"I'm sorry, I could not {request.tool.phrase}: {rec.content}. {ANYTHING_ELSE}")
    return None


def _user_text(view: AgentView) -> str:
    return view.last_user[1] if view.last_user else ""


def _identify(view: AgentView, say: _Say) -> ChatReply:
    """Call an identification tool not tried yet with the facts the user gave, else ask for them
    (or transfer a user who asks for a human first)."""
    cands = auth_candidates(view.tools)
    vocabulary = {p for t in cands for p in t.params}
    facts = user_facts(view, vocabulary)
    tried = {(c.call.name, json.dumps(c.call.arguments, sort_keys=True)) for c in view.calls if not c.malformed}
    for t in cands:
        if all(p in facts for p in t.required):
            args = {p: facts[p] for p in t.params if p in facts}
            if (t.name, json.dumps(args, sort_keys=True)) not in tried:
                return say.call(t.name, args)
    if _ASK_HUMAN_RE.search(_user_text(view)) and transfer_tool(view.tools):
        return _transfer(view, say, "The user asked for a human agent before being identified.")
    return _ask_identity(view, tried_all=bool(tried))


def _read_profile(view: AgentView, say: _Say, user_id: str) -> ChatReply | None:
    """Read the identified user's profile, once."""
    profile = profile_tool(view.tools)
    if user_id and profile is not None and not any(
        c.call.name == profile.name and c.content is not None and c.call.arguments.get("user_id") == user_id
        for c in view.calls if not c.malformed
    ):
        return say.call(profile.name, {"user_id": user_id})
    return None


def _answer_to_proposal(view: AgentView, say: _Say, request: Request | None) -> ChatReply | None:
    """The user answered the write the agent proposed: call it on "yes", ask what to change on "no"."""
    mine, last_user = view.my_last_text, view.last_user
    if mine is None or last_user is None or last_user[0] <= mine[0] or not phrases.is_confirmation_request(mine[1]):
        return None
    user_text = last_user[1]
    proposed = phrases.parse_requests(mine[1], view.tools)
    if proposed and _is_yes(user_text):
        info = view.tools[proposed[0].tool]
        args = ordered(info, proposed[0].args)
        if say.rng.random() < say.rates.agent_wrong_argument:
            args = _wrong(info, args, say.rng)
        return say.call(info.name, args)
    if proposed and _NEGATIVE_RE.search(user_text) and (request is None or request.position < last_user[0]):
        return say.text("I see. What would you like me to change?")
    return None


def _without_request(view: AgentView, say: _Say) -> ChatReply:
    """No request to serve: greet, transfer on demand, decline what no tool does, or ask what else."""
    if view.last_user is None:
        return say.text("Hello! How can I help you today?")
    user_text = _user_text(view)
    if _ASK_HUMAN_RE.search(user_text) and transfer_tool(view.tools):
        return _transfer(view, say, "The user asked to speak with a human agent.")
    if _is_unserved(view, user_text):
        if _unserved(view) >= 2 and transfer_tool(view.tools):
            return _transfer(view, say, "The user asked for something I cannot do with my tools.")
        return say.text(f"I'm sorry, I can't help with that request. {ANYTHING_ELSE}")
    if any(phrases.parse_requests(view.text(u), view.tools) for u in view.user_positions):
        return say.text(ANYTHING_ELSE)
    return say.text("Thank you. How can I help you today?")


def _serve(view: AgentView, say: _Say, request: Request, user_id: str) -> ChatReply:
    """The current request: complete its arguments (or ask for what is missing), then call a read
    or a transfer at once, and prepare a write."""
    info = request.tool
    args = dict(request.args)
    for k, v in user_facts(view, set(info.params), after=request.position).items():
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
        return _ask_missing(view, say, request, missing)
    args = ordered(info, args)
    if info.is_transfer or info.kind == "read":
        return say.call(info.name, args)
    return _prepare_write(view, say, info, args)


def _ask_missing(view: AgentView, say: _Say, request: Request, missing: list[str]) -> ChatReply:
    """Ask for the missing arguments (listing enum options), or give up when the user said they
    do not know them."""
    info = request.tool
    asked_before = [i for i in view.my_text_positions if i > request.position
                    and phrases.mentions_phrase(view.text(i), info.phrase) and "need" in view.text(i)]
    if asked_before and any(phrases.says_dont_know(view.text(u)) for u in view.user_positions if u > asked_before[-1]):
        names = phrases.join_words([phrases.humanize(m) for m in missing])
        return say.text(f"I'm sorry, I can't {info.phrase} without the {names}. {ANYTHING_ELSE}")
    parts = []
    for m in missing:
        options = info.enum(m)
        parts.append(phrases.humanize(m) + (f" (one of {', '.join(phrases.render_value(o) for o in options)})" if options else ""))
    return say.text(f"To {info.phrase}, I still need the following: {'; '.join(parts)}. Could you provide it?")


def _prepare_write(view: AgentView, say: _Say, info: phrases.ToolInfo, args: dict[str, Any]) -> ChatReply:
    """Look up each record the write acts on, then ask for an explicit yes."""
    for k, v in args.items():
        if not (k.endswith("_id") and k != "user_id" and isinstance(v, str)):
            continue
        reader = reader_for(view.tools, k)
        if reader is None or reader.name == info.name:
            continue
        done = [c for c in view.calls if c.call.name == reader.name and c.call.arguments.get(k) == v and c.content is not None]
        if not done:
            return say.call(reader.name, {k: v})
        if not any(c.ok for c in done):
            return say.text(f"I'm sorry, I could not {info.phrase}: {done[-1].content}. {ANYTHING_ELSE}")
    if say.rng.random() < say.rates.agent_skip_confirmation:
        return say.call(info.name, args)
    return say.text(
        f"Please confirm: I will {phrases.render_clause(info.name, args)}. Shall I go ahead (yes/no)?"
    )


def _is_unserved(view: AgentView, text: str) -> bool:
    """A user message asking for something that names no tool (and is no answer to a question)."""
    if phrases.parse_requests(text, view.tools) or _is_yes(text) or _NEGATIVE_RE.search(text):
        return False
    if phrases.pairs_dict(phrases.parse_pairs(text)) or phrases.says_dont_know(text) or has_stop(text):
        return False
    return "?" in text or bool(re.search(r"\b(could you|can you|i'?d like|i want|please)\b", text, re.IGNORECASE))


def _unserved(view: AgentView) -> int:
    """How many user messages asked for something no tool does."""
    return sum(1 for pos in view.user_positions if _is_unserved(view, view.text(pos)))


def _summary(view: AgentView) -> str:
    asked = [r for pos in view.user_positions for r in phrases.parse_requests(view.text(pos), view.tools)]
    wanted = [view.tools[r.tool].phrase for r in asked if not view.tools[r.tool].is_transfer]
    if wanted:
        return f"The user asked to be transferred to a human agent after these requests: {', '.join(wanted)}."
    return "The user asked to be transferred to a human agent."


def _transfer(view: AgentView, say: _Say, summary: str) -> ChatReply:
    tool = transfer_tool(view.tools)
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
