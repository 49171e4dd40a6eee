"""The offline simulator as an in-process backend: no network, no model.

Replies come from a responder function, by default `builder.simulator.brain.respond`
(imported lazily, so the LLM layer does not depend on the simulator's internals). The responder
is deterministic given (messages, tools, seed, row_id), which makes a simulated build
reproducible whatever the concurrency. The simulator speaks native tool calls; with
`tool_calling: prompt` it would receive the prompt-rendered conversation instead.
"""

from __future__ import annotations

from typing import Any

from pydantic import PrivateAttr

from builder.llm.base import ChatLLM
from builder.llm.responder import Responder, call_responder, default_responder
from builder.llm.types import ChatReply, Message

__all__ = ["SimulatorLLM"]


class SimulatorLLM(ChatLLM):
    """`simulator`: answers through a responder function in this process."""

    _responder: Any = PrivateAttr(default=None)

    def set_responder(self, responder: Responder) -> None:
        """Use `responder` instead of the simulator's brain (tests, custom stand-ins)."""
        self._responder = responder

    def _load_backend(self) -> None:
        if self._responder is None:
            self._responder = default_responder()

    async def _achat_once(self, messages: list[Message], tools: list[dict] | None, *, row_id: str,
                          seed: int | None, response_format: dict | None, attempt: int, salt: str) -> ChatReply:
        return await call_responder(self._responder, messages, tools,
                                    seed=seed if seed is not None else 0, row_id=row_id)
