"""The simulated judge: scores candidate user replies (stabilisation) and says who made a failed
conversation fail (attribution).

Stabilisation: it reads what the judge prompt gives a real model (through the context tag
`{"role": "judge", "instruction", "conversation", "candidates"}`) and scores each candidate for
consistency with the instruction:
- ends the conversation (`###STOP###`) while the instruction still has unfinished items: 1;
- states a value the instruction does not hold (a drifted request, an invented fact): 2;
- asks for something off-script (a request naming nothing the instruction wants): 3;
- otherwise 10.
With probability `judge_noise` per candidate the score is a random 0-10 instead. The reply is the
JSON `{"scores": [...]}`.

Attribution (context tag `{"role": "judge", "question": "attribution", ...}`): it reads the user's
messages with the phrasebook, so it only understands users that speak it (the simulated human):
- `drift`: the user asked for a write that is not in the gold actions (another tool, or other
  values than the gold action's for the arguments it stated);
- `early_stop`: the user sent the stop marker while the agent waited for its answer (to a
  confirmation or an identity check), or without ever saying something its instruction asked it
  to (a request or question of the instruction; for an instruction in free prose, a gold write),
  with no wrong write by the agent.
Any of these makes the culprit the user; else the agent, or `unclear` when the phrasebook reads
neither the instruction nor a request. The reply is the JSON of a `builder.records.Blame`.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any

from builder.conversation_protocol import STOP, has_stop, has_transfer
from builder.llm.types import ChatReply, Message
from builder.simulator import human, phrases
from builder.simulator.config import SimulatorConfig

__all__ = ["respond", "score_candidate", "attribute"]

_REQUEST_WORDS = re.compile(r"\b(could you|can you|i'?d like|i want|please)\b", re.IGNORECASE)


def _turns(conversation: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [("me" if m.get("role") == "user" else "agent", str(m.get("content") or "")) for m in conversation]


def score_candidate(instruction: phrases.Instruction, turns: list[tuple[str, str]], candidate: str) -> int:
    """How consistent one candidate reply is with the instruction, 0-10."""
    if has_transfer(candidate):
        return 10 if phrases.is_transfer_notice(human.HumanView(instruction, [], turns).last_agent) else 2
    view = human.analyse(instruction, turns)
    if has_stop(candidate):
        after = human.analyse(instruction, [*turns, ("me", candidate.replace(STOP, ""))])
        return 10 if after.pending() is None else 1
    known = [phrases.canonical_value(v) for v in instruction.known_values()]
    for pair in phrases.parse_pairs(candidate):
        if phrases.canonical_value(pair.value) not in known:
            return 2
    named = [it for it in view.items if phrases.mentions_phrase(candidate, it.phrase)]
    if named:
        stated = human.args_after(candidate, named[0].phrase)
        if stated and not any(phrases.args_match(stated, it.clause.args) and phrases.args_match(it.clause.args, stated)
                              for it in named):
            return 2
    names_item = bool(named)
    if not names_item and not phrases.parse_pairs(candidate) and _REQUEST_WORDS.search(candidate) \
            and not phrases.says_dont_know(candidate) and "yes" not in candidate.lower():
        return 3
    return 10


def _requests(turns: list[dict[str, Any]], tools: dict[str, dict]) -> list[phrases.ParsedRequest]:
    out = []
    for t in turns:
        if t["speaker"] == "customer" and t.get("text"):
            out += phrases.parse_requests(t["text"], tools)
    return out


def _matches(name: str, args: dict, actions: list[dict[str, Any]]) -> bool:
    return any(a["name"] == name and phrases.args_match(args, a.get("arguments") or {}) for a in actions)


def _user_mistakes(ctx: dict[str, Any]) -> tuple[list[dict[str, str]], bool]:
    """The user's mistakes the phrasebook finds, and whether it could read the task at all."""
    tools = dict(ctx.get("tools") or {})
    actions = list(ctx.get("actions") or [])
    turns = list(ctx.get("turns") or [])
    infos = phrases.tool_infos(tools)
    writes = {n for n, t in infos.items() if t.kind == "write" or t.is_transfer}
    mistakes: list[dict[str, str]] = []
    requests = _requests(turns, tools)
    drifted = [r for r in requests if r.tool in writes and not _matches(r.tool, r.args, actions)]
    if drifted:
        r = drifted[0]
        mistakes.append({"kind": "drift", "reason": f"the user asked to {phrases.render_clause(r.tool, r.args)}, "
                                                    "which the task does not contain"})
    clauses = phrases.parse_instruction(str(ctx.get("instruction") or "")).clauses
    if ctx.get("end_reason") == "stop":
        last_user = max((i for i, t in enumerate(turns) if t["speaker"] == "customer"), default=0)
        agent_texts = [t["text"] for t in turns[:last_user] if t["speaker"] == "agent" and t.get("text")]
        waiting = bool(agent_texts) and (phrases.is_confirmation_request(agent_texts[-1])
                                         or phrases.is_identity_request(agent_texts[-1]))
        done = [t for t in turns if t["speaker"] == "tool" and t.get("ok")]
        wrong_write = any(t["name"] in writes and not any(
            a["name"] == t["name"] and phrases.same_value(a.get("arguments") or {}, t.get("arguments") or {})
            for a in actions) for t in done)
        user_texts = [t.get("text") or "" for t in turns if t["speaker"] == "customer"]
        if clauses:  # what the instruction told the user to say, and the user never said
            unsaid = [c.phrase for c in clauses if not any(phrases.mentions_phrase(t, c.phrase) for t in user_texts)]
        elif requests:  # an instruction in free prose: the gold writes the user never asked for
            asked = {r.tool for r in requests}
            unsaid = [phrases.humanize(a["name"]) for a in actions if a["name"] in writes and a["name"] not in asked]
        else:
            unsaid = []
        if waiting or (unsaid and not wrong_write):
            what = "while the agent waited for its answer" if waiting else \
                f"without asking to {', '.join(dict.fromkeys(unsaid))}"
            mistakes.append({"kind": "early_stop", "reason": f"the user ended the conversation {what}"})
    return mistakes, bool(clauses or requests)


def attribute(ctx: dict[str, Any]) -> dict[str, Any]:
    """Who made the conversation fail, from the phrasebook's reading of the user's messages."""
    mistakes, readable = _user_mistakes(ctx)
    if mistakes:
        return {"culprit": "user", "reason": "; ".join(m["reason"] for m in mistakes), "user_mistakes": mistakes}
    if not readable:
        return {"culprit": "unclear", "reason": "neither the instruction nor the user's messages are in a form I read",
                "user_mistakes": []}
    return {"culprit": "agent", "reason": "the user asked for what its instruction says and did not stop early",
            "user_mistakes": []}


def respond(ctx: dict[str, Any], messages: list[Message], rng: random.Random, rates: SimulatorConfig) -> ChatReply:
    if ctx.get("question") == "attribution":
        return ChatReply(content=json.dumps(attribute(ctx)))
    instruction = phrases.parse_instruction(str(ctx.get("instruction") or ""))
    turns = _turns(list(ctx.get("conversation") or []))
    scores = []
    for cand in ctx.get("candidates") or []:
        score = score_candidate(instruction, turns, str(cand))
        if rng.random() < rates.judge_noise:
            score = rng.randint(0, 10)
        scores.append(score)
    return ChatReply(content=json.dumps({"scores": scores}))
