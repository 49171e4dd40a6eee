"""A tiny deterministic responder standing in for the simulator's brain in these tests.

It records what it was called with, so tests can check what crossed the wire.
"""

from __future__ import annotations

import threading

from builder.llm.types import ChatReply, Message, ToolCall


class FakeResponder:
    """Calls the first tool when the user just spoke and tools are offered; otherwise echoes."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self._lock = threading.Lock()

    def __call__(self, messages: list[Message], tools: list[dict] | None, *, seed: int, row_id: str) -> ChatReply:
        with self._lock:
            self.calls.append({"messages": messages, "tools": tools, "seed": seed, "row_id": row_id})
        last = messages[-1]
        if tools and last.role == "user":
            name = tools[0]["function"]["name"]
            return ChatReply(tool_calls=[ToolCall(id=f"call_{row_id or 'x'}_{len(messages)}", name=name,
                                                  arguments={"query": last.content, "n": 1})])
        if last.role == "tool":
            return ChatReply(content=f"tool said: {last.content}")
        return ChatReply(content=f"echo seed={seed} row={row_id}: {last.content}")


TOOLS = [{
    "type": "function",
    "function": {
        "name": "lookup",
        "description": "Look something up.",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}, "n": {"type": "integer"}},
                       "required": ["query"]},
    },
}]
