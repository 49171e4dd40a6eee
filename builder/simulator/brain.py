"""The offline simulator's dispatcher: one deterministic stand-in for every role.

It reads the role and the facts from the `<builder-context>` tag our prompts carry (the same
facts a real model reads in the prose), or, with no tag and tools offered, plays the agent
from the policy, tools and conversation alone. Every reply derives its randomness from the
run seed, the row and the conversation so far, so results do not depend on concurrency.
It is a test double, never presented as a model.
"""

from __future__ import annotations

import hashlib
import random

from builder.llm.context_tag import extract
from builder.llm.types import ChatReply, Message
from builder.simulator.config import SimulatorConfig


def _rng(seed: int, row_id: str, role: str, messages: list[Message]) -> random.Random:
    h = hashlib.sha256(f"{seed}\x00{row_id}\x00{role}".encode())
    for m in messages:
        h.update(m.model_dump_json().encode())
    return random.Random(h.hexdigest())


def respond(messages: list[Message], tools: list[dict] | None, *, seed: int, row_id: str,
            rates: SimulatorConfig | None = None) -> ChatReply:
    """The simulated reply of whichever role the messages are for, making mistakes at `rates`
    (the defaults when None: the HTTP server, which serves every role)."""
    rates = SimulatorConfig() if rates is None else rates
    ctx = extract(messages)
    role = ctx["role"] if ctx else ("agent" if tools else "unknown")
    rng = _rng(seed, row_id, role, messages)
    if role == "generator":
        from builder.simulator import generator

        return generator.respond(ctx, messages, rng, rates)
    if role == "reviewer":
        from builder.simulator import reviewer

        return reviewer.respond(ctx, messages, rng, rates)
    if role == "merger":
        from builder.simulator import generator

        return generator.merge(ctx, messages, rng, rates)
    if role == "human":
        from builder.simulator import human

        return human.respond(ctx, messages, rng, rates)
    if role == "judge":
        from builder.simulator import judge

        return judge.respond(ctx, messages, rng, rates)
    if role == "agent":
        from builder.simulator import agent

        return agent.respond(messages, tools, rng, rates)
    return ChatReply(content="The simulator only answers the builder's own prompts (no context tag found).")
