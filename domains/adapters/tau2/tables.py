"""tau2's databases as our tables, and back.

A tau2 database is a pydantic model whose fields are collections of records: a dict of records
by id (retail's `orders`), a list of records (telecom's `lines`), or one record (the telecom
user's `device`). Each field becomes one of our tables, holding tau2's own record objects:

- dict field -> the same keys;
- list field -> keyed by the records' first `*_id` field when its values are unique strings
  (`customer_id`, `line_id`...), else by position (`00000`, `00001`...); tau2 only ever appends
  to these lists, and our tables keep insertion order, so the list order survives;
- single record -> a table with one record, keyed by the field name.

The tables of the user's database (telecom's phone) are prefixed `user_`. `materialize` turns a
state back into tau2 database objects, so that tau2's own hash can judge it.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from domains.framework.database import Database, Tables

Shape = Literal["dict", "list", "one"]


@dataclass(frozen=True)
class TableLayout:
    side: str  # agent | user: which tau2 database the field is on
    field: str
    table: str
    shape: Shape
    model: type[BaseModel]
    key_field: str | None = None  # list tables: the record field keys come from (None: position)

    def key_of(self, record: BaseModel, position: int) -> str:
        if self.shape == "one":
            return self.field
        if self.key_field is not None:
            return str(getattr(record, self.key_field))
        return f"{position:05d}"


def _shape(db_class: type, field: str, annotation: Any) -> tuple[Shape, type[BaseModel]]:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is dict:
        shape, model = "dict", args[1]
    elif origin is list:
        shape, model = "list", args[0]
    else:
        shape, model = "one", annotation
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise TypeError(
            f"tau2 database {db_class.__name__}.{field}: records of type {annotation!r} cannot be a table "
            "(expected a record model, a dict or a list of them)"
        )
    return shape, model


def _list_key_field(model: type[BaseModel], records: list[BaseModel]) -> str | None:
    for name in model.model_fields:
        if name.endswith("_id"):
            values = [getattr(r, name) for r in records]
            if all(isinstance(v, str) and v for v in values) and len(set(values)) == len(values):
                return name
            return None
    return None


class Layout:
    """How the fields of tau2's databases map to our tables."""

    def __init__(self, databases: dict[str, BaseModel]):
        self.db_classes = {side: type(db) for side, db in databases.items()}
        self.tables: list[TableLayout] = []
        for side, db in databases.items():
            for field, info in type(db).model_fields.items():
                shape, model = _shape(type(db), field, info.annotation)
                table = field if side == "agent" else f"user_{field}"
                key_field = _list_key_field(model, getattr(db, field)) if shape == "list" else None
                self.tables.append(TableLayout(side, field, table, shape, model, key_field))
        names = [t.table for t in self.tables]
        if len(set(names)) != len(names):
            raise TypeError(f"tau2 databases map to clashing table names: {names}")
        self.by_table = {t.table: t for t in self.tables}

    def base_tables(self, databases: dict[str, BaseModel]) -> Tables:
        models = {t.table: t.model for t in self.tables}
        records: dict[str, dict[str, BaseModel]] = {}
        for t in self.tables:
            value = getattr(databases[t.side], t.field)
            if t.shape == "dict":
                records[t.table] = dict(value)
            elif t.shape == "list":
                rows = {t.key_of(r, i): r for i, r in enumerate(value)}
                if len(rows) != len(value):
                    raise ValueError(f"tau2 table {t.table}: duplicate keys")
                records[t.table] = rows
            else:
                records[t.table] = {t.field: value}
        return Tables(models, records)

    def materialize(self, db: Database) -> dict[str, BaseModel]:
        """tau2 database objects holding the state `db` shows, for tau2's hash and comparisons.

        They share the records of `db` (no copy, no validation): read them, never change them.
        """
        out = {}
        for side, cls in self.db_classes.items():
            data: dict[str, Any] = {}
            for t in self.tables:
                if t.side != side:
                    continue
                if t.shape == "dict":
                    data[t.field] = dict(db.items(t.table))
                elif t.shape == "list":
                    data[t.field] = [r for _, r in db.items(t.table)]
                else:
                    data[t.field] = db.view(t.table, t.field)
            out[side] = cls.model_construct(**data)
        return out
