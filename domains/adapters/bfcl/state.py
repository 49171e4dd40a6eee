"""A BFCL instance's state as records: what is hashed, compared and diffed.

The state is what BFCL's own checker compares: the instance's public attributes (names not
starting with `_`; the `long_context` switch aside). Private attributes (the file system's
working directory, random generators, caches) belong to the live instance of a conversation,
not to its outcome, exactly as in BFCL. Records are small so that a change touches few:

- a dict attribute whose values are all dicts (orders, stocks, tweets, cards, bookings):
  one record per entry, keyed `attr/entry`;
- the file system's tree: one record per file or directory, keyed `root/<path>`;
- any other attribute: one record keyed `attr` (a dict's fields, or `{"value": ...}`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from bfcl_eval.eval_checker.multi_turn_eval.func_source_code.gorilla_file_system import Directory, File

IGNORED = {"long_context"}
Records = dict[str, dict[str, Any]]


class Entry(BaseModel):
    """One record: whatever fields the BFCL state has there."""

    model_config = ConfigDict(extra="allow")


def jsonable(value: Any, where: str = "") -> Any:
    """JSON-like form of a state value or result: string keys, sets as sorted lists, tuples as
    lists, MathAPI's decimals as floats; anything else is an error, not a silent `str()`."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Decimal) or type(value).__module__.startswith("mpmath"):
        return float(value)  # MathAPI answers square_root with a Decimal, logarithm with an mpmath float
    if isinstance(value, dict):
        out = {str(k): jsonable(v, where) for k, v in value.items()}
        if len(out) != len(value):  # e.g. 3 and "3": BFCL loads some keys from JSON as strings
            raise TypeError(f"state value {where or '?'} has keys that differ only in type: {list(value)}")
        return out
    if isinstance(value, (list, tuple)):
        return [jsonable(v, where) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((jsonable(v, where) for v in value), key=repr)
    raise TypeError(f"state value {where or '?'} of type {type(value).__name__} is not JSON-like: {value!r}")


def _tree(directory: Directory, path: str, out: Records) -> None:
    out[path] = {"type": "directory"}
    for name, item in directory.contents.items():
        child = f"{path}/{name}"
        if isinstance(item, Directory):
            _tree(item, child, out)
        elif isinstance(item, File):
            out[child] = {"type": "file", "content": item.content}
        else:
            raise TypeError(f"{child}: neither a file nor a directory: {item!r}")


def snapshot(instance: Any) -> Records:
    """The instance's public state as records (key -> fields)."""
    out: Records = {}
    for attr, value in vars(instance).items():
        if attr.startswith("_") or attr in IGNORED:
            continue
        if isinstance(value, Directory):
            _tree(value, f"{attr}/{value.name}", out)
            continue
        data = jsonable(value, f"{type(instance).__name__}.{attr}")
        if isinstance(data, dict) and data and all(isinstance(v, dict) for v in data.values()):
            for key, fields in data.items():
                out[f"{attr}/{key}"] = fields
        elif isinstance(data, dict):
            out[attr] = data
        else:
            out[attr] = {"value": data}
    return out
