"""The offline simulator as an OpenAI-compatible HTTP server, with latency and injected faults.

It lets the real network path (the `openai` backend, its retries, limits and timeouts) be tested
and benchmarked with no model: `POST /v1/chat/completions` answers through the same responder
function as the in-process `simulator` backend (by default `builder.simulator.brain.respond`).

Faults: a total `error_rate` split evenly across the enabled kinds
- `http_500`: an internal server error;
- `http_429`: rate limited, with `Retry-After: <retry_after_s>`;
- `slow`: the reply is held for `slow_s` (beyond the client's timeout), or until the client
  hangs up;
- `malformed`: a 200 whose JSON body is cut in half.
Each request's fault is a pure function of the seed and the request: for builder clients (which
send `X-Builder-Row-Id` / `X-Builder-Attempt`) of (row id, attempt, messages, tools), so faults
do not depend on arrival order, nor on what may vary from run to run (an API key or request id
in the body, the server's port quoted in the text); for other clients of the request's arrival
number.

Requests are checked as an OpenAI-compatible server checks them (`builder.simulator.request`):
a malformed one gets a 400 naming the field, a body over `max_body_bytes` a 413; only the
simulator's own failures are 500s.

Stack: Starlette on uvicorn, a small, well-kept ASGI pair that serves hundreds of concurrent
requests from one event loop.

For tests and benchmarks, `SimulatorServer(...).start()` runs it in a background thread on a free
localhost port; `builder simulator serve` runs it in the foreground.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import logging
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from builder.llm.convert import from_openai_messages, reply_to_openai_message
from builder.llm.headers import ATTEMPT_HEADER, ROW_ID_HEADER
from builder.simulator.responder import Responder, default_responder, finish_reply
from builder.simulator.request import InvalidRequest, read_chat_request

log = logging.getLogger(__name__)

__all__ = ["FAULT_KINDS", "MAX_BODY_BYTES", "FaultConfig", "FaultPlan", "ServerStats", "bind", "create_app",
           "SimulatorServer", "serve"]

FAULT_KINDS: tuple[str, ...] = ("http_500", "http_429", "slow", "malformed")
#: Largest request body accepted (413 beyond): a long conversation with its tools is well under 1 MB.
MAX_BODY_BYTES = 8 * 2**20


@dataclass(frozen=True)
class FaultConfig:
    """Which faults to inject and how often. `error_rate` is the total probability per request."""

    error_rate: float = 0.0
    kinds: tuple[str, ...] = FAULT_KINDS
    retry_after_s: float = 1.0
    slow_s: float = 30.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.error_rate <= 1.0:
            raise ValueError(f"error_rate must be in [0, 1], got {self.error_rate}")
        unknown = [k for k in self.kinds if k not in FAULT_KINDS]
        if unknown:
            raise ValueError(f"unknown fault kind(s) {unknown}; known: {', '.join(FAULT_KINDS)}")
        if self.error_rate > 0 and not self.kinds:
            raise ValueError("error_rate > 0 needs at least one fault kind")
        if self.retry_after_s < 0 or self.slow_s < 0:
            raise ValueError("retry_after_s and slow_s must be >= 0")


def _unit(*parts: object) -> float:
    """A uniform number in [0, 1) that is a pure function of `parts`."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class FaultPlan:
    """Deterministic fault draws: `decide(key)` gives the same answer for the same seed and key."""

    def __init__(self, faults: FaultConfig, seed: int) -> None:
        self.faults = faults
        self.seed = seed

    def decide(self, key: str) -> str | None:
        f = self.faults
        if f.error_rate <= 0 or _unit(self.seed, "fault", key) >= f.error_rate:
            return None
        return f.kinds[int(_unit(self.seed, "kind", key) * len(f.kinds)) % len(f.kinds)]


@dataclass
class ServerStats:
    """Counters read by tests and benchmarks (in-flight is measured at the server)."""

    requests: int = 0
    completed: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    faults: dict[str, int] = field(default_factory=lambda: {k: 0 for k in FAULT_KINDS})

    def as_dict(self) -> dict[str, Any]:
        return {"requests": self.requests, "completed": self.completed, "in_flight": self.in_flight,
                "max_in_flight": self.max_in_flight, "faults": dict(self.faults)}


def _work_thread() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="simulator-work")


async def _awaited(value: Any) -> Any:
    return await value


def _error(status: int, message: str, kind: str, headers: dict[str, str] | None = None,
           param: str | None = None) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": kind, "param": param, "code": status}},
                        status_code=status, headers=headers)


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None when it is larger than `limit` bytes (stops reading there)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


class _SimulatorApp:
    """Request handling and state; `create_app` wraps it in a Starlette app.

    A request's work (checking it, the responder, writing the reply) runs on one worker thread,
    while the event loop only reads requests and sends replies. Done on the loop, that work
    (1-2 ms a request) delayed the reading of the requests queued behind it and the replies
    falling due meanwhile, by 5-10 ms a request on average at 300 requests a second, so a
    client saw more than the latency it was promised; a model server's front end likewise
    takes requests while its engine computes. One thread, because the work holds the GIL.
    """

    def __init__(self, responder: Responder, *, latency_ms: float, faults: FaultConfig, seed: int,
                 model_name: str, max_body_bytes: int) -> None:
        self.responder = responder
        self.max_body_bytes = max_body_bytes
        self.latency_s = max(0.0, latency_ms / 1000.0)
        self.plan = FaultPlan(faults, seed)
        self.seed = seed
        self.model_name = model_name
        self.stats = ServerStats()
        self._worker = _work_thread()

    def reconfigure(self, *, responder: Responder | None, latency_ms: float | None, faults: FaultConfig | None,
                    seed: int | None) -> None:
        if responder is not None:
            self.responder = responder
        if latency_ms is not None:
            self.latency_s = max(0.0, latency_ms / 1000.0)
        if seed is not None:
            self.seed = seed
        self.plan = FaultPlan(faults if faults is not None else self.plan.faults, self.seed)
        self.stats = ServerStats()

    async def chat_completions(self, request: Request) -> Response:
        stats = self.stats
        stats.requests += 1
        number = stats.requests
        stats.in_flight += 1
        stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        try:
            return await self._chat(request, number, arrived=time.monotonic())
        finally:
            stats.in_flight -= 1

    async def _chat(self, request: Request, number: int, arrived: float) -> Response:
        raw = await _read_body(request, self.max_body_bytes)
        if raw is None:
            return _error(413, f"the request body is larger than {self.max_body_bytes} bytes", "invalid_request_error")
        loop = asyncio.get_running_loop()
        work = await loop.run_in_executor(self._worker, self._work, raw, request.headers.get(ROW_ID_HEADER.lower(), ""),
                                          request.headers.get(ATTEMPT_HEADER.lower()), number,
                                          request.headers.get("host", ""), loop)
        if isinstance(work, Response):  # refused, or the responder failed: at once, as a server does
            return work
        fault, data = work
        if fault is not None:
            self.stats.faults[fault] += 1
        await self._answer_at(arrived)
        if fault == "http_500":
            return _error(500, "simulated internal server error", "server_error")
        if fault == "http_429":
            ra = self.plan.faults.retry_after_s
            return _error(429, "simulated rate limit", "rate_limit_error", headers={"Retry-After": f"{ra:g}"})
        if fault == "slow":
            if await self._hold(request, self.plan.faults.slow_s):
                return Response(status_code=499)  # the client hung up: nobody reads this
        self.stats.completed += 1
        if fault == "malformed":
            return Response(data[: len(data) // 2], media_type="application/json")
        return Response(data, media_type="application/json")

    def _work(self, raw: bytes, row_id: str, attempt: str | None, number: int, host: str,
              loop: asyncio.AbstractEventLoop) -> Response | tuple[str | None, bytes]:
        """The request's fault and reply body, or the response that refuses it; run on the
        worker thread (see `_SimulatorApp`)."""
        try:
            body, fields = read_chat_request(raw)
        except InvalidRequest as e:
            return _error(400, f"invalid request: {e}", "invalid_request_error", param=e.param)
        if row_id and attempt is not None:
            conversation = orjson.dumps([fields["messages"], fields.get("tools")])
            if host:  # a conversation may quote this server's address (an earlier call's error)
                conversation = conversation.replace(host.encode(), b"")
            key = f"row:{row_id}:{attempt}:{hashlib.sha256(conversation).hexdigest()[:16]}"
        else:
            key = f"n:{number}"
        fault = self.plan.decide(key)
        if fault in ("http_500", "http_429"):
            return fault, b""

        messages = from_openai_messages(fields["messages"])
        tools = fields["tools"] if body.tools else None
        seed = body.seed if body.seed is not None else self.seed
        try:
            out = self.responder(messages, tools, seed=seed, row_id=row_id)
            if inspect.isawaitable(out):  # an async responder runs on the server's loop
                out = asyncio.run_coroutine_threadsafe(_awaited(out), loop).result()
            reply = finish_reply(out, messages)
        except Exception as e:  # a responder bug: report it as the 500 it is, with the cause logged
            log.exception("simulator responder failed (row %s)", row_id or "-")
            return _error(500, f"simulator responder failed: {type(e).__name__}: {e}", "server_error")

        usage = reply.usage
        payload = {
            "id": "chatcmpl-" + hashlib.sha256(f"{key}|{self.seed}".encode()).hexdigest()[:24],
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.model or self.model_name,
            "system_fingerprint": "builder-simulator",
            "choices": [{
                "index": 0,
                "message": reply_to_openai_message(reply),
                "finish_reason": reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop"),
                "logprobs": None,
            }],
            "usage": {
                "prompt_tokens": usage.prompt_tokens,
                "completion_tokens": usage.completion_tokens,
                "total_tokens": usage.prompt_tokens + usage.completion_tokens,
            },
        }
        return fault, orjson.dumps(payload)

    def close(self) -> None:
        """Let the worker thread end; a server started again gets a new one (made on first use)."""
        worker, self._worker = self._worker, _work_thread()
        worker.shutdown(wait=False, cancel_futures=True)

    async def _answer_at(self, arrived: float) -> None:
        """Wait until `latency` after the request arrived: the reply's time includes the work
        done for it, as a model server's does, so a client sees the latency it was promised."""
        left = arrived + self.latency_s - time.monotonic()
        if left > 0:
            await asyncio.sleep(left)

    @staticmethod
    async def _hold(request: Request, seconds: float) -> bool:
        """Sleep `seconds`, waking early when the client disconnects (returns True then), so a
        timed-out request does not keep counting as in flight."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            await asyncio.sleep(min(0.05, left))
            if await request.is_disconnected():
                return True
        return False

    async def models(self, request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [
            {"id": self.model_name, "object": "model", "created": 0, "owned_by": "builder-simulator"}]})

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def stats_endpoint(self, request: Request) -> Response:
        return JSONResponse(self.stats.as_dict())


def create_app(responder: Responder | None = None, *, latency_ms: float = 0.0, faults: FaultConfig | None = None,
               seed: int = 0, model_name: str = "simulator", max_body_bytes: int = MAX_BODY_BYTES) -> Starlette:
    """The ASGI app. `responder` defaults to `builder.simulator.brain.respond`. The handler state is at `app.state.simulator` (its `.stats`)."""
    if responder is None:
        responder = default_responder()  # fail at start-up, not on the first request
    sim = _SimulatorApp(responder, latency_ms=latency_ms, faults=faults or FaultConfig(), seed=seed,
                        model_name=model_name, max_body_bytes=max_body_bytes)
    routes = [
        Route("/v1/chat/completions", sim.chat_completions, methods=["POST"]),
        Route("/chat/completions", sim.chat_completions, methods=["POST"]),
        Route("/v1/models", sim.models, methods=["GET"]),
        Route("/health", sim.health, methods=["GET"]),
        Route("/v1/health", sim.health, methods=["GET"]),
        Route("/stats", sim.stats_endpoint, methods=["GET"]),
    ]
    app = Starlette(routes=routes)
    app.state.simulator = sim
    return app


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: a free one); `OSError` if it cannot be had (the
    port is taken, the host is not this machine's). Bound before uvicorn starts, so that failure
    is the caller's to report, not uvicorn's exit."""
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted sockets only then, and
    # without it every reply (headers, then body) stalls ~40 ms on Nagle + delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def _uvicorn_config(app: Starlette, host: str, port: int, log_level: str):
    import uvicorn

    return uvicorn.Config(
        app, host=host, port=port, log_level=log_level, access_log=False, lifespan="off",
        backlog=2048, timeout_keep_alive=30, timeout_graceful_shutdown=1,
    )


class SimulatorServer:
    """The server in a background thread, for tests and benchmarks.

        with SimulatorServer(responder=fake, latency_ms=5) as srv:
            cfg = RoleConfig(backend="openai:simulator", base_url=srv.base_url)
            ...
            srv.stats.max_in_flight

    Port 0 (the default) picks a free port; the socket is bound before `start()` returns.
    """

    def __init__(self, responder: Responder | None = None, *, host: str = "127.0.0.1", port: int = 0,
                 latency_ms: float = 0.0, faults: FaultConfig | None = None, seed: int = 0,
                 model_name: str = "simulator", log_level: str = "warning") -> None:
        self.app = create_app(responder, latency_ms=latency_ms, faults=faults, seed=seed, model_name=model_name)
        self.host = host
        self._port = port
        self._log_level = log_level
        self._server = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self._port}"

    @property
    def base_url(self) -> str:
        """The OpenAI base URL (`.../v1`) to put in a role's `base_url`."""
        return f"{self.url}/v1"

    @property
    def stats(self) -> ServerStats:
        return self.app.state.simulator.stats

    def reconfigure(self, *, responder: Responder | None = None, latency_ms: float | None = None,
                    faults: FaultConfig | None = None, seed: int | None = None) -> "SimulatorServer":
        """Change behaviour on a running server and zero its stats, so one server can serve many
        tests (starting and stopping one costs ~0.2 s)."""
        self.app.state.simulator.reconfigure(responder=responder, latency_ms=latency_ms, faults=faults, seed=seed)
        return self

    def start(self, timeout_s: float = 10.0) -> "SimulatorServer":
        import uvicorn

        sock = bind(self.host, self._port)
        self._port = sock.getsockname()[1]
        self._server = uvicorn.Server(_uvicorn_config(self.app, self.host, self._port, self._log_level))

        def run() -> None:
            try:
                self._server.run(sockets=[sock])  # uvicorn's loop choice (uvloop when installed)
            except BaseException as e:  # surfaced by start()/stop(), never lost
                self._error = e
            finally:
                sock.close()

        self._thread = threading.Thread(target=run, name=f"simulator-server:{self._port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if self._error is not None or not self._thread.is_alive():
                raise RuntimeError(f"simulator server on {self.url} failed to start") from self._error
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"simulator server on {self.url} did not start within {timeout_s}s")
            time.sleep(0.01)
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout_s)
            if self._thread.is_alive():
                self._server.force_exit = True
                self._thread.join(timeout_s)
            self._thread = None
        self.app.state.simulator.close()

    def __enter__(self) -> "SimulatorServer":
        return self.start() if self._thread is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(sock: socket.socket, *, latency_ms: float = 0.0, faults: FaultConfig | None = None, seed: int = 0,
          model_name: str = "simulator", responder: Responder | None = None, log_level: str = "info") -> None:
    """Run the server on `sock` (from `bind`) in the foreground until interrupted (Ctrl-C / SIGTERM)."""
    import uvicorn

    app = create_app(responder, latency_ms=latency_ms, faults=faults, seed=seed, model_name=model_name)
    host, port = sock.getsockname()[:2]
    try:
        uvicorn.Server(_uvicorn_config(app, host, port, log_level)).run(sockets=[sock])
    finally:
        app.state.simulator.close()
        sock.close()
