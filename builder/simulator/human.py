"""The simulated human: plays a customer from the instruction alone, one turn at a time.

It is given exactly what a human LLM is given — the instruction (through the prompt's context tag) and
the conversation so far, in which the agent's words are `user` messages and its own are
`assistant` messages — and it is stateless: every turn it re-reads its own past messages to know
where it is. Its behaviour:

- opens with its first request (no details it was not asked for: identity comes when asked);
- gives identity facts when the agent asks to verify them (those the agent names, else all);
- states one request (or question) at a time, in instruction order, with the values it knows
  (half the time only the request, giving its values when the agent asks for the details);
- answers a confirmation with an explicit "yes" only when the proposal names the tool it wants
  with the values it wants; otherwise "No, ..." and restates;
- when asked for a detail it does not know, says so (it never invents a value);
- ends with `###STOP###` when everything is done, `###TRANSFER###` when the agent transferred it.

Mistakes, each decided once per conversation at a fixed point (so the rate is per conversation):
- `user_drift`: when it first states its first request, it asks for something else (drops an
  element of a list, swaps in another value from its instruction, or mistypes an identifier; with
  nothing to alter, it asks for something off-script);
- `user_early_stop`: instead of confirming its last request (or, for a task of questions only,
  instead of identifying itself) it ends the conversation.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

from builder.conversation_protocol import OPENING_CUE, STOP, TRANSFER, has_stop
from builder.llm.types import ChatReply, Message
from builder.simulator import phrases
from builder.simulator.config import SimulatorConfig
from domains.framework.policy import is_affirmative

__all__ = ["respond", "decide", "analyse", "args_after", "match_proposal", "drift", "HumanView", "Item", "turns_from_messages", "MAX_STATEMENTS"]

#: A request stated this many times without being handled is given up.
MAX_STATEMENTS = 3
#: How often a request is first stated without its details, which are given when the agent asks.
DETAILS_WHEN_ASKED = 0.5

_GREETINGS = ["Hi! ", "Hello, ", "Hi there. ", "Good day. ", ""]
_CLOSINGS = [
    "Thanks, that's everything I needed.",
    "Great, thank you for your help.",
    "Thank you, that's all for today.",
]
_EARLY_STOPS = [
    "Actually, let's leave it there for now, I need to think it over.",
    "Hmm, I'll come back to this later.",
]
_OFF_SCRIPT = [
    "Could you also give me a discount on my next purchase?",
    "Can you also upgrade my account to a premium membership for free?",
]
_HUMAN_RE = re.compile(r"\b(human|representative|supervisor|manager)\b", re.IGNORECASE)


@dataclass
class Item:
    """One clause of the instruction and how far the conversation got with it."""

    clause: phrases.Clause
    wanted: dict[str, Any]
    statements: int = 0
    finished: bool = False
    confirmed: bool = False

    @property
    def phrase(self) -> str:
        return self.clause.phrase

    @property
    def is_request(self) -> bool:
        return self.clause.kind == "request"

    def text(self, args: dict[str, Any] | None = None) -> str:
        args = self.wanted if args is None else args
        return f"{self.phrase} with {phrases.render_args(args)}" if args else self.phrase


@dataclass
class HumanView:
    instruction: phrases.Instruction
    items: list[Item]
    turns: list[tuple[str, str]]  # ("agent" | "me", text)
    given_identity: set[str] = field(default_factory=set)
    current: Item | None = None
    stopped: bool = False

    def pending(self) -> Item | None:
        return next((it for it in self.items if not it.finished), None)

    @property
    def my_turns(self) -> int:
        return sum(1 for s, _ in self.turns if s == "me")

    @property
    def last_agent(self) -> str:
        for s, t in reversed(self.turns):
            if s == "agent":
                return t
        return ""

    def last_request_item(self) -> Item | None:
        requests = [it for it in self.items if it.is_request]
        return requests[-1] if requests else None


def turns_from_messages(messages: list[Message]) -> list[tuple[str, str]]:
    """The human's view: its own words are `assistant`, the agent's are `user`; the system prompt
    and the opening cue (a stage direction, not the agent's words) skipped."""
    turns = []
    for m in messages:
        if m.role == "assistant" and m.content:
            turns.append(("me", m.content))
        elif m.role == "user" and m.content and m.content != OPENING_CUE:
            turns.append(("agent", m.content))
    return turns


def args_after(text: str, phrase: str) -> dict[str, Any]:
    m = re.search(r"(?<!\w)" + r"[\s_]+".join(re.escape(w) for w in phrase.split()) + r"(?!\w)", text, re.IGNORECASE)
    if not m:
        return {}
    return phrases.pairs_dict(phrases.parse_pairs(text, start=m.end()))


def match_proposal(items: list[Item], text: str, current: Item | None) -> Item | None:
    """The item an agent's proposal is about: same phrase, preferring the one whose values match."""
    same = [it for it in items if phrases.mentions_phrase(text, it.phrase)]
    if not same:
        return None
    for it in same:
        if not it.finished and phrases.args_match(it.wanted, args_after(text, it.phrase)):
            return it
    if current is not None and current in same:
        return current
    unfinished = [it for it in same if not it.finished]
    return (unfinished or same)[0]


def _stated_item(view: HumanView, text: str) -> Item | None:
    same = [it for it in view.items if phrases.mentions_phrase(text, it.phrase)]
    if not same:
        return None
    pending = view.pending()
    if pending in same:
        return pending
    return next((it for it in same if not it.finished), same[0])


def analyse(instruction: phrases.Instruction, turns: list[tuple[str, str]]) -> HumanView:
    """Replay the conversation from the human's side: what it has said, what is done."""
    items = [Item(c, dict(c.args)) for c in instruction.clauses]
    view = HumanView(instruction=instruction, items=items, turns=turns)
    last_agent = ""
    for speaker, text in turns:
        if speaker == "agent":
            if not phrases.is_confirmation_request(text):
                for it in items:
                    if it.statements and not it.finished and phrases.mentions_phrase(text, it.phrase) and (
                        phrases.is_done_report(text) or phrases.is_failure_report(text)
                    ):
                        it.finished = True
                cur = view.current
                # a question is answered by the agent's next report, whatever words it uses
                if cur is not None and not cur.is_request and cur.statements and not cur.finished and (
                    phrases.is_done_report(text) or phrases.is_failure_report(text)
                ):
                    cur.finished = True
            last_agent = text
            continue
        if has_stop(text):
            view.stopped = True
        said = phrases.pairs_dict(phrases.parse_pairs(text))
        for k, v in instruction.identity.items():
            if k in said and phrases.same_value(said[k], v):
                view.given_identity.add(k)
        if last_agent and phrases.is_confirmation_request(last_agent) and _is_yes(text):
            it = match_proposal(items, last_agent, view.current)
            if it is not None:
                it.confirmed = it.finished = True
        stated = _stated_item(view, text)
        if stated is not None:
            args = args_after(text, stated.phrase)
            if args:
                stated.wanted = args
            stated.statements += 1
            view.current = stated
            if stated.statements > MAX_STATEMENTS:
                stated.finished = True
        elif phrases.says_dont_know(text) and view.current is not None and not view.current.finished \
                and not phrases.is_identity_request(last_agent):
            view.current.finished = True  # asked for something it does not know: gives up on it
    return view


def _is_yes(text: str) -> bool:
    return is_affirmative(text)


# ---------------------------------------------------------------------------------------------
# Drift: asking for something the instruction does not say
# ---------------------------------------------------------------------------------------------
def drift(item: Item, instruction: phrases.Instruction, rng: random.Random) -> dict[str, Any] | None:
    """A changed version of the item's arguments, or None when there is nothing to change."""
    args = dict(item.wanted)
    lists = [k for k, v in args.items() if isinstance(v, list) and len(v) >= 2]
    if lists:
        k = rng.choice(lists)
        args[k] = args[k][:-1]
        return args
    others: list[tuple[str, Any]] = []
    for k, v in args.items():
        if isinstance(v, (list, dict, bool)) or v is None:
            continue
        for c in instruction.clauses:
            w = c.args.get(k)
            if w is not None and type(w) is type(v) and not phrases.same_value(w, v):
                others.append((k, w))
    if others:
        k, w = rng.choice(others)
        args[k] = w
        return args
    return args if phrases.nudge_value(args, rng) else None


# ---------------------------------------------------------------------------------------------
# The turn
# ---------------------------------------------------------------------------------------------
def _identity_sentence(instruction: phrases.Instruction, keys: list[str]) -> str:
    parts = [f"my {phrases.humanize(k)} is {phrases.render_value(instruction.identity[k])}" for k in keys]
    text = phrases.join_words(parts)
    return text[0].upper() + text[1:] + "."


_DETAILS_RE = re.compile(r"need the following:\s*(.+?)\.\s*(?:could|can|would|please|$)", re.IGNORECASE | re.DOTALL)


def _asked_details(text: str) -> list[str] | None:
    """The details an agent lists as needed ("I still need the following: a; b (one of ...)."),
    humanised and lower-case, or None when the message lists none that way."""
    m = _DETAILS_RE.search(text)
    if not m:
        return None
    names = []
    for part in m.group(1).split(";"):
        name = re.sub(r"\(.*?\)", "", part, flags=re.DOTALL).strip().lower()
        if name:
            names.append(name)
    return names or None


def _statement(item: Item, args: dict[str, Any], first: bool, rng: random.Random, with_details: bool = True) -> str:
    greet = rng.choice(_GREETINGS) if first else ""
    text = item.text(args) if with_details else item.phrase
    if item.is_request:
        return f"{greet}I'd like to {text}."
    return f"{greet}Could you {text} and tell me the result?"


def decide(instruction: phrases.Instruction, turns: list[tuple[str, str]], rng: random.Random,
           rates: SimulatorConfig) -> str:
    """The human's next message, in order of precedence."""
    view = analyse(instruction, turns)
    last = view.last_agent
    if view.stopped:
        return STOP
    if phrases.is_transfer_notice(last):
        return TRANSFER
    if phrases.is_confirmation_request(last):
        return _answer_proposal(view, last, rng, rates)
    cur = view.current
    asking_details = cur is not None and not cur.finished and phrases.mentions_phrase(last, cur.phrase)
    identity_keys = list(instruction.identity)
    if identity_keys and not asking_details and phrases.is_identity_request(last, identity_keys):
        return _identify(view, instruction, last, rng, rates)
    if asking_details and "?" in last:
        return _give_details(cur, last)
    return _next_want(view, instruction, last, rng, rates)


def _answer_proposal(view: HumanView, last: str, rng: random.Random, rates: SimulatorConfig) -> str:
    """Yes to a proposal of exactly what it wants (or, once, an early stop instead of the last
    yes); otherwise no, and what it wants instead."""
    it = match_proposal(view.items, last, view.current)
    if it is None:
        target = view.pending()
        tail = f" I'd like to {target.text()}." if target is not None and target.is_request else ""
        return "No, I didn't ask for that." + tail
    proposal = args_after(last, it.phrase)
    if it.finished and not it.confirmed:
        return "No, let's drop that one."
    if phrases.args_match(it.wanted, proposal):
        if it is view.last_request_item() and rng.random() < rates.user_early_stop:
            return f"{rng.choice(_EARLY_STOPS)} {STOP}"
        return "Yes, please go ahead."
    return f"No, that's not right. I'd like to {it.text()}."


def _identify(view: HumanView, instruction: phrases.Instruction, last: str, rng: random.Random,
              rates: SimulatorConfig) -> str:
    """The identity facts the agent asks for (those it names, else all) that were not given yet."""
    identity_keys = list(instruction.identity)
    low = last.lower()
    asked = [k for k in identity_keys if phrases.humanize(k).lower() in low]
    fresh = [k for k in (asked or identity_keys) if k not in view.given_identity]
    if not fresh:
        fresh = [k for k in identity_keys if k not in view.given_identity]
    if not fresh:
        return "I have already given you everything I have: " + _identity_sentence(instruction, identity_keys)
    if not view.given_identity and not any(it.is_request for it in view.items) \
            and rng.random() < rates.user_early_stop:
        return f"{rng.choice(_EARLY_STOPS)} {STOP}"  # a task of questions only: stops here
    return _identity_sentence(instruction, fresh)


def _give_details(cur: Item, last: str) -> str:
    """A question about the current request's details: everything it knows about the request,
    and "I don't know" for what it was not told."""
    low = last.lower()
    listed = _asked_details(last)
    if listed is not None:
        known_names = {phrases.humanize(k).lower() for k in cur.wanted}
        unknown = [n for n in listed if n not in known_names]
        mentioned = len(unknown) < len(listed)
    else:
        unknown = []
        mentioned = any(phrases.humanize(k).lower() in low for k in cur.wanted)
    parts = []
    if mentioned and cur.wanted:
        parts.append(f"Here it is: {phrases.render_args(cur.wanted)}.")
    if unknown or not parts:
        what = f"the {phrases.join_words(unknown)}" if unknown else "that"
        parts.append(f"Sorry, I don't know {what}; I don't have that information.")
    return " ".join(parts)


def _next_want(view: HumanView, instruction: phrases.Instruction, last: str, rng: random.Random,
               rates: SimulatorConfig) -> str:
    """The next thing it wants, stated the first time (drifting from it, once, at the first
    request), restated after that; a closing stop when nothing is left."""
    pending = view.pending()
    if pending is None:
        return f"{rng.choice(_CLOSINGS)} {STOP}"
    first = view.my_turns == 0
    if pending.statements == 0:
        requests = [it for it in view.items if it.is_request]
        if requests and pending is requests[0] and rng.random() < rates.user_drift:
            changed = drift(pending, instruction, rng)
            if changed is None:
                return (rng.choice(_GREETINGS) if first else "") + rng.choice(_OFF_SCRIPT)
            return _statement(pending, changed, first, rng)
        # details up front, or only when the agent asks for them
        return _statement(pending, pending.wanted, first, rng, with_details=rng.random() >= DETAILS_WHEN_ASKED)
    if _HUMAN_RE.search(last or "") and phrases.is_failure_report(last):
        return "Please transfer me to a human agent."
    return f"As I said, I'd like to {pending.text()}." if pending.is_request else \
        f"As I asked, could you {pending.text()} and tell me the result?"


def respond(ctx: dict[str, Any], messages: list[Message], rng: random.Random, rates: SimulatorConfig) -> ChatReply:
    """The simulated human's reply, given the context tag `{"role": "human", "instruction": ...}`."""
    instruction = phrases.parse_instruction(str(ctx.get("instruction") or ""))
    turns = turns_from_messages(messages)
    return ChatReply(content=decide(instruction, turns, rng, rates))
