"""The `blueprints` config: validated blueprints with actions as written."""

from __future__ import annotations

from tests.export.records import ARGS_CANCEL, ARGS_EMAIL, ARGS_NESTED, ARGS_ZOE, BP_A, BP_D


def test_rows(load):
    rows = {r["id"]: r for r in load("blueprints")}
    a = rows["toy-0-00001"]
    assert a == {
        "id": "toy-0-00001", "domain": "toy", "kind": "base", "parents": [], "user_id": "user_1",
        "instruction": BP_A.instruction,
        "actions": [{"name": "find_user_id_by_email", "arguments": ARGS_EMAIL}, {"name": "cancel_order", "arguments": ARGS_CANCEL}],
        "outputs": [],
        "reviews": [
            {"reviewer": "reviewer_0", "passed": True, "scores": {"correct": True, "complete": True}, "feedback": ""},
            {"reviewer": "reviewer_1", "passed": True, "scores": {"correct": True, "complete": True, "varied": False}, "feedback": "fine"},
        ],
        "round": 1,
    }
    d = rows["toy-0-f1-merged"]
    assert d["kind"] == "recombined" and d["parents"] == ["toy-0-00004", "toy-0-00005"]
    assert d["instruction"] == BP_D.instruction
    assert rows["toy-0-00006"]["round"] == 2
    assert rows["toy-0-00002"]["outputs"] == ["no account"]


def test_actions_with_different_keys_come_back_unchanged(load):
    actions = [a for r in load("blueprints") for a in r["actions"]]
    assert [a["arguments"] for a in actions] == [
        ARGS_EMAIL, ARGS_CANCEL, ARGS_ZOE, {"order_id": "#O4_0"}, ARGS_NESTED, {},
    ]
