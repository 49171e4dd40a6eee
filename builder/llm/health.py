"""Is an endpoint down? What the calls to it have seen, shared by every role and step of a process.

One call cannot tell an outage from its own bad luck: a reset, a timeout or a 500 may hit one
request while the others are answered. An endpoint is down when a call has used up its retries
and its last attempts all failed to reach it (see `retry.endpoint_unreachable`), and no other
call to it was answered since the first of those. The call then waits for it (`outage_wait_s`)
before raising `EndpointDown`; once one call has declared it down, the others that cannot reach
it give up at once instead of each waiting again. Any answer ends the outage.

Keyed like the concurrency limiters (base URL + model); timestamps are `time.monotonic()`.
"""

from __future__ import annotations

import threading
import time

__all__ = ["EndpointHealth", "get_health", "reset_health"]


class EndpointHealth:
    """The last answer an endpoint gave, and whether a call has declared it down since."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_answer = float("-inf")
        self._down = False
        self._waiting = False

    def answered(self) -> None:
        with self._lock:
            self._last_answer = time.monotonic()
            self._down = self._waiting = False

    def answered_since(self, when: float) -> bool:
        with self._lock:
            return self._last_answer >= when

    @property
    def down(self) -> bool:
        with self._lock:
            return self._down

    def declare_down(self) -> None:
        with self._lock:
            self._down = True

    def start_waiting(self) -> bool:
        """True for the first call of an outage to wait for the endpoint (the one that says so)."""
        with self._lock:
            first, self._waiting = not self._waiting, True
            return first


_registry: dict[str, EndpointHealth] = {}
_registry_lock = threading.Lock()


def get_health(endpoint: str) -> EndpointHealth:
    with _registry_lock:
        health = _registry.get(endpoint)
        if health is None:
            health = _registry[endpoint] = EndpointHealth()
        return health


def reset_health() -> None:
    """Forget every endpoint (tests: one test's outage must not leak into the next)."""
    with _registry_lock:
        _registry.clear()
