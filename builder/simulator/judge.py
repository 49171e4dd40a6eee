"""The simulated judge of user stabilisation: scores candidate user replies 0-10.

It reads what the judge prompt gives a real model (through the context tag `{"role": "judge",
"instruction", "conversation", "candidates"}`) and scores each candidate for consistency with
the instruction:
- ends the conversation (`###STOP###`) while the instruction still has unfinished items: 1;
- states a value the instruction does not hold (a drifted request, an invented fact): 2;
- asks for something off-script (a request naming nothing the instruction wants): 3;
- otherwise 10.
With probability `judge_noise` per candidate the score is a random 0-10 instead. The reply is the
JSON `{"scores": [...]}`.
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

__all__ = ["respond", "score_candidate"]

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


def respond(ctx: dict[str, Any], messages: list[Message], rng: random.Random, rates: SimulatorConfig) -> ChatReply:
    instruction = phrases.parse_instruction(str(ctx.get("instruction") or ""))
    turns = _turns(list(ctx.get("conversation") or []))
    scores = []
    for cand in ctx.get("candidates") or []:
        score = score_candidate(instruction, turns, str(cand))
        if rng.random() < rates.judge_noise:
            score = rng.randint(0, 10)
        scores.append(score)
    return ChatReply(content=json.dumps({"scores": scores}))
