"""The rule-based blueprint checks (no LLM): format, then execution.

Format: every action names a tool of the domain and its arguments validate against the tool's
schema. Execution: the actions replay on a fresh environment without a refusal; the rules that
hold over tool calls alone (authentication before access) are satisfied; the task changes the
state or has outputs; every expected output is grounded in what the tools returned, and checks
something (not a value almost any reply states: `0`, `1`, `true`, `yes`...); the task asks more
than to identify the user (not only authentication calls with identifiers as outputs). The state
the actions leave is the gold state, kept as its fingerprint.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from builder.records import Blueprint, Reason, TaskRecord
from builder.textmatch import mentions, says_nothing
from domains.framework.domain import Domain
from domains.framework.environment import Observation
from domains.framework.policy import Event, user_id_from_result
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
        if says_nothing(out):
            reasons.append(Reason(
                stage="execution", code="trivial_output",
                message=f"output {out!r} is a value almost any reply states, so telling it proves nothing; "
                        "expect a figure or fact only this task's tool results give",
            ))
        elif not mentions(returned_text, out):
            reasons.append(Reason(
                stage="execution", code="ungrounded_output",
                message=f"output {out!r} appears in no tool result",
            ))
    if _identifies_only(domain, observations, blueprint.outputs):
        reasons.append(Reason(
            stage="execution", code="identity_only",
            message="the actions only identify the user and the outputs are identifiers: the task asks the agent "
                    "for nothing beyond authentication",
        ))
    return Execution(reasons, returned, [str(d) for d in diff], env.fingerprint())


def _identifiers(observations: list[Observation]) -> set[str]:
    """Every id the results hold: values under `id`/`*_id`/`*_ids` keys, and the id an
    authentication call returned."""
    found: set[str] = set()

    def walk(value, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, str(k))
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif key == "id" or key.endswith(("_id", "_ids")):
            found.add(str(value))

    for o in observations:
        walk(o.result)
        uid = user_id_from_result(o.result)
        if uid:
            found.add(uid)
    return found


def _identifies_only(domain: Domain, observations: list[Observation], outputs: list[str]) -> bool:
    """Only authentication calls, and every output one of the identifiers they returned."""
    if not outputs or not all(o.name in domain.auth_tools for o in observations):
        return False
    ids = {i.strip().lower() for i in _identifiers(observations)}
    return all(out.strip().strip('"').lower() in ids for out in outputs)


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
