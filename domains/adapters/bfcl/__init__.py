"""BFCL's multi-turn API classes (PyPI `bfcl-eval`, extra `bfcl`) as builder domains.

`builder build --domain bfcl:trading` builds in TradingBot's API, `bfcl:message+trading` in two
classes at once, as BFCL's multi-turn entries combine them. The decisions, each written down
where it is implemented:

- names: one domain per stateful class, plus BFCL's two-class pairs (`catalog.py`);
- tools: BFCL's own methods, with BFCL's function docs as schemas, validated, dispatched only
  to registered names (`tools.py`); read or write per method (`catalog.py`);
- database: one world per person, each an `initial_config` per class run by live BFCL
  instances, with records, overlay and fingerprint whose cost grows with one world, never with
  the number of worlds (`database.py`, `state.py`);
- data: our own seeded worlds, never BFCL's evaluation configs (`configs.py`, `worlds.py`);
- policy: none; a short prompt, and `find_user` first to bind the conversation to its person
  (`domain.py`); task kinds for the chain sampler (`scenarios/`).

The custom-domain form works too: `--domain domains.adapters.bfcl:trading` (a zero-argument
factory per listed name, `_` for `+`: `domains.adapters.bfcl:message_trading`).
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Any

from domains.adapters.bfcl.catalog import domain_names as _names
from domains.adapters.bfcl.catalog import parse_name

if TYPE_CHECKING:
    from domains.framework.domain import Domain

EXTRA = "bfcl"
# bfcl-eval declares the dependencies of its whole benchmark harness (sentence-transformers, and
# so torch, among them); its API classes need none of them but mpmath.
INSTALL = "pip install --no-deps bfcl-eval mpmath  (bfcl-eval's own dependencies, torch among them, are not needed)"


def available() -> bool:
    """Whether bfcl-eval is installed (found without importing it)."""
    return importlib.util.find_spec("bfcl_eval") is not None


def domain_names() -> list[str]:
    """Domain names without the `bfcl:` prefix."""
    return _names()


def build_domain(name: str) -> "Domain":
    """The domain of `name` (`trading`, `message+trading`, with or without `bfcl:`)."""
    classes = parse_name(name)
    from domains.adapters.bfcl.domain import BfclDomain

    return BfclDomain(classes)


def __getattr__(attr: str) -> Any:
    """Zero-argument factories for the custom-domain form (`trading`, `message_trading`, ...)."""
    name = attr.replace("_", "+")
    if name in _names():
        return lambda: build_domain(name)
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")
