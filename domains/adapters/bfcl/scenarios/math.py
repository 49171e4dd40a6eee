"""Calculations on numbers from the person's own state (prices, balances, fuel, tire pressures)."""

from __future__ import annotations

import random

from domains.adapters.bfcl.database import WorldDatabase
from domains.adapters.bfcl.scenarios.common import question
from domains.framework.sampling import TargetCall

MAX_NUMBERS = 5


def _numbers(db: WorldDatabase, user_id: str) -> list[float]:
    """The distinct numbers (not ids, not flags) in the world's current state."""
    found: list[float] = []

    def walk(value: object, name: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, name)
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and not name.endswith(("id", "_counter")):
            if 0 < abs(value) < 100_000 and float(value) not in found:
                found.append(float(value))

    walk(db.world_state(user_id), "")
    return found


def statistic(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    numbers = _numbers(db, user_id)
    if len(numbers) < 2:
        numbers = [float(rng.randint(1, 500)) for _ in range(4)]
    chosen = rng.sample(numbers, rng.randint(2, min(MAX_NUMBERS, len(numbers))))
    return [(rng.choice(["mean", "sum_values", "max_value", "min_value", "standard_deviation"]), {"numbers": chosen})]


def arithmetic(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    numbers = _numbers(db, user_id) or [float(rng.randint(1, 500)) for _ in range(3)]
    a = rng.choice(numbers)
    kind = rng.choice(["add", "subtract", "multiply", "percentage", "square_root", "round_number"])
    if kind == "square_root":
        return [("square_root", {"number": abs(a), "precision": rng.randint(1, 4)})]
    if kind == "round_number":
        return [("round_number", {"number": a / 3, "decimal_places": rng.randint(0, 2)})]
    b = rng.choice(numbers)
    if kind == "percentage":
        part, whole = sorted([abs(a), abs(b)])
        return [("percentage", {"part": part, "whole": whole})] if whole else None
    return [(kind, {"a": a, "b": b})]


SCENARIOS = [
    question("math_statistic", statistic, 0.4),
    question("math_arithmetic", arithmetic, 0.3),
]
