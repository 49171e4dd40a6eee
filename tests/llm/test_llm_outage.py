"""An endpoint that is down, told apart from a call that failed, over real localhost sockets."""

from __future__ import annotations

import asyncio
import errno
import socket
import threading
import time

import aiohttp
import httpx
import pytest

from builder.llm import LLMCallFailed, Message, RoleConfig, make_llm
from builder.llm.errors import EndpointDown
from builder.llm.retry import endpoint_unreachable
from builder.llm.types import ChatReply
from builder.simulator.backend import simulator_llm
from builder.simulator.server import FaultConfig, SimulatorServer
from tests.llm.fakes import FakeResponder
from tests.llm.test_llm_retry import StatusError
from tests.test_cli_errors import closed_port

FAST = dict(timeout_s=2.0, retry_base_s=0.005, retry_max_s=0.02, max_retries=2)
HI = [Message(role="user", content="hi")]


def _chained(outer: BaseException, cause: BaseException) -> BaseException:
    try:
        raise outer from cause
    except BaseException as exc:
        return exc


def _connector_error(cause: OSError) -> aiohttp.ClientConnectorError:
    key = type("Key", (), {"host": "h", "port": 80, "ssl": False})()
    return _chained(aiohttp.ClientConnectorError(key, cause), cause)


def test_what_says_the_endpoint_is_not_there():
    for exc in (ConnectionRefusedError(), socket.gaierror(-2, "Name or service not known"),
                OSError(errno.EHOSTUNREACH, "No route to host"), httpx.ConnectError("refused"),
                httpx.ConnectTimeout("connect"), StatusError(502), StatusError(503), StatusError(504),
                _connector_error(ConnectionRefusedError(errno.ECONNREFUSED, "refused")),
                aiohttp.ConnectionTimeoutError("connect")):
        assert endpoint_unreachable(exc), exc
    # one request failing on a live connection: the next may well be answered
    for exc in (ConnectionResetError(), TimeoutError(), httpx.ReadTimeout("read"),
                httpx.RemoteProtocolError("Server disconnected"), StatusError(500), StatusError(429),
                StatusError(404), aiohttp.ServerDisconnectedError(), aiohttp.SocketTimeoutError("read"),
                ValueError("a bug")):
        assert not endpoint_unreachable(exc), exc


def test_nothing_listening_is_an_endpoint_down_not_a_failed_row(ledger):
    url = f"http://user:SECRET@127.0.0.1:{closed_port()}/v1?key=SECRET2"
    llm = make_llm("agent", RoleConfig(backend="openai:m", base_url=url, outage_wait_s=0, **FAST), ledger=ledger)
    with pytest.raises(EndpointDown) as caught:
        asyncio.run(llm.achat(HI, row_id="r1"))
    down = caught.value
    assert down.role == "agent" and down.endpoint.startswith("http://127.0.0.1:") and down.endpoint.endswith("/v1#m")
    assert down.error.startswith("ConnectionRefusedError") and "SECRET" not in str(down)
    assert ledger.snapshot().get("agent", {}).get("failures", 0) == 0, "an outage is no row's failed call"


def test_an_endpoint_that_answers_errors_is_up(ledger):
    with SimulatorServer(FakeResponder(), faults=FaultConfig(error_rate=1.0, kinds=("http_500",))) as srv:
        llm = make_llm("agent", RoleConfig(backend="openai:m", base_url=srv.base_url, outage_wait_s=0, **FAST),
                       ledger=ledger)
        with pytest.raises(LLMCallFailed):
            asyncio.run(llm.achat(HI, row_id="r1"))


class Refusing:
    """A responder that refuses the connection for row `bad` and answers the others."""

    def __call__(self, messages, tools, *, seed, row_id):
        if row_id == "bad":
            raise ConnectionRefusedError(111, "Connection refused")
        return ChatReply(content="ok")


def test_a_call_that_cannot_connect_while_others_are_answered_is_its_own_failure(ledger):
    cfg = RoleConfig(max_retries=4, retry_base_s=0.02, retry_max_s=0.02, outage_wait_s=30)
    llm = simulator_llm("agent", cfg, responder=Refusing(), ledger=ledger)

    async def main():
        bad = asyncio.create_task(llm.achat(HI, row_id="bad"))
        while not bad.done():  # the endpoint keeps answering other rows meanwhile
            await llm.achat(HI, row_id="good")
            await asyncio.sleep(0.005)
        return await bad

    started = time.monotonic()
    with pytest.raises(LLMCallFailed):
        asyncio.run(main())
    assert time.monotonic() - started < 5, "no outage wait for an endpoint that answers"


def test_once_an_endpoint_is_down_other_calls_stop_at_their_first_refusal(ledger):
    url = f"http://127.0.0.1:{closed_port()}/v1"
    first = make_llm("agent", RoleConfig(backend="openai:m", base_url=url, outage_wait_s=0, **FAST), ledger=ledger)
    with pytest.raises(EndpointDown):
        asyncio.run(first.achat(HI, row_id="r1"))
    # same endpoint, patient settings: it would retry for minutes if the outage were not known
    patient = RoleConfig(backend="openai:m", base_url=url, max_retries=8, retry_base_s=10, outage_wait_s=600)
    started = time.monotonic()
    with pytest.raises(EndpointDown):
        asyncio.run(make_llm("human", patient, ledger=ledger).achat(HI, row_id="r2"))
    assert time.monotonic() - started < 2


def test_the_call_waits_for_an_endpoint_that_comes_back(ledger):
    port = closed_port()
    cfg = RoleConfig(backend="openai:m", base_url=f"http://127.0.0.1:{port}/v1", outage_wait_s=20,
                     **{**FAST, "retry_max_s": 0.2})
    llm = make_llm("agent", cfg, ledger=ledger)
    servers: list[SimulatorServer] = []
    restart = threading.Timer(1.0, lambda: servers.append(SimulatorServer(FakeResponder(), port=port).start()))
    restart.start()
    try:
        started = time.monotonic()
        reply = asyncio.run(llm.achat(HI, row_id="r1"))
        waited = time.monotonic() - started
    finally:
        restart.join()
        for srv in servers:
            srv.stop()
    assert reply.content and reply.retries > FAST["max_retries"]  # it got past its retries by waiting
    assert 1.0 <= waited < 10
    assert ledger.snapshot()["agent"]["failures"] == 0
