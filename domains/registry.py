"""Where domains are found by name.

- built-in: `retail`, `airline` (packages under `domains/`);
- outside environments: `PREFIX:NAME` (`tau2:retail`), loaded by the adapter package
  `domains/adapters/PREFIX/` when its pip extra is installed (see `domains.adapters`);
- custom: `package.module:factory` (a dot before the colon), a function returning a Domain.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import TYPE_CHECKING

from domains.errors import DomainError

if TYPE_CHECKING:
    from domains.framework.domain import Domain

BUILTIN = {"retail": "domains.retail", "airline": "domains.airline"}


class DomainNotFound(DomainError):
    pass


def is_custom(name: str) -> bool:
    return ":" in name and "." in name.split(":", 1)[0]


def is_outside(name: str) -> bool:
    return ":" in name and not is_custom(name)


def domain_names() -> list[str]:
    """Built-in domains, then the outside domains whose extra is installed."""
    from domains.adapters import outside_domain_names

    return sorted(BUILTIN) + outside_domain_names()


@lru_cache(maxsize=None)
def load_domain(name: str) -> "Domain":
    """The domain called `name`, built once per process (its tables load lazily)."""
    if name in BUILTIN:
        return importlib.import_module(BUILTIN[name]).build_domain()
    if is_custom(name):
        path, _, factory = name.partition(":")
        try:
            return getattr(importlib.import_module(path), factory)()
        except (ImportError, AttributeError) as exc:
            raise DomainNotFound(f"cannot load custom domain {name!r}: {exc}") from exc
    if is_outside(name):
        from domains.adapters import build_outside_domain

        return build_outside_domain(name)
    raise DomainNotFound(
        f"unknown domain {name!r}; available: {', '.join(domain_names())} "
        "(run `builder domains list`; outside environments are named PREFIX:NAME, e.g. tau2:retail)"
    )
