"""Cues: what a message is doing (asking to confirm, reporting, transferring...), and value nudges."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from typing import Any

from builder.simulator.phrases.requests import phrase_pattern
from builder.simulator.phrases.values import humanize


_CONFIRM_RE = re.compile(
    r"\b(please confirm|confirm|shall i|should i|do you want me to|would you like me to|go ahead|proceed)\b.*\?|\(yes/no\)",
    re.IGNORECASE | re.DOTALL,
)
_IDENTITY_RE = re.compile(r"\b(verify|identify|authenticate|confirm your identity|locate your account|find your account)\b", re.IGNORECASE)
_DONE_RE = re.compile(
    r"\b(done|completed|successfully|has been|have been|went through|is now|the result|here is|here's)\b", re.IGNORECASE
)
_FAIL_RE = re.compile(
    r"\b(could not|couldn't|cannot|can't|can not|unable|not able|was refused|failed|sorry)\b", re.IGNORECASE
)
_TRANSFER_NOTICE_RE = re.compile(
    r"\b(transferr?(ed|ing)?)\b.{0,60}\b(human|representative|specialist|colleague|agent)\b", re.IGNORECASE | re.DOTALL
)
_DONT_KNOW_RE = re.compile(
    r"\b(don'?t know|do not know|not sure|no idea|don'?t have|do not have|don'?t remember|can'?t remember)\b",
    re.IGNORECASE,
)


def nudge_value(args: dict[str, Any], rng: random.Random, exclude: frozenset[str] = frozenset()) -> bool:
    """Change one argument in place, as a slip would: mistype the last digit of an identifier,
    or else move a number by one. Returns False when there is nothing of that kind to change."""
    ids = [k for k, v in args.items() if isinstance(v, str) and k not in exclude and re.search(r"\d", v)]
    if ids:
        k = rng.choice(ids)
        v = args[k]
        pos = max(i for i, ch in enumerate(v) if ch.isdigit())
        args[k] = v[:pos] + str((int(v[pos]) + 1 + rng.randrange(8)) % 10) + v[pos + 1:]
        return True
    nums = [k for k, v in args.items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if nums:
        k = rng.choice(nums)
        args[k] = args[k] + 1
        return True
    return False


def is_confirmation_request(text: str | None) -> bool:
    return bool(text) and bool(_CONFIRM_RE.search(text))


def is_identity_request(text: str | None, identity_keys: Iterable[str] = ()) -> bool:
    if not text:
        return False
    if _IDENTITY_RE.search(text):
        return True
    low = text.lower()
    return "?" in text and not is_done_report(text) and any(humanize(k).lower() in low for k in identity_keys)


def is_done_report(text: str | None) -> bool:
    return bool(text) and bool(_DONE_RE.search(text))


def is_failure_report(text: str | None) -> bool:
    return bool(text) and bool(_FAIL_RE.search(text))


def is_transfer_notice(text: str | None) -> bool:
    return bool(text) and bool(_TRANSFER_NOTICE_RE.search(text))


def says_dont_know(text: str | None) -> bool:
    return bool(text) and bool(_DONT_KNOW_RE.search(text))


def mentions_phrase(text: str | None, phrase: str) -> bool:
    return bool(text) and bool(phrase_pattern(phrase).search(text))
