"""Prompts of phase 1: the generator writes a blueprint, reviewers judge it, a merger recombines.

Each prompt states everything in prose for a real model and carries the same facts in a
context tag for the simulator. Every prompt puts its static part first (what the role is, the
policy, the tools, the rubric or the reply's shape: the same for every call of a run) and the
task after it, so a server with prefix caching computes the static part once.

The generator's task puts what the blueprint must be grounded in (the sampled chain, then the
records it touches) last, after the examples, so the model reads it nearest to its answer; the
examples are introduced as showing the form only, since small models copy them otherwise.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from builder.llm.context_tag import embed
from builder.llm.types import Message
from builder.records import Action, Blueprint, Context, Reason, RoundRecord, numbers_as_text
from domains.framework.sampling import PlannedCall
from domains.framework.domain import Domain

RUBRIC = {
    "correct": "the actions do exactly what the instruction asks, in a valid order, and nothing else",
    "complete": "the instruction gives the user every fact they need to state (identity, which records, choices)",
    "policy": "the actions follow the domain policy (authentication first, allowed operations only)",
    "realistic": "a real customer could plausibly want this, in this voice",
    "unambiguous": "only one sequence of write actions satisfies the instruction",
}

Generation = Literal["free", "from_chain"]


class ChainTask(BaseModel):
    """What the generator writes when the sampled chain is the blueprint's actions."""

    instruction: str
    outputs: list[str] = Field(default_factory=list)

    @field_validator("outputs", mode="before")
    @classmethod
    def _numbers_are_text(cls, value: Any) -> Any:
        return numbers_as_text(value)


def chain_actions(context: Context) -> list[Action]:
    """The actions of a `from_chain` blueprint: the chain's calls that succeeded, in order."""
    return [Action(name=c.name, arguments=c.arguments) for c in context.chain if c.ok]


def _tool_schemas(domain: Domain) -> dict[str, Any]:
    return {name: spec.parameters_schema for name, spec in domain.tools.items()}


def _tools_text(domain: Domain, only: set[str] | None = None) -> str:
    lines = []
    for spec in domain.tools.values():
        if only is not None and spec.name not in only:
            continue
        params = ", ".join(spec.params)
        lines.append(f"- {spec.name}({params}) [{spec.kind}]: {spec.description}")
    return "\n".join(lines)


def _ids_in(value: Any) -> set[str]:
    """The string values in a call's arguments (identifiers, mostly), lists included."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_ids_in(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_ids_in(v) for v in value)) if value else set()
    return set()


def _key(item: Any) -> str | None:
    """A record's own identifier: its first `*_id` field (an order's `order_id`, not its `user_id`)."""
    if not isinstance(item, dict):
        return None
    return next((str(v) for k, v in item.items() if k.endswith("_id") and isinstance(v, (str, int))), None)


def _brief(item: Any) -> Any:
    """A record reduced to what tells it apart: its identifier, name and status."""
    if not isinstance(item, dict):
        return item
    key = next((k for k in item if k.endswith("_id")), None)
    return {k: v for k, v in item.items() if k == key or (k in ("name", "status") and isinstance(v, str))}


def _collections(records: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each record collection (a list of records, or records keyed by id) as id -> record."""
    out: dict[str, dict[str, Any]] = {}
    for name, value in records.items():
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            out[name] = {_key(v) or str(i): v for i, v in enumerate(value)}
        elif isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            out[name] = value
    return out


def touched_records(records: dict[str, Any], ids: set[str]) -> dict[str, Any]:
    """The records the chain's arguments name, whole; the others of each collection briefly
    (identifiers, name, status), so the model knows they exist and which state they are in."""
    collections = _collections(records)
    out: dict[str, Any] = {}
    for name, value in records.items():
        if name not in collections:
            out[name] = value
            continue
        items = collections[name]
        touched = [v for k, v in items.items() if k in ids]
        others = [_brief(v) for k, v in items.items() if k not in ids]
        out[name] = touched
        if others:
            out[f"{name} (others, in brief)"] = others
    return out


def _result(call: PlannedCall, shown: dict[str, Any]) -> str:
    """A call's result, whole (never cut); a read that returned a record the records section shows
    whole is referred to instead of repeated."""
    if not call.ok:
        return f"refused: {call.observation}"
    try:
        value = json.loads(call.observation)
    except ValueError:
        value = None
    key = _key(value)
    if call.kind == "read" and key is not None and shown.get(key) == value:
        return f"(the record {key}, shown whole below)"
    return call.observation


def _chain_text(chain: list[PlannedCall], records: dict[str, Any]) -> str:
    shown: dict[str, Any] = {}
    for value in records.values():
        for record in value if isinstance(value, list) else [value]:
            if _key(record) is not None:
                shown[_key(record)] = record
    return "\n".join(
        f"{i}. {c.name}({json.dumps(c.arguments, ensure_ascii=False)}) [{c.purpose} {c.kind}] -> {_result(c, shown)}"
        for i, c in enumerate(chain)
    )


def _example_text(example: Blueprint, generation: Generation) -> str:
    if generation == "from_chain":
        return json.dumps({"instruction": example.instruction, "outputs": example.outputs}, ensure_ascii=False)
    return example.model_dump_json()


_FREE_SHAPE = """A blueprint is a JSON object with:
- "instruction": what a simulated customer is told, in the second person: who they are (the
  identity facts they give to be authenticated), what they want, what they know (identifiers,
  choices), how they behave. Never a script of tool calls, never the agent's words.
- "actions": the ground-truth tool calls an agent following the policy makes, in order, each
  {"name": TOOL, "arguments": {...}}, starting with authenticating the user. Only tools listed
  above, only on records in the state the customer's records show.
- "outputs": a list of strings, each a short value the agent must tell the user (an amount, a
  status), written exactly as a tool returned it in this task; [] when the user needs no facts.
  Never whole records or objects.
Shape: {"instruction": "...", "actions": [{"name": "...", "arguments": {...}}], "outputs": ["..."]}"""

_CHAIN_SHAPE = """You are given a chain of tool calls that already ran successfully on the database: those
calls are the task's actions. Write what a customer whose request they fulfil is told, as a JSON
object with:
- "instruction": in the second person: who they are (the identity facts the chain uses to
  authenticate them), what they want (exactly what the chain's target calls do, with the
  identifiers and choices those calls use), how they behave. Never a script of tool calls, never
  the agent's words.
- "outputs": a list of strings, each a short value the agent must tell the user (an amount, a
  status), written exactly as one of the chain's results shows it; [] when the user needs no facts.
  Never whole records or objects.
Shape: {"instruction": "...", "outputs": ["..."]}"""


def generator_messages(
    domain: Domain,
    context: Context,
    rounds: list[RoundRecord],
    *,
    generation: Generation = "free",
    compact: bool = False,
) -> list[Message]:
    """The generator's prompt for the round after `rounds`: every earlier round's reply as the
    model wrote it (even when it did not parse: a model fixes what it can see) followed by why it
    was rejected, with what its actions returned and the records a refused action contradicts.

    `compact` lists only the chain's tools: the system part then depends on the task, which a
    small context window is worth more than prefix caching."""
    only = {c.name for c in context.chain} if compact else None
    shape = _CHAIN_SHAPE if generation == "from_chain" else _FREE_SHAPE
    system = f"""You write task blueprints for training customer-service agents in the {domain.name} domain.

Policy the agent follows:
{domain.policy.text}

Tools{" (those of this task)" if compact else ""}:
{_tools_text(domain, only)}

{shape}

Think step by step first, then end your reply with the JSON object.
{embed("generator", {
    "domain": domain.name,
    "context": context.model_dump(mode="json"),
    "round": len(rounds),
    "tools": _tool_schemas(domain),
})}"""
    ids = _ids_in([c.arguments for c in context.chain])
    records = touched_records(context.records, ids)
    examples = "\n".join(_example_text(e, generation) for e in context.examples)
    example_part = (
        "Example blueprints, for other customers in other situations. They show the form only: "
        "never copy their wording, identifiers, amounts or situation.\n" + examples + "\n\n"
    ) if examples else ""
    chain_intro = (
        "The task's actions: these tool calls ran successfully on the database, in this order."
        if generation == "from_chain" else
        "A chain of tool calls that runs successfully on the database: build the task on it "
        "(you may drop reads that are not needed; do not act on other records)."
    )
    user = f"""{example_part}YOUR TASK: customer {context.user_id}.

{chain_intro}
{_chain_text(context.chain, records)}

The customer's records (those the chain touches in full, the others in brief):
{json.dumps(records, ensure_ascii=False)}

Persona for the customer's voice: {context.persona}

Write the {"instruction and outputs" if generation == "from_chain" else "blueprint"} for customer \
{context.user_id}, grounded in the chain and records above. Think first, then end with the JSON object."""
    messages = [Message(role="system", content=system), Message(role="user", content=user)]
    for previous in rounds:
        messages.append(Message(role="assistant", content=previous.raw or "(no reply)"))
        messages.append(Message(role="user", content=feedback_message(context, previous)))
    return messages


def _reason_lines(previous: RoundRecord) -> list[str]:
    lines = [f"[{r.stage}/{r.code}] {r.message}" for r in previous.reasons]
    lines += [f"[review/{rv.reviewer}] {rv.feedback}" for rv in previous.reviews if not rv.passed and rv.feedback]
    return lines


def _contradicted(context: Context, action: Action) -> list[str]:
    """For a refused action: the records its arguments name, and the others of their kind, briefly
    (for a cancel refused because the order is processed: that order's status, and every order's)."""
    ids = _ids_in(action.arguments)
    lines = []
    for name, items in _collections(context.records).items():
        named = [v for k, v in items.items() if k in ids]
        if named:
            lines.append(f"The {name} it names: {json.dumps([_brief(v) for v in named], ensure_ascii=False)}")
            lines.append(f"All the customer's {name}: {json.dumps([_brief(v) for v in items.values()], ensure_ascii=False)}")
    return lines


def _replay_text(context: Context, previous: RoundRecord) -> str:
    """What each action returned, each once: a result the chain already shows is referred to."""
    assert previous.blueprint is not None
    chain = {(c.name, json.dumps(c.arguments, sort_keys=True)): i for i, c in enumerate(context.chain) if c.ok}
    lines = []
    for i, (action, obs) in enumerate(zip(previous.blueprint.actions, previous.observations)):
        same = chain.get((action.name, json.dumps(action.arguments, sort_keys=True)))
        shown = f"(as chain call {same} above)" if same is not None and obs == context.chain[same].observation else obs
        lines.append(f"{i}. {action.name}({json.dumps(action.arguments, ensure_ascii=False)}) -> {shown}")
    return "\n".join(lines)


def feedback_message(context: Context, previous: RoundRecord) -> str:
    """Why a round's candidate was rejected, with the evidence a model needs to fix it."""
    parts = ["That blueprint was rejected:\n- " + "\n- ".join(_reason_lines(previous) or ["(no reason recorded)"])]
    if previous.blueprint is not None and previous.observations:
        parts.append("Its actions, replayed on the database, returned:\n" + _replay_text(context, previous))
        refused: list[Reason] = [
            r for r in previous.reasons if r.code == "action_failed" and r.action_index is not None
        ]
        for r in refused:
            lines = _contradicted(context, previous.blueprint.actions[r.action_index])
            if lines:
                parts.append(f"Action {r.action_index} was refused. " + "\n".join(lines))
    if previous.state_diff:
        parts.append("Records its actions change:\n" + "\n".join(previous.state_diff))
    parts.append(
        f"Write a corrected blueprint for customer {context.user_id}, grounded in the chain and records "
        "of the task. Think first, then end with the JSON object."
    )
    return "\n\n".join(parts)


def reviewer_messages(
    domain: Domain,
    blueprint: Blueprint,
    observations: list[str],
    state_diff: list[str],
    reviewer: int,
) -> list[Message]:
    rubric = "\n".join(f'- "{k}": {v}' for k, v in RUBRIC.items())
    system = f"""You review task blueprints for training customer-service agents in the {domain.name} domain.

Policy the agent follows:
{domain.policy.text}

Tools:
{_tools_text(domain)}

Judge the blueprint on each criterion (true = satisfied):
{rubric}
Reply with a JSON object: {{"scores": {{criterion: true|false, ...}}, "feedback": "what to fix, if anything"}}.
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
        f"{i}. {a.name}({json.dumps(a.arguments, ensure_ascii=False)}) -> {obs}"
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
