"""The OpenAI-compatible backend against the simulator server on a real localhost socket."""

from __future__ import annotations

import asyncio
import pickle
import time

import pytest

from builder.llm import ChatReply, LLMCallFailed, Message, RoleConfig, ToolCall, ToolCallParseError, make_llm
from builder.simulator.server import FAULT_KINDS, FaultConfig, SimulatorServer
from tests.llm.fakes import TOOLS, FakeResponder

FAST = dict(timeout_s=2.0, retry_base_s=0.005, retry_max_s=0.02)


def _cfg(srv: SimulatorServer, **kw) -> RoleConfig:
    return RoleConfig(backend="openai:simulator", base_url=srv.base_url, **{**FAST, **kw})


@pytest.fixture(scope="module")
def _shared_server():
    with SimulatorServer(FakeResponder()) as srv:
        yield srv


@pytest.fixture
def server(_shared_server):
    """One server for the module (starting one costs ~0.2 s), reset before each test."""
    responder = FakeResponder()
    _shared_server.reconfigure(responder=responder, latency_ms=0, faults=FaultConfig(), seed=0)
    _shared_server.responder = responder
    return _shared_server


def test_tool_calls_round_trip_through_the_openai_client(server, ledger):
    server.responder.calls.clear()
    llm = make_llm("agent", _cfg(server, seed=7), ledger=ledger)
    convo = [Message(role="system", content="policy"), Message(role="user", content="where is #1?")]

    async def main():
        first = await llm.achat(convo, TOOLS, row_id="row-1")
        convo2 = convo + [
            Message(role="assistant", content=None, tool_calls=first.tool_calls),
            Message(role="tool", tool_call_id=first.tool_calls[0].id, content='{"status": "shipped"}'),
        ]
        second = await llm.achat(convo2, TOOLS, row_id="row-1")
        return first, second

    first, second = asyncio.run(main())
    call = first.tool_calls[0]
    assert call.name == "lookup" and call.arguments == {"query": "where is #1?", "n": 1}
    assert first.finish_reason == "tool_calls"
    assert second.content == 'tool said: {"status": "shipped"}' and second.finish_reason == "stop"

    # what the server-side responder received: typed messages, parsed arguments, seed and row
    got = server.responder.calls[-1]
    assert got["seed"] == 7 and got["row_id"] == "row-1" and got["tools"] == TOOLS
    assistant, tool = got["messages"][-2:]
    assert assistant.tool_calls[0] == call
    assert tool.role == "tool" and tool.tool_call_id == call.id

    usage = ledger.snapshot()["agent"]
    assert usage["calls"] == 2 and usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
    assert ledger.pop_row("row-1")["agent"]["calls"] == 2 and ledger.row("row-1") == {}


def test_malformed_native_call_from_the_model_is_a_parse_error(server, ledger):
    def respond(messages, tools, *, seed, row_id):
        return ChatReply(tool_calls=[ToolCall(id="ok", name="lookup", arguments={"query": "a"})],
                         parse_errors=[ToolCallParseError(raw='{"query": "b"', message="cut")])

    server.reconfigure(responder=respond)
    reply = asyncio.run(make_llm("agent", _cfg(server), ledger=ledger).achat([Message(role="user", content="x")], TOOLS))
    assert [c.id for c in reply.tool_calls] == ["ok"]
    assert len(reply.parse_errors) == 1 and "not valid JSON" in reply.parse_errors[0].message


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_each_fault_kind_is_retried_and_recovers(kind, server, ledger):
    # only an injected slow reply may time out: a real one on a loaded machine would be a retry
    # the server did not inject, and the counts below would not add up
    faults = FaultConfig(error_rate=0.5, kinds=(kind,), retry_after_s=0.01, slow_s=30.0)
    srv = server.reconfigure(faults=faults, seed=3)
    llm = make_llm("human", _cfg(srv, timeout_s=1.0 if kind == "slow" else 10.0, max_retries=12), ledger=ledger)

    async def main():
        return await asyncio.gather(*(
            llm.achat([Message(role="user", content=f"hello {i}")], row_id=f"r{i}") for i in range(8)))

    replies = asyncio.run(main())
    injected = srv.stats.faults[kind]
    assert [r.content for r in replies] == [f"echo seed=3 row=r{i}: hello {i}" for i in range(8)]  # the server seed
    assert injected > 0
    assert sum(r.retries for r in replies) == injected == ledger.snapshot()["human"]["retries"]
    assert ledger.snapshot()["human"]["failures"] == 0
    assert ledger.snapshot()["human"]["recovered"] == sum(r.retries > 0 for r in replies) > 0


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_each_fault_kind_is_recorded_as_call_failed_when_it_persists(kind, server, ledger):
    srv = server.reconfigure(faults=FaultConfig(error_rate=1.0, kinds=(kind,), retry_after_s=0.01, slow_s=1.0))
    llm = make_llm("generator", _cfg(srv, timeout_s=0.15, max_retries=2), ledger=ledger)
    with pytest.raises(LLMCallFailed) as e:
        asyncio.run(llm.achat([Message(role="user", content="x")], row_id="bp-9"))
    requests = srv.stats.requests
    err = e.value
    assert (err.role, err.row_id, err.attempts, err.transient) == ("generator", "bp-9", 3, True)
    assert err.endpoint == f"{srv.base_url}#simulator"
    assert err.__cause__ is err.last_error
    assert requests == 3
    assert ledger.snapshot()["generator"] == {"prompt_tokens": 0, "completion_tokens": 0, "calls": 0,
                                              "retries": 2, "recovered": 0, "failures": 1}
    assert ledger.row("bp-9")["generator"]["failures"] == 1


def test_client_errors_are_not_retried(server, ledger):
    cfg = RoleConfig(backend="openai:m", base_url=server.url + "/no-such-api", **FAST)
    with pytest.raises(LLMCallFailed) as e:
        asyncio.run(make_llm("judge", cfg, ledger=ledger).achat([Message(role="user", content="x")], row_id="r"))
    assert e.value.attempts == 1 and not e.value.transient and "404" in str(e.value)


def test_retry_after_is_honoured(server, ledger):
    srv = server.reconfigure(faults=FaultConfig(error_rate=1.0, kinds=("http_429",), retry_after_s=0.25))
    llm = make_llm("agent", _cfg(srv, max_retries=2, retry_base_s=0.001, retry_max_s=0.001), ledger=ledger)
    start = time.monotonic()
    with pytest.raises(LLMCallFailed):
        asyncio.run(llm.achat([Message(role="user", content="x")]))
    elapsed = time.monotonic() - start
    # two waits of at least Retry-After, though our own backoff cap is 1 ms
    assert elapsed >= 0.5


def test_in_flight_never_exceeds_the_endpoint_limit(server, ledger):
    """Two roles on one endpoint share its limit; measured at the server."""
    srv = server.reconfigure(latency_ms=20)
    agent = make_llm("agent", _cfg(srv, concurrency=4), ledger=ledger)
    human = make_llm("human", _cfg(srv, concurrency=4), ledger=ledger)

    async def main():
        calls = [llm.achat([Message(role="user", content=str(i))], row_id=str(i))
                 for i in range(20) for llm in (agent, human)]
        await asyncio.gather(*calls)

    asyncio.run(main())
    stats = srv.stats
    assert stats.completed == 40
    assert stats.max_in_flight == 4


def test_distilabel_lifecycle_and_pickling(server, ledger):
    """`load()` / `generate_outputs` as a distilabel step drives it, on distilabel's own loop;
    a loaded LLM pickles (to a worker process) without its live client."""
    llm = make_llm("generator", _cfg(server))
    llm.load()
    out = llm.generate_outputs(inputs=[[{"role": "user", "content": "hi"}]], num_generations=1)
    assert out[0]["generations"] == ["echo seed=0 row=: hi"]
    assert out[0]["statistics"]["output_tokens"][0] > 0
    clone = pickle.loads(pickle.dumps(llm))
    reply = asyncio.run(clone.achat([Message(role="user", content="again")], row_id="z"))
    assert reply.content == "echo seed=0 row=z: again"
    llm.unload()
