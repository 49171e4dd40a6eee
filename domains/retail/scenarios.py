"""Kinds of retail tasks: each proposes, for one user and the current state, the calls that solve it.

A proposal includes the reads a careful agent makes (the order before changing it, the product
before choosing a new variant) and a `calculate` call for every amount the user is told. It
only proposes what the policy allows, so every proposed chain executes; the sampler adds the
reads that discover ids (the user's profile before their orders).
"""

from __future__ import annotations

import random
from typing import Any

from domains.framework import Database
from domains.framework.sampling import Scenario, TargetCall
from domains.retail.data import random_address
from domains.retail.models import CANCEL_REASONS, PENDING_STATUSES, GiftCard, Order, OrderItem, User, Variant


def _user(db: Database, user_id: str) -> User:
    return db.view("users", user_id)


def _orders(db: Database, user: User, statuses: tuple[str, ...]) -> list[Order]:
    orders = (db.view("orders", oid) for oid in user.order_ids)
    return [o for o in orders if o is not None and o.status in statuses]


def _money(x: float) -> str:
    return f"{x:.2f}"


def _sum_expression(plus: list[float], minus: list[float] = ()) -> str:
    expr = " + ".join(_money(p) for p in plus)
    for m in minus:
        expr += f" - {_money(m)}"
    return expr


def _alternatives(db: Database, item: OrderItem, taken: set[str]) -> list[Variant]:
    product = db.view("products", item.product_id)
    return [v for v in product.variants.values() if v.available and v.item_id != item.item_id and v.item_id not in taken]


def _pick_swaps(db: Database, order: Order, rng: random.Random) -> list[tuple[OrderItem, Variant]] | None:
    """One to three items of the order, each with an available other variant not already in the order."""
    taken = {i.item_id for i in order.items}
    candidates = [i for i in order.items if _alternatives(db, i, taken)]
    if not candidates:
        return None
    chosen = rng.sample(candidates, rng.randint(1, min(3, len(candidates))))
    swaps = []
    for item in chosen:
        options = _alternatives(db, item, taken)
        if not options:
            continue
        new = rng.choice(options)
        taken.add(new.item_id)
        swaps.append((item, new))
    return swaps or None


def _payer(user: User, charge: float, rng: random.Random, prefer: str | None = None) -> str | None:
    """A payment method of the user able to pay `charge` (gift cards need the balance)."""
    able = [m.payment_method_id for m in user.payment_methods
            if not (isinstance(m, GiftCard) and charge > 0 and m.balance < charge)]
    if not able:
        return None
    if prefer in able and rng.random() < 0.5:
        return prefer
    return rng.choice(able)


def _swap_calls(db: Database, user: User, order: Order, rng: random.Random, tool_name: str) -> list[TargetCall] | None:
    swaps = _pick_swaps(db, order, rng)
    if swaps is None:
        return None
    old_prices, new_prices = [o.price for o, _ in swaps], [v.price for _, v in swaps]
    diff = round(sum(new_prices) - sum(old_prices), 2)
    original = order.payment_history[0].payment_method_id if order.payment_history else None
    payer = _payer(user, diff, rng, prefer=original)
    if payer is None:
        return None
    calls: list[TargetCall] = [("get_order_details", {"order_id": order.order_id})]
    for product_id in dict.fromkeys(o.product_id for o, _ in swaps):
        calls.append(("get_product_details", {"product_id": product_id}))
    if diff != 0:
        calls.append(("calculate", {"expression": _sum_expression(new_prices, old_prices)}))
    calls.append((tool_name, {
        "order_id": order.order_id,
        "item_ids": [o.item_id for o, _ in swaps],
        "new_item_ids": [v.item_id for _, v in swaps],
        "payment_method_id": payer,
    }))
    return calls


# -- pending orders -------------------------------------------------------------------------


def cancel_pending(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    orders = _orders(db, _user(db, user_id), PENDING_STATUSES)
    if not orders:
        return None
    order = rng.choice(orders)
    return [
        ("get_order_details", {"order_id": order.order_id}),
        ("cancel_pending_order", {"order_id": order.order_id, "reason": rng.choice(CANCEL_REASONS)}),
    ]


def modify_items(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    user = _user(db, user_id)
    orders = _orders(db, user, ("pending",))
    rng.shuffle(orders)
    for order in orders[:3]:
        calls = _swap_calls(db, user, order, rng, "modify_pending_order_items")
        if calls:
            return calls
    return None


def modify_order_address(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    user = _user(db, user_id)
    orders = _orders(db, user, PENDING_STATUSES)
    if not orders:
        return None
    order = rng.choice(orders)
    known = [a for a in [user.address, *user.saved_addresses] if a != order.address]
    address: dict[str, Any] = rng.choice(known).model_dump() if known and rng.random() < 0.6 else random_address(rng)
    if address == order.address.model_dump():
        return None
    return [
        ("get_order_details", {"order_id": order.order_id}),
        ("modify_pending_order_address", {"order_id": order.order_id, **address}),
    ]


def modify_payment(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    user = _user(db, user_id)
    orders = [o for o in _orders(db, user, ("pending",)) if len(o.payment_history) == 1]
    rng.shuffle(orders)
    for order in orders:
        paid = order.payment_history[0]
        others = [m.payment_method_id for m in user.payment_methods if m.payment_method_id != paid.payment_method_id
                  and not (isinstance(m, GiftCard) and m.balance < paid.amount)]
        if others:
            return [
                ("get_order_details", {"order_id": order.order_id}),
                ("modify_pending_order_payment", {"order_id": order.order_id, "payment_method_id": rng.choice(others)}),
            ]
    return None


def modify_default_address(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    user = _user(db, user_id)
    saved = [a for a in user.saved_addresses if a != user.address]
    address: dict[str, Any] = rng.choice(saved).model_dump() if saved and rng.random() < 0.4 else random_address(rng)
    if address == user.address.model_dump():
        return None
    return [
        ("get_user_details", {"user_id": user_id}),
        ("modify_user_address", {"user_id": user_id, **address}),
    ]


# -- delivered orders -----------------------------------------------------------------------


def return_items(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    user = _user(db, user_id)
    orders = _orders(db, user, ("delivered",))
    if not orders:
        return None
    order = rng.choice(orders)
    items = rng.sample(order.items, rng.randint(1, len(order.items)))
    original = order.payment_history[0].payment_method_id
    gift_cards = [m.payment_method_id for m in user.payment_methods if isinstance(m, GiftCard)]
    refund_to = rng.choice(gift_cards) if gift_cards and rng.random() < 0.3 else original
    calls: list[TargetCall] = [("get_order_details", {"order_id": order.order_id})]
    if len(items) > 1:
        calls.append(("calculate", {"expression": _sum_expression([i.price for i in items])}))
    calls.append(("return_delivered_order_items", {
        "order_id": order.order_id, "item_ids": [i.item_id for i in items], "payment_method_id": refund_to,
    }))
    return calls


def exchange_items(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    user = _user(db, user_id)
    orders = _orders(db, user, ("delivered",))
    rng.shuffle(orders)
    for order in orders[:3]:
        calls = _swap_calls(db, user, order, rng, "exchange_delivered_order_items")
        if calls:
            return calls
    return None


# -- questions (no change of state) ----------------------------------------------------------


def order_status(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    """Where is my order? (status, tracking ids)"""
    orders = _orders(db, _user(db, user_id), ("processed", "delivered", "pending", "return requested", "exchange requested"))
    if not orders:
        return None
    return [("get_order_details", {"order_id": rng.choice(orders).order_id})]


def spending_total(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    """How much did I pay for these orders? (item prices summed with calculate)"""
    orders = _orders(db, _user(db, user_id), ("processed", "delivered", "pending"))
    if len(orders) < 2:
        return None
    chosen = rng.sample(orders, rng.randint(2, min(3, len(orders))))
    calls: list[TargetCall] = [("get_order_details", {"order_id": o.order_id}) for o in chosen]
    calls.append(("calculate", {"expression": _sum_expression([i.price for o in chosen for i in o.items])}))
    return calls


def upgrade_price(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    """How much more would the priciest available option of an item I bought cost?"""
    orders = _orders(db, _user(db, user_id), ("pending", "processed", "delivered"))
    if not orders:
        return None
    order = rng.choice(orders)
    item = rng.choice(order.items)
    product = db.view("products", item.product_id)
    options = [v for v in product.variants.values() if v.available and v.price > item.price]
    if not options:
        return None
    best = max(options, key=lambda v: (v.price, v.item_id))
    return [
        ("get_order_details", {"order_id": order.order_id}),
        ("get_product_details", {"product_id": item.product_id}),
        ("calculate", {"expression": _sum_expression([best.price], [item.price])}),
    ]


def browse_catalogue(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    """What options of a product type are in stock, and what would two of the cheapest cost?"""
    product_id = rng.choice(list(db.keys("products")))
    product = db.view("products", product_id)
    available = [v for v in product.variants.values() if v.available]
    cheapest = min(available, key=lambda v: (v.price, v.item_id))
    return [
        ("list_all_product_types", {}),
        ("get_product_details", {"product_id": product_id}),
        ("calculate", {"expression": f"{_money(cheapest.price)} * 2"}),
    ]


def escalate_processed(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    """The user insists on cancelling an order that has already been processed: transfer."""
    orders = _orders(db, _user(db, user_id), ("processed",))
    if not orders:
        return None
    order = rng.choice(orders)
    summary = (
        f"User {user_id} wants to cancel order {order.order_id}, which is already processed and cannot be "
        "cancelled with the available tools; the user asked for a human agent."
    )
    return [
        ("get_order_details", {"order_id": order.order_id}),
        ("transfer_to_human_agents", {"summary": summary}),
    ]


SCENARIOS = [
    Scenario("cancel_pending_order", cancel_pending, 1.0),
    Scenario("modify_pending_order_items", modify_items, 1.0),
    Scenario("modify_pending_order_address", modify_order_address, 0.7),
    Scenario("modify_pending_order_payment", modify_payment, 1.5),
    Scenario("modify_user_address", modify_default_address, 0.25),
    Scenario("return_delivered_order_items", return_items, 1.0),
    Scenario("exchange_delivered_order_items", exchange_items, 1.0),
    Scenario("order_status", order_status, 0.25),
    Scenario("spending_total", spending_total, 0.4),
    Scenario("upgrade_price", upgrade_price, 0.3),
    Scenario("browse_catalogue", browse_catalogue, 0.15),
    Scenario("escalate_processed_order", escalate_processed, 0.2),
]
