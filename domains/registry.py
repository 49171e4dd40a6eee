"""Where domains are found by name.

- built-in: `retail`, `airline` (packages under `domains/`);
- outside environments: `PREFIX:NAME` (`tau2:retail`), loaded by the adapter package
  `domains/adapters/PREFIX/` when its pip extra is installed (see `domains.adapters`);
- custom: `package.module:factory` (a dot before the colon), a function returning a Domain.
"""

from __future__ import annotations

import importlib
import traceback
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
        return _load_custom(name)
    if is_outside(name):
        from domains.adapters import build_outside_domain

        return build_outside_domain(name)
    raise DomainNotFound(
        f"unknown domain {name!r}; available: {', '.join(domain_names())} "
        "(run `builder domains list`; outside environments are named PREFIX:NAME, e.g. tau2:retail)"
    )


def _load_custom(name: str) -> "Domain":
    """`package.module:factory`, imported and called; anything that goes wrong in the user's code
    (an exception, a syntax error, even `sys.exit`) is refused naming the domain and the place."""
    from domains.framework.domain import Domain

    path, _, factory_name = name.partition(":")

    def refuse(problem: str, exc: BaseException | None = None) -> DomainNotFound:
        return DomainNotFound(f"cannot load custom domain {name!r}: {problem}{_where(exc) if exc else ''}")

    try:
        module = importlib.import_module(path)
    except SyntaxError as exc:
        raise refuse(f"syntax error in {exc.filename}, line {exc.lineno}: {exc.msg}") from None
    except ModuleNotFoundError as exc:
        if exc.name and (path == exc.name or path.startswith(exc.name + ".")):
            raise refuse(f"{exc} (is the folder holding {path.split('.')[0]} on PYTHONPATH?)") from None
        raise refuse(f"importing {path} failed: {exc}", exc) from None
    except (Exception, SystemExit) as exc:
        raise refuse(f"importing {path} raised {_describe(exc)}", exc) from None
    factory = getattr(module, factory_name, None)
    if factory is None:
        raise refuse(f"module {path} has no {factory_name!r}")
    if not callable(factory):
        raise refuse(f"{path}.{factory_name} is not callable (a {type(factory).__name__}); it must be a function "
                     f"that returns a Domain")
    try:
        domain = factory()
    except (Exception, SystemExit) as exc:
        raise refuse(f"{path}.{factory_name}() raised {_describe(exc)}", exc) from None
    if not isinstance(domain, Domain):
        raise refuse(f"{path}.{factory_name}() returned {type(domain).__name__}, not a Domain "
                     f"(domains.framework.domain.Domain)")
    return domain


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return f"SystemExit (it called sys.exit({exc.code!r}))"
    return f"{type(exc).__name__}: {exc}"


def _where(exc: BaseException) -> str:
    """` at FILE:LINE`, the innermost frame of the traceback (in the user's code)."""
    frames = traceback.extract_tb(exc.__traceback__)
    return f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
