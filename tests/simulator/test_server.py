"""The simulator's OpenAI-compatible HTTP server, spoken to over a real localhost socket."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from typer.testing import CliRunner

from builder.app.cli_simulator import simulator_app
from builder.llm.headers import ATTEMPT_HEADER, ROW_ID_HEADER
from builder.simulator.responder import default_responder
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


CALL = {"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": '{"query": "hi"}'}}
FULL = {"model": "sim", "seed": 3, "max_tokens": 64, "temperature": 0.5, "tools": TOOLS, "messages": [
    {"role": "system", "content": "policy"},
    {"role": "user", "content": [{"type": "text", "text": "hi"}]},
    {"role": "assistant", "content": None, "tool_calls": [CALL]},
    {"role": "tool", "tool_call_id": "c1", "content": "42"},
]}


def _with(body, path: tuple, value):
    """A deep copy of `body` with the value at `path` replaced."""
    body = json.loads(json.dumps(body))
    node = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return body


def _paths(node, prefix=()):
    yield prefix
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from _paths(child, (*prefix, key))


def _invalid(r: httpx.Response, param: str | None) -> str:
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["type"] == "invalid_request_error" and error["param"] == param, error
    assert param is None or param in error["message"]
    return error["message"]


def test_a_well_formed_request_with_every_part_is_answered(srv):
    assert _post(srv, FULL).status_code == 200
    assert _post(srv, {**BODY, "user": "u1", "chat_template_kwargs": {"x": 1}}).status_code == 200  # extras ignored


@pytest.mark.parametrize("path,value,param", [
    (("messages",), "hi", "messages"),  # messages as a string
    (("messages",), [], "messages"),
    (("messages", 0), "hi", "messages[0]"),
    (("messages", 0, "role"), "wizard", "messages[0].role"),
    (("messages", 0, "role"), "developer", "messages[0].role"),  # a role the simulator does not read
    (("messages", 1, "content"), 7, "messages[1].content"),
    (("messages", 1, "content"), [{"type": "text"}], "messages[1].content"),
    (("messages", 3, "tool_call_id"), None, "messages[3]"),
    (("messages", 2, "tool_calls"), "lookup", "messages[2].tool_calls"),  # malformed tool calls
    (("messages", 2, "tool_calls", 0), 1, "messages[2].tool_calls[0]"),
    (("messages", 2, "tool_calls", 0, "function"), None, "messages[2].tool_calls[0].function"),
    (("messages", 2, "tool_calls", 0, "function", "arguments"), {"query": "hi"}, "messages[2].tool_calls[0].function.arguments"),
    (("tools",), "lookup", "tools"),  # a bad tools list
    (("tools", 0), 1, "tools[0]"),
    (("tools", 0, "function"), None, "tools[0].function"),
    (("tools", 0, "function", "name"), "", "tools[0].function.name"),
    (("tools", 0, "function", "parameters", "properties"), "query", "tools[0].function.parameters.properties"),
    (("tools", 0, "function", "parameters", "required"), "query", "tools[0].function.parameters.required"),
    (("seed",), "3", "seed"),
    (("seed",), 1.5, "seed"),
    (("seed",), True, "seed"),
    (("max_tokens",), -5, "max_tokens"),
    (("max_tokens",), 0, "max_tokens"),
    (("temperature",), 9, "temperature"),
    (("n",), 2, "n"),
    (("stream",), True, "stream"),
])
def test_a_malformed_field_is_a_400_naming_it(srv, path, value, param):
    _invalid(_post(srv, _with(FULL, path, value)), param)


def _post_raw(srv, raw: bytes) -> httpx.Response:
    return _client.post(f"{srv.base_url}/chat/completions", content=raw, headers={"content-type": "application/json"})


def test_bodies_that_are_not_a_json_object_are_400s(srv):
    assert "not valid JSON" in _invalid(_post_raw(srv, b"{not json"), None)
    assert "not valid JSON" in _invalid(_post_raw(srv, b"\xff\xfe"), None)
    assert "JSON object" in _invalid(_post_raw(srv, b"[1, 2]"), None)
    nan_seed = json.dumps(BODY)[:-1].encode() + b', "seed": NaN}'
    assert "NaN is not valid JSON" in _invalid(_post_raw(srv, nan_seed), None)
    lone_surrogate = b'{"messages": [{"role": "user", "content": "\\ud800 hi"}]}'  # valid JSON, not Unicode
    assert "not valid Unicode" in _invalid(_post_raw(srv, lone_surrogate), None)
    for depth in (100, 100_000):  # deeper than we accept, and deeper than Python's parser can go
        nested = json.dumps(BODY)[:-1].encode() + b', "x": ' + b"[" * depth + b"]" * depth + b"}"
        assert "nested deeper" in _invalid(_post_raw(srv, nested), None)


def test_a_body_over_the_limit_is_a_413(srv):
    from builder.simulator.server import MAX_BODY_BYTES

    big = {**BODY, "messages": [{"role": "user", "content": "x" * MAX_BODY_BYTES}]}
    r = _post(srv, big)
    assert r.status_code == 413 and str(MAX_BODY_BYTES) in r.json()["error"]["message"]
    assert _post(srv).status_code == 200


@pytest.mark.parametrize("responder", ["fake", "brain"])
def test_no_malformed_request_is_a_500(srv, responder):
    """Every part of a full request replaced by every kind of wrong value: the server answers it
    (a value that happens to be acceptable) or refuses it naming a field, and never fails itself,
    with a test responder or the simulator's own brain."""
    if responder == "brain":
        srv.reconfigure(responder=default_responder())
    statuses = set()
    for path in _paths(FULL):
        if not path:
            continue
        for junk in (None, 0, -1, 2.5, "", "x", True, [], [1], {}, {"a": 1}):
            r = _post(srv, _with(FULL, path, junk))
            statuses.add(r.status_code)
            assert r.status_code in (200, 400), (path, junk, r.text)
            if r.status_code == 400:
                assert r.json()["error"]["param"], (path, junk)
    assert statuses == {200, 400}


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


def test_latency_holds_while_replies_are_being_worked_out(srv):
    """Ten requests at once, each costing the responder 40 ms: every one is taken on arrival and
    answered at the latency asked. (Worked out on the event loop, the last was read only after
    the nine before it were answered, 360 ms late.)"""
    from concurrent.futures import ThreadPoolExecutor

    fake = FakeResponder()

    def slow(messages, tools, *, seed, row_id):
        time.sleep(0.04)
        return fake(messages, tools, seed=seed, row_id=row_id)

    srv.reconfigure(responder=slow, latency_ms=600)

    def timed(_):
        with httpx.Client() as client:  # a connection each, as concurrent clients have
            start = time.monotonic()
            assert client.post(f"{srv.base_url}/chat/completions", json=BODY, timeout=5).status_code == 200
            return time.monotonic() - start

    with ThreadPoolExecutor(10) as pool:
        took = list(pool.map(timed, range(10)))
    assert min(took) >= 0.6 and max(took) < 0.85, took


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


def test_faults_ignore_what_varies_between_runs_of_the_same_build():
    """An API key in the body, or this server's address quoted in a message (an earlier call's
    error), differ from run to run; the same conversation must draw the same faults anyway."""
    faults = FaultConfig(error_rate=0.5, kinds=("http_500",))

    def statuses(key: str) -> list[int]:
        with SimulatorServer(FakeResponder(), faults=faults, seed=11) as one:
            address = one.base_url.split("//")[1].split("/")[0]
            out = []
            for i in range(16):
                body = {**BODY, "api_key": key,
                        "messages": [{"role": "user", "content": f"call {i} failed at http://{address}/v1"}]}
                out.append(_post(one, body, headers={ROW_ID_HEADER: f"r{i}", ATTEMPT_HEADER: "0"}).status_code)
            return out

    first = statuses("sk-one")
    assert statuses("sk-two") == first
    assert set(first) == {200, 500}


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


def test_a_busy_port_is_refused_naming_it(tmp_path):
    """Through the installed command: the user chose the port, so it is bad input (exit 2)."""
    import os
    import shutil
    import socket
    import subprocess

    from tests.build_runs import ROOT

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = subprocess.run([shutil.which("builder"), "simulator", "serve", "--port", str(port)], capture_output=True,
                           text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 2, r.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in r.stderr and "--port" in r.stderr
    assert "Traceback" not in r.stderr


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
