"""Records exchanged with every LLM backend, real or simulated.

They are OpenAI-shaped because that is the lingua franca of tool calling; backends that speak
something else (prompt-based tool calls, Anthropic) translate at their edge.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class ToolCall(BaseModel):
    """One tool call requested by a model, with its arguments already parsed from JSON."""

    id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class Message(BaseModel):
    """A chat message; `tool_calls` on assistant messages, `tool_call_id` on tool messages."""

    role: Literal["system", "user", "assistant", "tool"]
    content: str | None = None
    tool_calls: list[ToolCall] | None = None
    tool_call_id: str | None = None
    name: str | None = None


class ToolCallParseError(BaseModel):
    """A tool call the model tried to make but that could not be parsed; recorded, never raised."""

    raw: str
    message: str


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def __add__(self, other: "Usage") -> "Usage":
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )


class ChatReply(BaseModel):
    """A model's reply: text and/or tool calls, the calls it failed to parse, and its usage."""

    content: str | None = None
    tool_calls: list[ToolCall] = Field(default_factory=list)
    parse_errors: list[ToolCallParseError] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    finish_reason: str | None = None
    retries: int = 0
