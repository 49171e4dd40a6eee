"""One tool call's view of our tables as tau2 database objects.

tau2's tools change records in place (`order.status = "cancelled"`), on the database object
they were built with. A call therefore gets database objects whose collections are views over
our `Database`: a record taken from a view is a private copy, and when the call ends the copies
that changed are `put` back (and records added or removed are inserted or deleted). The shared
base tables are never touched, and the work is proportional to the records the call looked at.

A call of a tool that tau2 marks as reading gets the records themselves, not copies (a lookup
that scans 500 users must not copy 500 users); the conformance tests check that tau2's reads
do not change what they are given. Single-record tables (the telecom phone's `device` and
`surroundings`) are always copied: tau2 re-syncs them after every call, reads included.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping, MutableSequence
from typing import Any

from pydantic import BaseModel

from domains.adapters.tau2.tables import Layout, TableLayout
from domains.framework.database import Database

_REMOVED = object()


class AdapterLimit(Exception):
    """tau2 did something to a table that the adapter does not support (a bug to fix here, not a refusal)."""


def _copy(record: BaseModel) -> BaseModel:
    # a dump/validate round trip is a deep copy, and faster than deepcopy (see Database.edit)
    return type(record).model_validate(record.model_dump())


class CallSession:
    """The records one call took, changed, added or removed; `commit` writes them back."""

    def __init__(self, db: Database, layout: Layout, copy_records: bool):
        self.db = db
        self.layout = layout
        self.copy_records = copy_records
        self.taken: dict[tuple[str, str], Any] = {}  # what the call holds (a copy, a new record, _REMOVED)
        self.before: dict[tuple[str, str], BaseModel | None] = {}  # the record before the call
        self._objects: dict[str, BaseModel] = {}  # side -> the database object handed to tau2

    # -- records -------------------------------------------------------------------------------
    def get(self, table: str, key: str, copy: bool | None = None) -> BaseModel:
        held = self.taken.get((table, key))
        if held is _REMOVED:
            raise KeyError(key)
        if held is not None:
            return held
        record = self.db.view(table, key)
        if record is None:
            raise KeyError(key)
        if self.copy_records if copy is None else copy:
            self.before[(table, key)] = record
            record = self.taken[(table, key)] = _copy(record)
        return record

    def set(self, table: str, key: str, record: Any) -> None:
        self.before.setdefault((table, key), self.db.view(table, key))
        self.taken[(table, key)] = record

    def exists(self, table: str, key: str) -> bool:
        held = self.taken.get((table, key))
        if held is not None:
            return held is not _REMOVED
        return self.db.exists(table, key)

    def keys(self, table: str) -> list[str]:
        keys = [k for k in self.db.keys(table) if self.taken.get((table, k)) is not _REMOVED]
        seen = set(keys)
        keys += [k for (t, k), r in self.taken.items() if t == table and r is not _REMOVED and k not in seen]
        return keys

    # -- the tau2 database objects ---------------------------------------------------------------
    def databases(self) -> dict[str, BaseModel]:
        out = {}
        for side, cls in self.layout.db_classes.items():
            fields: dict[str, Any] = {}
            for t in self.layout.tables:
                if t.side != side:
                    continue
                if t.shape == "dict":
                    fields[t.field] = DictView(self, t)
                elif t.shape == "list":
                    fields[t.field] = ListView(self, t)
                else:
                    fields[t.field] = self.get(t.table, t.field, copy=True)
            # no validation: the fields are views, and the records in them are valid already
            out[side] = cls.model_construct(**fields)
        self._objects = out
        return out

    def commit(self) -> None:
        """Write back what the call changed: changed copies, new records, removals."""
        for t in self.layout.tables:  # a tool may have replaced a single record outright
            if t.shape == "one":
                current = getattr(self._objects[t.side], t.field)
                if current is not self.taken.get((t.table, t.field)):
                    self.set(t.table, t.field, current)
        for (table, key), record in self.taken.items():
            before = self.before.get((table, key))
            if record is _REMOVED:
                if self.db.exists(table, key):
                    self.db.delete(table, key)
            elif before is None or record.model_dump() != before.model_dump():
                self.db.put(table, key, record)


class DictView(MutableMapping):
    """A dict field of a tau2 database (`db.orders`), over one of our tables."""

    def __init__(self, session: CallSession, layout: TableLayout):
        self.session, self.table = session, layout.table

    def __getitem__(self, key: str) -> BaseModel:
        return self.session.get(self.table, key)

    def __setitem__(self, key: str, record: BaseModel) -> None:
        self.session.set(self.table, key, record)

    def __delitem__(self, key: str) -> None:
        if not self.session.exists(self.table, key):
            raise KeyError(key)
        self.session.set(self.table, key, _REMOVED)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.session.exists(self.table, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.session.keys(self.table))

    def __len__(self) -> int:
        return len(self.session.keys(self.table))


class ListView(MutableSequence):
    """A list field of a tau2 database (`db.lines`), over one of our tables. tau2 only reads
    and appends these; replacing, inserting or removing in the middle is refused loudly."""

    def __init__(self, session: CallSession, layout: TableLayout):
        self.session, self.layout = session, layout

    def _keys(self) -> list[str]:
        return self.session.keys(self.layout.table)

    def __getitem__(self, index: Any) -> Any:
        keys = self._keys()
        if isinstance(index, slice):
            return [self.session.get(self.layout.table, k) for k in keys[index]]
        return self.session.get(self.layout.table, keys[index])

    def __len__(self) -> int:
        return len(self._keys())

    def __iter__(self) -> Iterator[BaseModel]:
        for key in self._keys():
            yield self.session.get(self.layout.table, key)

    def insert(self, index: int, record: BaseModel) -> None:
        n = len(self)
        if index < n:
            raise AdapterLimit(f"tau2 adapter: inserting into the middle of list table {self.layout.table}")
        key = self.layout.key_of(record, n)
        if self.session.exists(self.layout.table, key):
            raise KeyError(f"tau2 adapter: {self.layout.table}/{key} already exists")
        self.session.set(self.layout.table, key, record)

    def __setitem__(self, index: Any, record: Any) -> None:
        raise AdapterLimit(f"tau2 adapter: replacing records of list table {self.layout.table}")

    def __delitem__(self, index: Any) -> None:
        raise AdapterLimit(f"tau2 adapter: removing records of list table {self.layout.table}")
