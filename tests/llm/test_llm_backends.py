"""Backends that need no server: the in-process simulator, optional SDKs, Anthropic translation."""

from __future__ import annotations

import asyncio
import sys

import pytest

from builder.llm import ChatReply, LLMConfigError, Message, RoleConfig, ToolCall, make_llm, make_role_llms
from builder.llm.backends.anthropic import reply_from_anthropic, to_anthropic_request
from builder.llm.config import RolesConfig
from builder.simulator.backend import simulator_llm
from tests.llm.fakes import TOOLS


def test_simulator_backend_passes_seed_and_row_and_is_deterministic(responder, ledger):
    llm = simulator_llm("human", RoleConfig(seed=5), responder=responder, ledger=ledger)

    async def main():
        a = await llm.achat([Message(role="user", content="hi")], row_id="r1")
        b = await llm.achat([Message(role="user", content="hi")], row_id="r1", seed=9)
        return a, b

    a, b = asyncio.run(main())
    assert a.content == "echo seed=5 row=r1: hi"  # role seed by default...
    assert b.content == "echo seed=9 row=r1: hi"  # ...a call's seed wins
    assert a.usage.prompt_tokens > 0  # estimated when the responder reports none
    assert ledger.snapshot()["human"]["calls"] == 2


def test_async_responder_and_dict_messages(ledger):
    async def respond(messages, tools, *, seed, row_id):
        return ChatReply(content=f"{len(messages)} {messages[-1].role}")

    llm = simulator_llm("judge", RoleConfig(), responder=respond, ledger=ledger)
    reply = asyncio.run(llm.achat([{"role": "user", "content": "x"},
                                   {"role": "assistant", "content": None, "tool_calls": [
                                       {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
                                   {"role": "tool", "tool_call_id": "c", "content": "1"}]))
    assert reply.content == "3 tool"


def test_responder_bug_propagates_instead_of_becoming_a_row_failure(ledger):
    def broken(messages, tools, *, seed, row_id):
        raise ZeroDivisionError("bug")

    llm = simulator_llm("agent", RoleConfig(), responder=broken, ledger=ledger)
    with pytest.raises(ZeroDivisionError):
        asyncio.run(llm.achat([Message(role="user", content="x")]))


def test_missing_brain_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "builder.simulator.brain", None)  # import now fails
    llm = make_llm("agent", RoleConfig())
    with pytest.raises(LLMConfigError, match="builder.simulator.brain"):
        llm.load()


@pytest.mark.parametrize("backend,module,hint", [
    ("litellm:gpt-4o", "litellm", "builder[litellm]"),
    ("anthropic:claude-x", "anthropic", "builder[anthropic]"),
    ("vllm:Qwen/Qwen2.5-0.5B", "vllm", "pip install vllm"),
])
def test_missing_optional_sdk_names_the_extra(monkeypatch, backend, module, hint):
    monkeypatch.setitem(sys.modules, module, None)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "k")
    llm = make_llm("generator", RoleConfig(backend=backend))
    with pytest.raises(LLMConfigError) as e:
        llm.load()
    assert hint in str(e.value) and "generator" in str(e.value)


def test_make_role_llms_builds_every_role(responder):
    llms = make_role_llms(RolesConfig())
    assert set(llms) == {"generator", "reviewer_0", "reviewer_1", "reviewer_2", "human", "agent", "judge"}
    assert llms["reviewer_1"].role == "reviewer_1"


def test_anthropic_request_translation():
    msgs = [
        Message(role="system", content="policy"),
        Message(role="user", content="hi"),
        Message(role="assistant", content="checking", tool_calls=[
            ToolCall(id="t1", name="lookup", arguments={"query": "a"}),
            ToolCall(id="t2", name="lookup", arguments={"query": "b"})]),
        Message(role="tool", tool_call_id="t1", content="A"),
        Message(role="tool", tool_call_id="t2", content="B"),
        Message(role="user", content="thanks"),
    ]
    req = to_anthropic_request(msgs, TOOLS)
    assert req["system"] == "policy"
    assert [m["role"] for m in req["messages"]] == ["user", "assistant", "user"]  # alternating
    assistant = req["messages"][1]["content"]
    assert assistant[1] == {"type": "tool_use", "id": "t1", "name": "lookup", "input": {"query": "a"}}
    results = req["messages"][2]["content"]
    assert [b["type"] for b in results] == ["tool_result", "tool_result", "text"]
    assert req["tools"][0]["input_schema"] == TOOLS[0]["function"]["parameters"]


def test_anthropic_reply_translation():
    resp = {"content": [{"type": "text", "text": "Let me look."},
                        {"type": "tool_use", "id": "tu1", "name": "lookup", "input": {"query": "q"}}],
            "stop_reason": "tool_use", "usage": {"input_tokens": 11, "output_tokens": 7}}
    reply = reply_from_anthropic(resp)
    assert reply.content == "Let me look." and reply.tool_calls[0].arguments == {"query": "q"}
    assert reply.finish_reason == "tool_calls" and reply.usage.prompt_tokens == 11


def test_context_tag_reaches_only_the_simulator(responder, ledger):
    from builder.llm.context_tag import embed

    system = Message(role="system", content="You write blueprints.\n" + embed("generator", {"secret_fact": 42}))
    msgs = [system, Message(role="user", content="go")]
    for cfg, tagged in ((RoleConfig(), True), (RoleConfig(context_tag=False), False)):
        asyncio.run(simulator_llm("generator", cfg, responder=responder, ledger=ledger).achat(msgs))
        sent = responder.calls[-1]["messages"][0].content
        assert ("secret_fact" in sent) is tagged
        assert sent.startswith("You write blueprints.")
    assert RoleConfig(backend="openai:simulator").sends_context_tag
    assert not RoleConfig(backend="openai:gpt-4o").sends_context_tag
    assert not RoleConfig(backend="llamacpp:/m/qwen.gguf").sends_context_tag


def test_llamacpp_context_overflow_fails_the_call_without_retrying(ledger, tmp_path):
    from builder.llm import LLMCallFailed
    from builder.llm.backends.llamacpp import LlamaCppChatLLM
    from builder.llm.errors import PromptTooLongError

    class TooSmall:
        calls = 0

        def create_chat_completion(self, **_):
            TooSmall.calls += 1
            raise ValueError("Requested tokens (10600) exceed context window of 8192")

    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    llm = make_llm("generator", RoleConfig(backend=f"llamacpp:{model}", max_retries=3), ledger=ledger)
    assert isinstance(llm, LlamaCppChatLLM)
    llm._model, llm._loaded = TooSmall(), True
    with pytest.raises(LLMCallFailed) as info:
        asyncio.run(llm.achat([Message(role="user", content="x")], row_id="bp-1"))
    assert isinstance(info.value.__cause__, PromptTooLongError)
    assert "n_ctx" in str(info.value.__cause__) and TooSmall.calls == 1
