"""Canonical form of JSON-like values, so that equal states hash equally.

Keys are sorted, integral floats become ints (1 == 1.0) and other floats are rounded to
1e-6, because money sums computed in a different order must not make two states differ.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

FLOAT_DIGITS = 6
HASH_MODULUS = 1 << 128


def canonical(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        rounded = round(value, FLOAT_DIGITS)
        return int(rounded) if rounded.is_integer() else rounded
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    raise TypeError(f"value of type {type(value).__name__} is not JSON-like: {value!r}")


def canonical_json(value: Any) -> str:
    return json.dumps(canonical(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_hash(table: str, key: str, value: Any) -> int:
    """A 128-bit hash of one record; a state's fingerprint is the sum of its records' hashes."""
    digest = hashlib.blake2b(
        f"{table}\x00{key}\x00{canonical_json(value)}".encode(), digest_size=16
    ).digest()
    return int.from_bytes(digest, "big")
