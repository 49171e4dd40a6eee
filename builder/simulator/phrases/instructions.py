"""Instructions (generator -> human): one fact per line, rendered and parsed back."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from builder.simulator.phrases.tools import ToolInfo, tool_infos
from builder.simulator.phrases.values import (
    humanize, join_words, pairs_dict, parse_pairs, render_clause, render_value, same_value,
)


_CONNECTORS = ["You want to", "Then you want to", "After that, you want to", "Next, you want to"]
_LAST_CONNECTOR = "Finally, you want to"
_QUESTION_LEAD = "You also want the agent to"
_QUESTION_TAIL = "and tell you the result"
_REQUEST_LINE = re.compile(r"^(?:(?:then|next|finally|after that),?\s+)?you want to\s+(?P<clause>.+?)\s*\.?\s*$", re.IGNORECASE)
_QUESTION_LINE = re.compile(
    r"^you (?:also )?want the agent to\s+(?P<clause>.+?)\s+and tell you the result\s*\.?\s*$", re.IGNORECASE
)
_IDENTITY_LINE = re.compile(r"^your\s", re.IGNORECASE)
_PERSONA_LINE = re.compile(r"^you are\s+(?P<persona>.+?)\s*$", re.IGNORECASE)


def _user_known(value: Any, identity: Mapping[str, Any]) -> bool:
    return any(same_value(value, v) for v in identity.values())


def _scalars(value: Any) -> list[Any]:
    if isinstance(value, Mapping):
        return [x for v in value.values() for x in _scalars(v)]
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _scalars(v)]
    return [value]


def question_indexes(actions: Sequence[Any], outputs: Sequence[str], tools: Mapping[str, ToolInfo],
                     identity: Mapping[str, Any]) -> list[int]:
    """Which read actions the user asks about (whose answers are the outputs): the default rule.

    None when the task has no outputs. Otherwise every read that is neither the agent's own
    bookkeeping — authentication (all arguments are identity facts), the user's profile (only
    `user_id`) — nor a lookup of something a later action acts on (one of its argument values
    appears, at any depth, in a later action's arguments). With more such reads than outputs,
    the ones kept are, in turn: not lookups or listings (only `*_id` arguments, or none), known to
    return a scalar (when the tool says, e.g. a `ToolSpec`), with the fewest arguments (a
    computation over one expression rather than a search).
    Generators that know which reads the outputs come from should pass them instead
    (`render_instruction(..., questions=...)`).
    """
    if not outputs:
        return []
    out = []
    for i, action in enumerate(actions):
        info = tools.get(action.name)
        if info is None or info.kind != "read" or info.is_transfer:
            continue
        args = dict(action.arguments)
        if args and all(_user_known(v, identity) or k == "user_id" for k, v in args.items()):
            continue
        later = [x for a in actions[i + 1:] for x in _scalars(a.arguments)]
        if any(same_value(v, w) for v in _scalars(args) for w in later):
            continue
        out.append(i)
    k = len(outputs)
    for i in list(out):  # lookups and listings lead to the figures: drop them first
        if len(out) <= k:
            break
        if all(name.endswith(("_id", "_ids")) for name in actions[i].arguments):
            out.remove(i)
    known = [i for i in out if tools[actions[i].name].returns_scalar is not None]
    if len(out) > k and known:
        for i in list(out):
            if len(out) <= k:
                break
            if tools[actions[i].name].returns_scalar is False:
                out.remove(i)
    if len(out) > k:
        keep = sorted(out, key=lambda i: len(actions[i].arguments))[:k]
        out = [i for i in out if i in keep]
    return out


def render_instruction(
    identity: Mapping[str, Any],
    persona: str,
    actions: Sequence[Any],
    outputs: Sequence[str],
    tools: Any,
    omit: Iterable[str] = frozenset(),
    *,
    questions: Iterable[int] | None = None,
) -> str:
    """The instruction a generator writes for a simulated user, in the second person.

    - `identity`: facts the user can give to be identified (`{"email": ...}`, or first/last name
      and zip, or a user id); `persona`: how they talk.
    - `actions`: the blueprint's gold actions (`Action`s or objects with `.name`/`.arguments`);
      every write becomes a request with its argument values, in order; a `transfer` tool
      becomes a request to be transferred, last (a transfer ends the conversation) and without
      arguments (the agent writes its own summary).
    - `outputs`: facts the agent must tell; when there are any, the reads chosen by
      `question_indexes` (or the explicit `questions`) become questions whose answers they are.
      The outputs themselves are never written in (the user does not know the answers).
    - `tools`: the domain's tools (see `tool_infos`); `omit`: argument names left out on purpose
      (the "vague instruction" mistake).

    Arguments named `user_id` are left out when the user identifies with something else: the
    agent learns the id by authenticating.
    """
    infos = tool_infos(tools)
    omit = set(omit)
    lines: list[str] = []
    if persona:
        p = persona.strip().rstrip(".")
        if len(p) > 1 and (p[1].islower() or p[1] == " "):
            p = p[0].lower() + p[1:]
        lines.append(f"You are {p}.")
    if identity:
        facts = [f"your {humanize(k)} is {render_value(v)}" for k, v in identity.items() if k not in omit]
        if facts:
            text = join_words(facts)
            lines.append(text[0].upper() + text[1:] + ".")
    qset = set(questions) if questions is not None else set(question_indexes(actions, outputs, infos, identity))
    writes = [i for i, a in enumerate(actions)
              if infos.get(a.name) is not None and infos[a.name].kind == "write" and not infos[a.name].is_transfer]
    transfers = [i for i, a in enumerate(actions) if infos.get(a.name) is not None and infos[a.name].is_transfer]
    asked = [i for i in range(len(actions)) if i in qset and i not in writes and i not in transfers]

    def shown(a: Any) -> dict[str, Any]:
        return {k: v for k, v in a.arguments.items()
                if k not in omit and not (k == "user_id" and "user_id" not in identity)}

    for n, i in enumerate(writes):
        if n == 0:
            lead = _CONNECTORS[0]
        elif n == len(writes) - 1 and n >= 2:
            lead = _LAST_CONNECTOR
        else:
            lead = _CONNECTORS[1 + (n - 1) % (len(_CONNECTORS) - 1)]
        lines.append(f"{lead} {render_clause(actions[i].name, shown(actions[i]))}.")
    for i in asked:
        lines.append(f"{_QUESTION_LEAD} {render_clause(actions[i].name, shown(actions[i]))} {_QUESTION_TAIL}.")
    # a transfer ends the conversation: it comes last, and the agent writes its own summary
    for i in transfers[:1]:
        lead = _CONNECTORS[0] if not writes and not asked else _LAST_CONNECTOR
        lines.append(f"{lead} {humanize(actions[i].name)}.")
    if writes or asked or transfers:
        lines.append("You do not know anything that is not written here; if you are asked for it, say so.")
    return "\n".join(lines)


@dataclass(frozen=True)
class Clause:
    """One thing the user wants: `phrase` (humanised tool name as written) with arguments."""

    kind: str  # request | question
    phrase: str
    args: dict[str, Any]
    text: str  # the clause as written, e.g. 'cancel pending order with order id "#W1"'
    index: int = 0  # position among the instruction's clauses


@dataclass(frozen=True)
class Instruction:
    persona: str = ""
    identity: dict[str, Any] = field(default_factory=dict)
    clauses: tuple[Clause, ...] = ()

    @property
    def requests(self) -> list[Clause]:
        return [c for c in self.clauses if c.kind == "request"]

    @property
    def questions(self) -> list[Clause]:
        return [c for c in self.clauses if c.kind == "question"]

    def known_values(self) -> list[Any]:
        out = list(self.identity.values())
        for c in self.clauses:
            out += list(c.args.values())
        return out


def split_clause(text: str) -> tuple[str, dict[str, Any]]:
    """'cancel pending order with order id "#W1"' -> ("cancel pending order", {"order_id": "#W1"})."""
    m = re.search(r"\s+with\s+", text)
    phrase = text[: m.start()] if m else text
    pairs = parse_pairs(text, start=m.start() if m else len(text))
    return " ".join(phrase.lower().split()), pairs_dict(pairs)


def parse_instruction(text: str) -> Instruction:
    """Identity, persona, requests and questions from an instruction written by `render_instruction`.

    Lines it does not understand are ignored (a human LLM would read them as colour).
    """
    persona = ""
    identity: dict[str, Any] = {}
    clauses: list[Clause] = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        q = _QUESTION_LINE.match(line)
        if q:
            phrase, args = split_clause(q.group("clause"))
            clauses.append(Clause("question", phrase, args, q.group("clause"), len(clauses)))
            continue
        r = _REQUEST_LINE.match(line)
        if r:
            phrase, args = split_clause(r.group("clause"))
            clauses.append(Clause("request", phrase, args, r.group("clause"), len(clauses)))
            continue
        if _IDENTITY_LINE.match(line):
            identity.update(pairs_dict(parse_pairs(line)))
            continue
        p = _PERSONA_LINE.match(line)
        if p and not persona:
            persona = p.group("persona").rstrip(".")
    return Instruction(persona=persona, identity=identity, clauses=tuple(clauses))
