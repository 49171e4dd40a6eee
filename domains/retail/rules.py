"""Who owns what, what a confirmation must name, how a user authenticates, and their context."""

from __future__ import annotations

import random
from typing import Any

from domains.framework import Database
from domains.framework.policy import (
    AuthenticatedBeforeAccess,
    ConfirmedBeforeWrite,
    default_confirm_fields,
    owner_by_reference,
)
from domains.framework.sampling import TargetCall

AUTH_TOOLS = {"find_user_id_by_email", "find_user_id_by_name_zip"}

PRECONDITIONS = [
    "the user is identified (by email, or by name and zip code) before any of their records is read or changed",
    "only pending orders (including 'pending (items modified)') can be cancelled or have their shipping address changed",
    "only 'pending' orders whose items were never modified can have their items or payment method changed",
    "items can be modified once per order; the order then becomes 'pending (items modified)'",
    "a new item must be another available variant of the same product, and the order cannot hold the same item twice",
    "only delivered orders can be returned or exchanged, once: the order becomes 'return requested' or 'exchange requested'",
    "payment methods must be on the order owner's profile; a gift card must cover any charge",
    "a return's refund goes to the order's original payment method or to one of the user's gift cards",
    "a cancellation reason is one of: no longer needed, ordered by mistake, found a better price, shipping takes too long",
]


def owner_of(db: Database, tool_name: str, args: dict[str, Any]) -> str | None:
    """The user whose data a call touches (None for catalogue, calculator and transfer calls)."""
    return owner_by_reference(db, args, user_table="users", record_table="orders", record_key="order_id")


ADDRESS_CONFIRM = ["address1", "zip"]


def confirm_fields(tool_name: str, args: dict[str, Any]) -> list[str]:
    """What the agent must have said before the user's yes: the ids, and a new address's street and zip."""
    if tool_name == "modify_user_address":
        return list(ADDRESS_CONFIRM)  # the user is identified already; their id need not be read out
    fields = default_confirm_fields(args)
    if tool_name == "modify_pending_order_address":
        fields += ADDRESS_CONFIRM
    return fields


def policy_rules(write_tools: set[str]) -> list[Any]:
    return [AuthenticatedBeforeAccess(AUTH_TOOLS, owner_of), ConfirmedBeforeWrite(write_tools, confirm_fields)]


def auth_call(db: Database, user_id: str, rng: random.Random) -> TargetCall:
    """Authenticate by email, or (about a third of the time) by name and zip when that is unique."""
    user = db.view("users", user_id)
    if rng.random() < 0.35:
        same_name = db.find("users", first_name=user.first_name, last_name=user.last_name)
        if sum(1 for k in same_name if db.view("users", k).address.zip == user.address.zip) == 1:
            return "find_user_id_by_name_zip", {
                "first_name": user.first_name, "last_name": user.last_name, "zip": user.address.zip
            }
    return "find_user_id_by_email", {"email": user.email}


def user_context(db: Database, user_id: str) -> dict[str, Any]:
    """The user's profile, their orders, and the products in those orders (with every variant)."""
    user = db.view("users", user_id)
    if user is None:
        return {}
    orders = [db.view("orders", oid) for oid in user.order_ids]
    orders = [o for o in orders if o is not None]
    product_ids = sorted({item.product_id for o in orders for item in o.items})
    products = {pid: db.view("products", pid) for pid in product_ids}
    return {
        "user": user.model_dump(mode="json"),
        "orders": [o.model_dump(mode="json") for o in orders],
        "products": {pid: p.model_dump(mode="json") for pid, p in products.items() if p is not None},
    }
