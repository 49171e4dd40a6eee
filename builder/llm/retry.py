"""Retrying transient LLM failures: which errors are worth another try, and how long to wait.

Endpoints fail in a few well-known transient ways: connection errors, timeouts, 5xx, 429 (often
with a `Retry-After`), and bodies cut short. Those are retried with exponential backoff and full
jitter (wait a uniform random time in [0, min(cap, base * 2^attempt)]), which spreads a burst of
failed calls so they do not hit the endpoint again in lockstep. Errors a retry cannot fix (400,
401, 404...) fail at once. Exceptions this module does not recognise are bugs and propagate as
they are; they are never turned into a quiet row failure.

Among transient failures, `endpoint_unreachable` picks out those that say the endpoint itself is
not there (no connection, no name, a gateway with nothing behind it) rather than that one request
went wrong; `builder.llm.health` decides from them, across calls, when an endpoint is down.

Classification is duck-typed (status codes, well-known exception names of the SDKs' modules) so
it covers openai, anthropic, litellm and httpx without importing the optional ones.
"""

from __future__ import annotations

import asyncio
import email.utils
import errno
import json
import random
import socket
import time
from dataclasses import dataclass
from typing import Literal

from builder.llm.errors import MalformedReplyError, PromptTooLongError

__all__ = ["RetryPolicy", "Transience", "classify_error", "endpoint_unreachable", "root_cause",
           "retry_after_seconds", "MAX_RETRY_AFTER_S"]

Transience = Literal["transient", "permanent"]

#: A Retry-After larger than this is not trusted; we wait this long at most.
MAX_RETRY_AFTER_S = 600.0

_SDK_MODULES = ("openai", "anthropic", "litellm", "httpx", "httpx2", "httpcore", "h11", "aiohttp", "llama_cpp")
_TRANSIENT_STATUS = {408, 409, 425, 429}
_TRANSIENT_NAME_PARTS = (
    "Timeout", "Connection", "Connect", "RemoteProtocol", "ReadError", "WriteError",
    "NetworkError", "ServiceUnavailable", "Overloaded", "RateLimit", "InternalServer",
    "ResponseValidation", "IncompleteRead", "ServerDisconnected",
)

#: Failures to open a connection, as the HTTP stacks name them (httpx/httpcore, aiohttp).
_CONNECT_FAILURE_NAMES = {"ConnectError", "ConnectTimeout", "ClientConnectorError", "ConnectionTimeoutError"}
_UNREACHABLE_ERRNOS = {errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EHOSTDOWN}
#: A gateway (proxy, load balancer) answering for a backend that is not there.
_GATEWAY_STATUS = {502, 503, 504}


def _status_code(exc: BaseException) -> int | None:
    code = getattr(exc, "status_code", None)
    if isinstance(code, int):
        return code
    resp = getattr(exc, "response", None)
    code = getattr(resp, "status_code", None)
    return code if isinstance(code, int) else None


def classify_error(exc: BaseException) -> Transience | None:
    """'transient' (retry), 'permanent' (fail the call now) or None (not an endpoint error: a bug)."""
    if isinstance(exc, asyncio.CancelledError):
        return None
    if isinstance(exc, (TimeoutError, asyncio.TimeoutError, ConnectionError)):
        return "transient"
    if isinstance(exc, PromptTooLongError):
        return "permanent"
    if isinstance(exc, (json.JSONDecodeError, MalformedReplyError)):
        return "transient"  # a body cut short on the wire, or a 2xx that is not a completion
    code = _status_code(exc)
    module = type(exc).__module__.split(".")[0]
    from_sdk = module in _SDK_MODULES
    if code is not None and (from_sdk or hasattr(exc, "response")):
        if code in _TRANSIENT_STATUS or code >= 500:
            return "transient"
        if 200 <= code < 300:  # a 2xx that could not be parsed (e.g. APIResponseValidationError)
            return "transient"
        return "permanent"
    if from_sdk:
        names = [c.__name__ for c in type(exc).__mro__]
        if any(part in name for name in names for part in _TRANSIENT_NAME_PARTS):
            return "transient"
        return "permanent"
    return None


def endpoint_unreachable(exc: BaseException) -> bool:
    """Whether a failed attempt says the endpoint is not there: the connection could not be
    opened (refused, no route, DNS failure, connect timeout) or a gateway answered 502/503/504.

    Failures of one request on a live connection (a read timeout while the model generates, a
    reset mid-reply, a 500, a cut body) are not: the next request may well be answered. The SDKs
    wrap the transport's error (`APIConnectionError` from `httpx.ConnectError`, aiohttp's
    `ClientConnectorError` from `ConnectionRefusedError`), so the whole
    cause chain is read.
    """
    for link in _chain(exc):
        if isinstance(link, (ConnectionRefusedError, socket.gaierror)):
            return True
        if isinstance(link, OSError) and link.errno in _UNREACHABLE_ERRNOS:
            return True
        if type(link).__name__ in _CONNECT_FAILURE_NAMES and type(link).__module__.split(".")[0] in _SDK_MODULES:
            return True
        if _status_code(link) in _GATEWAY_STATUS:
            return True
    return False


def root_cause(exc: BaseException) -> BaseException:
    """The innermost error of the chain: `ConnectionRefusedError: [Errno 111] ...` says more than
    the SDK's `APIConnectionError: Connection error.` around it."""
    return _chain(exc)[-1]


def _chain(exc: BaseException) -> list[BaseException]:
    links: list[BaseException] = []
    while exc is not None and all(exc is not link for link in links):
        links.append(exc)
        exc = exc.__cause__ or exc.__context__
    return links


def retry_after_seconds(exc: BaseException) -> float | None:
    """Seconds the server asked us to wait (`retry-after-ms`, `retry-after` as seconds or an
    HTTP date), or None."""
    headers = getattr(getattr(exc, "response", None), "headers", None)
    if headers is None:
        return None
    try:
        ms = headers.get("retry-after-ms")
        if ms is not None:
            return max(0.0, float(ms) / 1000.0)
        value = headers.get("retry-after")
    except Exception:  # exotic header containers: no hint rather than a crash
        return None
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with exponential backoff and full jitter, honouring Retry-After."""

    max_retries: int = 5
    base_s: float = 0.5
    max_s: float = 30.0

    def delay(self, retry_index: int, retry_after: float | None = None, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number `retry_index` (0 for the first retry).

        A server's Retry-After is a floor (we never come back sooner than asked, up to
        MAX_RETRY_AFTER_S); otherwise full jitter over the exponential window.
        """
        rng = rng or random
        window = min(self.max_s, self.base_s * (2 ** min(retry_index, 60)))  # long outage waits: no overflow
        jittered = rng.uniform(0.0, window)
        if retry_after is not None:
            floor = min(retry_after, MAX_RETRY_AFTER_S)
            # A little jitter above the floor so clients told the same time do not stampede.
            return floor + rng.uniform(0.0, min(self.base_s, 0.1 * floor + 0.01))
        return jittered
