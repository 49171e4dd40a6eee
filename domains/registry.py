"""Where domains are found by name: built-in packages first, then adapters to outside environments."""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import TYPE_CHECKING

from builder.errors import UserError

if TYPE_CHECKING:
    from domains.framework.domain import Domain

BUILTIN = {"retail": "domains.retail", "airline": "domains.airline"}


class DomainNotFound(UserError):
    pass


def domain_names() -> list[str]:
    return sorted(BUILTIN)


@lru_cache(maxsize=None)
def load_domain(name: str) -> "Domain":
    """The domain called `name`, built once per process (its tables load lazily)."""
    module = BUILTIN.get(name)
    if module is None and ":" in name and "." in name.split(":", 1)[0]:
        # a custom domain: `package.module:factory` returning a Domain
        path, _, factory = name.partition(":")
        try:
            return getattr(importlib.import_module(path), factory)()
        except (ImportError, AttributeError) as exc:
            raise DomainNotFound(f"cannot load custom domain {name!r}: {exc}") from exc
    if module is None:
        raise DomainNotFound(
            f"unknown domain {name!r}; available: {', '.join(domain_names())} "
            "(run `builder domains list`)"
        )
    return importlib.import_module(module).build_domain()
