"""Normalising an attempt's messages: system prompt, pairing of calls and results, ids."""

from __future__ import annotations

import pytest

from builder.export.conversation import ExportError, normalize
from builder.llm.types import Message, ToolCall
from tests.export.records import AGENT_SYSTEM, CONV_A, CONV_B, call, conv_d, result, say, user


def test_leading_system_message_is_the_system_prompt():
    conv = normalize(CONV_A, "POLICY", "t")
    assert conv.system == AGENT_SYSTEM
    assert conv.exchanges[0].role == "user"


def test_policy_text_when_the_attempt_has_no_system_message():
    assert normalize(CONV_B, "POLICY", "t").system == "POLICY"


def test_parallel_results_are_paired_by_id_in_call_order():
    conv = normalize(CONV_A, "P", "t")
    parallel = next(e for e in conv.exchanges if len(e.calls) == 2)
    assert [cr.call.id for cr in parallel.calls] == ["c2", "c3"]
    assert '"email": "u1@example.com"' in parallel.calls[0].result  # user details answer c2
    assert '"total": 10.0' in parallel.calls[1].result  # order details answer c3
    assert conv.user_turns == 4 and conv.tool_calls == 4


def test_missing_ids_are_paired_by_position_and_filled_in():
    conv = normalize(conv_d("#O3_0"), "P", "t")
    (cr,) = conv.exchanges[1].calls
    assert cr.call.id == "call_0"
    assert '"status": "cancelled"' in cr.result


def test_repeated_ids_across_turns_are_made_unique():
    msgs = [user("hi"), say(None, call("x", "f", {})), result("x", "f", "1"),
            say(None, call("x", "g", {})), result("x", "g", "2"), say("ok")]
    conv = normalize(msgs, "P", "t")
    assert [cr.call.id for e in conv.exchanges for cr in e.calls] == ["x", "call_1"]
    assert [cr.result for e in conv.exchanges for cr in e.calls] == ["1", "2"]


@pytest.mark.parametrize(
    "messages, message",
    [
        ([user("hi"), say(None, call("a", "f", {}))], "1 tool call"),
        ([user("hi"), result("a", "f", "x")], "answers no tool call"),
        ([user("hi"), say("ok"), result("a", "f", "x")], "answers no tool call"),
        ([user("hi"), say(None, call("a", "f", {})), result("b", "f", "x")], "tool results answer calls"),
        ([user("hi"), Message(role="system", content="late"), say("ok")], "system message inside"),
        ([Message(role="system", content="only")], "empty"),
    ],
)
def test_malformed_conversations_raise_naming_the_row(messages, message):
    with pytest.raises(ExportError, match=message) as info:
        normalize(messages, "P", "task T attempt 0")
    assert "task T attempt 0" in str(info.value)


def test_tool_calls_keep_their_arguments_object():
    args = {"a": {"b": [1, None, 2.5]}}
    conv = normalize([user("x"), say(None, ToolCall(id="i", name="f", arguments=args)), result("i", "f", "r"), say("y")], "P", "t")
    assert conv.exchanges[1].calls[0].call.arguments == args
