"""Benchmark: how close does the LLM layer get to the ideal throughput of a slow endpoint?

Starts the simulator's HTTP server with a fixed latency (200 ms by default), then runs many
multi-turn conversations at once through the `openai` backend with a per-endpoint concurrency
limit (32 by default). With L seconds per call and C calls in flight, the best possible rate is
C / L calls per second (32 / 0.2 = 160). The ratio achieved / ideal shows what the client, the
limiter, retries bookkeeping and the server cost on top of the endpoint's own latency;
the goal is >= 0.9.

    python bench/llm_concurrency.py [--latency-ms 200] [--concurrency 32] [--conversations 200] [--turns 4]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from builder.llm import ChatReply, Message, RoleConfig, ToolCall, make_llm  # noqa: E402
from builder.llm.usage import UsageLedger  # noqa: E402
from builder.simulator.server import FaultConfig, SimulatorServer  # noqa: E402

TOOLS = [{"type": "function", "function": {
    "name": "get_order", "description": "Look up an order.",
    "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]}}}]


def echo_responder(messages: list[Message], tools: list[dict] | None, *, seed: int, row_id: str) -> ChatReply:
    """A cheap stand-in for the brain: calls the tool after a user turn, else answers in text."""
    last = messages[-1]
    if tools and last.role == "user":
        return ChatReply(tool_calls=[ToolCall(id=f"call_{row_id}_{len(messages)}", name="get_order",
                                              arguments={"order_id": f"#W{seed}"})])
    return ChatReply(content=f"Your order is on its way ({len(messages)} messages so far).")


async def conversation(llm, row_id: str, turns: int) -> int:
    """A human/agent exchange: each turn is one agent call; tool calls are answered locally."""
    msgs = [Message(role="system", content="You are a helpful retail agent."),
            Message(role="user", content="Where is my order?")]
    calls = 0
    for _ in range(turns):
        reply = await llm.achat(msgs, TOOLS, row_id=row_id)
        calls += 1
        if reply.tool_calls:
            msgs.append(Message(role="assistant", tool_calls=reply.tool_calls))
            msgs += [Message(role="tool", tool_call_id=tc.id, content='{"status": "shipped"}') for tc in reply.tool_calls]
        else:
            msgs.append(Message(role="assistant", content=reply.content))
            msgs.append(Message(role="user", content="Thanks, and the other one?"))
    return calls


def _server_process(conn, responder_name: str, latency_ms: float, error_rate: float) -> None:
    """Child process: run the server, answer 'reset'/'stats'/'stop' over the pipe."""
    responder = echo_responder if responder_name == "echo" else None
    faults = FaultConfig(error_rate=error_rate, retry_after_s=0.2, slow_s=5.0)
    with SimulatorServer(responder, latency_ms=latency_ms, faults=faults) as srv:
        conn.send(srv.base_url)
        while True:
            cmd = conn.recv()
            if cmd == "reset":
                srv.reconfigure()
                conn.send(None)
            elif cmd == "stats":
                conn.send(srv.stats.as_dict())
            else:
                break


class ServerHandle:
    """The simulator server in this process (a thread) or in a child process.

    A child process is the realistic setup (an endpoint is another process) and keeps the
    server's CPU time off the client's GIL; the thread mode shows the cost of sharing it."""

    def __init__(self, mode: str, responder_name: str, latency_ms: float, error_rate: float) -> None:
        self.mode = mode
        if mode == "thread":
            responder = echo_responder if responder_name == "echo" else None
            faults = FaultConfig(error_rate=error_rate, retry_after_s=0.2, slow_s=5.0)
            self._srv = SimulatorServer(responder, latency_ms=latency_ms, faults=faults).start()
            self.base_url = self._srv.base_url
        else:
            ctx = multiprocessing.get_context("fork")
            self._conn, child = ctx.Pipe()
            self._proc = ctx.Process(target=_server_process, args=(child, responder_name, latency_ms, error_rate),
                                     daemon=True)
            self._proc.start()
            self.base_url = self._conn.recv()

    def reset(self) -> None:
        if self.mode == "thread":
            self._srv.reconfigure()
        else:
            self._conn.send("reset")
            self._conn.recv()

    def stats(self) -> dict:
        if self.mode == "thread":
            return self._srv.stats.as_dict()
        self._conn.send("stats")
        return self._conn.recv()

    def stop(self) -> None:
        if self.mode == "thread":
            self._srv.stop()
        else:
            self._conn.send("stop")
            self._proc.join(10)


async def run(llm, conversations: int, turns: int) -> tuple[int, float]:
    start = time.perf_counter()
    counts = await asyncio.gather(*(conversation(llm, f"conv-{i}", turns) for i in range(conversations)))
    return sum(counts), time.perf_counter() - start


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--latency-ms", type=float, default=200.0)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--conversations", type=int, default=200)
    p.add_argument("--turns", type=int, default=4)
    p.add_argument("--error-rate", type=float, default=0.0, help="inject faults (retries lower the ratio)")
    p.add_argument("--server", choices=["process", "thread"], default="process",
                   help="run the simulator server in a child process (default, like a real endpoint) or a thread")
    p.add_argument("--responder", choices=["echo", "brain"], default="echo",
                   help="echo: a cheap stand-in (measures the LLM layer); brain: the simulator's real responder")
    args = p.parse_args()
    logging.basicConfig(level=logging.ERROR)

    server = ServerHandle(args.server, args.responder, args.latency_ms, args.error_rate)
    try:
        cfg = RoleConfig(backend="openai:simulator", base_url=server.base_url, concurrency=args.concurrency,
                         timeout_s=max(2.0, 10 * args.latency_ms / 1000), retry_base_s=0.05, max_retries=8)
        ledger = UsageLedger()
        llm = make_llm("agent", cfg, ledger=ledger)

        async def measured() -> tuple[int, float]:
            # warm-up (not measured): imports, and one pooled connection per concurrent call
            await run(llm, args.concurrency, 1)
            server.reset()
            ledger.reset()
            return await run(llm, args.conversations, args.turns)

        calls, elapsed = asyncio.run(measured())
        stats = server.stats()
    finally:
        server.stop()

    ideal = args.concurrency / (args.latency_ms / 1000.0)
    achieved = calls / elapsed
    ratio = achieved / ideal
    print(f"latency {args.latency_ms:g} ms, concurrency limit {args.concurrency}, "
          f"{args.conversations} conversations x {args.turns} turns")
    print(f"calls: {calls} in {elapsed:.2f} s; server ({args.server}) saw max {stats['max_in_flight']} in flight "
          f"(limit {args.concurrency}), {sum(stats['faults'].values())} injected faults")
    print(f"achieved {achieved:.1f} calls/s vs ideal {ideal:.1f} calls/s -> ratio {ratio:.3f} "
          f"({'OK' if ratio >= 0.9 else 'below'} goal 0.9)")
    usage = ledger.snapshot()["agent"]
    print(f"usage: {usage}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
