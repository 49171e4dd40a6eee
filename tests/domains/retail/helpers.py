"""Finding records of a given shape in the shipped retail database, for tests."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from domains.framework import Database, Domain, Tables
from domains.framework.canonical import HASH_MODULUS, record_hash
from domains.retail import build_domain
from domains.retail.models import GiftCard, Order, User


@lru_cache(maxsize=1)
def domain() -> Domain:
    return build_domain()


def orders(db: Database, status: str, where: Callable[[Order], bool] = lambda o: True) -> list[Order]:
    return [o for _, o in db.items("orders") if o.status == status and where(o)]


def order(db: Database, status: str, where: Callable[[Order], bool] = lambda o: True) -> Order:
    found = orders(db, status, where)
    assert found, f"the shipped data has no {status} order of the wanted shape"
    return found[0]


def owner(db: Database, o: Order) -> User:
    return db.view("users", o.user_id)


def gift_cards(user: User) -> list[GiftCard]:
    return [m for m in user.payment_methods if isinstance(m, GiftCard)]


def other_user(db: Database, user_id: str) -> User:
    return next(u for k, u in db.items("users") if k != user_id)


def alternatives(db: Database, o: Order, item_index: int = 0, available: bool = True) -> list[str]:
    """Variants of the order's item (other than it and not in the order) with the given availability."""
    item = o.items[item_index]
    in_order = {i.item_id for i in o.items}
    product = db.view("products", item.product_id)
    return [v.item_id for v in product.variants.values() if v.available == available and v.item_id not in in_order]


def set_balance(db: Database, user_id: str, payment_method_id: str, balance: float) -> None:
    user = db.edit("users", user_id)
    for m in user.payment_methods:
        if m.payment_method_id == payment_method_id:
            m.balance = balance
    db.put("users", user_id, user)


def add_gift_card(db: Database, user_id: str, balance: float, payment_method_id: str = "gift_card_0000001") -> str:
    user = db.edit("users", user_id)
    user.payment_methods.append(GiftCard(payment_method_id=payment_method_id, balance=balance))
    db.put("users", user_id, user)
    return payment_method_id


def refused(obs: Any, *needles: str) -> bool:
    assert not obs.ok and obs.error_code == "refused", obs
    text = obs.content.lower()
    for needle in needles:
        assert needle.lower() in text, f"{needle!r} not in {obs.content!r}"
    return True


def base_hash_now(tables: Tables) -> int:
    """The base's fingerprint recomputed from its records as they are now (to catch mutation)."""
    total = 0
    for table, rows in tables.records.items():
        for key, rec in rows.items():
            total = (total + record_hash(table, key, rec.model_dump(mode="json"))) % HASH_MODULUS
    return total
