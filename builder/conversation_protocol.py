"""The conversation protocol: how a conversation opens, how the user ends it, how a tool call that
did not parse is recorded.

The user speaks first, and writes its first message itself: the user model is handed no line of
the agent to answer (a small model handed "Hi! How can I help you today?" as the other side's line
answers as the agent, and goes on repeating the greeting). What it is handed before its first
message is `OPENING_CUE`, a stage direction that says whose turn it is and who it is.

These are conventions between the interplay loop and whatever plays the user (a model told them by
its prompt, or the offline simulator), and between the stored conversations and their readers
(verification, export). They live here, in production, so that the test double follows the
protocol rather than defining it (tau2 keeps its markers in its user simulator's base class for
the same reason).
"""

from __future__ import annotations

import re

__all__ = [
    "STOP", "TRANSFER", "OPENING_CUE", "MALFORMED_KEY", "has_stop", "has_transfer", "strip_markers",
    "is_malformed_call", "is_transfer_tool",
]

#: The user's message ends the conversation: everything is done (or cannot be done).
STOP = "###STOP###"
#: The user's message ends the conversation because the agent transferred it to a human.
TRANSFER = "###TRANSFER###"
#: The stage direction before the user's first message (shown to the user only, never stored).
OPENING_CUE = "[The chat is open and the agent is waiting. Write your first message to the agent, as the customer.]"
#: The only argument of a recorded tool call that could not be parsed: its raw text.
MALFORMED_KEY = "_unparsed"

_TRANSFER_RE = re.compile(r"transfer", re.IGNORECASE)


def has_stop(text: str | None) -> bool:
    return bool(text) and STOP in text


def has_transfer(text: str | None) -> bool:
    return bool(text) and TRANSFER in text


def strip_markers(text: str | None) -> str:
    """The user's words without the protocol's markers (what a reader of the dataset wants)."""
    return (text or "").replace(STOP, "").replace(TRANSFER, "").strip()


def is_malformed_call(arguments: dict | None) -> bool:
    return MALFORMED_KEY in (arguments or {})


def is_transfer_tool(name: str) -> bool:
    """A tool that hands the conversation over to a human: its name says "transfer"."""
    return bool(_TRANSFER_RE.search(name))
