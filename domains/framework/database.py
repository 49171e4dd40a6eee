"""A domain's database: typed records over a shared, immutable base with a per-environment overlay.

Replaying blueprints happens thousands of times a run, so an environment never copies the
base. Writes go to a copy-on-write overlay; reset clears it; the fingerprint is an additive
multiset hash (sum of record hashes modulo 2**128) kept up to date from the overlay alone. All
three cost time proportional to the number of records changed, not to the database size.

Tools must not mutate what `view` returns: they take a private copy with `edit`, change it,
and `put` it back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from domains.errors import DomainError
from domains.framework.canonical import HASH_MODULUS, canonical, record_hash
from domains.framework.tools import ToolError

R = TypeVar("R", bound=BaseModel)


class DataError(DomainError, ValueError):
    """A domain's data file does not match its record types: the user fixes the file (exit 2)."""


class RecordDiff(BaseModel):
    """One record that differs between two states, and the fields that differ."""

    table: str
    key: str
    change: str  # "added" | "removed" | "modified"
    fields: dict[str, tuple[Any, Any]] = {}

    def __str__(self) -> str:
        if self.change != "modified":
            return f"{self.table}/{self.key}: {self.change}"
        detail = ", ".join(f"{f}: {a!r} -> {b!r}" for f, (a, b) in sorted(self.fields.items()))
        return f"{self.table}/{self.key}: {detail}"


class Tables(Generic[R]):
    """The immutable base: records by table and key, their JSON form, and their hashes."""

    def __init__(self, models: dict[str, type[BaseModel]], records: dict[str, dict[str, BaseModel]]):
        unknown = set(records) - set(models)
        if unknown:
            raise DataError(f"tables without a record type: {sorted(unknown)}")
        self.models = models
        self.records = {name: records.get(name, {}) for name in models}
        self._hashes: dict[tuple[str, str], int] | None = None
        self._total: int | None = None
        self._indexes: dict[tuple[str, tuple[str, ...]], dict[tuple[Any, ...], list[str]]] = {}

    @classmethod
    def from_json(cls, models: dict[str, type[BaseModel]], data: dict[str, Any], source: str = "data") -> "Tables":
        """Validate raw JSON tables into typed records; errors name the table, key and field."""
        records: dict[str, dict[str, BaseModel]] = {}
        for table, rows in data.items():
            if table not in models:
                raise DataError(f"{source}: unknown table {table!r}; expected one of {sorted(models)}")
            if not isinstance(rows, dict):
                raise DataError(f"{source}: table {table!r} must map keys to records, got {type(rows).__name__}")
            model = models[table]
            typed: dict[str, BaseModel] = {}
            for key, row in rows.items():
                try:
                    typed[key] = model.model_validate(row)
                except ValidationError as exc:
                    first = exc.errors()[0]
                    where = ".".join(str(p) for p in first["loc"])
                    raise DataError(
                        f"{source}: {table}/{key}: field {where!r}: {first['msg']}"
                    ) from exc
            records[table] = typed
        return cls(models, records)

    @classmethod
    def load(cls, models: dict[str, type[BaseModel]], path: Path) -> "Tables":
        try:
            data = json.loads(Path(path).read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise DataError(f"cannot read database file {path}: {exc}") from exc
        if not isinstance(data, dict):
            raise DataError(f"{path}: expected an object mapping table names to records")
        return cls.from_json(models, data, source=str(path))

    def to_json(self) -> dict[str, dict[str, Any]]:
        return {t: {k: r.model_dump(mode="json") for k, r in rows.items()} for t, rows in self.records.items()}

    def hash_of(self, table: str, key: str) -> int:
        self._ensure_hashes()
        assert self._hashes is not None
        return self._hashes[(table, key)]

    @property
    def total_hash(self) -> int:
        self._ensure_hashes()
        assert self._total is not None
        return self._total

    def _ensure_hashes(self) -> None:
        if self._hashes is not None:
            return
        hashes: dict[tuple[str, str], int] = {}
        total = 0
        for table, rows in self.records.items():
            for key, rec in rows.items():
                h = record_hash(table, key, rec.model_dump(mode="json"))
                hashes[(table, key)] = h
                total = (total + h) % HASH_MODULUS
        self._hashes, self._total = hashes, total

    def index(self, table: str, fields: tuple[str, ...]) -> dict[tuple[Any, ...], list[str]]:
        """An equality index over the base records, built on first use."""
        idx = self._indexes.get((table, fields))
        if idx is None:
            idx = {}
            for key, rec in self.records[table].items():
                idx.setdefault(tuple(getattr(rec, f) for f in fields), []).append(key)
            self._indexes[(table, fields)] = idx
        return idx


_DELETED = None


class Database:
    """One environment's view of the data: the shared base plus its own overlay of changes."""

    def __init__(self, base: Tables):
        self.base = base
        self._overlay: dict[tuple[str, str], BaseModel | None] = {}
        self._overlay_hash: dict[tuple[str, str], int] = {}

    # -- reading -------------------------------------------------------------------------
    def _check_table(self, table: str) -> None:
        if table not in self.base.models:
            raise KeyError(f"unknown table {table!r}")

    def view(self, table: str, key: str) -> Any | None:
        """The current record, or None. Read-only: never mutate what this returns."""
        self._check_table(table)
        if (table, key) in self._overlay:
            return self._overlay[(table, key)]
        return self.base.records[table].get(key)

    def require(self, table: str, key: str, what: str, hint: str = "") -> Any:
        """The current record, or the refusal a tool gives the agent for an id that is not on file.

        `what` names the record for the agent ("order"); `hint` says how a right id looks.
        """
        rec = self.view(table, key)
        if rec is None:
            raise ToolError(f"{what} {key!r} not found{hint}")
        return rec

    def edit(self, table: str, key: str) -> Any | None:
        """A private deep copy of the current record, to change and `put` back."""
        rec = self.view(table, key)
        # a dump/validate round trip is a deep copy, and several times faster than deepcopy
        return None if rec is None else type(rec).model_validate(rec.model_dump())

    def exists(self, table: str, key: str) -> bool:
        return self.view(table, key) is not None

    def keys(self, table: str) -> Iterator[str]:
        """Current keys: the base's (minus deletions) then those added in this environment."""
        self._check_table(table)
        for key in self.base.records[table]:
            if (table, key) not in self._overlay or self._overlay[(table, key)] is not None:
                yield key
        for (t, key), rec in self._overlay.items():
            if t == table and rec is not None and key not in self.base.records[table]:
                yield key

    def items(self, table: str) -> Iterator[tuple[str, Any]]:
        for key in self.keys(table):
            yield key, self.view(table, key)

    def count(self, table: str) -> int:
        return sum(1 for _ in self.keys(table))

    def find(self, table: str, **equals: Any) -> list[str]:
        """Keys of current records whose fields equal the given values, via an index on the base."""
        self._check_table(table)
        fields = tuple(sorted(equals))
        wanted = tuple(equals[f] for f in fields)
        found = []
        for key in self.base.index(table, fields).get(wanted, []):
            if (table, key) not in self._overlay:
                found.append(key)
        for (t, key), rec in self._overlay.items():
            if t == table and rec is not None and tuple(getattr(rec, f) for f in fields) == wanted:
                found.append(key)
        return found

    # -- writing -------------------------------------------------------------------------
    def put(self, table: str, key: str, record: BaseModel) -> None:
        self._check_table(table)
        model = self.base.models[table]
        if not isinstance(record, model):
            raise TypeError(f"{table}/{key}: expected a {model.__name__}, got {type(record).__name__}")
        self._overlay[(table, key)] = record
        self._overlay_hash[(table, key)] = record_hash(table, key, record.model_dump(mode="json"))

    def insert(self, table: str, key: str, record: BaseModel) -> None:
        if self.exists(table, key):
            raise KeyError(f"{table}/{key} already exists")
        self.put(table, key, record)

    def delete(self, table: str, key: str) -> None:
        if not self.exists(table, key):
            raise KeyError(f"{table}/{key} does not exist")
        self._overlay[(table, key)] = _DELETED
        self._overlay_hash[(table, key)] = 0

    # -- state ---------------------------------------------------------------------------
    def reset(self) -> None:
        self._overlay.clear()
        self._overlay_hash.clear()

    def fingerprint(self) -> str:
        total = self.base.total_hash
        base_records = self.base.records
        for (table, key), h in self._overlay_hash.items():
            if key in base_records[table]:
                total -= self.base.hash_of(table, key)
            total += h
        return f"{total % HASH_MODULUS:032x}"

    def changed_keys(self) -> set[tuple[str, str]]:
        return set(self._overlay)

    def changes(self) -> dict[str, dict[str, Any]]:
        """The overlay as JSON: what this environment changed ({table: {key: record or None}})."""
        out: dict[str, dict[str, Any]] = {}
        for (table, key), rec in self._overlay.items():
            out.setdefault(table, {})[key] = None if rec is None else rec.model_dump(mode="json")
        return out

    def diff(self, other: "Database") -> list[RecordDiff]:
        """The records that differ between two views of the same base, field by field."""
        if other.base is not self.base:
            raise ValueError("can only diff two views of the same base database")
        diffs = []
        for table, key in sorted(self.changed_keys() | other.changed_keys()):
            a, b = self.view(table, key), other.view(table, key)
            ja = None if a is None else canonical(a.model_dump(mode="json"))
            jb = None if b is None else canonical(b.model_dump(mode="json"))
            if ja == jb:
                continue
            if ja is None:
                diffs.append(RecordDiff(table=table, key=key, change="added"))
            elif jb is None:
                diffs.append(RecordDiff(table=table, key=key, change="removed"))
            else:
                fields = {
                    f: (ja.get(f), jb.get(f)) for f in sorted(set(ja) | set(jb)) if ja.get(f) != jb.get(f)
                }
                diffs.append(RecordDiff(table=table, key=key, change="modified", fields=fields))
        return diffs
