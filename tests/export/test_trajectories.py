"""The `trajectories` config: APIGen-MT-5k's format, row by row."""

from __future__ import annotations

import json

from tests.export.records import (
    AGENT_SYSTEM, ARGS_CANCEL, ARGS_EMAIL, ARGS_NESTED, ARGS_ORDER, ARGS_USER, ARGS_ZOE, ORDER_0, USER_1,
)


def fc(name, arguments):
    return {"from": "function_call", "value": json.dumps({"name": name, "arguments": arguments}, ensure_ascii=False)}


def obs(value):
    return {"from": "observation", "value": value if isinstance(value, str) else json.dumps(value)}


def human(text):
    return {"from": "human", "value": text}


def gpt(text):
    return {"from": "gpt", "value": text}


def test_full_conversation_row(load, toy_domain):
    row = load("trajectories")[0]
    assert row["id"] == "toy-0-00001-a1"
    assert row["conversations"] == [
        human("Hi, I want to cancel an order."),
        gpt("Sure. What is your email?"),
        human("u1@example.com"),
        fc("find_user_id_by_email", ARGS_EMAIL), obs("user_1"),
        gpt("Let me look at your orders."),  # text first, then one function_call per call
        fc("get_user_details", ARGS_USER), obs(USER_1),  # each observation right after its call,
        fc("get_order_details", ARGS_ORDER), obs(ORDER_0),  # even when the results came reordered
        gpt("Cancel order #O1_0 (reason: no longer needed)? Please confirm."),
        human("yes"),
        fc("cancel_order", ARGS_CANCEL), obs({**ORDER_0, "status": "cancelled"}),  # no empty gpt turn
        gpt("Done: order #O1_0 is cancelled."),
        human("Thanks!"),  # the stop marker is not training text
    ]
    assert row["system"] == AGENT_SYSTEM
    assert row["domain"] == "toy"
    assert row["blueprint_id"] == "toy-0-00001"
    assert row["num_turns"] == 4
    assert row["num_tool_calls"] == 4
    assert row["simulated"] is True
    assert row["models"] == {"generator": "simulator", "reviewers": ["simulator"] * 3, "human": "simulator",
                             "agent": "simulator", "judge": None}


def test_roles_and_pairing_in_every_row(load):
    for row in load("trajectories"):
        turns = row["conversations"]
        assert {t["from"] for t in turns} <= {"human", "gpt", "function_call", "observation"}
        assert turns[0]["from"] == "human"
        for i, t in enumerate(turns):
            if t["from"] == "function_call":
                assert turns[i + 1]["from"] == "observation"
                assert set(json.loads(t["value"])) == {"name", "arguments"}
            if t["from"] == "observation":
                assert turns[i - 1]["from"] == "function_call"
        assert row["num_tool_calls"] == sum(t["from"] == "function_call" for t in turns)
        assert row["num_turns"] == sum(t["from"] == "human" for t in turns)


def test_policy_text_is_the_system_prompt_when_the_attempt_has_none(load, toy_domain):
    row = load("trajectories")[1]
    assert row["system"] == toy_domain.policy.text
    assert row["conversations"] == [
        human("Find my account: zoë@example.com"),
        fc("find_user_id_by_email", ARGS_ZOE),
        obs("Error: no user with email zoë@example.com"),
        gpt("I could not find an account with that email."),
    ]  # a turn that was only the stop marker is dropped


def test_arguments_come_back_unchanged(load):
    """Arguments of every shape survive as written: no merged keys, no nulls filled in."""
    calls = [json.loads(t["value"]) for row in load("trajectories") for t in row["conversations"]
             if t["from"] == "function_call"]
    assert [c["arguments"] for c in calls] == [
        ARGS_EMAIL, ARGS_USER, ARGS_ORDER, ARGS_CANCEL, ARGS_ZOE,
        ARGS_NESTED, dict(ARGS_NESTED, order_id="#O3_2"),
    ]


def test_tools_is_the_json_string_of_name_description_parameters(load, toy_domain):
    rows = load("trajectories")
    expected = [s["function"] for s in toy_domain.tool_schemas()]
    for row in rows:
        assert isinstance(row["tools"], str)
        assert json.loads(row["tools"]) == [
            {"name": f["name"], "description": f["description"], "parameters": f["parameters"]} for f in expected
        ]
