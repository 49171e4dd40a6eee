"""Token usage and call accounting, per role and per row.

The run's stats.json reports usage per role; a row's usage lets a step store what that row cost.
Per-row entries are meant to be taken (`pop_row`) by the step that writes the row, so memory does
not grow with the run.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass

from builder.llm.types import Usage

__all__ = ["UsageCounts", "UsageLedger", "get_ledger"]


@dataclass
class UsageCounts:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    retries: int = 0  # failed attempts that were retried
    recovered: int = 0  # calls that succeeded after at least one retry
    failures: int = 0  # calls that gave up (retries exhausted, or not retryable)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class UsageLedger:
    """Thread-safe counters: role -> counts, and row_id -> role -> counts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._roles: dict[str, UsageCounts] = {}
        self._rows: dict[str, dict[str, UsageCounts]] = {}

    def _entries(self, role: str, row_id: str) -> list[UsageCounts]:
        out = [self._roles.setdefault(role, UsageCounts())]
        if row_id:
            out.append(self._rows.setdefault(row_id, {}).setdefault(role, UsageCounts()))
        return out

    def record_call(self, role: str, row_id: str, usage: Usage, retries: int = 0) -> None:
        """A call that returned a reply (after `retries` failed attempts)."""
        with self._lock:
            for c in self._entries(role, row_id):
                c.prompt_tokens += usage.prompt_tokens
                c.completion_tokens += usage.completion_tokens
                c.calls += 1
                c.retries += retries
                c.recovered += int(retries > 0)

    def record_failure(self, role: str, row_id: str, retries: int = 0) -> None:
        """A call that gave up (`LLMCallFailed`)."""
        with self._lock:
            for c in self._entries(role, row_id):
                c.failures += 1
                c.retries += retries

    def snapshot(self) -> dict[str, dict[str, int]]:
        """role -> {prompt_tokens, completion_tokens, calls, retries, recovered, failures}."""
        with self._lock:
            return {role: c.as_dict() for role, c in sorted(self._roles.items())}

    def row(self, row_id: str) -> dict[str, dict[str, int]]:
        with self._lock:
            return {role: c.as_dict() for role, c in sorted(self._rows.get(row_id, {}).items())}

    def pop_row(self, row_id: str) -> dict[str, dict[str, int]]:
        """Take a row's usage (role -> counts) and forget it."""
        with self._lock:
            return {role: c.as_dict() for role, c in sorted(self._rows.pop(row_id, {}).items())}

    def totals(self) -> dict[str, int]:
        with self._lock:
            total = UsageCounts()
            for c in self._roles.values():
                for k, v in c.as_dict().items():
                    setattr(total, k, getattr(total, k) + v)
            return total.as_dict()

    def reset(self) -> None:
        with self._lock:
            self._roles.clear()
            self._rows.clear()


_GLOBAL = UsageLedger()


def get_ledger() -> UsageLedger:
    """The process-wide ledger every LLM records into unless given its own."""
    return _GLOBAL


def estimate_tokens(text: str | None) -> int:
    """Rough token count (4 characters a token) for backends that report no usage."""
    if not text:
        return 0
    return max(1, (len(text) + 3) // 4)
