import pytest

from domains.framework import ToolError
from domains.framework.canonical import canonical_json
from tests.domains.framework.toy import Order, build_toy, make_tables


def test_equal_states_have_equal_fingerprints():
    d = build_toy()
    a, b = d.new_environment(), d.new_environment()
    assert a.fingerprint() == b.fingerprint()
    a.execute("cancel_order", {"order_id": "#O0_0", "reason": "no longer needed"})
    assert a.fingerprint() != b.fingerprint()
    b.execute("cancel_order", {"order_id": "#O0_0", "reason": "no longer needed"})
    assert a.fingerprint() == b.fingerprint()


def test_restoring_a_value_restores_the_fingerprint():
    d = build_toy()
    env = d.new_environment()
    before = env.fingerprint()
    order = env.db.edit("orders", "#O1_0")
    order.total = 99.0
    env.db.put("orders", "#O1_0", order)
    assert env.fingerprint() != before
    order = env.db.edit("orders", "#O1_0")
    order.total = 10  # int vs float: canonical form makes 10 == 10.0
    env.db.put("orders", "#O1_0", order)
    assert env.fingerprint() == before


def test_every_field_change_changes_the_fingerprint():
    d = build_toy()
    base = d.new_environment().fingerprint()
    changes = {"status": "delivered", "total": 10.5, "user_id": "user_9"}
    for field, value in changes.items():
        env = d.new_environment()
        order = env.db.edit("orders", "#O2_0")
        setattr(order, field, value)
        env.db.put("orders", "#O2_0", order)
        assert env.fingerprint() != base, field


def test_diff_names_the_record_and_field():
    d = build_toy()
    a, b = d.new_environment(), d.new_environment()
    b.execute("cancel_order", {"order_id": "#O3_2", "reason": "ordered by mistake"})
    (diff,) = a.diff(b)
    assert (diff.table, diff.key, diff.change) == ("orders", "#O3_2", "modified")
    assert diff.fields == {"status": ("pending", "cancelled")}
    assert "orders/#O3_2" in str(diff)


def test_insert_and_delete_show_in_diff_and_fingerprint():
    d = build_toy()
    a, b = d.new_environment(), d.new_environment()
    b.db.insert("orders", "#NEW", Order(order_id="#NEW", user_id="user_0", status="pending", total=1.0))
    b.db.delete("orders", "#O0_1")
    kinds = {(x.key, x.change) for x in a.diff(b)}
    assert kinds == {("#NEW", "added"), ("#O0_1", "removed")}
    assert a.fingerprint() != b.fingerprint()
    assert "#O0_1" not in set(b.db.keys("orders")) and "#NEW" in set(b.db.keys("orders"))


def test_reset_and_shared_base_is_never_mutated():
    tables = make_tables()
    d = build_toy(tables)
    snapshot = canonical_json(tables.to_json())
    env = d.new_environment()
    start = env.fingerprint()
    env.execute("cancel_order", {"order_id": "#O0_0", "reason": "no longer needed"})
    env.reset()
    assert env.fingerprint() == start and env.trace == []
    assert canonical_json(tables.to_json()) == snapshot
    assert d.new_environment().db.view("orders", "#O0_0").status == "pending"


def test_find_sees_overlay_changes():
    d = build_toy()
    env = d.new_environment()
    assert env.db.find("users", email="u3@example.com") == ["user_3"]
    user = env.db.edit("users", "user_3")
    user.email = "new@example.com"
    env.db.put("users", "user_3", user)
    assert env.db.find("users", email="u3@example.com") == []
    assert env.db.find("users", email="new@example.com") == ["user_3"]


def test_require_returns_the_current_record_or_refuses_naming_it():
    env = build_toy().new_environment()
    order = env.db.edit("orders", "#O0_0")
    order.total = 42.0
    env.db.put("orders", "#O0_0", order)
    assert env.db.require("orders", "#O0_0", "order").total == 42.0
    with pytest.raises(ToolError, match=r"^order 'O0_0' not found \(ids start with '#'\)$"):
        env.db.require("orders", "O0_0", "order", " (ids start with '#')")
    env.db.delete("orders", "#O0_0")
    with pytest.raises(ToolError, match="order '#O0_0' not found"):
        env.db.require("orders", "#O0_0", "order")


def test_reset_cost_does_not_grow_with_database_size():
    small, large = build_toy(make_tables(20)), build_toy(make_tables(20000))
    for d in (small, large):
        env = d.new_environment()
        env.fingerprint()
        env.execute("cancel_order", {"order_id": "#O0_0", "reason": "no longer needed"})
        # the overlay holds only the changed record, whatever the size of the base
        assert env.db.changed_keys() == {("orders", "#O0_0")}
