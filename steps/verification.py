"""Verification of one simulated conversation against its blueprint (phase 2, step 9).

Pure functions: a conversation is kept only if
- **state**: the database after the conversation equals the blueprint's gold state (fingerprints
  equal; on a mismatch, the gold actions are replayed on a fresh environment and the differing
  records are listed);
- **outputs**: the agent told the user every expected output in its own words (numbers compare
  as numbers: "10" does not match "100", "1,000" matches "1000", "$54.0" matches "54"; a value
  inside tool JSON the agent pasted into its message does not count);
- **rules**: the domain's conversation rules hold over the dialogue (authenticated before
  access, explicit confirmation of each write...);
- **interplay**: the conversation ended properly (the user's stop marker, or a transfer the
  blueprint asks for), not by hitting a limit or a failing endpoint.

Who made a failed conversation fail (the simulated user or the agent) is the judge's question,
asked by `steps.attribution` on the verdict's reasons and events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from builder.conversation_protocol import is_malformed_call, is_transfer_tool
from builder.llm.types import Message
from builder.records import Blueprint, Reason
from builder.textmatch import mentions, prose
from domains.framework.environment import Environment, Observation
from domains.framework.policy import Event
from domains.framework.sampling import replay

if TYPE_CHECKING:
    from domains.framework.domain import Domain

__all__ = [
    "Verdict", "replay_conversation", "check_state", "output_told", "check_outputs", "check_rules",
    "check_end", "verify", "END_REASONS",
]

END_REASONS = ("stop", "transfer", "max_turns", "max_errors", "llm_failure")
MAX_LISTED = 5


@dataclass
class Verdict:
    passed: bool
    reasons: list[Reason] = field(default_factory=list)
    final_fingerprint: str | None = None
    state_diff: list[str] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)  # the replayed conversation, as rules saw it


def replay_conversation(domain: "Domain", messages: Sequence[Message]) -> tuple[Environment, list[Event]]:
    """Execute the conversation's tool calls, in order, on a fresh environment; the rule events.

    Recorded malformed calls (arguments `{"_unparsed": raw}`) are not executed: they appear as
    failed observations with error code `malformed_call`.
    """
    env = domain.new_environment()
    results = {m.tool_call_id: m.content for m in messages if m.role == "tool" and m.tool_call_id}
    events: list[Event] = []
    for m in messages:
        if m.role == "user":
            events.append(Event(kind="user", text=m.content or ""))
        elif m.role == "assistant":
            if m.content:
                events.append(Event(kind="agent", text=m.content))
            for call in m.tool_calls or []:
                if is_malformed_call(call.arguments):
                    obs = Observation(name=call.name, arguments=call.arguments, ok=False,
                                      content=results.get(call.id) or "Error: malformed tool call",
                                      error_code="malformed_call")
                else:
                    obs = env.execute(call.name, call.arguments)
                events.append(Event(kind="tool", observation=obs))
    return env, events


def check_state(domain: "Domain", blueprint: Blueprint, gold_fingerprint: str | None,
                env: Environment) -> tuple[list[Reason], list[str]]:
    """Reasons (empty when the state is the gold state) and the differing records."""
    final = env.fingerprint()
    if gold_fingerprint is not None and final == gold_fingerprint:
        return [], []
    gold_env, observations = replay(domain, [(a.name, a.arguments) for a in blueprint.actions])
    reasons: list[Reason] = []
    if gold_fingerprint is not None and gold_env.fingerprint() != gold_fingerprint:
        reasons.append(Reason(stage="state", code="gold_not_reproducible",
                              message="replaying the blueprint's actions no longer gives its gold state"))
    if final == gold_env.fingerprint() and not reasons:
        return [], []
    diffs = env.diff(gold_env)
    listed = [str(d) for d in diffs]
    shown = "; ".join(listed[:MAX_LISTED]) + (f" (+{len(listed) - MAX_LISTED} more)" if len(listed) > MAX_LISTED else "")
    reasons.append(Reason(
        stage="state", code="state_mismatch",
        message=f"the final state differs from the gold state in {len(diffs)} record(s) "
                f"(conversation -> gold): {shown or 'no record differs but the fingerprints do'}",
    ))
    return reasons, listed


def output_told(output: str, texts: Sequence[str]) -> bool:
    """Whether one of the agent's messages states `output` in its prose (numbers compared as
    numbers; pasted JSON records and code blocks left out)."""
    return any(mentions(prose(t), output) for t in texts if t)


def check_outputs(outputs: Sequence[str], messages: Sequence[Message]) -> list[Reason]:
    said = [m.content or "" for m in messages if m.role == "assistant" and m.content]
    return [
        Reason(stage="outputs", code="output_missing", message=f"the agent never told the user {out!r}")
        for out in outputs if not output_told(out, said)
    ]


def check_rules(domain: "Domain", events: Sequence[Event], env: Environment) -> list[Reason]:
    return [
        Reason(stage="rules", code=v.rule, message=v.message, action_index=v.event_index)
        for v in domain.policy.check(list(events), env.db)
    ]


def check_end(domain: "Domain", blueprint: Blueprint, end_reason: str, failure: str | None = None) -> list[Reason]:
    if end_reason == "stop":
        return []
    if end_reason == "transfer":
        if any(a.name in domain.tools and is_transfer_tool(a.name) for a in blueprint.actions):
            return []
        return [Reason(stage="interplay", code="unexpected_transfer",
                       message="the conversation ended in a transfer to a human, which the task does not call for")]
    if end_reason == "llm_failure":
        return [Reason(stage="llm", code="llm_failure", message=failure or "an LLM call failed for good")]
    if end_reason == "max_turns":
        return [Reason(stage="interplay", code="max_turns", message="the conversation hit the turn limit")]
    if end_reason == "max_errors":
        return [Reason(stage="interplay", code="max_errors", message="the agent hit the tool error limit")]
    return [Reason(stage="interplay", code=end_reason or "unknown_end", message=f"the conversation ended with {end_reason!r}")]


def verify(domain: "Domain", blueprint: Blueprint, gold_fingerprint: str | None, messages: Sequence[Message],
           end_reason: str, *, env: Environment | None = None, failure: str | None = None) -> Verdict:
    """Every check on one conversation; `env` is the live environment, compared with a replay."""
    replayed, events = replay_conversation(domain, messages)
    reasons: list[Reason] = []
    reasons += check_end(domain, blueprint, end_reason, failure)
    if env is not None and env.fingerprint() != replayed.fingerprint():
        reasons.append(Reason(stage="interplay", code="replay_mismatch",
                              message="replaying the conversation's tool calls does not give the state it ended in"))
    state_reasons, diff = check_state(domain, blueprint, gold_fingerprint, replayed)
    reasons += state_reasons
    output_reasons = check_outputs(blueprint.outputs, messages)
    reasons += output_reasons
    reasons += check_rules(domain, events, replayed)
    return Verdict(passed=not reasons, reasons=reasons, final_fingerprint=replayed.fingerprint(), state_diff=diff,
                   events=events)
