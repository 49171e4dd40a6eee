"""One concurrency limit per endpoint, shared by every role and step of the process.

Several roles may point at the same server (e.g. human and agent on one vLLM); the server's
capacity is what matters, so the limiter is keyed by endpoint (base URL + model), not by role.

Why not a plain `asyncio.Semaphore`: distilabel gives each LLM its own event loop, and steps may
run in threads, while an asyncio semaphore belongs to a single loop. `EndpointLimiter` is a
counting semaphore guarded by a thread lock that wakes waiters on their own loop, so one limit
holds across loops and threads.

Waiters are served by priority (`call_priority`, lower first; FIFO among equals). A build
serves first the calls of the chains with the most stages still ahead of them (the task's
index breaks ties): what ends a build is its longest remaining chain, and a chain runs one call
at a time, so the chains that would otherwise finish last go first, and the endpoint stays full
until nearly every chain is done instead of idling through a tail of a few late chains.
"""

from __future__ import annotations

import asyncio
import contextvars
import heapq
import itertools
import logging
import threading
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

__all__ = ["EndpointLimiter", "get_limiter", "reset_limiters", "limiter_stats", "call_priority"]

#: The priority of the calls made in this context (lower is served first).
call_priority: contextvars.ContextVar[tuple[int, ...]] = contextvars.ContextVar("call_priority", default=(0,))


@dataclass(eq=False)
class _Waiter:
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future = field(repr=False)
    handed_over: bool = False


class EndpointLimiter:
    """A FIFO counting semaphore usable from any event loop or thread (`async with limiter:`)."""

    def __init__(self, endpoint: str, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"concurrency limit for {endpoint} must be >= 1, got {limit}")
        self.endpoint = endpoint
        self._limit = limit
        self._in_flight = 0
        self._max_in_flight = 0
        self._waiters: list[tuple[tuple[int, ...], int, _Waiter]] = []  # a heap: (priority, arrival, waiter)
        self._arrivals = itertools.count()
        self._lock = threading.Lock()

    @property
    def limit(self) -> int:
        return self._limit

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def max_in_flight(self) -> int:
        """Highest number of calls ever in flight at once (for tests and benchmarks)."""
        return self._max_in_flight

    def lower_limit(self, limit: int) -> None:
        """Tighten the limit (never loosen): the most conservative role setting wins."""
        with self._lock:
            if limit < self._limit:
                log.info("endpoint %s: concurrency limit lowered %d -> %d", self.endpoint, self._limit, limit)
                self._limit = limit

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._in_flight < self._limit and not self._waiters:
                self._take()
                return
            waiter = _Waiter(loop, loop.create_future())
            heapq.heappush(self._waiters, (call_priority.get(), next(self._arrivals), waiter))
        try:
            await waiter.future
        except asyncio.CancelledError:
            with self._lock:
                handed_over = waiter.handed_over  # else release() skips it: its future is done
            if handed_over and waiter.future.done() and not waiter.future.cancelled():
                self.release()
            # If the future was cancelled before the hand-over callback ran, the callback
            # sees that and releases the slot itself.
            raise

    def release(self) -> None:
        with self._lock:
            while self._waiters:
                _, _, waiter = heapq.heappop(self._waiters)
                if waiter.future.done():
                    continue  # cancelled while queued
                waiter.handed_over = True
                # The slot passes straight to the waiter: in_flight stays the same.
                try:
                    if _running_loop() is waiter.loop:
                        waiter.loop.call_soon(self._wake, waiter)  # no self-pipe write needed
                    else:
                        waiter.loop.call_soon_threadsafe(self._wake, waiter)
                except RuntimeError:  # that loop is closed; try the next waiter
                    continue
                return
            self._in_flight -= 1

    def _wake(self, waiter: _Waiter) -> None:
        if waiter.future.cancelled():
            self.release()
        else:
            waiter.future.set_result(None)

    def _take(self) -> None:
        self._in_flight += 1
        if self._in_flight > self._max_in_flight:
            self._max_in_flight = self._in_flight

    async def __aenter__(self) -> "EndpointLimiter":
        await self.acquire()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release()

    def __repr__(self) -> str:
        return (f"EndpointLimiter({self.endpoint!r}, limit={self._limit}, in_flight={self._in_flight}, "
                f"waiting={len(self._waiters)})")


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


_registry: dict[str, EndpointLimiter] = {}
_registry_lock = threading.Lock()


def get_limiter(endpoint: str, limit: int) -> EndpointLimiter:
    """The process-wide limiter for `endpoint`; a later, smaller `limit` tightens it."""
    with _registry_lock:
        lim = _registry.get(endpoint)
        if lim is None:
            lim = _registry[endpoint] = EndpointLimiter(endpoint, limit)
            return lim
    lim.lower_limit(limit)
    return lim


def limiter_stats() -> dict[str, dict[str, int]]:
    with _registry_lock:
        return {k: {"limit": v.limit, "in_flight": v.in_flight, "max_in_flight": v.max_in_flight}
                for k, v in _registry.items()}


def reset_limiters() -> None:
    """Forget every limiter (tests; a fresh pipeline in a long-lived process)."""
    with _registry_lock:
        _registry.clear()
