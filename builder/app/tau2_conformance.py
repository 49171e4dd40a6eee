"""Does the tau2 adapter agree with tau2? Each task with ground-truth actions, checked both ways.

It lives in the application, not with the adapter, because it judges the adapter with the
application's own checks (the blueprint checks of phase 1, the state comparison of phase 2).

For one tau2 task (in the domain it starts in, see `domain.task_domain`):
1. convert it to a blueprint (`domains.adapters.tau2.tasks.to_blueprint`) and run our format and
   execution checks;
2. replay the blueprint's actions with the adapter and hand the conversation (its tool calls and
   the observations the adapter produced) to tau2's own `EnvironmentEvaluator`, which replays it
   in tau2's environment (refusing it if any observation differs from tau2's) and judges the
   final state as tau2 judges the domain: databases equal to those of tau2's gold actions
   (retail, airline), the task's assertions on the phone hold (telecom). Our state comparison
   (`check_state`, as phase 2 verification uses it) judges the same conversation against the
   blueprint's gold state. Both must say "same";
3. the same with the write actions dropped: both must say "different" (or both "same" for a
   task whose writes change nothing);
4. the state the adapter reached, turned back into tau2's databases, must hash as tau2's gold
   state does (`state_identical`): the adapter executes tau2's tools exactly.

Gold actions that fail in tau2 itself (a few tasks have them) are counted, so that an execution
check failure can be told apart from an adapter fault.
"""

from __future__ import annotations

import pickle
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from builder.records import Action, Blueprint
from domains.adapters.tau2.domain import Tau2Domain, hooks_for, task_domain
from domains.adapters.tau2.loader import SOURCES, cached_tasks
from domains.adapters.tau2.tasks import gold_actions, to_blueprint
from domains.framework.sampling import replay
from steps.checks import execution_check, format_check
from steps.verification import check_state


@dataclass
class TaskReport:
    task_id: str
    has_actions: bool = False
    format_ok: bool = False
    execution_ok: bool = False
    reasons: list[str] = field(default_factory=list)  # codes of the check failures
    tau2_gold_errors: int = 0  # gold actions that fail in tau2's own environment
    has_writes: bool = False
    ours_gold_same: bool | None = None
    tau2_gold_same: bool | None = None
    ours_dropped_same: bool | None = None
    tau2_dropped_same: bool | None = None
    state_identical: bool | None = None
    error: str | None = None  # tau2 refused our conversation (an observation differed from its own)

    @property
    def agrees_on_gold(self) -> bool:
        return self.ours_gold_same is not None and self.ours_gold_same == self.tau2_gold_same

    @property
    def agrees_on_dropped(self) -> bool:
        return self.ours_dropped_same is not None and self.ours_dropped_same == self.tau2_dropped_same


@lru_cache(maxsize=None)
def _pristine(name: str) -> tuple[bytes, bytes | None]:
    env = SOURCES[name].environment()
    return pickle.dumps(env.tools.db), (pickle.dumps(env.user_tools.db) if env.user_tools is not None else None)


def environment_constructor(name: str):
    """A fresh tau2 environment (`solo_mode` as tau2's evaluator asks), on a copy of tau2's data
    (unpickled: several times faster than loading tau2's files or deep-copying its models)."""
    module = SOURCES[name].module

    def make(solo_mode: bool = False) -> Any:
        db, user_db = _pristine(name)
        kwargs: dict[str, Any] = {"db": pickle.loads(db)}
        if user_db is not None:
            kwargs["user_db"] = pickle.loads(user_db)
        if solo_mode:
            kwargs["solo_mode"] = True
        return module.get_environment(**kwargs)

    return make


def _trajectory(domain: Tau2Domain, actions: list[Action]) -> tuple[Any, list[Any]]:
    """Replay `actions` with the adapter: our environment, and the conversation as tau2 messages."""
    from tau2.data_model.message import AssistantMessage, ToolCall, ToolMessage

    env, observations = replay(domain, ((a.name, a.arguments) for a in actions))
    messages: list[Any] = []
    for i, (action, obs) in enumerate(zip(actions, observations)):
        call_id = f"call_{i}"
        messages.append(AssistantMessage(role="assistant", tool_calls=[
            ToolCall(id=call_id, name=action.name, arguments=action.arguments, requestor="assistant")]))
        messages.append(ToolMessage(id=call_id, role="tool", content=obs.content, requestor="assistant",
                                    error=not obs.ok))
    return env, messages


def _tau2_same(name: str, task: Any, messages: list[Any]) -> bool:
    """tau2's own verdict on the environment the conversation leaves: its reward is 1.

    That is its database comparison for retail and airline (reward basis `DB`) and its
    assertions on the phone for telecom (`ENV_ASSERTION`): tau2 does not judge telecom by its
    database comparison, whose gold side skips the phone/account sync that replays do.
    """
    from tau2.evaluator.evaluator_env import EnvironmentEvaluator

    reward = EnvironmentEvaluator.calculate_reward(
        environment_constructor(name), task, messages, solo_mode=SOURCES[name].solo)
    return reward.reward == 1.0


def _tau2_gold(name: str, task: Any) -> tuple[Any, int]:
    """tau2's gold environment for the task, and how many of its gold actions failed there."""
    env = environment_constructor(name)()
    state = task.initial_state
    if state is not None:
        env.set_state(state.initialization_data, state.initialization_actions, state.message_history or [])
    errors = 0
    for action in task.evaluation_criteria.actions or []:
        try:
            env.make_tool_call(action.name, requestor=action.requestor, **action.arguments)
            env.sync_tools()
        except Exception:
            errors += 1
    return env, errors


def check_task(name: str, task: Any) -> TaskReport:
    report = TaskReport(task_id=task.id)
    if not gold_actions(task):
        return report
    report.has_actions = True
    domain = task_domain(name, task)
    blueprint = Blueprint.model_validate(to_blueprint(task, hooks_for(name), domain.new_environment().db))
    reasons = format_check(domain, blueprint)
    report.format_ok = not reasons
    gold_fingerprint = None
    if not reasons:
        execution = execution_check(domain, blueprint)
        reasons, gold_fingerprint = execution.reasons, execution.gold_fingerprint
        report.execution_ok = not reasons
    report.reasons = sorted({r.code for r in reasons})
    gold_env, report.tau2_gold_errors = _tau2_gold(name, task)
    if not report.format_ok:
        return report
    writes = [a for a in blueprint.actions if domain.tools[a.name].kind == "write"]
    report.has_writes = bool(writes)
    dropped = Blueprint(instruction=blueprint.instruction, outputs=blueprint.outputs,
                        actions=[a for a in blueprint.actions if a not in writes])
    gold_fingerprint = gold_fingerprint or replay(
        domain, ((a.name, a.arguments) for a in blueprint.actions))[0].fingerprint()
    try:
        for variant, ours_attr, tau2_attr in ((blueprint, "ours_gold_same", "tau2_gold_same"),
                                              (dropped, "ours_dropped_same", "tau2_dropped_same")):
            env, messages = _trajectory(domain, variant.actions)
            state_reasons, _diff = check_state(domain, blueprint, gold_fingerprint, env)
            setattr(report, ours_attr, not state_reasons)
            setattr(report, tau2_attr, _tau2_same(name, task, messages))
            if variant is blueprint:
                tau2_state = domain.toolbox.layout.materialize(env.db)
                report.state_identical = (
                    tau2_state["agent"].get_hash() == gold_env.get_db_hash()
                    and ("user" not in tau2_state or tau2_state["user"].get_hash() == gold_env.get_user_db_hash())
                )
    except ValueError as exc:  # tau2's set_state: an observation of ours differs from tau2's
        report.error = str(exc)[:500]
    return report


def check_domain(name: str, split: str | None = None, limit: int | None = None, seed: int = 0) -> list[TaskReport]:
    """Reports for the tasks of a split (all with None); `limit` draws a seeded sample of them."""
    import random

    tasks = cached_tasks(name, split)
    if limit is not None and limit < len(tasks):
        tasks = random.Random(f"{seed}:{name}").sample(tasks, limit)
    return [check_task(name, t) for t in tasks]


def summarize(reports: list[TaskReport]) -> dict[str, Any]:
    with_actions = [r for r in reports if r.has_actions]
    return {
        "tasks": len(reports),
        "with_actions": len(with_actions),
        "format_ok": sum(r.format_ok for r in with_actions),
        "execution_ok": sum(r.execution_ok for r in with_actions),
        "gold_fails_in_tau2": sum(r.tau2_gold_errors > 0 for r in with_actions),
        "agree_on_gold": sum(r.agrees_on_gold for r in with_actions),
        "both_same_on_gold": sum(bool(r.ours_gold_same and r.tau2_gold_same) for r in with_actions),
        "state_identical_to_tau2": sum(bool(r.state_identical) for r in with_actions),
        "with_writes": sum(r.has_writes for r in with_actions),
        "agree_on_dropped_writes": sum(r.agrees_on_dropped for r in with_actions),
        "both_different_on_dropped_writes": sum(
            r.ours_dropped_same is False and r.tau2_dropped_same is False for r in with_actions),
        "tau2_refused_conversation": sum(r.error is not None for r in with_actions),
        "execution_failures": dict(Counter(c for r in with_actions for c in r.reasons)),
    }
