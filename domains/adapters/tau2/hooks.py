"""What the adapter needs to know about each tau2 domain beyond tau2's own code.

tau2 ships tools, data, a policy text and tasks; sampling and checking need a little more:
who a record belongs to, how a user identifies, which records surround a user, what tasks can
be proposed for a user (scenarios that follow tau2's policy), and which strings in a task name a
user (to keep tau2's test users out of sampling). Each domain module (`retail.py`, ...) fills one
`Hooks`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from domains.framework.database import Database, Tables
from domains.framework.sampling import Scenario, TargetCall


@dataclass(frozen=True)
class Hooks:
    description: str
    user_table: str
    auth_tools: frozenset[str]
    # the authentication call for a user; `text` is what the user knows (a task's instructions),
    # None when sampling (then `rng` picks among the ways the policy allows)
    auth_call: Callable[[Database, str, random.Random, str | None], TargetCall]
    owner_of: Callable[[Database, str, dict[str, Any]], str | None]
    user_context: Callable[[Database, str], dict[str, Any]]
    scenarios: list[Scenario]
    # strings that name the user or one of their records in a task's text (ids, email, name...)
    references: Callable[[Tables, str], list[str]]
    # write tools the house rule "confirm before write" applies to (None: every write tool)
    confirmed_writes: frozenset[str] | None = None
    confirm_fields: Callable[[str, dict[str, Any]], list[str]] | None = None
    discovers: dict[str, dict[str, str]] = field(default_factory=dict)
    preconditions: list[str] = field(default_factory=list)
