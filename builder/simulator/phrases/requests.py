"""Requests in user messages: what the agent reads, from the tool schemas alone."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from typing import Any

from builder.simulator.phrases.tools import tool_infos
from builder.simulator.phrases.values import humanize, json_spans, pairs_dict, parse_pairs


@dataclass(frozen=True)
class ParsedRequest:
    tool: str
    args: dict[str, Any]
    start: int
    end: int


@functools.lru_cache(maxsize=4096)
def phrase_pattern(phrase: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in phrase.split()]
    return re.compile(r"(?<![\w])" + r"[\s_]+".join(words) + r"(?![\w])", re.IGNORECASE)


def parse_requests(text: str, tools: Any) -> list[ParsedRequest]:
    """Tool requests in a message: each humanised tool name found, with the pairs after it.

    Overlapping names resolve to the longest (so "get order details" beats "get order"). The
    arguments of a request are the pairs between its name and the next request's name, keeping
    only the tool's own parameters.
    """
    infos = tool_infos(tools)
    if not text or not infos:
        return []
    # Every turn re-reads every earlier message, so the same text meets the same tools again
    # and again: the parse is kept, keyed by what it reads of the tools (names and parameters).
    found = _parse_requests(text, tuple((name, tuple(info.params)) for name, info in infos.items()))
    return [replace(r, args=dict(r.args)) for r in found]


@functools.lru_cache(maxsize=1024)
def _name_patterns(tools: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[tuple[str, re.Pattern[str], tuple[re.Pattern[str], ...]], ...]:
    """Each tool's name pattern, with the patterns of the argument names that start with it."""
    arg_names = {humanize(p).lower() for _, params in tools for p in params}
    out = []
    for name, _ in tools:
        phrase = humanize(name)
        longer = tuple(phrase_pattern(a) for a in arg_names if a.startswith(phrase.lower() + " "))
        out.append((name, phrase_pattern(phrase), longer))
    return tuple(out)


@functools.lru_cache(maxsize=8192)
def _parse_requests(text: str, tools: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[ParsedRequest, ...]:
    quoted = [(a, b) for a, b, _ in json_spans(text)]
    hits: list[tuple[int, int, str]] = []
    for name, pattern, longer in _name_patterns(tools):
        for m in pattern.finditer(text):
            if any(a <= m.start() < b for a, b in quoted):  # a tool's name inside a value is no request
                continue
            if any(p.match(text, m.start()) for p in longer):  # the start of an argument's name ("comment content")
                continue
            hits.append((m.start(), m.end(), name))
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    chosen: list[tuple[int, int, str]] = []
    for h in hits:
        if chosen and h[0] < chosen[-1][1]:
            continue
        chosen.append(h)
    params_of = dict(tools)
    out = []
    for n, (s, e, name) in enumerate(chosen):
        stop = chosen[n + 1][0] if n + 1 < len(chosen) else len(text)
        params = set(params_of[name])
        args = pairs_dict(parse_pairs(text, vocabulary=params, start=e, end=stop)) if params else {}
        out.append(ParsedRequest(tool=name, args=args, start=s, end=stop))
    return tuple(out)
