"""Assembling a tau2 domain as a builder `Domain`.

One tau2 environment per domain is loaded once per process: its databases become the shared base
tables (never mutated: tool calls work on copies, see `session.py`), its toolkits the tools.
Policy: tau2's policy text is the agent's system prompt, verbatim; our conversation rules are
added where tau2's policy asks for the same thing (identify the user before touching their
data; for retail and airline, confirm every write; for telecom, account changes only — the
phone's settings are troubleshooting steps tau2 lets the agent take directly).

`task_domain` gives the domain a tau2 task starts in: telecom tasks set up the account and the
phone first (`initial_state`), with tau2's own `set_state`.
"""

from __future__ import annotations

import importlib
from functools import cached_property, lru_cache
from typing import Any

from domains.adapters.tau2.hooks import Hooks
from domains.adapters.tau2.loader import SOURCES, cached_tasks
from domains.adapters.tau2.tables import Layout
from domains.adapters.tau2.tasks import examples, excluded_users
from domains.adapters.tau2.tools import Toolbox
from domains.framework.database import Tables
from domains.framework.domain import Domain
from domains.framework.graph import ApiGraph
from domains.framework.policy import AuthenticatedBeforeAccess, ConfirmedBeforeWrite, Policy


class IdentifierGraph(ApiGraph):
    """The API graph where only identifiers (`*_id`, `*_ids`, `id`) are discovered through reads.

    What the customer decides or says (a date, a cabin, an airport, a reason, an amount) comes
    from the conversation; probing reads for such values would put unrelated lookups in chains.
    """

    def discoverable(self, tool: str) -> list[str]:  # type: ignore[override]
        return [p for p in super().discoverable(tool) if p == "id" or p.endswith(("_id", "_ids"))]


class Tau2Domain(Domain):
    """A tau2 domain; its in-context examples are converted from tau2's training tasks on first use."""

    def __init__(self, *, tau2_name: str, hooks: Hooks, toolbox: Toolbox, **kwargs: Any):
        self.tau2_name = tau2_name
        self.hooks = hooks
        self.toolbox = toolbox
        self._examples: list[dict[str, Any]] | None = None
        super().__init__(**kwargs)

    @property
    def examples(self) -> list[dict[str, Any]]:  # type: ignore[override]
        if self._examples is None:
            self._examples = examples(self, self.hooks, cached_tasks(self.tau2_name, "train"),
                                      lambda task: task_domain(self.tau2_name, task))
        return self._examples

    @examples.setter
    def examples(self, value: list[dict[str, Any]]) -> None:
        if value:  # Domain.__init__ passes [] when none are given: keep them lazy
            self._examples = value

    @cached_property
    def graph(self) -> ApiGraph:
        return IdentifierGraph(self.tools)


def hooks_for(name: str) -> Hooks:
    return importlib.import_module(f"domains.adapters.tau2.{name}").HOOKS


def _databases(environment: Any) -> dict[str, Any]:
    dbs = {"agent": environment.tools.db}
    if environment.solo_mode and environment.user_tools is not None:
        dbs["user"] = environment.user_tools.db
    return dbs


@lru_cache(maxsize=None)
def _parts(name: str) -> tuple[Any, Layout, Toolbox]:
    """The domain's base tau2 environment, table layout and tools: built once per process."""
    environment = SOURCES[name].environment()
    hooks = hooks_for(name)
    layout = Layout(_databases(environment))
    return environment, layout, Toolbox(environment, layout, hooks.discovers)


def _policy(hooks: Hooks, toolbox: Toolbox) -> Policy:
    writes = {t.name for t in toolbox.specs if t.kind == "write"}
    confirmed = writes if hooks.confirmed_writes is None else writes & hooks.confirmed_writes
    return Policy(
        text=toolbox.policy,
        preconditions=hooks.preconditions,
        rules=[AuthenticatedBeforeAccess(set(hooks.auth_tools), hooks.owner_of),
               ConfirmedBeforeWrite(confirmed, hooks.confirm_fields)],
    )


def _domain(name: str, tables: Tables, sample_users: bool) -> Tau2Domain:
    _environment, _layout, toolbox = _parts(name)
    hooks = hooks_for(name)

    def eligible(tables: Tables) -> list[str]:
        banned = excluded_users(tables, hooks, cached_tasks(name, "test")) if sample_users else set()
        return [u for u in tables.records[hooks.user_table] if u not in banned]

    return Tau2Domain(
        tau2_name=name, hooks=hooks, toolbox=toolbox,
        name=f"tau2:{name}", description=hooks.description, tools=list(toolbox.specs),
        load_tables=lambda: tables, policy=_policy(hooks, toolbox), user_table=hooks.user_table,
        auth_tools=set(hooks.auth_tools), auth_call=lambda db, uid, rng: hooks.auth_call(db, uid, rng, None),
        scenarios=hooks.scenarios, user_context=hooks.user_context, eligible_users=eligible,
    )


def build(name: str) -> Tau2Domain:
    """The domain data is generated in: tau2's base data, tau2's test users never sampled."""
    environment, layout, _toolbox = _parts(name)
    return _domain(name, layout.base_tables(_databases(environment)), sample_users=True)


def task_domain(name: str, task: Any) -> Tau2Domain:
    """The domain as `task` starts: tau2's base data after the task's initial state (if any)."""
    state = task.initial_state
    if state is None or not (state.initialization_data or state.initialization_actions or state.message_history):
        from domains.registry import load_domain

        return load_domain(f"tau2:{name}")  # type: ignore[return-value]
    environment = SOURCES[name].environment()
    environment.set_state(state.initialization_data, state.initialization_actions, state.message_history or [])
    _env, layout, _toolbox = _parts(name)
    return _domain(name, layout.base_tables(_databases(environment)), sample_users=False)
