"""The simulator playing one reviewer of the committee.

It checks what a careful reviewer checks and can check mechanically: that the instruction
gives the user the identifiers every write needs. It misses that at `reviewer_miss` and
rejects good blueprints at `reviewer_false_reject`, so that the majority vote matters.
"""

from __future__ import annotations

import json
import random
from typing import Any

from builder.llm.types import ChatReply, Message
from builder.prompts.blueprints import RUBRIC
from builder.simulator.config import SimulatorConfig


def _missing_facts(blueprint: dict[str, Any], tools: dict[str, dict], write_names: set[str]) -> list[str]:
    text = blueprint["instruction"].lower()
    missing = []
    for action in blueprint["actions"]:
        if action["name"] not in write_names:
            continue
        for key, value in action["arguments"].items():
            if not (key.endswith("_id") or key.endswith("_ids")):
                continue
            for v in value if isinstance(value, list) else [value]:
                if str(v).lower() not in text:
                    missing.append(f"{action['name']}.{key} = {v}")
    return missing


def respond(ctx: dict[str, Any], messages: list[Message], rng: random.Random, rates: SimulatorConfig) -> ChatReply:
    blueprint = ctx["blueprint"]
    writes = set(ctx["write_tools"])
    scores = {k: True for k in RUBRIC}
    feedback = []
    missing = _missing_facts(blueprint, ctx["tools"], writes)
    if missing and rng.random() >= rates.reviewer_miss:
        scores["complete"] = False
        feedback.append("the instruction does not tell the user: " + "; ".join(missing))
    if rng.random() < rates.reviewer_false_reject:
        criterion = rng.choice(["realistic", "unambiguous"])
        scores[criterion] = False
        feedback.append(f"I doubt the task is {criterion} as written")
    return ChatReply(content=json.dumps({"scores": scores, "feedback": "; ".join(feedback)}))
