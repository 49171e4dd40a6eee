"""Hand-made task records in the toy domain (tests/domains/framework/toy.py), for the exporter.

They cover what the exporter must get right: a system message in the attempt or not, an
assistant message with text and tool calls, parallel calls whose results come back out of
order, tool arguments whose keys differ from row to row (nested, null, float, non-ASCII,
empty), failed attempts, a rejected task, a recombined task with two verified conversations,
and a validated blueprint with no verified conversation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from builder.config import BuildConfig
from builder.export.dataset import split_of
from builder.llm.types import Message, ToolCall
from builder.records import Action, Attempt, Blueprint, Context, Reason, Review, RoundRecord, TaskRecord

AGENT_SYSTEM = "# Toy policy\nAuthenticate by email. Confirm before cancelling.\n\nUse the tools; one step at a time."

ORDER_0 = {"order_id": "#O1_0", "user_id": "user_1", "status": "pending", "total": 10.0}
USER_1 = {"user_id": "user_1", "email": "u1@example.com", "order_ids": ["#O1_0", "#O1_1", "#O1_2"]}

# Tool arguments, different keys in every row.
ARGS_EMAIL = {"email": "u1@example.com"}
ARGS_USER = {"user_id": "user_1"}
ARGS_ORDER = {"order_id": "#O1_0"}
ARGS_CANCEL = {"order_id": "#O1_0", "reason": "no longer needed"}
ARGS_ZOE = {"email": "zoë@example.com"}
ARGS_NESTED = {"order_id": "#O3_0", "options": {"items": ["a", "b"], "refund": 12.25, "note": None, "rush": False}}


def user(text: str) -> Message:
    return Message(role="user", content=text)


def say(text: str | None, *calls: ToolCall) -> Message:
    return Message(role="assistant", content=text, tool_calls=list(calls) or None)


def call(cid: str, name: str, arguments: dict[str, Any]) -> ToolCall:
    return ToolCall(id=cid, name=name, arguments=arguments)


def result(cid: str, name: str, value: Any) -> Message:
    text = value if isinstance(value, str) else json.dumps(value)
    return Message(role="tool", tool_call_id=cid, name=name, content=text)


def context(user_id: str) -> Context:
    return Context(user_id=user_id, records={}, chain=[], scenarios=["cancel"], persona="terse")


def passed_round(n: int, bp: Blueprint) -> RoundRecord:
    reviews = [
        Review(reviewer="reviewer_0", passed=True, scores={"correct": True, "complete": True}),
        Review(reviewer="reviewer_1", passed=True, scores={"correct": True, "complete": True, "varied": False},
               feedback="fine"),
    ]
    return RoundRecord(round=n, blueprint=bp, reviews=reviews, stage_reached="review", passed=True)


def failed_round(n: int, bp: Blueprint) -> RoundRecord:
    return RoundRecord(
        round=n, blueprint=bp, stage_reached="execution",
        reasons=[Reason(stage="execution", code="tool_error", message="order not found", action_index=0)],
    )


# Task A: the full conversation, system prompt in the attempt, failed attempt 0, passed attempt 1.
CONV_A = [
    Message(role="system", content=AGENT_SYSTEM),
    user("Hi, I want to cancel an order."),
    say("Sure. What is your email?"),
    user("u1@example.com"),
    say(None, call("c1", "find_user_id_by_email", ARGS_EMAIL)),
    result("c1", "find_user_id_by_email", "user_1"),
    say("Let me look at your orders.", call("c2", "get_user_details", ARGS_USER), call("c3", "get_order_details", ARGS_ORDER)),
    result("c3", "get_order_details", ORDER_0),  # parallel results, out of call order
    result("c2", "get_user_details", USER_1),
    say("Cancel order #O1_0 (reason: no longer needed)? Please confirm."),
    user("yes"),
    say("", call("c4", "cancel_order", ARGS_CANCEL)),
    result("c4", "cancel_order", {**ORDER_0, "status": "cancelled"}),
    say("Done: order #O1_0 is cancelled."),
    user("Thanks! ###STOP###"),
]

# Task B: no system message (the policy text is used), non-ASCII arguments, a tool error.
CONV_B = [
    user("Find my account: zoë@example.com"),
    say(None, call("b1", "find_user_id_by_email", ARGS_ZOE)),
    result("b1", "find_user_id_by_email", "Error: no user with email zoë@example.com"),
    say("I could not find an account with that email."),
    user("###STOP###"),
]


def conv_d(order: str) -> list[Message]:
    """Task D's conversations: nested arguments with null, float and bool; ids missing."""
    args = dict(ARGS_NESTED, order_id=order)
    return [
        Message(role="system", content=AGENT_SYSTEM),
        user(f"Cancel {order} please"),
        Message(role="assistant", content="On it.", tool_calls=[ToolCall(id="", name="cancel_order", arguments=args)]),
        Message(role="tool", content=json.dumps({"order_id": order, "status": "cancelled"})),
        say("Cancelled."),
    ]


BP_A = Blueprint(instruction="You are user_1 (u1@example.com). Cancel order #O1_0; you no longer need it.",
                 actions=[Action(name="find_user_id_by_email", arguments=ARGS_EMAIL), Action(name="cancel_order", arguments=ARGS_CANCEL)],
                 outputs=[])
BP_B = Blueprint(instruction="You are Zoë. Ask for your account.", actions=[Action(name="find_user_id_by_email", arguments=ARGS_ZOE)],
                 outputs=["no account"])
BP_D = Blueprint(instruction="Cancel two orders.", actions=[Action(name="cancel_order", arguments=ARGS_NESTED),
                                                             Action(name="get_user_details", arguments={})])
BP_E = Blueprint(instruction="Look up order #O4_0.", actions=[Action(name="get_order_details", arguments={"order_id": "#O4_0"})],
                 outputs=["pending"])


def make_records() -> list[TaskRecord]:
    a = TaskRecord(
        task_id="toy-0-00001", domain="toy", seed=0, context=context("user_1"), status="validated",
        rounds=[failed_round(0, BP_A), passed_round(1, BP_A)],
        attempts=[
            Attempt(attempt=0, messages=CONV_A[:4], end_reason="max_turns", passed=False),
            Attempt(attempt=1, messages=CONV_A, end_reason="stop", passed=True),
        ],
    )
    b = TaskRecord(
        task_id="toy-0-00002", domain="toy", seed=0, context=context("user_9"), status="validated",
        rounds=[passed_round(0, BP_B)], attempts=[Attempt(attempt=0, messages=CONV_B, passed=True)],
    )
    rejected = TaskRecord(
        task_id="toy-0-00003", domain="toy", seed=0, context=context("user_3"), status="rejected",
        rounds=[failed_round(0, BP_E)], attempts=[Attempt(attempt=0, messages=CONV_B, passed=True)],
    )
    d = TaskRecord(
        task_id="toy-0-f1-merged", domain="toy", seed=0, kind="recombined", family="f1",
        parents=["toy-0-00004", "toy-0-00005"], context=context("user_3"), status="validated",
        rounds=[passed_round(0, BP_D)],
        attempts=[
            Attempt(attempt=0, messages=conv_d("#O3_0"), passed=True),
            Attempt(attempt=1, messages=conv_d("#O3_2"), passed=False),
            Attempt(attempt=2, messages=conv_d("#O3_2"), passed=True),
        ],
    )
    e = TaskRecord(
        task_id="toy-0-00006", domain="toy", seed=0, context=context("user_4"), status="validated",
        rounds=[failed_round(0, BP_E), failed_round(1, BP_E), passed_round(2, BP_E)],
        attempts=[Attempt(attempt=0, messages=CONV_B[:2], passed=False)],
    )
    # unsorted on purpose; deep copies, so a test may edit them without touching the constants
    return [r.model_copy(deep=True) for r in (e, d, rejected, b, a)]


def in_task_order(records: list[TaskRecord]) -> list[TaskRecord]:
    """The records as the journal streams them to the export: by task id."""
    return sorted(records, key=lambda r: r.task_id)


def curate_and_export(run_dir: Path, config: BuildConfig, records: list[TaskRecord], domain=None) -> dict[str, dict[str, int]]:
    """What a build does after its pipeline: the run's Parquet files, curation, stats.json, the export."""
    from builder.curation.run import curate
    from builder.export.dataset import export_dataset
    from builder.app.outputs import write_outputs

    Path(run_dir).mkdir(parents=True, exist_ok=True)
    write_outputs(run_dir, records)
    curation = curate(run_dir, config)
    write_stats(run_dir, config, records, curation)
    return export_dataset(run_dir, config, in_task_order(records), domain=domain)


def write_stats(run_dir: Path, config: BuildConfig, records: list[TaskRecord], curation=None) -> None:
    """DIR/config.yaml and stats.json as the build writes them before the export (the dataset card
    reads them)."""
    import json

    from builder.app.stats import compute_stats

    stats = compute_stats(config, records, seconds=1.0, curation=curation)
    (Path(run_dir) / "config.yaml").write_text(config.to_yaml())
    (Path(run_dir) / "stats.json").write_text(json.dumps(stats))


def data_path(dataset_dir: Path, config: str, split: str = "train") -> Path:
    """The one Parquet file of a config's split (named by its content, so found by its split)."""
    paths = [p for p in (Path(dataset_dir) / config).glob("*.parquet") if split_of(p.name) == split]
    assert len(paths) == 1, paths
    return paths[0]
