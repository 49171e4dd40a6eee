"""The chat-with-tools interface every pipeline stage uses, whatever the backend.

`ChatLLM.achat(messages, tools, row_id=..., seed=...)` returns a `ChatReply` (text, tool calls,
calls it could not parse, usage). Around each backend's single request (`_achat_once`) this
class adds what every backend needs the same way:

- the per-endpoint concurrency limit (held only while a request is in flight, not while
  backing off, so a failing row does not hog a slot);
- retries with backoff on transient errors, then `LLMCallFailed` with role, row and endpoint;
- prompt-based tool calling when the role asks for it (`tool_calling: prompt`), and reading
  calls out of the text (`<tool_call>` tags, or a reply that is only a call object naming an
  offered tool) when a "native" backend returned them as plain text (llama.cpp and vLLM
  without a tool parser do);
- usage accounting per role and per row.

`ChatLLM` is a distilabel `AsyncLLM`, so it has distilabel's `load()`/`unload()` lifecycle,
serialises with the step that holds it (no secrets: keys are read from the environment at load
time), and also answers distilabel's plain-text `agenerate` for stock distilabel tasks.
distilabel's own LLM classes cannot be used for tool calling (1.5.3 sends no `tools`, drops
`tool_calls` and rejects `tool` messages), hence the separate `achat` path.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
from abc import abstractmethod
from typing import Any, ClassVar

from distilabel.models.llms.base import AsyncLLM
from pydantic import Field, PrivateAttr

from builder.llm.config import RoleConfig, endpoint_key
from builder.llm.context_tag import strip as strip_context
from builder.llm.convert import coerce_messages
from builder.llm.errors import LLMCallFailed
from builder.llm.limits import EndpointLimiter, get_limiter
from builder.llm.prompt_tools import parse_tool_calls, to_prompt_messages
from builder.llm.retry import RetryPolicy, classify_error, retry_after_seconds
from builder.llm.types import ChatReply, Message
from builder.llm.usage import UsageLedger, get_ledger

log = logging.getLogger(__name__)

__all__ = ["ChatLLM"]


class ChatLLM(AsyncLLM):
    """One role's LLM. Subclasses implement `_achat_once` (one request, no retries) and
    optionally `_load_backend`/`_unload_backend`."""

    role: str = Field(default="llm", description="Role name used in usage accounting and errors.")
    config: RoleConfig = Field(default_factory=RoleConfig)

    _ledger: UsageLedger | None = PrivateAttr(default=None)
    _limiter: EndpointLimiter | None = PrivateAttr(default=None)
    _loaded: bool = PrivateAttr(default=False)
    _rng: random.Random = PrivateAttr(default_factory=random.Random)

    _LOAD_LOCK: ClassVar[threading.Lock] = threading.Lock()
    #: Private attributes that hold live resources: dropped when pickled (distilabel ships steps
    #: to worker processes), rebuilt by `load()` there.
    _RUNTIME_ATTRS: ClassVar[tuple[str, ...]] = ("_limiter", "_loaded", "_event_loop", "_new_event_loop", "_logger")

    # ---- identity -------------------------------------------------------------------------
    @property
    def model_name(self) -> str:
        return self.config.model

    @property
    def endpoint(self) -> str:
        """base URL + model (or `kind:model` in-process); never holds a secret."""
        return endpoint_key(self.config)

    @property
    def ledger(self) -> UsageLedger:
        return self._ledger if self._ledger is not None else get_ledger()

    def set_ledger(self, ledger: UsageLedger) -> None:
        self._ledger = ledger

    @property
    def limiter(self) -> EndpointLimiter:
        if self._limiter is None:
            self._limiter = get_limiter(self.endpoint, self.config.concurrency)
        return self._limiter

    # ---- lifecycle (distilabel) -----------------------------------------------------------
    def load(self) -> None:
        super().load()
        self._limiter = get_limiter(self.endpoint, self.config.concurrency)
        self._load_backend()
        self._loaded = True

    def unload(self) -> None:
        self._unload_backend()
        self._loaded = False
        super().unload()

    def _load_backend(self) -> None:
        """Create clients / load weights. Called once by `load()`."""

    def _unload_backend(self) -> None:
        """Release what `_load_backend` created."""

    def _ensure_loaded(self) -> None:
        with self._LOAD_LOCK:
            if not self._loaded:
                self.load()

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        private = dict(state.get("__pydantic_private__") or {})
        for name in self._RUNTIME_ATTRS:
            if name in private:
                private[name] = False if name in ("_loaded", "_new_event_loop") else None
        private.update(self._extra_unpicklable())
        state["__pydantic_private__"] = private
        return state

    def _extra_unpicklable(self) -> dict[str, Any]:
        """Subclasses: private attributes to reset on pickling (clients, models)."""
        return {}

    # ---- the call -------------------------------------------------------------------------
    async def achat(
        self,
        messages: list[Message],
        tools: list[dict] | None = None,
        *,
        row_id: str = "",
        seed: int | None = None,
        response_format: dict | None = None,
    ) -> ChatReply:
        """One assistant turn: the reply text and/or tool calls.

        Raises `LLMCallFailed` when the endpoint keeps failing (transient errors past
        `max_retries`) or refuses the request (4xx); the caller records it as `row_id`'s
        failure. Malformed tool calls are returned in `reply.parse_errors`, never raised.
        """
        if not self._loaded:
            await asyncio.to_thread(self._ensure_loaded)
        msgs = coerce_messages(messages)
        if not self.config.sends_context_tag:
            msgs = strip_context(msgs)
        tools = tools or None
        use_prompt = tools is not None and self.config.tool_calling == "prompt"
        wire_messages = to_prompt_messages(msgs, tools) if use_prompt else msgs
        wire_tools = None if use_prompt else tools
        if seed is None:
            seed = self.config.seed
        salt = f"{row_id}|{len(msgs)}"

        reply, retries = await self._call_with_retries(
            wire_messages, wire_tools, row_id=row_id, seed=seed, response_format=response_format, salt=salt
        )
        if tools is not None and reply.content and (use_prompt or not reply.tool_calls):
            # Prompt mode: the calls are in the text by design. Native mode with no native calls:
            # servers without a tool parser (llama.cpp, vLLM without --tool-call-parser) hand
            # back the model's `<tool_call>` tags or bare `{"name", "arguments"}` JSON as text.
            reply = _with_parsed_calls(reply, salt, {_tool_name(t) for t in tools})
        reply = reply.model_copy(update={"retries": retries})
        self.ledger.record_call(self.role, row_id, reply.usage, retries=retries)
        return reply

    async def _call_with_retries(
        self, messages: list[Message], tools: list[dict] | None, *, row_id: str, seed: int | None,
        response_format: dict | None, salt: str,
    ) -> tuple[ChatReply, int]:
        cfg = self.config
        policy = RetryPolicy(max_retries=cfg.max_retries, base_s=cfg.retry_base_s, max_s=cfg.retry_max_s)
        limiter = self.limiter
        attempt = 0
        while True:
            try:
                async with limiter:
                    reply = await self._achat_once(
                        messages, tools, row_id=row_id, seed=seed, response_format=response_format,
                        attempt=attempt, salt=salt,
                    )
                return reply, attempt
            except Exception as exc:
                kind = classify_error(exc)
                if kind is None:
                    raise  # not an endpoint failure: a bug, let it surface as it is
                if kind == "permanent" or attempt >= policy.max_retries:
                    self.ledger.record_failure(self.role, row_id, retries=attempt)
                    raise LLMCallFailed(
                        role=self.role, row_id=row_id, endpoint=self.endpoint, attempts=attempt + 1,
                        last_error=exc, transient=kind == "transient",
                    ) from exc
                retry_after = retry_after_seconds(exc)
                delay = policy.delay(attempt, retry_after, self._rng)
                log.warning(
                    "role %s row %s: %s at %s (attempt %d/%d); retrying in %.2fs%s",
                    self.role, row_id or "-", type(exc).__name__, self.endpoint, attempt + 1,
                    policy.max_retries + 1, delay, f" (Retry-After {retry_after:g}s)" if retry_after is not None else "",
                )
                await asyncio.sleep(delay)
                attempt += 1

    @abstractmethod
    async def _achat_once(
        self,
        messages: list[Message],
        tools: list[dict] | None,
        *,
        row_id: str,
        seed: int | None,
        response_format: dict | None,
        attempt: int,
        salt: str,
    ) -> ChatReply:
        """Send one request. Raise the backend's own exceptions: the retry loop classifies them.
        `salt` seeds deterministic ids for tool calls that come back without one."""

    def sampling_kwargs(self, seed: int | None) -> dict[str, Any]:
        """The sampling parameters the role sets (unset ones are left to the backend)."""
        cfg = self.config
        out = {"temperature": cfg.temperature, "top_p": cfg.top_p, "max_tokens": cfg.max_tokens, "seed": seed}
        return {k: v for k, v in out.items() if v is not None}

    # ---- distilabel's text generation -----------------------------------------------------
    async def agenerate(self, input: Any, num_generations: int = 1, **kwargs: Any) -> dict[str, Any]:
        """Plain text generation for distilabel's stock tasks (no tools).

        Args:
            input: the conversation, a list of `{"role", "content"}` dicts.
            num_generations: how many replies; with a role seed, reply i uses seed + i.
        """
        row_id = str(kwargs.get("row_id", ""))
        generations: list[str | None] = []
        in_tokens: list[int] = []
        out_tokens: list[int] = []
        for i in range(num_generations):
            seed = None if self.config.seed is None else self.config.seed + i
            reply = await self.achat(list(input), row_id=row_id, seed=seed)
            generations.append(reply.content)
            in_tokens.append(reply.usage.prompt_tokens)
            out_tokens.append(reply.usage.completion_tokens)
        return {"generations": generations, "statistics": {"input_tokens": in_tokens, "output_tokens": out_tokens}}


def _tool_name(tool: dict) -> str:
    return (tool.get("function") or {}).get("name") or tool.get("name") or ""


def _with_parsed_calls(reply: ChatReply, salt: str, tool_names: set[str] | None) -> ChatReply:
    content, calls, errors = parse_tool_calls(reply.content, salt=salt, tool_names=tool_names)
    if not calls and not errors:
        return reply  # plain text: keep it exactly as the model wrote it
    finish = reply.finish_reason
    if calls and finish in (None, "stop"):
        finish = "tool_calls"
    return reply.model_copy(update={
        "content": content,
        "tool_calls": [*reply.tool_calls, *calls],
        "parse_errors": [*reply.parse_errors, *errors],
        "finish_reason": finish,
    })
