"""`vllm:MODEL`: vLLM in-process (needs the `vllm` package and a GPU).

A thin wrapper over `vllm.LLM.chat`: vLLM renders `tools` into the chat template, and the
model's calls come back as text that `ChatLLM` reads from `<tool_call>` tags (Hermes/Qwen
format). For native tool parsing and better throughput, run `vllm serve MODEL
--enable-auto-tool-choice --tool-call-parser hermes` and use `openai:MODEL` with `base_url`.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from pydantic import PrivateAttr

from builder.llm.base import ChatLLM
from builder.llm.convert import to_openai_messages
from builder.llm.registry import get_backend
from builder.llm.types import ChatReply, Message, Usage

__all__ = ["VLLMChatLLM"]


class VLLMChatLLM(ChatLLM):
    _engine: Any = PrivateAttr(default=None)
    _vllm: Any = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default=None)

    def _load_backend(self) -> None:
        self._vllm = get_backend(self.config.kind).import_dependency(self.role, self.config.backend)
        self._engine = self._vllm.LLM(model=self.config.model, **self.config.backend_options)
        self._lock = threading.Lock()

    def _extra_unpicklable(self) -> dict[str, Any]:
        return {"_engine": None, "_vllm": None, "_lock": None}

    async def _achat_once(self, messages: list[Message], tools: list[dict] | None, *, row_id: str,
                          seed: int | None, response_format: dict | None, attempt: int, salt: str) -> ChatReply:
        params = self._vllm.SamplingParams(**self.sampling_kwargs(seed))

        def run() -> Any:
            with self._lock:
                return self._engine.chat([to_openai_messages(messages)], sampling_params=params,
                                         tools=tools, use_tqdm=False)[0]

        out = await asyncio.to_thread(run)
        gen = out.outputs[0]
        return ChatReply(
            content=gen.text,
            usage=Usage(prompt_tokens=len(out.prompt_token_ids or []), completion_tokens=len(gen.token_ids or [])),
            finish_reason=gen.finish_reason,
        )
