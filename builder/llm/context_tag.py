"""The structured context our prompts carry, in a tag the offline simulator reads.

A real model reads the prose of a prompt; the simulator reads the same facts from this tag,
so both see exactly the same information and the simulator never gets a hidden answer key.
The agent's system prompt carries no tag: it is published as the dataset's `system` column.
"""

from __future__ import annotations

import json
import re
from typing import Any

from builder.llm.types import Message

_OPEN, _CLOSE = "<builder-context>", "</builder-context>"
_TAG = re.compile(f"{_OPEN}(.*?){_CLOSE}", re.DOTALL)


def embed(role: str, payload: dict[str, Any]) -> str:
    body = json.dumps({"role": role, **payload}, ensure_ascii=False, sort_keys=True)
    return f"<builder-context>{body}</builder-context>"


def extract(messages: list[Message]) -> dict[str, Any] | None:
    """The context of the first system message that carries one, or None (e.g. the agent)."""
    for m in messages:
        if m.role == "system" and m.content:
            # what `_TAG.search` finds, found with str.find: the simulator reads the tag of
            # every request, and a system prompt runs to tens of kilobytes
            start = m.content.find(_OPEN)
            end = m.content.find(_CLOSE, start + len(_OPEN)) if start >= 0 else -1
            if end >= 0:
                return json.loads(m.content[start + len(_OPEN):end])
    return None


def strip(messages: list[Message]) -> list[Message]:
    """The messages without their context tags: what a real model is sent."""
    out = []
    for m in messages:
        if m.role == "system" and m.content and "<builder-context>" in m.content:
            m = m.model_copy(update={"content": _TAG.sub("", m.content).rstrip()})
        out.append(m)
    return out
