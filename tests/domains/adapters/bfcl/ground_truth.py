"""BFCL's multi-turn entries and ground truth, to check the adapter against BFCL itself.

Test support, not part of the adapter: the entries are evaluation data and never become worlds of a
domain that samples training tasks (see `configs.py`). A ground-truth call is a Python call
expression (`mv(source='a.txt', destination='b')`, sometimes with positional arguments); it
is parsed with `ast` and its arguments read as literals, never evaluated.
"""

from __future__ import annotations

import ast
import json
from importlib import resources
from typing import Any

from domains.adapters.bfcl.catalog import CLASSES, ApiClass
from domains.adapters.bfcl.database import World

CATEGORIES = ("base", "miss_func", "miss_param")  # long_context needs BFCL's long-context mode
BY_CLASS_NAME = {a.class_name: a for a in CLASSES.values()}


def _lines(*parts: str) -> list[dict[str, Any]]:
    path = resources.files("bfcl_eval").joinpath("data", *parts)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_entries(category: str) -> list[dict[str, Any]]:
    """The category's entries, each with its `ground_truth` (a list of turns of call strings)."""
    entries = _lines(f"BFCL_v4_multi_turn_{category}.json")
    answers = {a["id"]: a["ground_truth"] for a in _lines("possible_answer", f"BFCL_v4_multi_turn_{category}.json")}
    return [{**e, "ground_truth": answers[e["id"]]} for e in entries if e["id"] in answers]


def classes_of(entry: dict[str, Any]) -> list[ApiClass]:
    return sorted((BY_CLASS_NAME[c] for c in entry["involved_classes"]), key=lambda a: a.short)


def world_of(entry: dict[str, Any]) -> World:
    """The entry's initial config as a world whose user id is the entry id."""
    return World(
        user_id=entry["id"],
        profile={"name": entry["id"], "username": entry["id"]},
        configs={c: entry["initial_config"].get(c, {}) for c in entry["involved_classes"]},
    )


def parse_call(text: str) -> tuple[str, list[Any], dict[str, Any]]:
    """`name(*args, **kwargs)` of one call string, arguments as Python literals."""
    node = ast.parse(text.strip(), mode="eval").body
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        raise ValueError(f"not a plain function call: {text!r}")
    args = [ast.literal_eval(a) for a in node.args]
    kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg is not None}
    return node.func.id, args, kwargs


def calls_of(entry: dict[str, Any]) -> list[tuple[str, list[Any], dict[str, Any]]]:
    return [parse_call(c) for turn in entry["ground_truth"] for c in turn]
