"""Prompts of phase 1: the generator writes a blueprint, reviewers judge it, a merger recombines.

Each prompt states everything in prose for a real model and carries the same facts in a
context tag for the simulator.
"""

from __future__ import annotations

import json
from typing import Any

from builder.llm.context_tag import embed
from builder.llm.types import Message
from builder.records import Blueprint, Context
from domains.framework.domain import Domain

RUBRIC = {
    "correct": "the actions do exactly what the instruction asks, in a valid order, and nothing else",
    "complete": "the instruction gives the user every fact they need to state (identity, which records, choices)",
    "policy": "the actions follow the domain policy (authentication first, allowed operations only)",
    "realistic": "a real customer could plausibly want this, in this voice",
    "unambiguous": "only one sequence of write actions satisfies the instruction",
}


def _tool_schemas(domain: Domain) -> dict[str, Any]:
    return {name: spec.parameters_schema for name, spec in domain.tools.items()}


def _tools_text(domain: Domain) -> str:
    lines = []
    for spec in domain.tools.values():
        params = ", ".join(spec.params)
        lines.append(f"- {spec.name}({params}) [{spec.kind}]: {spec.description}")
    return "\n".join(lines)


def generator_messages(
    domain: Domain,
    context: Context,
    round_no: int,
    feedback: list[str],
    previous_reply: str | None,
) -> list[Message]:
    """The generator's prompt; from round 1 on, its previous reply (as written, even when it did
    not parse: a model fixes what it can see) and why that was rejected."""
    chain = "\n".join(
        f"{i}. {c.name}({json.dumps(c.arguments, ensure_ascii=False)}) -> {c.observation[:300]}"
        for i, c in enumerate(context.chain)
    )
    examples = "\n\n".join(e.model_dump_json(indent=1) for e in context.examples) or "(none)"
    system = f"""You write task blueprints for training customer-service agents in the {domain.name} domain.
A blueprint is a JSON object with:
- "instruction": what a simulated customer is told, in the second person: who they are, what they
  want, what they know (identifiers, choices), how they behave. Never a script of tool calls.
- "actions": the ground-truth tool calls an agent following the policy makes, in order, each
  {{"name": TOOL, "arguments": {{...}}}}, starting with authenticating the user.
- "outputs": a list of strings, each a short value the agent must tell the user (an amount, a
  status), written exactly as a tool returned it, e.g. ["458.21"]; [] when the user needs no facts.
  Never whole records or objects.
Shape: {{"instruction": "...", "actions": [{{"name": "...", "arguments": {{...}}}}], "outputs": ["..."]}}

Policy the agent follows:
{domain.policy.text}

Tools:
{_tools_text(domain)}

Think step by step first, then end your reply with the JSON object.
{embed("generator", {
    "domain": domain.name,
    "context": context.model_dump(mode="json"),
    "round": round_no,
    "feedback": feedback,
    "tools": _tool_schemas(domain),
})}"""
    user = f"""Customer: user {context.user_id}. Their records:
{json.dumps(context.records, ensure_ascii=False)[:6000]}

Persona for the customer's voice: {context.persona}

A chain of tool calls that runs successfully on the database (use it as the backbone of the task;
you may drop reads that are not needed):
{chain}

Example blueprints (for other customers: copy their form, never their ids or amounts):
{examples}"""
    messages = [Message(role="system", content=system), Message(role="user", content=user)]
    if previous_reply is not None or feedback:
        messages.append(Message(role="assistant", content=previous_reply or "(no reply)"))
        messages.append(Message(
            role="user",
            content="That blueprint was rejected:\n- " + "\n- ".join(feedback)
            + "\nWrite a corrected blueprint. Think first, then end with the JSON object.",
        ))
    return messages


def reviewer_messages(
    domain: Domain,
    blueprint: Blueprint,
    observations: list[str],
    state_diff: list[str],
    reviewer: int,
) -> list[Message]:
    rubric = "\n".join(f'- "{k}": {v}' for k, v in RUBRIC.items())
    system = f"""You review task blueprints for training customer-service agents in the {domain.name} domain.
Judge the blueprint on each criterion (true = satisfied):
{rubric}
Reply with a JSON object: {{"scores": {{criterion: true|false, ...}}, "feedback": "what to fix, if anything"}}.

Policy:
{domain.policy.text}
{embed("reviewer", {
    "domain": domain.name,
    "reviewer": reviewer,
    "blueprint": blueprint.model_dump(mode="json"),
    "observations": observations,
    "state_diff": state_diff,
    "tools": _tool_schemas(domain),
    "write_tools": domain.write_tools(),
})}"""
    calls = "\n".join(
        f"{i}. {a.name}({json.dumps(a.arguments, ensure_ascii=False)}) -> {obs[:300]}"
        for i, (a, obs) in enumerate(zip(blueprint.actions, observations))
    )
    user = f"""Instruction:
{blueprint.instruction}

Actions, with what each returned when executed:
{calls}

Expected outputs: {json.dumps(blueprint.outputs, ensure_ascii=False)}

Records the actions change (state diff):
{chr(10).join(state_diff) or "(none)"}"""
    return [Message(role="system", content=system), Message(role="user", content=user)]


def merger_messages(domain: Domain, instructions: list[str]) -> list[Message]:
    system = f"""You combine several customer requests of the same customer ({domain.name} domain) into one
instruction for a simulated customer who wants all of them done in one conversation. Keep every
fact, identifier and choice of every part; keep the second person; do not add new requests.
Reply with a JSON object: {{"instruction": "..."}}.
{embed("merger", {"domain": domain.name, "instructions": instructions})}"""
    user = "\n\n".join(f"Part {i + 1}:\n{text}" for i, text in enumerate(instructions))
    return [Message(role="system", content=system), Message(role="user", content=user)]
