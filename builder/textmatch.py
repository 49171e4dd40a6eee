"""Does a text state a value? Numbers compare as numbers, everything else as words.

Used where the method asks whether something was said: outputs grounded in tool results
(phase 1) and outputs told to the user (phase 2). "10" must not match inside "100", and
"1,000", "1000.00" and "$1000" are the same number.

An output is counted as told only when the agent states it in its own words: values inside JSON
it pasted (a tool result quoted whole, in a code block or bare) do not count (`prose`). And an
output that almost any reply states (`0`, `1`, `true`, `yes`...) checks nothing, so phase 1
refuses it (`says_nothing`).
"""

from __future__ import annotations

import json
import re

_NUMBER = re.compile(r"(?<![\w.])[-+]?\$?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.])[-+]?\$?\d+(?:\.\d+)?(?![\w])")


def parse_number(text: str) -> float | None:
    cleaned = text.strip().replace(",", "").replace("$", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


def numbers_in(text: str) -> list[float]:
    found = []
    for m in _NUMBER.finditer(text):
        value = parse_number(m.group(0))
        if value is not None:
            found.append(value)
    return found


def mentions(text: str, value: str) -> bool:
    """Whether `text` states `value`: numerically for numbers, as a whole phrase otherwise."""
    number = parse_number(value)
    if number is not None:
        return any(abs(n - number) < 1e-6 for n in numbers_in(text))
    phrase = value.strip().lower()
    if not phrase:
        return True
    return re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", text.lower()) is not None


_FENCED = re.compile(r"```.*?(?:```|$)", re.DOTALL)
#: Values any reply would state: the outputs phase 1 refuses.
_EMPTY_WORDS = frozenset({"true", "false", "yes", "no", "none", "null", "n/a", "ok"})


def prose(text: str) -> str:
    """The text without code blocks and without the JSON records pasted into it (objects, and
    arrays holding one); a list of plain values (`[12.5, 3.11]`) is a way of saying them."""
    text = _FENCED.sub(" ", text)
    decoder = json.JSONDecoder()
    out, i = [], 0
    while i < len(text):
        if text[i] in "{[":
            try:
                value, end = decoder.raw_decode(text, i)
            except json.JSONDecodeError:
                value, end = None, i
            if end > i and (isinstance(value, dict) or (isinstance(value, list) and any(
                    isinstance(v, (dict, list)) for v in value))):
                out.append(" ")
                i = end
                continue
        out.append(text[i])
        i += 1
    return "".join(out)


def says_nothing(value: str) -> bool:
    """Whether almost any reply states `value`: empty, a yes/no word, or the number 0 or 1."""
    number = parse_number(value)
    if number is not None:
        return abs(number) in (0.0, 1.0)
    return value.strip().lower().strip(".") in _EMPTY_WORDS or not value.strip()
