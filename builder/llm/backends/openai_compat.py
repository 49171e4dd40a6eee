"""OpenAI-compatible chat endpoints: OpenAI itself, and vLLM, SGLang, llama.cpp's server, the
builder's simulator server... anything that speaks `/v1/chat/completions` with `tools`.

The `openai` SDK's own retries are switched off (`max_retries=0`): retrying is done once, by
`ChatLLM`, so the concurrency slot is released during backoff and attempts are counted per role.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import PrivateAttr

from builder.llm.base import ChatLLM
from builder.llm.headers import ATTEMPT_HEADER, ROW_ID_HEADER
from builder.llm.config import resolve_api_key
from builder.llm.convert import reply_from_openai, to_openai_messages
from builder.llm.types import ChatReply, Message

__all__ = ["OpenAICompatLLM", "build_openai_request"]

# A keyless local server (vLLM, llama.cpp) still needs *some* key for the SDK to start.
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


class OpenAICompatLLM(ChatLLM):
    """`openai:MODEL` with an optional `base_url` (native tool calls)."""

    _client: Any = PrivateAttr(default=None)
    _client_loop: Any = PrivateAttr(default=None)

    def _load_backend(self) -> None:
        import openai  # noqa: F401  (a core dependency; fail here rather than mid-run)

        # Fails now, naming the variable and role, if the key is missing.
        resolve_api_key(self.role, self.config)

    def _unload_backend(self) -> None:
        self._client = None
        self._client_loop = None

    def _extra_unpicklable(self) -> dict[str, Any]:
        return {"_client": None, "_client_loop": None}

    def _get_client(self) -> Any:
        """One client per event loop: httpx connection pools cannot cross loops, and distilabel
        runs each LLM on its own loop."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            import openai

            key = resolve_api_key(self.role, self.config) or _NO_KEY
            self._client = openai.AsyncOpenAI(
                api_key=key,
                base_url=self.config.base_url,
                timeout=self.config.timeout_s,
                max_retries=0,
                # The plain client, not the SDK's default wrapper whose __del__ schedules aclose()
                # on whatever loop is running: after a loop change that is the wrong loop.
                http_client=openai.DefaultAsyncHttpxClient(timeout=self.config.timeout_s),
            )
            self._client_loop = loop
        return self._client

    async def _achat_once(self, messages: list[Message], tools: list[dict] | None, *, row_id: str,
                          seed: int | None, response_format: dict | None, attempt: int, salt: str) -> ChatReply:
        client = self._get_client()
        req = build_openai_request(self, messages, tools, seed=seed, response_format=response_format)
        headers = {ATTEMPT_HEADER: str(attempt)}
        if row_id:
            headers[ROW_ID_HEADER] = row_id
        req.update(self.config.extra_body)
        # The SDK's documented raw-request path (`client.post(path, cast_to=..., body=...)`)
        # rather than `chat.completions.create`: same auth, errors and timeouts, but it skips the
        # typed-params transform and response models, which cost ~2 ms of CPU per call, a real
        # cap on throughput with hundreds of conversations on 2 cores.
        resp = await client.post(
            "/chat/completions",
            cast_to=object,
            body=req,
            options={"headers": headers, "timeout": self.config.timeout_s},
        )
        return reply_from_openai(resp, salt=salt)
