"""The `llm` section of stats.json: how the endpoints behaved and what their failures cost.

Endpoints fail (5xx, 429, timeouts, cut bodies); most failures are retried away, some are not.
Users need both figures: the retries tell how hard the endpoint was pushed, the losses tell how
much data the failures cost. A loss is a row whose rejection carries an `llm/llm_failure` reason
(a call that gave up after its retries, or that could not be retried): a blueprint candidate, a
conversation attempt, and the tasks whose final fate it decided.
"""

from __future__ import annotations

from typing import Any

from builder.records import Reason, TaskRecord

LLM_FAILURE = ("llm", "llm_failure")


def _llm_failed(reasons: list[Reason]) -> bool:
    return any((r.stage, r.code) == LLM_FAILURE for r in reasons)


def _lost_task(rec: TaskRecord, phase: int) -> bool:
    """The task ends without a kept row, and its last candidate or attempt failed on an LLM call."""
    if rec.status == "rejected":
        return bool(rec.rounds) and _llm_failed(rec.rounds[-1].reasons)
    if phase >= 2 and rec.status == "validated" and rec.attempts and not rec.succeeded:
        return _llm_failed(rec.attempts[-1].reasons)
    return False


class LostRows:
    """Counts, record by record, the rows LLM failures cost."""

    def __init__(self, phase: int) -> None:
        self.phase = phase
        self.candidates = self.attempts = self.tasks = 0

    def add(self, rec: TaskRecord) -> None:
        self.candidates += sum(_llm_failed(rnd.reasons) for rnd in rec.rounds)
        self.attempts += sum(_llm_failed(a.reasons) for a in rec.attempts)
        self.tasks += _lost_task(rec, self.phase)


def llm_section(lost: LostRows, usage: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Calls, retries, recovered and failed calls (from the per-role usage), and rows lost."""
    total = lambda key: sum(u.get(key, 0) for u in usage.values())  # noqa: E731
    return {
        "calls": total("calls"),
        "retries": total("retries"),
        "recovered_calls": total("recovered"),
        "failed_calls": total("failures"),
        "lost": {"candidates": lost.candidates, "attempts": lost.attempts, "tasks": lost.tasks},
    }
