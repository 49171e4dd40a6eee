"""OpenAI-compatible chat endpoints: OpenAI itself, and vLLM, SGLang, llama.cpp's server, the
builder's simulator server... anything that speaks `/v1/chat/completions` with `tools`.

The requests go out on aiohttp, not on the `openai` SDK: the SDK (over httpx) costs about 2 ms
of CPU per call against aiohttp's 0.7 ms (measured on 26 KB agent requests), and with hundreds
of conversations in flight on a few cores that CPU is what caps how busy a build keeps the
endpoint. The wire format is the documented one (`POST {base_url}/chat/completions`, a bearer
key, JSON in and out); proxies and CA bundles come from the environment as they do for the SDK.
Retrying is done once, by `ChatLLM`, so the concurrency slot is released during backoff and
attempts are counted per role; this module only sends, and raises what went wrong.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit
from urllib.request import getproxies
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
from pydantic import PrivateAttr

from builder import __version__
from builder.llm.base import ChatLLM
from builder.llm.config import resolve_api_key
from builder.llm.convert import reply_from_openai, to_openai_messages
from builder.llm.headers import ATTEMPT_HEADER, ROW_ID_HEADER
from builder.llm.registry import get_backend
from builder.llm.types import ChatReply, Message

__all__ = ["OpenAICompatLLM", "HTTPStatusError", "build_openai_request"]

# A keyless local server (vLLM, llama.cpp) ignores the key; OpenAI itself needs one.
_NO_KEY = "EMPTY"


def build_openai_request(llm: ChatLLM, messages: list[Message], tools: list[dict] | None, *,
                         seed: int | None, response_format: dict | None) -> dict[str, Any]:
    """The body of a chat completion request for this role (shared with litellm/llama.cpp)."""
    req: dict[str, Any] = {"model": llm.config.model, "messages": to_openai_messages(messages)}
    if tools:
        req["tools"] = tools
    req.update(llm.sampling_kwargs(seed))
    if response_format is not None:
        req["response_format"] = response_format
    return req


class _Answer:
    """What the retry rules read of a refused request: its status and headers (`Retry-After`)."""

    def __init__(self, status_code: int, headers: Any) -> None:
        self.status_code, self.headers = status_code, headers


class HTTPStatusError(Exception):
    """The endpoint answered with a status other than 2xx; the message is the server's own."""

    def __init__(self, status_code: int, headers: Any, body: bytes, url: str) -> None:
        self.status_code = status_code
        self.response = _Answer(status_code, headers)
        super().__init__(f"HTTP {status_code} from {url}: {_server_message(body)}")


def _server_message(body: bytes) -> str:
    """The `error.message` of an OpenAI-style error body, else the body's start."""
    try:
        error = orjson.loads(body).get("error")
        message = error.get("message") if isinstance(error, dict) else error
        if message:
            return str(message)
    except (orjson.JSONDecodeError, AttributeError):
        pass
    return body[:500].decode("utf-8", "replace") or "(empty body)"


class OpenAICompatLLM(ChatLLM):
    """`openai:MODEL` with an optional `base_url` (native tool calls)."""

    _session: Any = PrivateAttr(default=None)
    _session_loop: Any = PrivateAttr(default=None)
    _closer: Any = PrivateAttr(default=None)

    def _load_backend(self) -> None:
        # Fails now, naming the variable and role, if the key is missing.
        resolve_api_key(self.role, self.config)

    def _unload_backend(self) -> None:
        self._session = self._session_loop = self._closer = None

    def _extra_unpicklable(self) -> dict[str, Any]:
        return {"_session": None, "_session_loop": None, "_closer": None}

    async def _get_session(self) -> Any:
        """One session per event loop (a connection pool cannot cross loops), closed with it."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._session_loop is not loop:
            headers = {"Content-Type": "application/json", "User-Agent": f"builder/{__version__}"}
            if not _has_credentials(self._url):  # else the URL's user and password are the auth
                headers["Authorization"] = f"Bearer {resolve_api_key(self.role, self.config) or _NO_KEY}"
            self._session = aiohttp.ClientSession(
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.config.timeout_s),
                connector=aiohttp.TCPConnector(limit=0),  # the endpoint limiter bounds the calls
                # HTTPS_PROXY and NO_PROXY as the SDKs read them; without a proxy, not at all
                # (aiohttp would then also look up ~/.netrc on every request)
                trust_env=bool(getproxies()),
            )
            self._session_loop = loop
            self._closer = _close_with_loop(self._session)
            await anext(self._closer)
        return self._session

    @property
    def _url(self) -> str:
        base = self.config.base_url or get_backend("openai").public_url
        return f"{base.rstrip('/')}/chat/completions"

    async def _achat_once(self, messages: list[Message], tools: list[dict] | None, *, row_id: str,
                          seed: int | None, response_format: dict | None, attempt: int, salt: str) -> ChatReply:
        session = await self._get_session()
        req = build_openai_request(self, messages, tools, seed=seed, response_format=response_format)
        req.update(self.config.extra_body)
        headers = {ATTEMPT_HEADER: str(attempt)}
        if row_id:
            headers[ROW_ID_HEADER] = row_id
        async with session.post(self._url, data=orjson.dumps(req), headers=headers) as resp:
            body = await resp.read()
            if not 200 <= resp.status < 300:
                raise HTTPStatusError(resp.status, resp.headers, body, self.endpoint)
        return reply_from_openai(orjson.loads(body), salt=salt)


def _has_credentials(url: str) -> bool:
    return "@" in urlsplit(url).netloc


async def _close_with_loop(session: Any) -> AsyncIterator[None]:
    """Closes `session` when its event loop shuts down: `asyncio.run` finalises the async
    generators still suspended (`loop.shutdown_asyncgens`), which runs this `finally` on the
    session's own loop, where closing it must happen."""
    try:
        yield
    finally:
        await session.close()
