"""The offline simulator as an in-process backend: no network, no model.

Registered as the `simulator` backend (`builder.llm.registry`), which imports this module only
when a role uses it. Replies come from a responder function, by default the simulator's brain
with the mistake rates of the role's `backend_options` (`SimulatorConfig`; the defaults when
none are given): the rates travel with the role that uses them, so a run without the simulator
carries none. The responder is deterministic given (messages, tools, seed, row_id), which makes
a simulated build reproducible whatever the concurrency. The simulator speaks native tool calls;
with `tool_calling: prompt` it would receive the prompt-rendered conversation instead.
"""

from __future__ import annotations

from typing import Any

from pydantic import PrivateAttr, ValidationError

from builder.llm.base import ChatLLM
from builder.llm.config import RoleConfig
from builder.llm.errors import LLMConfigError
from builder.llm.types import ChatReply, Message
from builder.llm.usage import UsageLedger
from builder.simulator.config import SimulatorConfig
from builder.simulator.responder import Responder, call_responder, default_responder

__all__ = ["SimulatorLLM", "simulator_llm"]


class SimulatorLLM(ChatLLM):
    """`simulator`: answers through a responder function in this process."""

    _responder: Any = PrivateAttr(default=None)
    _rates: SimulatorConfig = PrivateAttr(default_factory=SimulatorConfig)

    def model_post_init(self, context: Any) -> None:
        super().model_post_init(context)
        try:  # checked when the role is built, before any work starts
            self._rates = SimulatorConfig.model_validate(self.config.backend_options)
        except ValidationError as e:
            field = f"roles.{self.role.replace('reviewer_', 'reviewers.')}.backend_options"
            problems = "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors())
            raise LLMConfigError(
                f"{field}: the simulator's mistake rates are invalid ({problems}); each is a number in "
                f"[0, 1] named as in builder.simulator.config.SimulatorConfig"
            ) from None

    @property
    def rates(self) -> SimulatorConfig:
        return self._rates

    def set_responder(self, responder: Responder) -> None:
        """Use `responder` instead of the simulator's brain (tests, custom stand-ins)."""
        self._responder = responder

    def _load_backend(self) -> None:
        if self._responder is None:
            self._responder = default_responder(self._rates)

    async def _achat_once(self, messages: list[Message], tools: list[dict] | None, *, row_id: str,
                          seed: int | None, response_format: dict | None, attempt: int, salt: str) -> ChatReply:
        return await call_responder(self._responder, messages, tools,
                                    seed=seed if seed is not None else 0, row_id=row_id)


def simulator_llm(role_name: str, cfg: RoleConfig | None = None, *, responder: Responder,
                  ledger: UsageLedger | None = None) -> SimulatorLLM:
    """A simulator-backed LLM for `role_name` that answers through `responder` (tests, stand-ins)."""
    llm = SimulatorLLM(role=role_name, config=cfg or RoleConfig())
    if ledger is not None:
        llm.set_ledger(ledger)
    llm.set_responder(responder)
    return llm
