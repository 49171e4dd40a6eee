"""Every retail tool: its success path and each of its refusals, through `env.execute`."""

from __future__ import annotations

import pytest

from domains.retail.models import GiftCard
from tests.domains.retail.helpers import (
    add_gift_card,
    alternatives,
    domain,
    gift_cards,
    order,
    orders,
    other_user,
    owner,
    refused,
    set_balance,
)


@pytest.fixture
def env():
    return domain().new_environment()


def ok(obs):
    assert obs.ok, obs.content
    return obs.result


# -- identifying the user -------------------------------------------------------------------


def test_find_user_id_by_email(env):
    user = next(u for _, u in env.db.items("users"))
    assert ok(env.execute("find_user_id_by_email", {"email": user.email})) == {"user_id": user.user_id}
    shouted = f"  {user.email.upper()} "
    assert ok(env.execute("find_user_id_by_email", {"email": shouted}))["user_id"] == user.user_id
    assert refused(env.execute("find_user_id_by_email", {"email": "nobody@nowhere.example"}), "no user found")


def test_find_user_id_by_name_zip(env):
    user = next(u for _, u in env.db.items("users"))
    args = {"first_name": user.first_name.lower(), "last_name": user.last_name.upper(), "zip": user.address.zip}
    assert ok(env.execute("find_user_id_by_name_zip", args))["user_id"] == user.user_id
    assert refused(env.execute("find_user_id_by_name_zip", {**args, "zip": "00000"}), "no user found")
    assert refused(env.execute("find_user_id_by_name_zip", {**args, "first_name": "Nobody"}), "no user found")


def test_find_user_id_by_name_zip_refuses_ambiguous_match(env):
    user = next(u for _, u in env.db.items("users"))
    twin = user.model_copy(update={"user_id": "twin_0001", "email": "twin@example.com", "order_ids": []})
    env.db.insert("users", "twin_0001", twin)
    args = {"first_name": user.first_name, "last_name": user.last_name, "zip": user.address.zip}
    assert refused(env.execute("find_user_id_by_name_zip", args), "several users", "email")


# -- reading --------------------------------------------------------------------------------


def test_get_user_details(env):
    user = next(u for _, u in env.db.items("users"))
    result = ok(env.execute("get_user_details", {"user_id": user.user_id}))
    assert result["email"] == user.email and result["order_ids"] == user.order_ids
    assert {m["source"] for m in result["payment_methods"]} <= {"credit_card", "gift_card", "paypal"}
    assert refused(env.execute("get_user_details", {"user_id": "no_such_user"}), "not found")


def test_get_order_details(env):
    o = order(env.db, "delivered")
    result = ok(env.execute("get_order_details", {"order_id": o.order_id}))
    assert result["status"] == "delivered" and result["fulfilments"][0]["tracking_id"]
    assert refused(env.execute("get_order_details", {"order_id": "#R0000000"}), "not found")
    assert refused(env.execute("get_order_details", {"order_id": o.order_id.lstrip("#")}), "start with '#'")


def test_get_product_details(env):
    o = order(env.db, "pending")
    item = o.items[0]
    result = ok(env.execute("get_product_details", {"product_id": item.product_id}))
    assert result["name"] == item.name and item.item_id in result["variants"]
    assert refused(env.execute("get_product_details", {"product_id": "00000000"}), "not found")


def test_list_all_product_types(env):
    result = ok(env.execute("list_all_product_types", {}))
    assert len(result) == env.db.count("products")
    assert [r["name"] for r in result] == sorted(r["name"] for r in result)
    assert set(result[0]) == {"product_id", "name", "category"}


@pytest.mark.parametrize(
    "expression, value",
    [("1 + 2", 3), ("(89.99 + 24.5) * 2 - 10", 218.98), ("10 / 4", 2.5), ("-3 + +5", 2), ("0.1 + 0.2", 0.3),
     ("1 - 1", 0), ("  7  ", 7), ("1e2 / 3", 33.33)],
)
def test_calculate(env, expression, value):
    assert ok(env.execute("calculate", {"expression": expression})) == value


@pytest.mark.parametrize(
    "expression, message",
    [
        ("__import__('os').system('true')", "only numbers"),
        ("2 ** 10", "only numbers"),
        ("abs(-1)", "only numbers"),
        ("x + 1", "only numbers"),
        ("True + 1", "only numbers"),
        ("'a' * 3", "only numbers"),
        ("1j * 2", "only numbers"),
        ("7 // 2", "only numbers"),
        ("[1, 2]", "only numbers"),
        ("1 / 0", "division by zero"),
        ("1 / (2 - 2)", "division by zero"),
        ("", "empty"),
        ("   ", "empty"),
        ("1 +", "cannot parse"),
        ("1; 2", "cannot parse"),
        ("(" * 300 + "1" + ")" * 300, "too long"),
        ("-" * 450 + "1", "nested too deeply"),
        ("1e308 * 10", "too large"),
        ("9" * 400 + " / 1", "too large"),
        ("1" + " + 1" * 120, None),
    ],
)
def test_calculate_refusals(env, expression, message):
    obs = env.execute("calculate", {"expression": expression})
    if message is None:  # long but legal: a sum of many prices
        assert ok(obs) == 121
    else:
        assert refused(obs, message)


def test_transfer_to_human_agents(env):
    assert "transfer successful" in ok(env.execute("transfer_to_human_agents", {"summary": "wants a refund"})).lower()
    assert refused(env.execute("transfer_to_human_agents", {"summary": "  "}), "summary")


# -- cancelling -------------------------------------------------------------------------------


def test_cancel_pending_order_refunds_the_card(env):
    o = order(env.db, "pending", lambda o: o.payment_history[0].payment_method_id.startswith("credit_card"))
    before = env.db.view("users", o.user_id)
    result = ok(env.execute("cancel_pending_order", {"order_id": o.order_id, "reason": "ordered by mistake"}))
    assert result["status"] == "cancelled" and result["cancel_reason"] == "ordered by mistake"
    paid = o.payment_history[0]
    assert result["payment_history"][-1] == {"kind": "refund", "payment_method_id": paid.payment_method_id, "amount": paid.amount}
    assert env.db.view("users", o.user_id) is before  # a card refund does not touch the profile


def test_cancel_pending_order_refunds_a_gift_card_at_once(env):
    o = order(env.db, "pending", lambda o: o.payment_history[0].payment_method_id.startswith("gift_card"))
    gid, amount = o.payment_history[0].payment_method_id, o.payment_history[0].amount
    balance = next(m.balance for m in owner(env.db, o).payment_methods if m.payment_method_id == gid)
    ok(env.execute("cancel_pending_order", {"order_id": o.order_id, "reason": "no longer needed"}))
    after = next(m.balance for m in owner(env.db, o).payment_methods if m.payment_method_id == gid)
    assert after == pytest.approx(balance + amount)


def test_cancel_order_with_modified_items_refunds_the_net_amount(env):
    o = order(env.db, "pending (items modified)")
    total = round(sum(i.price for i in o.items), 2)
    result = ok(env.execute("cancel_pending_order", {"order_id": o.order_id, "reason": "found a better price"}))
    net = sum(e["amount"] * (1 if e["kind"] == "payment" else -1) for e in result["payment_history"])
    assert net == pytest.approx(0) and result["payment_history"][-1]["amount"] == pytest.approx(total)


@pytest.mark.parametrize("status", ["processed", "delivered", "cancelled", "return requested", "exchange requested"])
def test_cancel_refuses_orders_that_are_not_pending(env, status):
    o = order(env.db, status)
    assert refused(env.execute("cancel_pending_order", {"order_id": o.order_id, "reason": "no longer needed"}),
                   status, "only")
    assert env.db.changed_keys() == set()


def test_cancel_refuses_unknown_order_and_reason(env):
    assert refused(env.execute("cancel_pending_order", {"order_id": "#R1", "reason": "no longer needed"}), "not found")
    o = order(env.db, "pending")
    obs = env.execute("cancel_pending_order", {"order_id": o.order_id, "reason": "changed my mind"})
    assert not obs.ok and obs.error_code == "invalid_arguments" and "reason" in obs.content


# -- changing pending orders ------------------------------------------------------------------

NEW_ADDRESS = {"address1": "77 Harbor Lane", "address2": "", "city": "Boston", "state": "MA", "country": "USA", "zip": "02110"}


def test_modify_pending_order_address(env):
    for status in ("pending", "pending (items modified)"):
        o = order(env.db, status)
        result = ok(env.execute("modify_pending_order_address", {"order_id": o.order_id, **NEW_ADDRESS}))
        assert result["address"] == NEW_ADDRESS and result["status"] == status


def test_modify_pending_order_address_refusals(env):
    o = order(env.db, "processed")
    assert refused(env.execute("modify_pending_order_address", {"order_id": o.order_id, **NEW_ADDRESS}), "processed")
    o = order(env.db, "pending")
    assert refused(env.execute("modify_pending_order_address", {"order_id": o.order_id, **NEW_ADDRESS, "city": " "}),
                   "city")
    same = o.address.model_dump()
    assert refused(env.execute("modify_pending_order_address", {"order_id": o.order_id, **same}), "already ships")
    assert refused(env.execute("modify_pending_order_address", {"order_id": "#R1", **NEW_ADDRESS}), "not found")


def test_modify_pending_order_payment_to_a_gift_card_and_back(env):
    o = order(env.db, "pending", lambda o: o.payment_history[0].payment_method_id.startswith("credit_card"))
    gid = add_gift_card(env.db, o.user_id, balance=5000.0)
    old = o.payment_history[0]
    result = ok(env.execute("modify_pending_order_payment", {"order_id": o.order_id, "payment_method_id": gid}))
    assert result["payment_history"][1:] == [
        {"kind": "payment", "payment_method_id": gid, "amount": old.amount},
        {"kind": "refund", "payment_method_id": old.payment_method_id, "amount": old.amount},
    ]
    card = next(m for m in owner(env.db, o).payment_methods if m.payment_method_id == gid)
    assert card.balance == pytest.approx(5000.0 - old.amount)
    # the order now has two payments: no second change
    assert refused(env.execute("modify_pending_order_payment", {"order_id": o.order_id,
                                                                "payment_method_id": old.payment_method_id}),
                   "more than one payment")


def test_modify_pending_order_payment_from_a_gift_card_refunds_it(env):
    o = order(env.db, "pending", lambda o: o.payment_history[0].payment_method_id.startswith("gift_card")
              and any(not isinstance(m, GiftCard) for m in owner(env.db, o).payment_methods))
    gid, amount = o.payment_history[0].payment_method_id, o.payment_history[0].amount
    before = next(m.balance for m in owner(env.db, o).payment_methods if m.payment_method_id == gid)
    new = next(m.payment_method_id for m in owner(env.db, o).payment_methods if not isinstance(m, GiftCard))
    ok(env.execute("modify_pending_order_payment", {"order_id": o.order_id, "payment_method_id": new}))
    after = next(m.balance for m in owner(env.db, o).payment_methods if m.payment_method_id == gid)
    assert after == pytest.approx(before + amount)


def test_modify_pending_order_payment_refusals(env):
    o = order(env.db, "pending")
    paid = o.payment_history[0]
    args = {"order_id": o.order_id, "payment_method_id": paid.payment_method_id}
    assert refused(env.execute("modify_pending_order_payment", args), "already paid")
    stranger = other_user(env.db, o.user_id).payment_methods[0].payment_method_id
    assert refused(env.execute("modify_pending_order_payment", {**args, "payment_method_id": stranger}), "not on file")
    poor = add_gift_card(env.db, o.user_id, balance=round(paid.amount - 0.01, 2))
    assert refused(env.execute("modify_pending_order_payment", {**args, "payment_method_id": poor}), "balance")
    for status in ("pending (items modified)", "delivered"):
        o2 = order(env.db, status)
        obs = env.execute("modify_pending_order_payment", {"order_id": o2.order_id, "payment_method_id": "x"})
        assert refused(obs, "modified" if status.startswith("pending") else "delivered")
    assert refused(env.execute("modify_pending_order_payment", {"order_id": "#R1", "payment_method_id": "x"}),
                   "not found")


def _swappable(db, status):
    """An order paid by card whose first item has other variants, available and not."""
    return order(db, status, lambda o: o.payment_history[0].payment_method_id.startswith("credit_card")
                 and bool(alternatives(db, o)) and bool(alternatives(db, o, available=False)))


def test_modify_pending_order_items_charges_the_difference(env):
    o = _swappable(env.db, "pending")
    old, new = o.items[0], alternatives(env.db, o)[0]
    new_price = env.db.view("products", old.product_id).variants[new].price
    card = o.payment_history[0].payment_method_id
    result = ok(env.execute("modify_pending_order_items", {
        "order_id": o.order_id, "item_ids": [old.item_id], "new_item_ids": [new], "payment_method_id": card}))
    assert result["status"] == "pending (items modified)"
    changed = result["items"][0]
    assert changed["item_id"] == new and changed["price"] == new_price and changed["product_id"] == old.product_id
    diff = round(new_price - old.price, 2)
    if diff:
        assert result["payment_history"][-1] == {"kind": "payment" if diff > 0 else "refund",
                                                 "payment_method_id": card, "amount": abs(diff)}
    assert refused(env.execute("modify_pending_order_items", {
        "order_id": o.order_id, "item_ids": [new], "new_item_ids": [old.item_id], "payment_method_id": card}),
        "already modified once")


def test_modify_pending_order_items_moves_gift_card_balance(env):
    o = _swappable(env.db, "pending")
    old = o.items[0]
    variants = env.db.view("products", old.product_id).variants
    new = max(alternatives(env.db, o), key=lambda i: abs(variants[i].price - old.price))
    diff = round(variants[new].price - old.price, 2)
    gid = add_gift_card(env.db, o.user_id, balance=3000.0)
    ok(env.execute("modify_pending_order_items", {
        "order_id": o.order_id, "item_ids": [old.item_id], "new_item_ids": [new], "payment_method_id": gid}))
    card = next(m for m in owner(env.db, o).payment_methods if m.payment_method_id == gid)
    assert card.balance == pytest.approx(3000.0 - diff)


def test_modify_pending_order_items_refusals(env):
    o = _swappable(env.db, "pending")
    old, new, gone = o.items[0], alternatives(env.db, o)[0], alternatives(env.db, o, available=False)[0]
    card = o.payment_history[0].payment_method_id
    base = {"order_id": o.order_id, "item_ids": [old.item_id], "new_item_ids": [new], "payment_method_id": card}

    def call(**changes):
        return env.execute("modify_pending_order_items", {**base, **changes})

    assert refused(call(item_ids=[], new_item_ids=[]), "at least one")
    assert refused(call(item_ids=[old.item_id, old.item_id], new_item_ids=[new, new]), "repeat")
    assert refused(call(item_ids=["0000000000"]), "has no item")
    assert refused(call(new_item_ids=[new, new]), "one new item per item")
    assert refused(call(new_item_ids=[old.item_id]), "same as the item")
    assert refused(call(new_item_ids=[gone]), "not available")
    other_product = next(p for _, p in env.db.items("products") if p.product_id != old.product_id)
    assert refused(call(new_item_ids=[next(iter(other_product.variants))]), "same product")
    assert refused(call(payment_method_id="paypal_0000000"), "not on file")
    assert refused(call(order_id="#R1"), "not found")
    # two items of the order may not become the same item
    multi = order(env.db, "pending", lambda o: len(o.items) >= 2 and bool(alternatives(env.db, o)))
    target = alternatives(env.db, multi)[0]
    obs = env.execute("modify_pending_order_items", {
        "order_id": multi.order_id, "item_ids": [multi.items[0].item_id, multi.items[1].item_id],
        "new_item_ids": [target, target], "payment_method_id": multi.payment_history[0].payment_method_id})
    assert not obs.ok  # a variant of the wrong product for item 2, or a duplicate
    assert env.db.changed_keys() == set()
    for status in ("processed", "delivered", "cancelled"):
        assert refused(call(order_id=order(env.db, status).order_id), status)


def test_modify_pending_order_items_refuses_duplicate_result(env):
    # an order holding two variants of the same product: swapping one for the other is refused
    def two_of_a_product(o):
        pids = [i.product_id for i in o.items]
        return len(pids) != len(set(pids))

    candidates = orders(env.db, "pending", two_of_a_product)
    if not candidates:  # build one: add a second variant of the first item's product
        o = next(o for o in orders(env.db, "pending") if len(alternatives(env.db, o)) >= 1)
        rec = env.db.edit("orders", o.order_id)
        variant = env.db.view("products", o.items[0].product_id).variants[alternatives(env.db, o)[0]]
        rec.items.append(rec.items[0].model_copy(update={"item_id": variant.item_id, "options": variant.options}))
        env.db.put("orders", o.order_id, rec)
        candidates = [env.db.view("orders", o.order_id)]
    o = candidates[0]
    first = o.items[0]
    twin = next(i for i in o.items[1:] if i.product_id == first.product_id)
    obs = env.execute("modify_pending_order_items", {
        "order_id": o.order_id, "item_ids": [first.item_id], "new_item_ids": [twin.item_id],
        "payment_method_id": o.payment_history[0].payment_method_id})
    assert refused(obs) and ("twice" in obs.content or "not available" in obs.content)


def test_modify_pending_order_items_gift_card_must_cover(env):
    o = order(env.db, "pending", lambda o: any(
        env.db.view("products", o.items[0].product_id).variants[i].price > o.items[0].price
        for i in alternatives(env.db, o)))
    old = o.items[0]
    variants = env.db.view("products", old.product_id).variants
    new = next(i for i in alternatives(env.db, o) if variants[i].price > old.price)
    gid = add_gift_card(env.db, o.user_id, balance=0.0)
    obs = env.execute("modify_pending_order_items", {
        "order_id": o.order_id, "item_ids": [old.item_id], "new_item_ids": [new], "payment_method_id": gid})
    assert refused(obs, "balance", gid)


def test_modify_user_address(env):
    user = next(u for _, u in env.db.items("users"))
    result = ok(env.execute("modify_user_address", {"user_id": user.user_id, **NEW_ADDRESS}))
    assert result["address"] == NEW_ADDRESS
    assert result["saved_addresses"] == [a.model_dump() for a in user.saved_addresses]
    assert refused(env.execute("modify_user_address", {"user_id": user.user_id, **NEW_ADDRESS}), "already")
    assert refused(env.execute("modify_user_address", {"user_id": "nobody", **NEW_ADDRESS}), "not found")
    assert refused(env.execute("modify_user_address", {"user_id": user.user_id, **NEW_ADDRESS, "zip": ""}), "zip")
    # the user is now found by the new zip, not the old one
    by_zip = {"first_name": user.first_name, "last_name": user.last_name}
    assert ok(env.execute("find_user_id_by_name_zip", {**by_zip, "zip": "02110"}))["user_id"] == user.user_id


# -- delivered orders -----------------------------------------------------------------------


def test_return_delivered_order_items_to_original_method(env):
    o = order(env.db, "delivered", lambda o: len(o.items) >= 2)
    ids = [o.items[0].item_id, o.items[1].item_id]
    paid_with = o.payment_history[0].payment_method_id
    result = ok(env.execute("return_delivered_order_items",
                            {"order_id": o.order_id, "item_ids": ids, "payment_method_id": paid_with}))
    assert result["status"] == "return requested"
    assert result["return_details"] == {"item_ids": ids, "payment_method_id": paid_with,
                                        "refund_amount": round(o.items[0].price + o.items[1].price, 2)}
    assert refused(env.execute("return_delivered_order_items",
                               {"order_id": o.order_id, "item_ids": ids, "payment_method_id": paid_with}),
                   "return requested")


def test_return_to_a_gift_card(env):
    o = order(env.db, "delivered", lambda o: o.payment_history[0].payment_method_id.startswith("credit_card"))
    gid = add_gift_card(env.db, o.user_id, balance=0.0)
    result = ok(env.execute("return_delivered_order_items",
                            {"order_id": o.order_id, "item_ids": [o.items[0].item_id], "payment_method_id": gid}))
    assert result["return_details"]["payment_method_id"] == gid


def test_return_refusals(env):
    o = order(env.db, "delivered", lambda o: len([m for m in owner(env.db, o).payment_methods
                                                  if not isinstance(m, GiftCard)]) >= 2)
    paid_with = o.payment_history[0].payment_method_id
    elsewhere = next(m.payment_method_id for m in owner(env.db, o).payment_methods
                     if not isinstance(m, GiftCard) and m.payment_method_id != paid_with)
    base = {"order_id": o.order_id, "item_ids": [o.items[0].item_id], "payment_method_id": paid_with}
    assert refused(env.execute("return_delivered_order_items", {**base, "payment_method_id": elsewhere}),
                   "original payment method")
    stranger = other_user(env.db, o.user_id).payment_methods[0].payment_method_id
    assert refused(env.execute("return_delivered_order_items", {**base, "payment_method_id": stranger}), "not on file")
    assert refused(env.execute("return_delivered_order_items", {**base, "item_ids": ["0000000000"]}), "has no item")
    assert refused(env.execute("return_delivered_order_items", {**base, "item_ids": []}), "at least one")
    for status in ("pending", "processed", "exchange requested"):
        p = order(env.db, status)
        assert refused(env.execute("return_delivered_order_items", {**base, "order_id": p.order_id}), status)
    assert env.db.changed_keys() == set()


def test_exchange_delivered_order_items(env):
    o = _swappable(env.db, "delivered")
    old, new = o.items[0], alternatives(env.db, o)[0]
    price = env.db.view("products", old.product_id).variants[new].price
    pm = o.payment_history[0].payment_method_id
    result = ok(env.execute("exchange_delivered_order_items", {
        "order_id": o.order_id, "item_ids": [old.item_id], "new_item_ids": [new], "payment_method_id": pm}))
    assert result["status"] == "exchange requested"
    assert result["items"] == [i.model_dump() for i in o.items]  # items change when the exchange ships
    assert result["exchange_details"] == {"item_ids": [old.item_id], "new_item_ids": [new], "payment_method_id": pm,
                                          "price_difference": round(price - old.price, 2)}
    assert refused(env.execute("exchange_delivered_order_items", {
        "order_id": o.order_id, "item_ids": [old.item_id], "new_item_ids": [new], "payment_method_id": pm}),
        "exchange requested")


def test_exchange_refusals(env):
    o = _swappable(env.db, "delivered")
    old, new, gone = o.items[0], alternatives(env.db, o)[0], alternatives(env.db, o, available=False)[0]
    base = {"order_id": o.order_id, "item_ids": [old.item_id], "new_item_ids": [new],
            "payment_method_id": o.payment_history[0].payment_method_id}

    def call(**changes):
        return env.execute("exchange_delivered_order_items", {**base, **changes})

    assert refused(call(new_item_ids=[gone]), "not available")
    other_product = next(p for _, p in env.db.items("products") if p.product_id != old.product_id)
    assert refused(call(new_item_ids=[next(iter(other_product.variants))]), "same product")
    assert refused(call(new_item_ids=[old.item_id]), "same as the item")
    assert refused(call(item_ids=["0000000000"]), "has no item")
    assert refused(call(new_item_ids=[]), "one new item per item")
    assert refused(call(payment_method_id="credit_card_0000000"), "not on file")
    assert refused(call(order_id=order(env.db, "pending").order_id), "pending")
    assert refused(call(order_id=order(env.db, "return requested").order_id), "return requested")
    variants = env.db.view("products", old.product_id).variants
    dearer = order(env.db, "delivered", lambda o: any(
        env.db.view("products", o.items[0].product_id).variants[i].price > o.items[0].price
        for i in alternatives(env.db, o)))
    up = next(i for i in alternatives(env.db, dearer)
              if env.db.view("products", dearer.items[0].product_id).variants[i].price > dearer.items[0].price)
    gid = add_gift_card(env.db, dearer.user_id, balance=0.0)
    obs = env.execute("exchange_delivered_order_items", {
        "order_id": dearer.order_id, "item_ids": [dearer.items[0].item_id], "new_item_ids": [up],
        "payment_method_id": gid})
    assert refused(obs, "balance")
    assert variants  # the product was looked up
    assert {k for k in env.db.changed_keys() if k[0] == "orders"} == set()


def test_gift_card_with_exact_balance_is_enough(env):
    o = order(env.db, "pending", lambda o: o.payment_history[0].payment_method_id.startswith("credit_card")
              and bool(gift_cards(owner(env.db, o))))
    amount = o.payment_history[0].amount
    gid = gift_cards(owner(env.db, o))[0].payment_method_id
    set_balance(env.db, o.user_id, gid, amount)
    ok(env.execute("modify_pending_order_payment", {"order_id": o.order_id, "payment_method_id": gid}))
    assert next(m for m in owner(env.db, o).payment_methods if m.payment_method_id == gid).balance == 0


# -- arguments ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, args, where",
    [
        ("get_order_details", {"order_id": 123}, "order_id"),
        ("get_order_details", {}, "order_id"),
        ("get_order_details", {"order_id": "#R1", "extra": 1}, "extra"),
        ("cancel_pending_order", {"order_id": "#R1"}, "reason"),
        ("return_delivered_order_items", {"order_id": "#R1", "item_ids": "123", "payment_method_id": "x"}, "item_ids"),
        ("modify_pending_order_items", {"order_id": "#R1", "item_ids": [1], "new_item_ids": ["2"],
                                        "payment_method_id": "x"}, "item_ids"),
        ("calculate", {"expression": 1 + 2}, "expression"),
        ("list_all_product_types", {"everything": True}, "everything"),
    ],
)
def test_wrong_or_missing_arguments(env, name, args, where):
    obs = env.execute(name, args)
    assert not obs.ok and obs.error_code == "invalid_arguments" and where in obs.content


def test_arguments_that_are_not_an_object(env):
    obs = env.execute("get_user_details", ["olivia"])
    assert obs.error_code == "invalid_arguments"


GARBAGE = ["", " ", "#", "#R", "null", "None", "../../etc/passwd", "' OR 1=1 --", "\x00", "é" * 50, "1" * 300, "#R-1"]


@pytest.mark.parametrize("value", GARBAGE)
def test_no_tool_fails_internally_on_garbage(env, value):
    for spec in domain().tools.values():
        args = {}
        for p in spec.params:
            annotation = spec.args_model.model_fields[p].annotation
            args[p] = [value] if "list" in str(annotation) else value
        obs = env.execute(spec.name, args)
        assert obs.error_code != "internal_error", obs.content
