"""Before a build starts: does anything listen at each endpoint the roles name?

Without this check, a build against a server that is not running starts, retries every call
until it gives up, and records every row as an LLM failure: minutes spent to learn that a URL is
wrong. One TCP connection per distinct `base_url` tells in milliseconds. It is a user error
(exit 2): the fix is to start the server or correct the URL. An endpoint that goes down in the
middle of a run is another matter: its calls fail, and the rows they cost are recorded and counted
(stats.json `llm`).
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from builder.llm.config import RolesConfig
from builder.llm.errors import LLMConfigError
from builder.llm.registry import BACKENDS

__all__ = ["check_endpoints"]


def check_endpoints(roles: RolesConfig, timeout_s: float = 5.0) -> None:
    """Raise `LLMConfigError` naming the URL and its roles if a role's `base_url` does not answer."""
    by_url: dict[str, list[str]] = {}
    for name, cfg in roles.named():
        if cfg.base_url and BACKENDS[cfg.kind].over_http:
            by_url.setdefault(cfg.base_url, []).append(name)
    for url, names in by_url.items():
        where = f"roles {', '.join(names)}" if len(names) > 1 else f"role {names[0]}"
        parts = urlsplit(url)
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            port = None
        if parts.scheme not in ("http", "https") or not parts.hostname or port is None:
            raise LLMConfigError(
                f"base_url {url!r} ({where}) is not an http(s) URL; write e.g. http://localhost:8000/v1"
            )
        try:
            socket.create_connection((parts.hostname, port), timeout=timeout_s).close()
        except OSError as exc:
            raise LLMConfigError(
                f"cannot reach {url} ({where}): {exc.strerror or exc}. Start the server there, or fix "
                f"base_url in the config (roles.{names[0].replace('reviewer_', 'reviewers.')}.base_url)"
            ) from None
