from __future__ import annotations

import asyncio
import json

from builder.llm import ChatReply, Message, RoleConfig, ToolCall
from builder.llm.convert import reply_from_openai
from builder.llm.prompt_tools import parse_tool_calls, to_prompt_messages
from builder.simulator.backend import simulator_llm
from tests.llm.fakes import TOOLS


def test_conversation_is_rewritten_for_a_tool_less_backend():
    msgs = [
        Message(role="system", content="Be helpful."),
        Message(role="user", content="find x"),
        Message(role="assistant", content="Let me look.", tool_calls=[
            ToolCall(id="c1", name="lookup", arguments={"query": "x"}),
            ToolCall(id="c2", name="lookup", arguments={"query": "y"})]),
        Message(role="tool", tool_call_id="c1", content='{"v": 1}'),
        Message(role="tool", tool_call_id="c2", content='{"v": 2}'),
        Message(role="assistant", content="Both found."),
    ]
    out = to_prompt_messages(msgs, TOOLS)
    assert [m.role for m in out] == ["system", "user", "assistant", "user", "assistant"]
    assert out[0].content.startswith("Be helpful.") and "<tools>" in out[0].content and '"lookup"' in out[0].content
    assert out[2].content.count("<tool_call>") == 2 and "Let me look." in out[2].content
    assert all(m.tool_calls is None for m in out)
    # the two results are one user turn, each naming its tool
    assert out[3].content.count("<tool_response>") == 2
    first = json.loads(out[3].content.split("<tool_response>")[1].split("</tool_response>")[0])
    assert first == {"name": "lookup", "content": '{"v": 1}'}


def test_system_prompt_is_added_when_missing():
    out = to_prompt_messages([Message(role="user", content="hi")], TOOLS)
    assert out[0].role == "system" and "<tool_call>" in out[0].content


def test_parse_good_calls_with_text_fences_and_aliases():
    text = (
        "I'll check both.\n<tool_call>\n{\"name\": \"lookup\", \"arguments\": {\"query\": \"a\"}}\n</tool_call>\n"
        "<tool_call>```json\n{\"name\": \"lookup\", \"parameters\": {\"query\": \"b\"}}\n```</tool_call>"
        "<tool_call>{\"name\": \"lookup\", \"arguments\": \"{\\\"query\\\": \\\"c\\\"}\"}</tool_call>"
    )
    content, calls, errors = parse_tool_calls(text, salt="r1|2")
    assert errors == []
    assert content == "I'll check both."
    assert [c.arguments["query"] for c in calls] == ["a", "b", "c"]
    assert len({c.id for c in calls}) == 3
    # ids are deterministic: same reply, same salt, same ids
    assert [c.id for c in parse_tool_calls(text, salt="r1|2")[1]] == [c.id for c in calls]


def test_malformed_calls_become_parse_errors_not_exceptions():
    text = (
        "<tool_call>{\"name\": \"lookup\", \"arguments\": {\"query\": </tool_call>"
        "<tool_call>{\"arguments\": {}}</tool_call>"
        "<tool_call>{\"name\": \"lookup\", \"arguments\": [1, 2]}</tool_call>"
        "<tool_call>[1]</tool_call>"
        "<tool_call>{\"name\": \"lookup\", \"arguments\": {\"query\": \"cut off"
    )
    content, calls, errors = parse_tool_calls(text)
    assert calls == []
    assert len(errors) == 5
    assert "not valid JSON" in errors[0].message
    assert '"name"' in errors[1].message
    assert "JSON object" in errors[2].message
    assert "unterminated" in errors[4].message
    assert content is None


def test_bare_json_call_is_accepted_only_for_known_tools():
    bare = '```json\n{"name": "lookup", "arguments": {"query": "z"}}\n```'
    _, calls, errors = parse_tool_calls(bare, tool_names={"lookup"})
    assert [c.name for c in calls] == ["lookup"] and not errors
    content, calls, _ = parse_tool_calls('{"name": "other", "arguments": {}}', tool_names={"lookup"})
    assert calls == [] and content == '{"name": "other", "arguments": {}}'


def test_native_arguments_that_do_not_parse_become_parse_errors():
    resp = {
        "choices": [{"finish_reason": "tool_calls", "message": {"role": "assistant", "content": None, "tool_calls": [
            {"id": "a", "type": "function", "function": {"name": "lookup", "arguments": '{"query": "ok"}'}},
            {"id": "b", "type": "function", "function": {"name": "lookup", "arguments": '{"query": '}},
            {"id": "c", "type": "function", "function": {"name": "lookup", "arguments": '"just a string"'}},
        ]}}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 4},
    }
    reply = reply_from_openai(resp)
    assert [c.id for c in reply.tool_calls] == ["a"]
    assert len(reply.parse_errors) == 2 and "not valid JSON" in reply.parse_errors[0].message
    assert reply.usage.completion_tokens == 4


def _prompt_llm(reply_text: str, seen: list):
    def respond(messages, tools, *, seed, row_id):
        seen.append((messages, tools))
        return ChatReply(content=reply_text)
    return simulator_llm("agent", RoleConfig(tool_calling="prompt"), responder=respond)


def test_prompt_mode_end_to_end():
    seen: list = []
    llm = _prompt_llm('Sure.\n<tool_call>{"name": "lookup", "arguments": {"query": "q"}}</tool_call>', seen)
    reply = asyncio.run(llm.achat([Message(role="user", content="q?")], TOOLS, row_id="r"))
    messages, tools = seen[0]
    assert tools is None  # the backend got no native tools...
    assert "<tools>" in messages[0].content  # ...but a system prompt describing them
    assert reply.content == "Sure." and reply.tool_calls[0].arguments == {"query": "q"}
    assert reply.finish_reason == "tool_calls" and reply.parse_errors == []


def test_prompt_mode_malformed_reply():
    llm = _prompt_llm('<tool_call>{"name": "lookup", "arguments": {oops}}</tool_call>', [])
    reply = asyncio.run(llm.achat([Message(role="user", content="q?")], TOOLS, row_id="r"))
    assert reply.tool_calls == [] and len(reply.parse_errors) == 1


def test_native_mode_reads_calls_left_in_text():
    """llama.cpp / vLLM without a tool parser return the model's calls as text."""
    seen: list = []

    def respond(messages, tools, *, seed, row_id):
        seen.append(tools)
        return ChatReply(content='<tool_call>\n{"name": "lookup", "arguments": {"query": "q"}}\n</tool_call>')

    llm = simulator_llm("agent", RoleConfig(), responder=respond)
    reply = asyncio.run(llm.achat([Message(role="user", content="q?")], TOOLS))
    assert seen[0] == TOOLS
    assert reply.tool_calls[0].name == "lookup" and reply.content is None


def test_native_mode_reads_a_bare_json_call_but_leaves_other_json_alone():
    """Small models behind servers with no tool parser answer a call as a fenced JSON object."""
    replies = iter(['```json\n{"name": "lookup", "arguments": {"query": "q"}}\n```',
                    '{"status": "shipped"}'])

    def respond(messages, tools, *, seed, row_id):
        return ChatReply(content=next(replies))

    llm = simulator_llm("agent", RoleConfig(), responder=respond)
    first = asyncio.run(llm.achat([Message(role="user", content="q?")], TOOLS))
    second = asyncio.run(llm.achat([Message(role="user", content="q?")], TOOLS))
    assert [c.name for c in first.tool_calls] == ["lookup"] and first.content is None
    assert second.tool_calls == [] and second.content == '{"status": "shipped"}'
