"""`anthropic:MODEL`: Anthropic's Messages API, translated at this edge.

Differences from the OpenAI shape handled here: the system prompt is a top-level parameter;
tool calls are `tool_use` content blocks and results are `tool_result` blocks in a *user*
message; roles must alternate, so consecutive tool results (and a user message right after
them) are merged into one user turn; `max_tokens` is required.
"""

from __future__ import annotations

from typing import Any

from pydantic import PrivateAttr

from builder.llm.base import ChatLLM
from builder.llm.config import resolve_api_key
from builder.llm.registry import get_backend
from builder.llm.types import ChatReply, Message, ToolCall, Usage

__all__ = ["AnthropicChatLLM", "to_anthropic_request", "reply_from_anthropic"]

DEFAULT_MAX_TOKENS = 1024
_STOP_REASONS = {"end_turn": "stop", "stop_sequence": "stop", "tool_use": "tool_calls", "max_tokens": "length"}


def to_anthropic_tools(tools: list[dict]) -> list[dict]:
    out = []
    for t in tools:
        fn = t.get("function", t)
        out.append({
            "name": fn["name"],
            "description": fn.get("description", ""),
            "input_schema": fn.get("parameters") or {"type": "object", "properties": {}},
        })
    return out


def to_anthropic_request(messages: list[Message], tools: list[dict] | None) -> dict[str, Any]:
    """`{"system": ..., "messages": [...], "tools": [...]}` for the Messages API."""
    system_parts: list[str] = []
    out: list[dict[str, Any]] = []

    def append(role: str, blocks: list[dict]) -> None:
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": role, "content": list(blocks)})

    for m in messages:
        if m.role == "system":
            if m.content:
                system_parts.append(m.content)
        elif m.role == "tool":
            append("user", [{"type": "tool_result", "tool_use_id": m.tool_call_id or "", "content": m.content or ""}])
        elif m.role == "assistant":
            blocks: list[dict] = []
            if m.content:
                blocks.append({"type": "text", "text": m.content})
            for tc in m.tool_calls or []:
                blocks.append({"type": "tool_use", "id": tc.id, "name": tc.name, "input": tc.arguments})
            append("assistant", blocks or [{"type": "text", "text": ""}])
        else:
            append("user", [{"type": "text", "text": m.content or ""}])
    req: dict[str, Any] = {"messages": out}
    if system_parts:
        req["system"] = "\n\n".join(system_parts)
    if tools:
        req["tools"] = to_anthropic_tools(tools)
    return req


def _get(obj: Any, key: str, default: Any = None) -> Any:
    return obj.get(key, default) if isinstance(obj, dict) else getattr(obj, key, default)


def reply_from_anthropic(resp: Any) -> ChatReply:
    texts: list[str] = []
    calls: list[ToolCall] = []
    for block in _get(resp, "content") or []:
        kind = _get(block, "type")
        if kind == "text":
            texts.append(_get(block, "text") or "")
        elif kind == "tool_use":
            calls.append(ToolCall(id=_get(block, "id"), name=_get(block, "name"), arguments=dict(_get(block, "input") or {})))
    usage = _get(resp, "usage")
    stop = _get(resp, "stop_reason")
    return ChatReply(
        content="".join(texts) or None,
        tool_calls=calls,
        usage=Usage(prompt_tokens=int(_get(usage, "input_tokens", 0) or 0),
                    completion_tokens=int(_get(usage, "output_tokens", 0) or 0)),
        finish_reason=_STOP_REASONS.get(stop, stop),
    )


class AnthropicChatLLM(ChatLLM):
    _client: Any = PrivateAttr(default=None)
    _client_loop: Any = PrivateAttr(default=None)

    def _load_backend(self) -> None:
        get_backend(self.config.kind).import_dependency(self.role, self.config.backend)
        resolve_api_key(self.role, self.config)

    def _extra_unpicklable(self) -> dict[str, Any]:
        return {"_client": None, "_client_loop": None}

    def _get_client(self) -> Any:
        import asyncio

        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            import anthropic

            self._client = anthropic.AsyncAnthropic(
                api_key=resolve_api_key(self.role, self.config),
                base_url=self.config.base_url,
                timeout=self.config.timeout_s,
                max_retries=0,
            )
            self._client_loop = loop
        return self._client

    async def _achat_once(self, messages: list[Message], tools: list[dict] | None, *, row_id: str,
                          seed: int | None, response_format: dict | None, attempt: int, salt: str) -> ChatReply:
        # Anthropic takes no seed and no response_format; JSON output relies on the prompt.
        req = to_anthropic_request(messages, tools)
        cfg = self.config
        req["model"] = cfg.model
        req["max_tokens"] = cfg.max_tokens or DEFAULT_MAX_TOKENS
        if cfg.temperature is not None:
            req["temperature"] = min(cfg.temperature, 1.0)
        if cfg.top_p is not None:
            req["top_p"] = cfg.top_p
        resp = await self._get_client().messages.create(**req, extra_body=cfg.extra_body or None)
        return reply_from_anthropic(resp)
