"""The `messages` config: OpenAI chat rows that a real chat template renders as they load."""

from __future__ import annotations

import json

import pytest

from builder.cards.training import render
from tests.export.records import (
    AGENT_SYSTEM, ARGS_CANCEL, ARGS_EMAIL, ARGS_NESTED, ARGS_ORDER, ARGS_USER, ORDER_0, USER_1,
)



def tc(cid, name, arguments):
    return {"id": cid, "type": "function", "function": {"name": name, "arguments": arguments}}


def tool(cid, name, value):
    return {"role": "tool", "tool_call_id": cid, "name": name, "content": value if isinstance(value, str) else json.dumps(value)}


def test_full_conversation_row_exactly(load, toy_domain):
    row = load("messages")[0]
    assert row["id"] == "toy-0-00001-a1"
    assert row["domain"] == "toy"
    assert row["tools"] == toy_domain.tool_schemas()
    assert row["messages"] == [
        {"role": "system", "content": AGENT_SYSTEM},
        {"role": "user", "content": "Hi, I want to cancel an order."},
        {"role": "assistant", "content": "Sure. What is your email?"},
        {"role": "user", "content": "u1@example.com"},
        {"role": "assistant", "content": "", "tool_calls": [tc("c1", "find_user_id_by_email", ARGS_EMAIL)]},
        tool("c1", "find_user_id_by_email", "user_1"),
        {"role": "assistant", "content": "Let me look at your orders.",
         "tool_calls": [tc("c2", "get_user_details", ARGS_USER), tc("c3", "get_order_details", ARGS_ORDER)]},
        tool("c2", "get_user_details", USER_1),
        tool("c3", "get_order_details", ORDER_0),
        {"role": "assistant", "content": "Cancel order #O1_0 (reason: no longer needed)? Please confirm."},
        {"role": "user", "content": "yes"},
        {"role": "assistant", "content": "", "tool_calls": [tc("c4", "cancel_order", ARGS_CANCEL)]},
        tool("c4", "cancel_order", {**ORDER_0, "status": "cancelled"}),
        {"role": "assistant", "content": "Done: order #O1_0 is cancelled."},
        {"role": "user", "content": "Thanks!"}  # the stop marker is not training text,
    ]


def test_no_null_filled_keys(load):
    """Each message has only its own keys: templates that test `'tool_calls' in message` work."""
    for row in load("messages"):
        for m in row["messages"]:
            expected = {
                "system": {"role", "content"}, "user": {"role", "content"},
                "tool": {"role", "tool_call_id", "name", "content"},
            }.get(m["role"], {"role", "content", "tool_calls"} if "tool_calls" in m else {"role", "content"})
            assert set(m) == expected, m
            assert None not in m.values()
        for t in row["tools"]:
            assert set(t) == {"type", "function"}


def test_filled_in_ids_and_nested_arguments(load):
    row = load("messages")[2]
    assert row["id"] == "toy-0-f1-merged-a0"
    assistant, result = row["messages"][2], row["messages"][3]
    assert assistant["tool_calls"] == [tc("call_0", "cancel_order", ARGS_NESTED)]
    assert result["tool_call_id"] == "call_0" and result["name"] == "cancel_order"


# --- rendering through Qwen2.5-Instruct's published chat template, as transformers does ----------
# (builder.cards.training.render: the card's training recipe measures rows with it)

def test_every_row_renders_with_its_tools_calls_and_results(load):
    for row in load("messages"):
        text = render(row["messages"], row["tools"])
        assert text.startswith("<|im_start|>system\n" + row["messages"][0]["content"] + "\n\n# Tools\n")
        for t in row["tools"]:
            assert "\n" + json.dumps(t, ensure_ascii=False) + "\n" in text  # the whole schema, as written
        for m in row["messages"]:
            for call in m.get("tool_calls", []):
                fn = call["function"]
                rendered = json.dumps({"name": fn["name"], "arguments": fn["arguments"]}, ensure_ascii=False)
                assert f"<tool_call>\n{rendered}\n</tool_call>" in text
            if m["role"] == "tool":
                assert f"<tool_response>\n{m['content']}\n</tool_response>" in text
            if m["role"] in ("user", "assistant") and m["content"]:
                assert m["content"] in text
        assert '"arguments": "' not in text  # arguments are objects, not JSON encoded twice
        assert "null" not in text.replace('"note": null', "")  # no null-filled keys leak in


def test_short_row_renders_exactly(load, toy_domain):
    row = load("messages")[1]  # task B: system = policy, one call answered by an error
    tools = "\n".join(json.dumps(t, ensure_ascii=False) for t in toy_domain.tool_schemas())
    assert render(row["messages"], row["tools"], add_generation_prompt=True) == (
        "<|im_start|>system\n" + toy_domain.policy.text + "\n\n# Tools\n\n"
        "You may call one or more functions to assist with the user query.\n\n"
        "You are provided with function signatures within <tools></tools> XML tags:\n"
        "<tools>\n" + tools + "\n</tools>\n\n"
        "For each function call, return a json object with function name and arguments within "
        "<tool_call></tool_call> XML tags:\n<tool_call>\n"
        '{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call><|im_end|>\n'
        "<|im_start|>user\nFind my account: zoë@example.com<|im_end|>\n"
        "<|im_start|>assistant\n<tool_call>\n"
        '{"name": "find_user_id_by_email", "arguments": {"email": "zoë@example.com"}}\n'
        "</tool_call><|im_end|>\n"
        "<|im_start|>user\n<tool_response>\nError: no user with email zoë@example.com\n</tool_response><|im_end|>\n"
        "<|im_start|>assistant\nI could not find an account with that email.<|im_end|>\n"
        "<|im_start|>assistant\n"
    )


def test_parallel_results_render_in_one_user_turn(load):
    text = render(load("messages")[0]["messages"], load("messages")[0]["tools"])
    assert ("</tool_call><|im_end|>\n<|im_start|>user\n<tool_response>\n" + json.dumps(USER_1)
            + "\n</tool_response>\n<tool_response>\n" + json.dumps(ORDER_0) + "\n</tool_response><|im_end|>\n") in text


@pytest.mark.xfail(reason="datasets 5.2 decodes Json with pandas' ujson without precise_float: 0.3 -> 0.30000000000000004",
                   strict=False)
def test_short_decimal_floats_in_arguments_round_trip(tmp_path, toy_domain, toy_config):
    import datasets

    from tests.export.records import curate_and_export, make_records

    records = make_records()
    records[-1].attempts[1].messages[4].tool_calls[0].arguments["ratio"] = 0.3
    curate_and_export(tmp_path, toy_config, records, domain=toy_domain)
    ds = datasets.load_dataset(str(tmp_path / "dataset"), "messages", split="train", cache_dir=str(tmp_path / "c"))
    assert ds[0]["messages"][4]["tool_calls"][0]["function"]["arguments"]["ratio"] == 0.3
