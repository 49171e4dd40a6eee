"""Adapters that load outside environments (tau2-bench, BFCL, ...) as builder domains.

An outside domain is named `PREFIX:NAME` (`tau2:retail`, `bfcl:...`). Each adapter is a package
`domains/adapters/<prefix>/` whose `__init__` stays cheap to import and exposes:

- `EXTRA`: the name of the pip extra that installs the outside package (`pip install 'builder[EXTRA]'`);
- `INSTALL` (optional): the install command to show instead, when the extra is not the best way;
- `available() -> bool`: whether the outside package can be imported (without importing it when
  that is costly);
- `domain_names() -> list[str]`: its domains, without the prefix;
- `build_domain(name) -> Domain`: one of them as a builder domain.

Adapters are found by listing this package, so adding one needs no edit here.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from types import ModuleType

from domains.registry import DomainNotFound

@dataclass(frozen=True)
class AdapterInfo:
    """What `builder domains list` shows for one adapter."""

    prefix: str
    install_hint: str
    available: bool
    names: list[str]  # full names (`prefix:name`), empty when the extra is missing


def install_command(module: ModuleType) -> str:
    extra = module.EXTRA
    return getattr(module, "INSTALL", None) or (
        f"pip install 'builder[{extra}]'  (from a checkout: pip install -e '.[{extra}]')"
    )


def prefixes() -> list[str]:
    """The adapter packages under `domains/adapters/`, sorted."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.ispkg)


def adapter(prefix: str) -> ModuleType:
    if prefix not in prefixes():
        raise DomainNotFound(
            f"unknown domain prefix {prefix!r}; outside domains are {', '.join(f'{p}:NAME' for p in prefixes())}"
        )
    return importlib.import_module(f"{__name__}.{prefix}")


def adapters() -> list[AdapterInfo]:
    out = []
    for prefix in prefixes():
        module = adapter(prefix)
        ok = bool(module.available())
        names = [f"{prefix}:{n}" for n in module.domain_names()] if ok else []
        out.append(AdapterInfo(prefix=prefix, install_hint=install_command(module), available=ok, names=names))
    return out


def outside_domain_names() -> list[str]:
    """Full names of the outside domains whose extra is installed."""
    return [n for info in adapters() for n in info.names]


def build_outside_domain(name: str):
    """The outside domain `PREFIX:NAME`; a user error naming the install command if its extra is missing."""
    prefix, _, short = name.partition(":")
    module = adapter(prefix)
    if not module.available():
        raise DomainNotFound(
            f"domain {name!r} needs the {module.EXTRA!r} extra, which is not installed: {install_command(module)}"
        )
    names = module.domain_names()
    if short not in names:
        raise DomainNotFound(
            f"unknown domain {name!r}; {prefix} domains are {', '.join(f'{prefix}:{n}' for n in names)}"
        )
    return module.build_domain(short)
