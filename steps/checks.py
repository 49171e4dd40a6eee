"""The rule-based blueprint checks (no LLM): format, then execution.

Format: every action names a tool of the domain and its arguments validate against the tool's
schema. Execution: the actions replay on a fresh environment without a refusal; the rules that
hold over tool calls alone (authentication before access) are satisfied; the task changes the
state or has outputs; every expected output is grounded in what the tools returned. The state
the actions leave is the gold state, kept as its fingerprint.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from builder.records import Blueprint, Reason, TaskRecord
from builder.textmatch import mentions
from domains.framework.domain import Domain
from domains.framework.policy import Event
from domains.framework.sampling import replay
from domains.framework.tools import ArgumentError
from steps.base import TaskStep


def format_check(domain: Domain, blueprint: Blueprint) -> list[Reason]:
    reasons = []
    if not blueprint.instruction.strip():
        reasons.append(Reason(stage="format", code="empty_instruction", message="the instruction is empty"))
    if not blueprint.actions:
        reasons.append(Reason(stage="format", code="no_actions", message="the blueprint has no actions"))
    for i, action in enumerate(blueprint.actions):
        spec = domain.tools.get(action.name)
        if spec is None:
            reasons.append(Reason(
                stage="format", code="unknown_tool", action_index=i,
                message=f"action {i}: unknown tool {action.name!r}; tools are {', '.join(sorted(domain.tools))}",
            ))
            continue
        try:
            spec.validate(action.arguments)
        except ArgumentError as exc:
            reasons.append(Reason(stage="format", code="invalid_arguments", action_index=i, message=f"action {i}: {exc}"))
    return reasons


@dataclass
class Execution:
    """What replaying a blueprint's actions found; the state's fields only when every action ran."""

    reasons: list[Reason]
    observations: list[str]
    state_diff: list[str] = field(default_factory=list)
    gold_fingerprint: str | None = None


def execution_check(domain: Domain, blueprint: Blueprint) -> Execution:
    """Replays the actions: the failures, what the actions returned, and the gold state."""
    env, observations = replay(domain, ((a.name, a.arguments) for a in blueprint.actions))
    returned = [o.content for o in observations]
    reasons = [
        Reason(stage="execution", code="action_failed", action_index=i, message=f"action {i} ({o.name}): {o.content}")
        for i, o in enumerate(observations)
        if not o.ok
    ]
    if reasons:
        return Execution(reasons, returned)
    events = [Event(kind="tool", observation=o) for o in observations]
    for v in domain.policy.check(events, env.db, actions_only=True):
        reasons.append(Reason(stage="execution", code=f"policy:{v.rule}", action_index=v.event_index, message=v.message))
    fresh = domain.new_environment()
    diff = fresh.diff(env)
    if not diff and not blueprint.outputs:
        reasons.append(Reason(
            stage="execution", code="no_effect",
            message="the actions change nothing and the blueprint has no outputs: there is nothing to verify",
        ))
    returned_text = "\n".join(returned)
    for out in blueprint.outputs:
        if not mentions(returned_text, out):
            reasons.append(Reason(
                stage="execution", code="ungrounded_output",
                message=f"output {out!r} appears in no tool result",
            ))
    return Execution(reasons, returned, [str(d) for d in diff], env.fingerprint())


class CheckBlueprints(TaskStep):
    """Format and execution checks of the candidates of one round."""

    round: int = 0
    final_round: bool = False
    kind: str = "base"

    def applies(self, record: TaskRecord) -> bool:
        return (
            record.status == "pending"
            and record.kind == self.kind
            and bool(record.rounds)
            and record.rounds[-1].round == self.round
            and record.rounds[-1].stage_reached == "generation"
        )

    async def run_task(self, record: TaskRecord) -> TaskRecord:
        current = record.rounds[-1]
        if current.blueprint is not None:
            current.stage_reached = "format"
            current.reasons += format_check(self.domain, current.blueprint)
            if not current.reasons:
                current.stage_reached = "execution"
                found = execution_check(self.domain, current.blueprint)
                current.reasons += found.reasons
                current.observations, current.state_diff = found.observations, found.state_diff
                current.gold_fingerprint = found.gold_fingerprint
        if current.reasons and self.final_round:
            record.status = "rejected"
        return record
