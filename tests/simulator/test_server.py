"""The simulator's OpenAI-compatible HTTP server, spoken to over a real localhost socket."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from typer.testing import CliRunner

from builder.cli_simulator import simulator_app
from builder.llm.headers import ATTEMPT_HEADER, ROW_ID_HEADER
from builder.simulator.server import FAULT_KINDS, FaultConfig, FaultPlan, SimulatorServer
from tests.llm.fakes import TOOLS, FakeResponder

BODY = {"model": "sim", "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture(scope="module")
def _shared():
    with SimulatorServer(FakeResponder(), model_name="sim-1") as srv:
        yield srv


@pytest.fixture
def srv(_shared):
    return _shared.reconfigure(responder=FakeResponder(), latency_ms=0, faults=FaultConfig(), seed=0)


_client = httpx.Client()  # one connection pool: a client per request costs ~20 ms of TLS setup


def _post(srv, body=BODY, headers=None, timeout=5.0) -> httpx.Response:
    return _client.post(f"{srv.base_url}/chat/completions", json=body, headers=headers, timeout=timeout)


def test_models_health_stats(srv):
    assert httpx.get(f"{srv.base_url}/models").json()["data"][0]["id"] == "sim-1"
    assert httpx.get(f"{srv.url}/health").json() == {"status": "ok"}
    _post(srv)
    assert httpx.get(f"{srv.url}/stats").json()["completed"] == 1


def test_chat_completion_shape_with_tool_calls(srv):
    body = {**BODY, "tools": TOOLS, "seed": 5}
    data = _post(srv, body, headers={ROW_ID_HEADER: "r1"}).json()
    assert data["object"] == "chat.completion"
    choice = data["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    call = choice["message"]["tool_calls"][0]
    assert call["type"] == "function" and call["function"]["name"] == "lookup"
    assert json.loads(call["function"]["arguments"]) == {"query": "hi", "n": 1}  # a JSON string, as OpenAI sends
    u = data["usage"]
    assert u["prompt_tokens"] > 0 and u["completion_tokens"] > 0
    assert u["total_tokens"] == u["prompt_tokens"] + u["completion_tokens"]
    seen = srv.app.state.simulator.responder.calls[-1]
    assert (seen["seed"], seen["row_id"], seen["tools"]) == (5, "r1", TOOLS)


def test_text_reply_and_history_with_tool_messages(srv):
    body = {**BODY, "messages": [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": "{\"query\": \"hi\"}"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "42"},
    ]}
    data = _post(srv, body).json()
    assert data["choices"][0]["message"] == {"role": "assistant", "content": "tool said: 42"}
    assert data["choices"][0]["finish_reason"] == "stop"


@pytest.mark.parametrize("body,fragment", [
    ({"messages": [{"role": "wizard", "content": "x"}]}, "invalid request"),
    ({"model": "m"}, "invalid request"),
    ({**BODY, "stream": True}, "does not stream"),
])
def test_bad_requests_are_400(srv, body, fragment):
    r = _post(srv, body)
    assert r.status_code == 400 and fragment in r.json()["error"]["message"]


def test_responder_bug_is_a_500_with_the_cause(srv):
    def broken(messages, tools, *, seed, row_id):
        raise KeyError("missing")
    srv.reconfigure(responder=broken)
    r = _post(srv)
    assert r.status_code == 500 and "KeyError" in r.json()["error"]["message"]


def test_fault_kinds_on_the_wire(srv):
    srv.reconfigure(faults=FaultConfig(error_rate=1.0, kinds=("http_500",)))
    assert _post(srv).status_code == 500
    srv.reconfigure(faults=FaultConfig(error_rate=1.0, kinds=("http_429",), retry_after_s=7))
    r = _post(srv)
    assert r.status_code == 429 and r.headers["retry-after"] == "7"
    srv.reconfigure(faults=FaultConfig(error_rate=1.0, kinds=("malformed",)))
    r = _post(srv)
    assert r.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.content)
    srv.reconfigure(faults=FaultConfig(error_rate=1.0, kinds=("slow",), slow_s=0.3))
    start = time.monotonic()
    r = _post(srv)  # a patient client still gets the answer, late
    assert r.status_code == 200 and time.monotonic() - start >= 0.3
    with pytest.raises(httpx.ReadTimeout):
        _post(srv, timeout=0.05)


def test_latency(srv):
    srv.reconfigure(latency_ms=100)
    start = time.monotonic()
    _post(srv)
    assert 0.1 <= time.monotonic() - start < 1.0


def test_fault_plan_is_deterministic_and_splits_the_rate():
    cfg = FaultConfig(error_rate=0.2)
    a, b = FaultPlan(cfg, seed=1), FaultPlan(cfg, seed=1)
    draws = [a.decide(f"k{i}") for i in range(4000)]
    assert draws == [b.decide(f"k{i}") for i in range(4000)]
    assert draws != [FaultPlan(cfg, seed=2).decide(f"k{i}") for i in range(4000)]
    faults = [d for d in draws if d]
    assert 0.17 < len(faults) / 4000 < 0.23
    for kind in FAULT_KINDS:
        assert 0.2 < faults.count(kind) / len(faults) < 0.3


def test_faults_for_builder_clients_depend_on_row_and_attempt_not_arrival(srv):
    srv.reconfigure(faults=FaultConfig(error_rate=0.5, kinds=("http_500",)), seed=11)

    def statuses(order):
        out = {}
        for row, attempt in order:
            out[(row, attempt)] = _post(srv, headers={ROW_ID_HEADER: row, ATTEMPT_HEADER: str(attempt)}).status_code
        return out

    keys = [(f"r{i}", a) for i in range(10) for a in range(2)]
    first = statuses(keys)
    assert statuses(list(reversed(keys))) == first
    assert set(first.values()) == {200, 500}


def test_fault_config_validation():
    with pytest.raises(ValueError, match="error_rate"):
        FaultConfig(error_rate=1.5)
    with pytest.raises(ValueError, match="unknown fault kind"):
        FaultConfig(error_rate=0.1, kinds=("http_418",))


def test_start_stop_frees_the_port():
    srv = SimulatorServer(FakeResponder()).start()
    port = srv.port
    assert httpx.get(f"{srv.url}/health").status_code == 200
    srv.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)


def test_cli_help_and_bad_fault_kind():
    runner = CliRunner()
    r = runner.invoke(simulator_app, ["serve", "--help"])
    assert r.exit_code == 0
    for flag in ("--port", "--host", "--latency-ms", "--error-rate", "--seed"):
        assert flag in r.output
    r = runner.invoke(simulator_app, ["serve", "--error-rate", "0.1", "--faults", "teapot"])
    assert r.exit_code == 2 and "teapot" in r.output
    r = runner.invoke(simulator_app, ["serve", "--error-rate", "2"])
    assert r.exit_code == 2
