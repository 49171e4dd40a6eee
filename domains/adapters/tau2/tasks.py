"""tau2's tasks on our side: blueprints from tasks, in-context examples, and the test split's users.

tau2 splits each domain's tasks into `train` and `test` (`split_tasks.json`; telecom's `train`
and `test` are drawn from its `base` set of 114 among 2285). Training tasks become in-context
examples; the users a test task names (by id, email, name, phone, or through a record of theirs)
are never sampled, so generated data does not rehearse the benchmark it will be judged on.

A task becomes a blueprint as follows:
- instruction: tau2's user scenario, as tau2 renders it for its own user simulator;
- actions: the task's ground-truth actions in order (telecom's device actions included: its
  domain runs in tau2's solo mode, where the agent holds the phone's tools). tau2 lists only the
  actions that matter, often without the identification the policy requires first; the
  conversion adds that read (it changes no state) before the first action on the user's data;
- outputs: what the agent must tell the user (`communicate_info`).

Blueprints are plain data here (`{"instruction", "actions": [{"name", "arguments"}], "outputs"}`,
as `domains/retail/examples.py` writes them): the application validates them into its records.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from domains.adapters.tau2.hooks import Hooks
from domains.framework.database import Database, Tables

if TYPE_CHECKING:
    from domains.framework.domain import Domain

MAX_EXAMPLES = 8
#: An action of a blueprint, as plain data: {"name": ..., "arguments": {...}}
Action = dict[str, Any]


def gold_actions(task: Any) -> list[Action]:
    criteria = task.evaluation_criteria
    return [{"name": a.name, "arguments": dict(a.arguments)} for a in (criteria.actions or [])] if criteria else []


def instruction_of(task: Any) -> str:
    return str(task.user_scenario)


def task_text(task: Any) -> str:
    """Everything a task says: instructions, ticket, actions, initial state, criteria."""
    return task.model_dump_json()


def with_authentication(actions: list[Action], hooks: Hooks, db: Database, text: str) -> list[Action]:
    """The actions with the user's identification added before the first call on their data."""
    for i, action in enumerate(actions):
        if action["name"] in hooks.auth_tools:
            return actions
        try:
            owner = hooks.owner_of(db, action["name"], action["arguments"])
        except Exception:  # arguments the task got wrong: the execution check will say so
            owner = None
        if owner is not None:
            name, args = hooks.auth_call(db, owner, random.Random(0), text)
            return actions[:i] + [{"name": name, "arguments": args}] + actions[i:]
    return actions


def to_blueprint(task: Any, hooks: Hooks, db: Database) -> dict[str, Any] | None:
    """The blueprint of a task with ground-truth actions (None without), on the task's start state `db`."""
    actions = gold_actions(task)
    if not actions:
        return None
    text = instruction_of(task)
    criteria = task.evaluation_criteria
    return {
        "instruction": text,
        "actions": with_authentication(actions, hooks, db, text),
        "outputs": [str(o) for o in (criteria.communicate_info or [])],
    }


def excluded_users(tables: Tables, hooks: Hooks, tasks: Iterable[Any]) -> set[str]:
    """Users named by any of the tasks, directly or through one of their records."""
    text = "\x00".join(task_text(t) for t in tasks)
    return {u for u in tables.records[hooks.user_table] if any(r and r in text for r in hooks.references(tables, u))}


def examples(domain: "Domain", hooks: Hooks, tasks: list[Any], start_domain: Any) -> list[dict[str, Any]]:
    """Training tasks as example blueprints: those with a write whose actions all run, in an order
    that alternates the kinds of write, so that the first few examples differ."""
    from domains.framework.sampling import replay

    by_write: dict[str, list[dict[str, Any]]] = {}
    for task in tasks:
        start = start_domain(task)
        blueprint = to_blueprint(task, hooks, start.new_environment().db)
        if blueprint is None:
            continue
        writes = [a["name"] for a in blueprint["actions"] if domain.tools.get(a["name"]) is not None
                  and domain.tools[a["name"]].kind == "write"]
        if not writes:
            continue
        _env, observations = replay(start, ((a["name"], a["arguments"]) for a in blueprint["actions"]))
        if all(o.ok for o in observations):
            by_write.setdefault(writes[0], []).append(blueprint)
        if sum(len(v) for v in by_write.values()) >= 3 * MAX_EXAMPLES:
            break
    out: list[dict[str, Any]] = []
    queues = [by_write[k] for k in sorted(by_write)]
    while queues and len(out) < MAX_EXAMPLES:
        for q in list(queues):
            if q and len(out) < MAX_EXAMPLES:
                out.append(q.pop(0))
            if not q:
                queues.remove(q)
    return out
