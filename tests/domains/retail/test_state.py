"""State of a retail environment: fingerprints compare states, diffs name records and fields."""

from __future__ import annotations

from tests.domains.retail.helpers import base_hash_now, domain, order, set_balance


def fresh():
    return domain().new_environment()


NEW_ADDRESS = {"address1": "12 Orchard Court", "address2": "Apt 4B", "city": "Madison", "state": "WI",
               "country": "USA", "zip": "53703"}


def _writes(db):
    pending = order(db, "pending")
    delivered = order(db, "delivered")
    return [
        ("cancel_pending_order", {"order_id": pending.order_id, "reason": "ordered by mistake"}),
        ("return_delivered_order_items", {"order_id": delivered.order_id, "item_ids": [delivered.items[0].item_id],
                                          "payment_method_id": delivered.payment_history[0].payment_method_id}),
        ("modify_user_address", {"user_id": delivered.user_id, **NEW_ADDRESS}),
    ]


def test_fresh_environments_have_the_same_fingerprint():
    a, b = fresh(), fresh()
    assert a.fingerprint() == b.fingerprint() == f"{domain().tables.total_hash:032x}"
    assert a.diff(b) == []


def test_same_writes_give_the_same_fingerprint():
    a, b = fresh(), fresh()
    calls = _writes(a.db)
    for env in (a, b):
        for name, args in calls:
            assert env.execute(name, args).ok
    assert a.fingerprint() == b.fingerprint() != fresh().fingerprint()
    assert a.diff(b) == []


def test_reads_do_not_change_the_fingerprint():
    env = fresh()
    o = order(env.db, "pending")
    before = env.fingerprint()
    env.execute("get_user_details", {"user_id": o.user_id})
    env.execute("get_order_details", {"order_id": o.order_id})
    env.execute("calculate", {"expression": "1+1"})
    env.execute("cancel_pending_order", {"order_id": order(env.db, "delivered").order_id, "reason": "no longer needed"})
    assert env.fingerprint() == before and env.db.changed_keys() == set()


def test_writes_that_restore_a_value_restore_the_fingerprint():
    env = fresh()
    o = order(env.db, "pending")
    user = env.db.view("users", o.user_id)
    original = user.address.model_dump()
    base = env.fingerprint()
    assert env.execute("modify_user_address", {"user_id": user.user_id, **NEW_ADDRESS}).ok
    assert env.fingerprint() != base
    assert env.execute("modify_user_address", {"user_id": user.user_id, **original}).ok
    assert env.fingerprint() == base
    assert env.diff(fresh()) == []
    # the same for an order's address, changed in another environment in another order of steps
    other = fresh()
    assert other.execute("modify_pending_order_address", {"order_id": o.order_id, **NEW_ADDRESS}).ok
    assert other.execute("modify_pending_order_address", {"order_id": o.order_id, **o.address.model_dump()}).ok
    assert other.fingerprint() == base


def test_equal_amounts_written_as_int_or_float_are_equal():
    a, b = fresh(), fresh()
    o = order(a.db, "pending", lambda o: any(m.source == "gift_card" for m in a.db.view("users", o.user_id).payment_methods))
    gid = next(m.payment_method_id for m in a.db.view("users", o.user_id).payment_methods if m.source == "gift_card")
    set_balance(a.db, o.user_id, gid, 25)
    set_balance(b.db, o.user_id, gid, 25.0)
    assert a.fingerprint() == b.fingerprint()
    set_balance(b.db, o.user_id, gid, 25.01)
    assert a.fingerprint() != b.fingerprint()


def test_any_changed_field_changes_the_fingerprint():
    env = fresh()
    o = order(env.db, "delivered")
    base = env.fingerprint()
    seen = {base}
    edits = [
        lambda r: setattr(r, "status", "processed"),
        lambda r: setattr(r, "placed_on", "1999-01-01"),
        lambda r: setattr(r.address, "zip", "00000"),
        lambda r: setattr(r.items[0], "price", r.items[0].price + 0.01),
        lambda r: r.items[0].options.update({"color": "ultraviolet"}),
        lambda r: setattr(r.payment_history[0], "amount", 0.0),
        lambda r: r.fulfilments[0].item_ids.append("extra"),
        lambda r: setattr(r, "cancel_reason", "ordered by mistake"),
    ]
    for edit in edits:
        env.reset()
        rec = env.db.edit("orders", o.order_id)
        edit(rec)
        env.db.put("orders", o.order_id, rec)
        fp = env.fingerprint()
        assert fp not in seen
        seen.add(fp)
    env.reset()
    assert env.fingerprint() == base


def test_diff_names_the_record_and_the_fields():
    env, base = fresh(), fresh()
    o = order(env.db, "pending", lambda o: o.payment_history[0].payment_method_id.startswith("gift_card"))
    assert env.execute("cancel_pending_order", {"order_id": o.order_id, "reason": "found a better price"}).ok
    diffs = {(d.table, d.key): d for d in env.diff(base)}
    assert set(diffs) == {("orders", o.order_id), ("users", o.user_id)}
    order_diff = diffs[("orders", o.order_id)]
    assert order_diff.change == "modified"
    assert set(order_diff.fields) == {"status", "cancel_reason", "payment_history"}
    assert order_diff.fields["status"] == ("cancelled", "pending")
    assert set(diffs[("users", o.user_id)].fields) == {"payment_methods"}
    assert f"orders/{o.order_id}" in str(order_diff) and "status" in str(order_diff)


def test_diff_reports_added_records():
    env, base = fresh(), fresh()
    user = next(u for _, u in env.db.items("users"))
    env.db.insert("users", "new_user_1", user.model_copy(update={"user_id": "new_user_1"}))
    # a diff reads from the first state to the second
    assert [(d.table, d.key, d.change) for d in base.diff(env)] == [("users", "new_user_1", "added")]
    assert [(d.table, d.key, d.change) for d in env.diff(base)] == [("users", "new_user_1", "removed")]


def test_reset_forgets_every_change():
    env = fresh()
    base = env.fingerprint()
    for name, args in _writes(env.db):
        assert env.execute(name, args).ok
    assert env.fingerprint() != base
    env.reset()
    assert env.fingerprint() == base and env.db.changed_keys() == set() and env.trace == []


def test_tools_never_mutate_the_shared_base():
    tables = domain().tables
    expected = tables.total_hash  # computed (once) before the writes
    env = fresh()
    for name, args in _writes(env.db):
        assert env.execute(name, args).ok
    assert base_hash_now(tables) == expected
