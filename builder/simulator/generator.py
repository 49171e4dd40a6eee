"""The simulator playing the blueprint generator (and the instruction merger).

It writes the blueprint a careful generator would derive from the sampled chain, then makes
mistakes at the configured rates, fewer in later feedback rounds, so that every check of
phase 1 rejects something and the feedback loop visibly recovers blueprints.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any

from builder.llm.types import ChatReply, Message
from builder.records import Action, Blueprint
from builder.simulator import phrases
from builder.simulator.config import SimulatorConfig

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _answer(call: dict[str, Any]) -> str | None:
    """The short answer of a target read (what the user asked to learn), if it has one: the
    whole result, or the one number (else the one scalar) of a result object like BFCL's
    `{"count": 3, "type": "lines"}`."""
    if call["purpose"] != "target" or call["kind"] != "read" or not call["ok"]:
        return None
    text = call["observation"].strip()
    if text.startswith("{"):
        try:
            values = [v for v in json.loads(text).values() if not isinstance(v, (dict, list)) and v is not None]
        except (ValueError, AttributeError):
            return None
        numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        picked = numbers if numbers else values
        text = json.dumps(picked[0]) if len(picked) == 1 else ""
    text = text.strip('"')
    return text if _NUMBER.match(text) or (0 < len(text) <= 40 and "{" not in text) else None


def _mistake(rng: random.Random, rates: SimulatorConfig, round_no: int) -> str | None:
    factor = rates.feedback_improvement ** round_no
    for name in (
        "malformed_json", "unknown_tool", "bad_argument", "failing_action",
        "ungrounded_output", "no_effect", "vague_instruction",
    ):
        if rng.random() < getattr(rates, name) * factor:
            return name
    return None


def _write_indexes(actions: list[Action], kinds: dict[str, str]) -> list[int]:
    return [i for i, a in enumerate(actions) if kinds.get(a.name) == "write"]


def respond(ctx: dict[str, Any], messages: list[Message], rng: random.Random, rates: SimulatorConfig) -> ChatReply:
    context = ctx["context"]
    chain = context["chain"]
    tools: dict[str, dict] = ctx["tools"]
    kinds = {c["name"]: c["kind"] for c in chain}
    actions = [Action(name=c["name"], arguments=c["arguments"]) for c in chain]
    target_calls = [c for c in chain if c["purpose"] == "target"]
    answers = [_answer(c) for c in target_calls]
    outputs = [a for a in answers if a is not None]
    questions = [i for i, a in enumerate(answers) if a is not None]
    auth = next((c for c in chain if c["purpose"] == "auth"), None)
    identity = dict(auth["arguments"]) if auth else {"user_id": context["user_id"]}
    targets = [Action(name=c["name"], arguments=c["arguments"]) for c in target_calls]

    mistake = _mistake(rng, rates, int(ctx.get("round", 0)))
    omit: set[str] = set()
    writes = _write_indexes(actions, kinds)
    if mistake == "unknown_tool":
        i = rng.randrange(len(actions))
        actions[i] = Action(name=actions[i].name + "_v2", arguments=actions[i].arguments)
    elif mistake == "bad_argument":
        i = rng.choice(writes or list(range(len(actions))))
        args = dict(actions[i].arguments)
        if args:
            key = rng.choice(sorted(args))
            args[key] = 12345 if isinstance(args[key], str) else "twelve"
            actions[i] = Action(name=actions[i].name, arguments=args)
    elif mistake == "failing_action" and writes:
        i = rng.choice(writes)
        args = dict(actions[i].arguments)
        ids = [k for k, v in args.items() if k.endswith("_id") and isinstance(v, str)]
        if ids:
            args[rng.choice(ids)] = "#X" + str(rng.randrange(10**6, 10**7))
        else:  # no identifier to break: doing the same write twice is refused in most domains
            actions.insert(i + 1, actions[i])
        actions[i] = Action(name=actions[i].name, arguments=args)
    elif mistake == "ungrounded_output":
        outputs = outputs + [f"{rng.randrange(100, 999)}.{rng.randrange(10, 99)}"]
    elif mistake == "no_effect":
        actions = [a for a in actions if kinds.get(a.name) != "write"]
        targets, outputs, questions = [], [], []
    elif mistake == "vague_instruction" and writes:
        args = actions[rng.choice(writes)].arguments
        ids = [k for k in args if k.endswith("_id") or k.endswith("_ids")] or list(args)
        if ids:
            omit = {rng.choice(ids)}

    instruction = phrases.render_instruction(
        identity, context["persona"], targets, outputs, tools, omit=omit, questions=questions
    )
    blueprint = Blueprint(instruction=instruction, actions=actions, outputs=outputs)
    text = blueprint.model_dump_json()
    if mistake == "malformed_json":
        text = text[: len(text) // 2]
    thought = f"The customer wants {len(targets)} thing(s) done; I follow the chain and state the outputs."
    return ChatReply(content=f"{thought}\n{text}")


def merge(ctx: dict[str, Any], messages: list[Message], rng: random.Random, rates: SimulatorConfig) -> ChatReply:
    """Join the parts' instructions; the same user, so repeated identity facts are harmless."""
    parts: list[str] = ctx["instructions"]
    merged = "You have several things to sort out in this one conversation.\n\n" + "\n\n".join(parts)
    return ChatReply(content=json.dumps({"instruction": merged}))
