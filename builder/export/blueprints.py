"""The `blueprints` config: the validated task blueprints, one row per validated task.

Columns: `id` (the task id; `blueprint_id` in the other configs), `domain`, `kind` (`base` or
`recombined`), `parents` (the task ids a recombined task merges), `user_id`, `instruction`,
`actions` (the gold tool calls, `[{name, arguments}]`, arguments as `datasets.Json`), `outputs`
(what the agent must tell the user), `reviews` (the committee's verdicts on the round that
passed: `{reviewer, passed, scores, feedback}`, scores as `datasets.Json`) and `round` (the
generation round, 0-based, in which the blueprint passed).

A validated blueprint is kept here whether or not a conversation for it was verified.
"""

from __future__ import annotations

from typing import Any

from builder.export.conversation import json_text
from builder.records import TaskRecord

COLUMNS = ["id", "domain", "kind", "parents", "user_id", "instruction", "actions", "outputs", "reviews", "round"]


def features():
    from datasets import Features, Json, List, Value

    return Features({
        "id": Value("string"),
        "domain": Value("string"),
        "kind": Value("string"),
        "parents": List(Value("string")),
        "user_id": Value("string"),
        "instruction": Value("string"),
        "actions": List({"name": Value("string"), "arguments": Json()}),
        "outputs": List(Value("string")),
        "reviews": List({"reviewer": Value("string"), "passed": Value("bool"), "scores": Json(), "feedback": Value("string")}),
        "round": Value("int32"),
    })


def row(rec: TaskRecord) -> dict[str, Any] | None:
    """The row of a validated task, None for any other (with Json values as JSON text)."""
    if rec.status != "validated":
        return None
    passed = next((r for r in reversed(rec.rounds) if r.passed and r.blueprint is not None), None)
    if passed is None:
        return None
    bp = passed.blueprint
    return {
        "id": rec.task_id,
        "domain": rec.domain,
        "kind": rec.kind,
        "parents": list(rec.parents),
        "user_id": rec.context.user_id,
        "instruction": bp.instruction,
        "actions": [{"name": a.name, "arguments": json_text(a.arguments)} for a in bp.actions],
        "outputs": list(bp.outputs),
        "reviews": [
            {"reviewer": r.reviewer, "passed": r.passed, "scores": json_text(r.scores), "feedback": r.feedback}
            for r in passed.reviews
        ],
        "round": passed.round,
    }
