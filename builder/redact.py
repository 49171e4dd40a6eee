"""Secrets out of everything the builder writes or prints.

A key belongs in the environment (`api_key_env`), but users also put credentials where the
endpoint takes them: in a URL (`http://user:KEY@host/v1`, `...?api_key=KEY`) or in a request's
`extra_body` (`{"api_key": KEY}`). Every place a URL or a config turns into text goes through
here: the run folder's config.yaml, endpoint names in logs, retry warnings and recorded
failure reasons (which reach the journal, the Parquet files and the published dataset).

Redaction is idempotent (a redacted value redacts to itself), so a config read back from the
run folder has the same fingerprint as the one it was written from.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

HIDDEN = "***"

# parts of a field or parameter name that mark its value as a credential (`api_key`,
# `access_token`, `x-api-key`, `password`...); `api_key_env` names a variable, not a key
_SECRET_PARTS = {"key", "apikey", "token", "secret", "password", "passwd", "pwd", "auth", "authorization",
                 "credential", "credentials", "bearer", "signature", "sig"}
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>()\[\]{}]*[^\s'\"<>()\[\]{}.,:;!?]")  # no end punctuation


def is_secret_name(name: str) -> bool:
    parts = [p for p in re.split(r"[^a-z0-9]+", name.lower()) if p]
    return bool(parts) and parts[-1] != "env" and any(p in _SECRET_PARTS for p in parts)


def redact_url(url: str) -> str:
    """The URL with its userinfo (`user:password@`) and the values of credential-named query
    parameters replaced by `***`; anything that does not parse as a URL is returned as it is."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket: still hide what looks like userinfo
        return re.sub(r"//[^/?#]*@", f"//{HIDDEN}@", url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{HIDDEN}@{netloc.rpartition('@')[2]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(is_secret_name(k) for k, _ in pairs):
            query = urlencode([(k, HIDDEN if is_secret_name(k) else v) for k, v in pairs], safe="*")
    if (netloc, query) == (parts.netloc, parts.query):
        return url
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def redact_text(text: str) -> str:
    """Free text (an error message, a log line) with every URL in it redacted."""
    return _URL.sub(lambda m: redact_url(m.group(0)), text)


def redact_data(value: Any) -> Any:
    """A JSON-like value (a config dump) with credential-named fields hidden and every string's
    URLs redacted."""
    if isinstance(value, dict):
        return {k: HIDDEN if is_secret_name(str(k)) and _scalar(v) else redact_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_data(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


def _scalar(value: Any) -> bool:
    """A value that can be a credential itself (a mapping under `auth:` is redacted field by field)."""
    return isinstance(value, (str, int, float)) and not isinstance(value, bool) and value != ""
