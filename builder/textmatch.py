"""Does a text state a value? Numbers compare as numbers, everything else as words.

Used where the method asks whether something was said: outputs grounded in tool results
(phase 1) and outputs told to the user (phase 2). "10" must not match inside "100", and
"1,000", "1000.00" and "$1000" are the same number.
"""

from __future__ import annotations

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
