"""A domain bundles tools, database, policy and the hooks the context sampler needs."""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import cached_property
from typing import Any

from domains.framework.database import Database, Tables
from domains.framework.environment import Environment
from domains.framework.graph import ApiGraph
from domains.framework.policy import Policy
from domains.framework.sampling import ChainSampler, Scenario, TargetCall
from domains.framework.tools import ToolSpec


class Domain:
    """An environment definition. The base tables are loaded once and shared by every environment.

    Hooks for sampling:
      - `auth_call(db, user_id, rng)`: the call that authenticates this user (e.g. find by email);
      - `scenarios`: kinds of tasks, each proposing target calls for a user;
      - `user_context(db, user_id)`: the records around a user, shown to the blueprint generator.
    """

    def __init__(
        self,
        name: str,
        description: str,
        tools: list[ToolSpec],
        load_tables: Callable[[], Tables],
        policy: Policy,
        user_table: str,
        auth_tools: set[str],
        auth_call: Callable[[Database, str, random.Random], TargetCall],
        scenarios: list[Scenario],
        user_context: Callable[[Database, str], dict[str, Any]],
        eligible_users: Callable[[Tables], list[str]] | None = None,
        examples: list[dict[str, Any]] | None = None,
    ):
        self.name = name
        self.description = description
        self.tools = {t.name: t for t in tools}
        if len(self.tools) != len(tools):
            raise ValueError(f"domain {name}: two tools share a name")
        self._load_tables = load_tables
        self.policy = policy
        self.user_table = user_table
        self.auth_tools = auth_tools
        self.auth_call = auth_call
        self.scenarios = scenarios
        self.user_context = user_context
        self._eligible_users = eligible_users
        self.examples = examples or []  # example blueprints (JSON) shown to the generator

    @cached_property
    def tables(self) -> Tables:
        return self._load_tables()

    @cached_property
    def graph(self) -> ApiGraph:
        return ApiGraph(self.tools)

    @cached_property
    def sampler(self) -> ChainSampler:
        return ChainSampler(self)

    def user_ids(self) -> list[str]:
        return self._user_ids

    @cached_property
    def _user_ids(self) -> list[str]:
        if self._eligible_users is not None:
            return self._eligible_users(self.tables)
        return list(self.tables.records[self.user_table])

    def new_environment(self) -> Environment:
        return Environment(self, Database(self.tables))

    def tool_schemas(self) -> list[dict[str, Any]]:
        return [t.openai_schema() for t in self.tools.values()]

    def read_tools(self) -> list[str]:
        return [n for n, t in self.tools.items() if t.kind == "read"]

    def write_tools(self) -> list[str]:
        return [n for n, t in self.tools.items() if t.kind == "write"]
