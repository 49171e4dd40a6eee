"""The simulator playing one reviewer of the committee.

It checks what a careful reviewer checks and can check mechanically: that the instruction
gives the user the identifiers every write needs (every argument, for a write without
identifiers), and that no write is done more often than the instruction asks. It misses
that at `reviewer_miss` and rejects good blueprints at `reviewer_false_reject`, so that the
majority vote matters.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from typing import Any

from builder.llm.types import ChatReply, Message
from builder.prompts.blueprints import RUBRIC
from builder.simulator.config import SimulatorConfig
from builder.simulator.phrases import humanize, parse_instruction, render_value


def _facts(arguments: dict[str, Any]) -> list[str]:
    """The arguments a user must state: the identifiers, or, for a write that takes none (a
    deposit, a new file), every scalar argument."""
    ids = [k for k in arguments if k.endswith("_id") or k.endswith("_ids")]
    if ids:
        return ids
    return [k for k, v in arguments.items()
            if not isinstance(v, dict) and not (isinstance(v, list) and any(isinstance(x, (dict, list)) for x in v))]


def _missing_facts(blueprint: dict[str, Any], tools: dict[str, dict], write_names: set[str]) -> list[str]:
    text = blueprint["instruction"].lower()
    missing = []
    for action in blueprint["actions"]:
        if action["name"] not in write_names:
            continue
        for key in _facts(action["arguments"]):
            value = action["arguments"][key]
            for v in value if isinstance(value, list) else [value]:
                if render_value(v).strip('"').lower() not in text:
                    missing.append(f"{action['name']}.{key} = {v}")
    return missing


def _unasked_writes(blueprint: dict[str, Any], write_names: set[str]) -> list[str]:
    """Writes done more often than the instruction asks for them (e.g. a deposit made twice);
    nothing for an instruction not written in the phrasebook's form (a real generator's)."""
    asked = Counter(c.phrase for c in parse_instruction(blueprint["instruction"]).requests)
    if not asked:
        return []
    done = Counter(humanize(a["name"]).lower() for a in blueprint["actions"] if a["name"] in write_names)
    return [f"{phrase} is done {n} times but asked for {asked[phrase]}" for phrase, n in done.items() if n > asked[phrase]]


def respond(ctx: dict[str, Any], messages: list[Message], rng: random.Random, rates: SimulatorConfig) -> ChatReply:
    blueprint = ctx["blueprint"]
    writes = set(ctx["write_tools"])
    scores = {k: True for k in RUBRIC}
    feedback = []
    missing = _missing_facts(blueprint, ctx["tools"], writes)
    if missing and rng.random() >= rates.reviewer_miss:
        scores["complete"] = False
        feedback.append("the instruction does not tell the user: " + "; ".join(missing))
    extra = _unasked_writes(blueprint, writes)
    if extra and rng.random() >= rates.reviewer_miss:
        scores["correct"] = False
        feedback.append("the actions do more than the instruction asks: " + "; ".join(extra))
    if rng.random() < rates.reviewer_false_reject:
        criterion = rng.choice(["realistic", "unambiguous"])
        scores[criterion] = False
        feedback.append(f"I doubt the task is {criterion} as written")
    return ChatReply(content=json.dumps({"scores": scores, "feedback": "; ".join(feedback)}))
