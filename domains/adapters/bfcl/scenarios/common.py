"""What every BFCL scenario shares: its signature, and the rule that questions come last.

A scenario proposes, from the bound world's live state, the calls that do one task; the
calls include whatever BFCL needs first (signing in, pressing the brake, changing directory),
so every proposal executes. Proposals only read the live instances.

Questions come last. A generated instruction lists the user's requests before their
questions, so a question asked before a later request would be answered after it, on a
changed state (a balance after a deposit, a file count in another directory). So once a
question is proposed in a chain, no further task is added to it (`db.notes` is the sampler's
scratch space, cleared with the environment).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from domains.adapters.bfcl.database import WorldDatabase
from domains.framework.sampling import Scenario, TargetCall

Propose = Callable[[WorldDatabase, str, random.Random], "list[TargetCall] | None"]
ASKED = "asked"


def task(name: str, propose: Propose, weight: float = 1.0) -> Scenario:
    """A scenario that changes the state."""

    def run(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
        return None if ASKED in db.notes else propose(db, user_id, rng)

    return Scenario(name, run, weight)  # type: ignore[arg-type]


def question(name: str, propose: Propose, weight: float = 0.5) -> Scenario:
    """A scenario whose last call is a read with a short answer the user wants to hear."""

    def run(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
        if ASKED in db.notes:
            return None
        calls = propose(db, user_id, rng)
        if calls:
            db.notes.add(ASKED)
        return calls

    return Scenario(name, run, weight)  # type: ignore[arg-type]


def profile(db: WorldDatabase, user_id: str) -> dict[str, Any]:
    record = db.view("users", user_id)
    return {} if record is None else record.model_dump()


def pick(rng: random.Random, items: list[Any]) -> Any | None:
    return rng.choice(items) if items else None
