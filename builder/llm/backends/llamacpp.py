"""`llamacpp:/path/model.gguf`: a local GGUF model run in-process by llama-cpp-python.

The model is not thread-safe and generation is CPU-bound, so calls run one at a time in a worker
thread (the event loop stays free for other rows' network calls). `backend_options` go to
`llama_cpp.Llama(...)` (e.g. `n_ctx`, `n_threads`, `chat_format`). llama-cpp-python renders
`tools` into the model's chat template but returns the model's calls as text, which `ChatLLM`
then reads from `<tool_call>` tags; `tool_calling: prompt` is the more reliable choice for
small models.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, ClassVar

from pydantic import PrivateAttr

from builder.llm.backends.openai_compat import build_openai_request
from builder.llm.base import ChatLLM
from builder.llm.convert import reply_from_openai
from builder.llm.errors import PromptTooLongError
from builder.llm.registry import get_backend
from builder.llm.types import ChatReply, Message

__all__ = ["LlamaCppChatLLM"]

_DEFAULT_OPTIONS = {"n_ctx": 4096, "verbose": False}


class LlamaCppChatLLM(ChatLLM):
    _model: Any = PrivateAttr(default=None)
    # One lock per model file: two roles on the same GGUF share the (costly) weights' process
    # but must not generate at the same time.
    _locks: ClassVar[dict[str, threading.Lock]] = {}

    def _load_backend(self) -> None:
        llama_cpp = get_backend(self.config.kind).import_dependency(self.role, self.config.backend)
        options = {**_DEFAULT_OPTIONS, **self.config.backend_options}
        if self.config.seed is not None:
            options.setdefault("seed", self.config.seed)
        self._model = llama_cpp.Llama(model_path=self.config.model, **options)

    def _unload_backend(self) -> None:
        model, self._model = self._model, None
        if model is not None and hasattr(model, "close"):
            model.close()

    def _extra_unpicklable(self) -> dict[str, Any]:
        return {"_model": None}

    def _lock(self) -> threading.Lock:
        return self._locks.setdefault(self.config.model, threading.Lock())

    async def _achat_once(self, messages: list[Message], tools: list[dict] | None, *, row_id: str,
                          seed: int | None, response_format: dict | None, attempt: int, salt: str) -> ChatReply:
        req = build_openai_request(self, messages, tools, seed=seed, response_format=response_format)
        req.pop("model")
        req.update(self.config.extra_body)

        def run() -> dict:
            with self._lock():
                try:
                    return self._model.create_chat_completion(**req)
                except ValueError as exc:  # llama_cpp: "Requested tokens (N) exceed context window of M"
                    if "context window" in str(exc):
                        raise PromptTooLongError(
                            f"{exc}; shorten the prompt or raise backend_options.n_ctx of role {self.role}"
                        ) from exc
                    raise

        return reply_from_openai(await asyncio.to_thread(run), salt=salt)
