"""`litellm:MODEL`: any provider litellm routes to (Bedrock, Vertex, Together, ...).

litellm returns OpenAI-shaped responses and raises OpenAI-style exceptions (with
`status_code`), so the OpenAI request builder, reply reader and retry classification apply.
Provider keys are read by litellm from its usual variables unless `api_key_env` names one.
"""

from __future__ import annotations

from typing import Any

from pydantic import PrivateAttr

from builder.llm.backends.openai_compat import build_openai_request
from builder.llm.base import ChatLLM
from builder.llm.config import resolve_api_key
from builder.llm.convert import reply_from_openai
from builder.llm.registry import get_backend
from builder.llm.types import ChatReply, Message

__all__ = ["LiteLLMChatLLM"]


class LiteLLMChatLLM(ChatLLM):
    _litellm: Any = PrivateAttr(default=None)

    def _load_backend(self) -> None:
        self._litellm = get_backend(self.config.kind).import_dependency(self.role, self.config.backend)
        resolve_api_key(self.role, self.config)

    def _extra_unpicklable(self) -> dict[str, Any]:
        return {"_litellm": None}

    async def _achat_once(self, messages: list[Message], tools: list[dict] | None, *, row_id: str,
                          seed: int | None, response_format: dict | None, attempt: int, salt: str) -> ChatReply:
        req = build_openai_request(self, messages, tools, seed=seed, response_format=response_format)
        key = resolve_api_key(self.role, self.config)
        if key:
            req["api_key"] = key
        if self.config.base_url:
            req["api_base"] = self.config.base_url
        req.update(self.config.extra_body)
        resp = await self._litellm.acompletion(**req, timeout=self.config.timeout_s, num_retries=0)
        return reply_from_openai(resp, salt=salt)
