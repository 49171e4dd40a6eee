"""The judge's prompt for attribution: who made a failed conversation fail, and why.

The judge reads what a careful human reviewer would need: the customer's instruction, what the
task expected (gold actions and outputs), the tools with their kinds, the conversation with every
tool call and what it returned, how it ended, which checks failed, and the facts the program
established itself (the structural signals). It answers with the JSON of a `Blame`. The context tag
`{"role": "judge", "question": "attribution", ...}` carries the same facts for the offline
simulator.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from builder.llm.types import Message
from builder.llm import context_tag
from builder.records import Action, Reason

__all__ = ["ATTRIBUTION_RULES", "Turn", "attribution_messages", "MAX_RESULT_CHARS"]

#: A tool result longer than this is shown cut, with the count of what was left out.
MAX_RESULT_CHARS = 800

ATTRIBUTION_RULES = """You review a failed conversation between a simulated customer and a customer-service agent.
The customer was played by a model that was given the instruction below and had to follow it: ask for
what it says, with the values it says, give only facts it contains, and end the conversation only when
everything in it was done or refused. The agent saw only the policy, the tools and the conversation.
The conversation failed the checks listed below. Decide who caused the failure:
- "user": the customer did not follow its instruction, and that is why the task was not done:
  it ended the conversation while the agent was doing the task right (early_stop), asked for or
  stated something its instruction does not say (drift), never said what it wanted (no_request),
  or something else (other);
- "agent": the customer followed its instruction and the agent did not do the task right (a wrong or
  missing action, a refusal the policy does not call for, a figure it never told the customer);
- "both": each made a mistake that alone would have made the task fail;
- "unclear": the conversation does not show who.
Answer with one JSON object and nothing else. Its keys:
- "culprit": "user", "agent", "both" or "unclear";
- "reason": in one or two sentences of your own, what went wrong in this conversation and in which
  turn (turns are numbered [1], [2], ...);
- "user_mistakes": a list of objects with the keys "kind" (early_stop, drift, no_request or other)
  and "reason"; an empty list unless the culprit is "user" or "both"."""

_ENDINGS = {
    "stop": "the customer ended the conversation (stop marker)",
    "transfer": "the customer was transferred to a human agent",
    "max_turns": "the conversation hit the turn limit",
    "max_errors": "the agent hit the tool error limit",
    "llm_failure": "a model call failed for good",
}


class Turn(BaseModel):
    """One step of the conversation as the judge sees it: a message, or a tool call and its result."""

    speaker: str  # customer | agent | tool
    text: str = ""
    name: str | None = None  # tool calls: the tool, its arguments, whether it was carried out
    arguments: dict[str, Any] | None = None
    ok: bool | None = None


def _cut(text: str) -> str:
    if len(text) <= MAX_RESULT_CHARS:
        return text
    return f"{text[:MAX_RESULT_CHARS]}... ({len(text) - MAX_RESULT_CHARS} more characters)"


def _render_turn(n: int, turn: Turn) -> str:
    if turn.speaker == "tool":
        status = "carried out" if turn.ok else "REFUSED"
        args = json.dumps(turn.arguments or {}, ensure_ascii=False, sort_keys=True)
        return f"[{n}] AGENT CALLED {turn.name} {args} -> {status}: {_cut(turn.text)}"
    return f"[{n}] {turn.speaker.upper()}: {turn.text}"


def attribution_messages(
    instruction: str,
    actions: Sequence[Action],
    outputs: Sequence[str],
    tools: dict[str, dict[str, Any]],
    turns: Sequence[Turn],
    end_reason: str,
    failures: Sequence[Reason],
    signals: Sequence[str],
) -> list[Message]:
    """The judge's prompt for one failed conversation.

    `tools` maps each tool name to `{"kind": "read"|"write", "parameters": JSON schema}`; the
    prose names each tool with its kind and parameters. `signals` are the program's findings,
    one sentence each.
    """
    turns = [t.model_copy(update={"text": _cut(t.text)}) if t.speaker == "tool" else t for t in turns]
    gold = "\n".join(
        f"{i + 1}. {a.name} {json.dumps(a.arguments, ensure_ascii=False, sort_keys=True)} "
        f"({tools.get(a.name, {}).get('kind', 'unknown tool')})"
        for i, a in enumerate(actions)
    ) or "(none)"
    told = ", ".join(json.dumps(o, ensure_ascii=False) for o in outputs) or "(none)"
    tool_lines = "\n".join(
        f"- {name}({', '.join((spec.get('parameters') or {}).get('properties', {}))}): {spec.get('kind')}"
        for name, spec in tools.items()
    )
    dialogue = "\n".join(_render_turn(i + 1, t) for i, t in enumerate(turns)) or "(no messages)"
    failed = "\n".join(f"- {r.stage}/{r.code}: {r.message}" for r in failures) or "(none)"
    facts = "\n".join(f"- {s}" for s in signals) or "- (none)"
    payload = {
        "question": "attribution", "instruction": instruction,
        "actions": [a.model_dump(mode="json") for a in actions], "outputs": list(outputs), "tools": tools,
        "turns": [t.model_dump(mode="json") for t in turns], "end_reason": end_reason,
        "failures": [r.model_dump(mode="json") for r in failures], "signals": list(signals),
    }
    system = (
        f"{ATTRIBUTION_RULES}\n\n# The customer's instruction\n{instruction.strip()}\n\n"
        f"# What the task expected\nActions (the gold ones, in order):\n{gold}\n"
        f"Figures the agent had to tell the customer: {told}\n\n"
        f"# Tools (read tools change nothing; write tools change the customer's records)\n{tool_lines}\n\n"
        f"# The conversation (the customer saw only the messages, not the tool calls)\n{dialogue}\n"
        f"It ended because {_ENDINGS.get(end_reason, repr(end_reason))}.\n\n"
        f"# Checks that failed\n{failed}\n\n"
        f"# Facts the program established\n{facts}\n\n{context_tag.embed('judge', payload)}"
    )
    return [
        Message(role="system", content=system),
        Message(role="user", content="Who caused the failure? Reply with the JSON object only."),
    ]
