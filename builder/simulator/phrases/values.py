"""Words and values: humanised names, JSON-rendered values, and `name "value"` pairs in free text."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@functools.lru_cache(maxsize=4096)  # the same few hundred names, on every turn of every conversation
def humanize(name: str) -> str:
    """`cancel_pending_order` -> "cancel pending order"."""
    return " ".join(name.replace("-", " ").replace("_", " ").split()).strip()


def dehumanize(words: str) -> str:
    """"order id" -> `order_id`."""
    return "_".join(words.lower().split())


def render_value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def canonical_value(value: Any) -> str:
    """A comparable form: lists as sorted multisets, integral floats as ints, strings stripped."""

    def norm(v: Any) -> Any:
        if isinstance(v, bool) or v is None:
            return v
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, (int, float)):
            return round(v, 6)
        if isinstance(v, str):
            return v.strip()
        if isinstance(v, Mapping):
            return {str(k): norm(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return sorted((norm(x) for x in v), key=lambda x: json.dumps(x, sort_keys=True))
        return v

    return json.dumps(norm(value), sort_keys=True, ensure_ascii=False)


def same_value(a: Any, b: Any) -> bool:
    return canonical_value(a) == canonical_value(b)


def args_match(wanted: Mapping[str, Any], given: Mapping[str, Any]) -> bool:
    """Every wanted argument is given with the same value (extra given arguments are fine)."""
    return all(k in given and same_value(v, given[k]) for k, v in wanted.items())


def join_words(parts: Sequence[str]) -> str:
    """'a', 'b' and 'c'."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def arg_words(name: str) -> str:
    """An argument's name as written before its value: humanised, unless its last word would be
    read as a connector ("travel_to" stays as is, "travel to" would parse as "travel")."""
    words = humanize(name)
    return name if words.split()[-1].lower() in _TRAILING else words


def render_args(args: Mapping[str, Any]) -> str:
    """`order id "#W1", item ids ["1"] and reason "no longer needed"`."""
    return join_words([f"{arg_words(k)} {render_value(v)}" for k, v in args.items()])


def render_clause(tool: str, args: Mapping[str, Any]) -> str:
    """"cancel pending order with order id "#W1" and reason "no longer needed"."""
    phrase = humanize(tool)
    return f"{phrase} with {render_args(args)}" if args else phrase


# ---------------------------------------------------------------------------------------------
# Pairs: `name "value"` in free text
# ---------------------------------------------------------------------------------------------
_DECODER = json.JSONDecoder()
_VALUE_START = re.compile(r'["\[{]|(?<![\w.])-?\d|(?<!\w)(?:true|false|null)(?!\w)')
_KEY_RUN = re.compile(r"([A-Za-z][A-Za-z0-9_ ]*?)\s*[:=]?\s*$")
_TRAILING = {"is", "are", "was", "were", "be", "as", "equals", "equal", "to"}
_SEPARATORS = {"with", "and", "my", "your", "also", "plus", "then", "is", "are", "please", "using"}


@dataclass(frozen=True)
class Pair:
    key: str  # underscore form: "order_id"
    value: Any
    start: int  # where the key's words start
    end: int  # just after the value
    value_start: int = -1  # where the value starts


def _key_from_prefix(prefix: str, vocabulary: set[str] | None) -> tuple[str | None, int]:
    m = _KEY_RUN.search(prefix)
    if not m:
        return None, len(prefix)
    words = m.group(1).lower().split()
    while words and words[-1] in _TRAILING:
        words.pop()
    if not words:
        return None, len(prefix)
    if vocabulary:  # the longest suffix of the words that names a known argument (any case: `fuelAmount`)
        known = {v.lower(): v for v in vocabulary}
        for i in range(len(words)):
            candidate = "_".join(words[i:])
            if candidate in known:
                return known[candidate], m.start(1)
    cut = 0
    for i, w in enumerate(words):
        if w in _SEPARATORS:
            cut = i + 1
    words = words[cut:]
    if not words:
        return None, len(prefix)
    return "_".join(words), m.start(1)


def parse_pairs(text: str, vocabulary: Iterable[str] | None = None, start: int = 0, end: int | None = None) -> list[Pair]:
    """Every `name <json value>` in `text[start:end]`, left to right.

    With a `vocabulary` (argument names), a name is the longest run of words before the value that
    spells a known argument; without, the words after the last connector ("with", "and", "my",
    "is", ...). Values are any JSON; text inside a value is never read as another pair.
    """
    vocab = set(vocabulary) if vocabulary is not None else None
    end = len(text) if end is None else end
    pairs: list[Pair] = []
    prev = start
    i = start
    while i < end:
        m = _VALUE_START.search(text, i, end)
        if not m:
            break
        pos = m.start()
        try:
            value, stop = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError:
            i = pos + 1
            continue
        if stop > end:
            break
        key, key_start = _key_from_prefix(text[prev:pos], vocab)
        if key is not None and (vocab is None or key in vocab):
            pairs.append(Pair(key=key, value=value, start=prev + key_start, end=stop, value_start=pos))
        prev = i = stop
    return pairs


def json_spans(text: str) -> list[tuple[int, int, Any]]:
    """(start, end, value) of every JSON string, list or object in the text, left to right."""
    spans = []
    i = 0
    while True:
        m = _VALUE_START.search(text, i)
        if not m:
            return spans
        try:
            value, stop = _DECODER.raw_decode(text, m.start())
        except json.JSONDecodeError:
            i = m.start() + 1
            continue
        if isinstance(value, (str, list, dict)):
            spans.append((m.start(), stop, value))
        i = stop


def pairs_dict(pairs: Iterable[Pair]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for p in pairs:
        out[p.key] = p.value
    return out
