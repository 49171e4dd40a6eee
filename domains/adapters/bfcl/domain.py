"""A BFCL domain: the tools of its API classes, worlds as the database, and no policy.

BFCL's APIs are a personal assistant's: the agent acts on one person's own file system, car
and accounts, with no business rules beyond what the methods themselves refuse. So the policy
has no rules, and its text is a short system prompt naming the systems. The one convention
is ours: a conversation first identifies the person (`find_user`), which binds the
environment to their world (see `database.py`) — the framework creates environments before
it knows the task, and the first call of every blueprint and conversation is where the
person is known, as retail's and airline's authentication is.
"""

from __future__ import annotations

import importlib
import random
from functools import cached_property
from typing import Any

from domains.adapters.bfcl.catalog import ApiClass, canonical_name
from domains.adapters.bfcl.database import USERS, World, WorldDatabase, Worlds
from domains.adapters.bfcl.scenarios import BY_CLASS
from domains.adapters.bfcl.tools import BfclTool, class_tools, find_user
from domains.adapters.bfcl.worlds import generate_worlds
from domains.framework.database import Database
from domains.framework.domain import Domain
from domains.framework.environment import Environment
from domains.framework.graph import ApiGraph
from domains.framework.policy import Policy
from domains.framework.sampling import TargetCall

AUTH_TOOL = "find_user"

PROMPT = """You are a personal assistant with tools for these systems:
{systems}

You serve one person per conversation. First ask for their user id and identify them with
`find_user`; every other tool then acts on that person's own systems. Then do what they
ask, calling the tools step by step, and tell them the results."""


class BfclGraph(ApiGraph):
    """The API graph, where only the arguments the catalog lists as discoverable are probed for.

    Which shares, files or tickets a task is about, and every amount, text and choice, comes
    from the person; reads discover only identifiers the catalog names (an order id in the
    order history, a file name in the directory listing).
    """

    def discoverable(self, tool: str) -> list[str]:  # type: ignore[override]
        spec = self.tools[tool]
        found = super().discoverable(tool)
        return [p for p in found if p in spec.discovers]


def load_class(api: ApiClass) -> type:
    return getattr(importlib.import_module(api.module), api.class_name)


class BfclDomain(Domain):
    def __init__(self, classes: list[ApiClass], worlds: list[World] | None = None):
        self.classes = classes
        self.class_types = {api.class_name: load_class(api) for api in classes}
        tools: list[Any] = [find_user]
        for api in classes:
            tools += class_tools(api, self.class_types[api.class_name])
        systems = "\n".join(f"- {self.class_types[a.class_name]()._api_description}" for a in classes)
        self._worlds = worlds
        super().__init__(
            name=f"bfcl:{canonical_name(classes)}",
            description="BFCL multi-turn APIs: " + "; ".join(a.class_name for a in classes),
            tools=tools,
            load_tables=lambda: self.worlds.tables,
            policy=Policy(text=PROMPT.format(systems=systems)),
            user_table=USERS,
            auth_tools={AUTH_TOOL},
            auth_call=auth_call,
            scenarios=[s for api in classes for s in BY_CLASS[api.class_name]],
            user_context=user_context,
        )

    @cached_property
    def worlds(self) -> Worlds:
        worlds = self._worlds if self._worlds is not None else generate_worlds(list(self.class_types))
        stateless = {a.class_name for a in self.classes if a.stateless}
        return Worlds(self.class_types, stateless, worlds)

    @cached_property
    def graph(self) -> ApiGraph:
        return BfclGraph(self.tools)

    def new_environment(self) -> Environment:
        return Environment(self, WorldDatabase(self.worlds))

    def bfcl_tools(self) -> list[BfclTool]:
        return [t for t in self.tools.values() if isinstance(t, BfclTool)]


def auth_call(db: Database, user_id: str, rng: random.Random) -> TargetCall:
    return AUTH_TOOL, {"user_id": user_id}


def user_context(db: Database, user_id: str) -> dict[str, Any]:
    """The person's profile and the state of each of their systems."""
    record = db.view(USERS, user_id)
    state = db.world_state(user_id) if isinstance(db, WorldDatabase) else {}
    return {"profile": None if record is None else record.model_dump(), **state}
