"""Calling a simulator responder: `respond(messages, tools, *, seed, row_id) -> ChatReply`.

Shared by the in-process `simulator` backend and the simulator's HTTP server, and kept free of
heavy imports so the server starts fast. The default responder is
`builder.simulator.brain.respond`, imported on first use.
"""

from __future__ import annotations

import functools
import inspect
from typing import TYPE_CHECKING, Awaitable, Callable, Union

from builder.llm.errors import LLMConfigError
from builder.llm.types import ChatReply, Message, Usage
from builder.llm.usage import estimate_tokens

if TYPE_CHECKING:
    from builder.simulator.config import SimulatorConfig

__all__ = ["Responder", "default_responder", "call_responder", "finish_reply", "estimate_usage"]

#: respond(messages, tools, *, seed, row_id) -> ChatReply (or an awaitable of one)
Responder = Callable[..., Union[ChatReply, Awaitable[ChatReply]]]


def default_responder(rates: "SimulatorConfig | None" = None) -> Responder:
    """`builder.simulator.brain.respond` making mistakes at `rates` (default: the default rates),
    imported on first use."""
    try:
        from builder.simulator.brain import respond
    except ImportError as e:
        raise LLMConfigError(
            f"the offline simulator's responder (builder.simulator.brain.respond) cannot be imported: {e}"
        ) from e
    return functools.partial(respond, rates=rates) if rates is not None else respond


def estimate_usage(messages: list[Message], reply: ChatReply) -> Usage:
    """Token counts for a simulated reply, so usage reports are not all zeros."""
    prompt = sum(estimate_tokens(m.content) + 4 for m in messages)
    completion = estimate_tokens(reply.content) + sum(
        estimate_tokens(tc.name) + estimate_tokens(str(tc.arguments)) for tc in reply.tool_calls
    )
    return Usage(prompt_tokens=prompt, completion_tokens=completion)


async def call_responder(responder: Responder, messages: list[Message], tools: list[dict] | None,
                         *, seed: int, row_id: str) -> ChatReply:
    """Call a sync or async responder; fill in usage and finish_reason when it gives none."""
    out = responder(messages, tools, seed=seed, row_id=row_id)
    if inspect.isawaitable(out):
        out = await out
    return finish_reply(out, messages)


def finish_reply(out: object, messages: list[Message]) -> ChatReply:
    """A responder's reply, checked, with usage and finish_reason filled in when it gives none."""
    if not isinstance(out, ChatReply):
        raise TypeError(f"simulator responder returned {type(out).__name__}, expected ChatReply")
    update = {}
    if out.usage.prompt_tokens == 0 and out.usage.completion_tokens == 0:
        update["usage"] = estimate_usage(messages, out)
    if out.finish_reason is None:
        update["finish_reason"] = "tool_calls" if out.tool_calls or out.parse_errors else "stop"
    return out.model_copy(update=update) if update else out
