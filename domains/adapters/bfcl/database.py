"""Worlds as our database: BFCL instances run the calls, records hold the state.

A *world* is one person's systems: one initial config per API class of the domain, exactly
what BFCL's multi-turn entries call `initial_config`. The base tables hold every world's
state as records (see `state.py`), built once per domain. An environment's database starts
unbound; `find_user` binds it to one world and loads that world's live BFCL instances
(`_load_scenario` on a copy of its configs). Every call then runs the real BFCL method on the
live instance; after a write, the class's state is snapshotted and the records that changed
go into the copy-on-write overlay of `Database`.

Cost, against the design's rule that reset and hashing must not grow with the database:
- reset drops the overlay and the live instances: proportional to the records changed;
- the fingerprint is `Database`'s additive hash, updated from the overlay alone;
- binding loads one world (a few kilobytes, like one BFCL entry) and each write re-snapshots
  one class of that world. Both grow with the size of one world, never with the number of
  worlds in the database; a world is bounded by what its generator makes.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from domains.adapters.bfcl.state import Entry, jsonable, snapshot
from domains.framework.canonical import canonical_json
from domains.framework.database import Database, Tables
from domains.framework.tools import ToolError

if TYPE_CHECKING:
    from domains.adapters.bfcl.tools import BfclTool

USERS = "users"

# result flags by which BFCL's write methods report that nothing was done
FAILURE_FLAGS = {
    "authentication_status", "login_status", "success", "sent_status", "deleted_status",
    "added_status", "booking_status", "cancel_status", "insurance_status", "follow_status",
    "unfollow_status",
}


@dataclass
class World:
    """One person and the initial config of each of their API classes."""

    user_id: str
    profile: dict[str, Any]  # name, username, password, ... : what the person knows about themselves
    configs: dict[str, dict[str, Any]] = field(default_factory=dict)


class Worlds:
    """The base: every world's records, their canonical text, and each world's record keys."""

    def __init__(self, classes: dict[str, type], stateless: set[str], worlds: list[World]):
        self.classes = classes
        self.stateless = stateless
        self.worlds = {w.user_id: w for w in worlds}
        if len(self.worlds) != len(worlds):
            raise ValueError("two worlds share a user id")
        records: dict[str, dict[str, Entry]] = {USERS: {}, **{name: {} for name in classes}}
        self.keys: dict[tuple[str, str], list[str]] = {}
        self.texts: dict[tuple[str, str], str] = {}
        for w in worlds:
            records[USERS][w.user_id] = Entry.model_validate(w.profile)
            for name, instance in self.instantiate(w).items():
                keys = []
                for path, fields in snapshot(instance).items():
                    key = f"{w.user_id}:{path}"
                    records[name][key] = Entry.model_validate(fields)
                    self.texts[(name, key)] = canonical_json(fields)
                    keys.append(key)
                self.keys[(w.user_id, name)] = keys
        self.tables = Tables({table: Entry for table in records}, records)

    def instantiate(self, world: World) -> dict[str, Any]:
        """Fresh live instances of a world, loaded the way BFCL loads an entry."""
        out = {}
        for name, cls in self.classes.items():
            instance = cls()
            if name not in self.stateless:
                instance._load_scenario(copy.deepcopy(world.configs.get(name, {})))
            out[name] = instance
        return out


_UNSEEN = object()


def failure_of(result: Any, kind: str) -> str | None:
    """BFCL reports refusals as data ({"error": ...}, ["Error: ..."], a false status flag)."""
    if isinstance(result, dict) and "error" in result:
        return str(result["error"])
    if isinstance(result, list) and len(result) == 1:
        item = result[0]
        if isinstance(item, str) and item.lower().startswith("error"):
            return item
        if isinstance(item, dict) and set(item) == {"error"}:
            return str(item["error"])
    if kind == "write" and isinstance(result, dict):
        failed = [k for k, v in result.items() if k in FAILURE_FLAGS and v is False]
        if failed:
            detail = result.get("message") or ", ".join(f"{k} is false" for k in failed)
            return f"not done: {detail}"
    return None


class WorldDatabase(Database):
    """One environment's view: the shared base, its overlay, and the live instances of its world."""

    def __init__(self, worlds: Worlds):
        super().__init__(worlds.tables)
        self.worlds = worlds
        self.user_id: str | None = None
        self._live: dict[str, Any] = {}
        self._texts: dict[tuple[str, str], str | None] = {}  # canonical text of changed records
        # scratch space of the chain sampler's scenarios (e.g. "a question was asked"), never state
        self.notes: set[str] = set()

    # -- the session ------------------------------------------------------------------------
    def bind(self, user_id: str) -> dict[str, Any]:
        world = self.worlds.worlds.get(user_id)
        if world is None:
            raise ToolError(f"no user with user id {user_id!r}")
        if self.user_id is None:
            self.user_id = user_id
            self._live = self.worlds.instantiate(world)
        elif self.user_id != user_id:
            raise ToolError(f"this conversation serves user {self.user_id!r}; one user per conversation")
        profile = world.profile
        return {"user_id": user_id, "name": profile["name"], "username": profile["username"]}

    def live(self, class_name: str) -> Any:
        """The bound world's live instance of a class, for scenario code to read (never to change)."""
        if self.user_id is None:
            raise ToolError("no user identified yet: call find_user with the user's id first")
        return self._live[class_name]

    def reset(self) -> None:
        super().reset()
        self.user_id = None
        self._live = {}
        self._texts.clear()
        self.notes.clear()

    # -- calls ------------------------------------------------------------------------------
    def invoke(self, tool: "BfclTool", arguments: dict[str, Any]) -> Any:
        instance = self.live(tool.api.class_name)
        try:
            result = tool.method(instance, **arguments)
        except Exception as exc:  # BFCL raises on some bad input (an unknown route, a door name)
            raise ToolError(f"{tool.name}: {type(exc).__name__}: {exc}") from exc
        finally:
            if tool.kind == "write":
                self._sync(tool.api.class_name)
        result = jsonable(result, f"result of {tool.name}")
        failure = failure_of(result, tool.kind)
        if failure is not None:
            raise ToolError(f"{tool.name}: {failure}")
        return result

    def _text(self, table: str, key: str) -> Any:
        text = self._texts.get((table, key), _UNSEEN)
        return self.worlds.texts.get((table, key)) if text is _UNSEEN else text

    def _sync(self, class_name: str) -> None:
        """Put the records of one class that the last write changed into the overlay."""
        assert self.user_id is not None
        seen = set()
        for path, fields in snapshot(self._live[class_name]).items():
            key = f"{self.user_id}:{path}"
            seen.add(key)
            text = canonical_json(fields)
            if text != self._text(class_name, key):
                self.put(class_name, key, Entry.model_validate(fields))
                self._texts[(class_name, key)] = text
        before = set(self.worlds.keys[(self.user_id, class_name)])
        before |= {k for (t, k), text in self._texts.items() if t == class_name and text is not None}
        for key in before - seen:
            if self.exists(class_name, key):
                self.delete(class_name, key)
                self._texts[(class_name, key)] = None

    # -- reading a world ----------------------------------------------------------------------
    def world_state(self, user_id: str) -> dict[str, dict[str, Any]]:
        """A world's current records, per class: what the blueprint generator is shown."""
        out: dict[str, dict[str, Any]] = {}
        for name in self.worlds.classes:
            keys = list(self.worlds.keys.get((user_id, name), []))
            keys += [k for (t, k), text in self._texts.items()
                     if t == name and text is not None and k.startswith(f"{user_id}:") and k not in keys]
            rows = {}
            for key in keys:
                record = self.view(name, key)
                if record is not None:
                    rows[key.split(":", 1)[1]] = record.model_dump(mode="json")
            if rows:
                out[name] = rows
        return out
