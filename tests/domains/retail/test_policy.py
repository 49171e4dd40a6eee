"""The retail policy's conversation rules: each catches its violation and passes a correct conversation."""

from __future__ import annotations

import random

import pytest

from domains.framework.policy import AuthenticatedBeforeAccess, ConfirmedBeforeWrite, Event
from domains.retail.rules import AUTH_TOOLS, auth_call, confirm_fields, owner_of, user_context
from tests.domains.retail.helpers import domain, order, orders


@pytest.fixture
def env():
    return domain().new_environment()


def tool(env, name, args):
    return Event(kind="tool", observation=env.execute(name, args))


def say(text):
    return Event(kind="agent", text=text)


def user(text):
    return Event(kind="user", text=text)


def rule(cls):
    return next(r for r in domain().policy.rules if isinstance(r, cls))


def check(env, cls, events):
    return rule(cls).check(events, env.db)


def test_the_domain_has_both_rules():
    names = {r.name for r in domain().policy.rules}
    assert names == {"authenticated_before_access", "confirmed_before_write"}
    assert rule(AuthenticatedBeforeAccess).auth_tools == AUTH_TOOLS
    assert rule(ConfirmedBeforeWrite).write_tools == set(domain().write_tools())


# -- authenticated before access ------------------------------------------------------------


def test_reading_an_order_before_authentication_is_a_violation(env):
    o = order(env.db, "pending")
    email = env.db.view("users", o.user_id).email
    events = [tool(env, "get_order_details", {"order_id": o.order_id}),
              tool(env, "find_user_id_by_email", {"email": email})]
    violations = check(env, AuthenticatedBeforeAccess, events)
    assert len(violations) == 1 and violations[0].event_index == 0
    assert "before the user was authenticated" in violations[0].message


def test_reading_own_data_after_authentication_passes(env):
    o = order(env.db, "pending")
    u = env.db.view("users", o.user_id)
    events = [
        tool(env, "find_user_id_by_name_zip", {"first_name": u.first_name, "last_name": u.last_name, "zip": u.address.zip}),
        tool(env, "get_user_details", {"user_id": u.user_id}),
        tool(env, "get_order_details", {"order_id": o.order_id}),
        tool(env, "get_product_details", {"product_id": o.items[0].product_id}),
        tool(env, "list_all_product_types", {}),
        tool(env, "calculate", {"expression": "1 + 1"}),
    ]
    assert check(env, AuthenticatedBeforeAccess, events) == []


def test_touching_another_users_data_is_a_violation(env):
    o = order(env.db, "pending")
    other = order(env.db, "delivered", lambda x: x.user_id != o.user_id)
    email = env.db.view("users", o.user_id).email
    events = [tool(env, "find_user_id_by_email", {"email": email}),
              tool(env, "get_order_details", {"order_id": other.order_id}),
              tool(env, "get_user_details", {"user_id": other.user_id})]
    violations = check(env, AuthenticatedBeforeAccess, events)
    assert [v.event_index for v in violations] == [1, 2]
    assert other.user_id in violations[0].message and o.user_id in violations[0].message


def test_authenticating_a_second_user_is_a_violation(env):
    a = order(env.db, "pending")
    b = order(env.db, "delivered", lambda x: x.user_id != a.user_id)
    events = [tool(env, "find_user_id_by_email", {"email": env.db.view("users", a.user_id).email}),
              tool(env, "find_user_id_by_email", {"email": env.db.view("users", b.user_id).email})]
    violations = check(env, AuthenticatedBeforeAccess, events)
    assert len(violations) == 1 and "second user" in violations[0].message


def test_a_failed_lookup_does_not_authenticate(env):
    o = order(env.db, "pending")
    events = [tool(env, "find_user_id_by_email", {"email": "nobody@example.com"}),
              tool(env, "get_order_details", {"order_id": o.order_id})]
    assert len(check(env, AuthenticatedBeforeAccess, events)) == 1


def test_owner_of(env):
    o = order(env.db, "pending")
    db = env.db
    assert owner_of(db, "get_order_details", {"order_id": o.order_id}) == o.user_id
    assert owner_of(db, "cancel_pending_order", {"order_id": o.order_id, "reason": "x"}) == o.user_id
    assert owner_of(db, "get_user_details", {"user_id": o.user_id}) == o.user_id
    assert owner_of(db, "modify_user_address", {"user_id": o.user_id, "zip": "1"}) == o.user_id
    assert owner_of(db, "get_order_details", {"order_id": "#R0"}) is None  # nobody's data
    assert owner_of(db, "get_user_details", {"user_id": "nobody"}) is None
    assert owner_of(db, "get_order_details", {"order_id": ["#R0"]}) is None  # invented argument types
    assert owner_of(db, "get_product_details", {"product_id": o.items[0].product_id}) is None
    assert owner_of(db, "calculate", {"expression": "1"}) is None
    assert owner_of(db, "transfer_to_human_agents", {"summary": "s"}) is None


# -- confirmed before write ------------------------------------------------------------------


def _cancel_events(env, agent_text, user_text):
    o = order(env.db, "pending")
    events = [say(agent_text.format(order_id=o.order_id)), user(user_text)] if agent_text else [user(user_text)]
    events.append(tool(env, "cancel_pending_order", {"order_id": o.order_id, "reason": "no longer needed"}))
    return events


def test_write_with_confirmation_naming_the_order_passes(env):
    events = _cancel_events(env, "I will cancel order {order_id} (reason: no longer needed). Shall I proceed?",
                            "Yes, please go ahead.")
    assert check(env, ConfirmedBeforeWrite, events) == []


def test_write_without_confirmation_is_a_violation(env):
    o = order(env.db, "pending")
    events = [user("Cancel my order please"), say(f"Cancelling {o.order_id} now."),
              tool(env, "cancel_pending_order", {"order_id": o.order_id, "reason": "no longer needed"})]
    violations = check(env, ConfirmedBeforeWrite, events)
    assert len(violations) == 1 and "without the user's explicit confirmation" in violations[0].message


def test_write_after_a_no_is_a_violation(env):
    events = _cancel_events(env, "Cancel order {order_id}?", "No, wait, don't do it.")
    assert len(check(env, ConfirmedBeforeWrite, events)) == 1


def test_confirmation_that_does_not_name_the_id_is_a_violation(env):
    events = _cancel_events(env, "Shall I cancel your most recent order?", "yes")
    violations = check(env, ConfirmedBeforeWrite, events)
    assert len(violations) == 1
    order_id = events[-1].observation.arguments["order_id"]
    assert order_id in violations[0].message


def test_one_confirmation_covers_one_write(env):
    a = order(env.db, "pending")
    b = order(env.db, "pending", lambda o: o.order_id != a.order_id)
    events = [say(f"Cancel {a.order_id} and {b.order_id}?"), user("yes"),
              tool(env, "cancel_pending_order", {"order_id": a.order_id, "reason": "no longer needed"}),
              tool(env, "cancel_pending_order", {"order_id": b.order_id, "reason": "no longer needed"})]
    violations = check(env, ConfirmedBeforeWrite, events)
    assert [v.event_index for v in violations] == [3]


def _an_item_swap(env) -> tuple[dict, str]:
    """Arguments of an items modification the tool carries out, and the new item's id."""
    for o in orders(env.db, "pending"):
        item = o.items[0]
        product = env.db.view("products", item.product_id)
        for variant in product.variants.values():
            if variant.available and variant.item_id != item.item_id:
                args = {"order_id": o.order_id, "item_ids": [item.item_id], "new_item_ids": [variant.item_id],
                        "payment_method_id": o.payment_history[0].payment_method_id}
                if domain().new_environment().execute("modify_pending_order_items", args).ok:
                    return args, variant.item_id
    raise AssertionError("the shipped data has no pending order with an item to swap")


def test_item_exchange_confirmation_names_every_id(env):
    args, new = _an_item_swap(env)
    old = args["item_ids"][0]
    assert confirm_fields("modify_pending_order_items", args) == ["order_id", "item_ids", "new_item_ids", "payment_method_id"]
    full = f"Change item {old} of {args['order_id']} to {new}, paying the difference with {args['payment_method_id']}?"
    partial = f"Change item {old} of {args['order_id']} to {new}?"
    obs = env.execute("modify_pending_order_items", args)
    assert obs.ok
    good = [say(full), user("yes"), Event(kind="tool", observation=obs)]
    bad = [say(partial), user("yes"), Event(kind="tool", observation=obs)]
    assert check(env, ConfirmedBeforeWrite, good) == []
    violations = check(env, ConfirmedBeforeWrite, bad)
    assert len(violations) == 1 and args["payment_method_id"] in violations[0].message


def test_address_changes_must_state_the_street_and_zip(env):
    o = order(env.db, "pending")
    address = {"address1": "77 Harbor Lane", "address2": "", "city": "Boston", "state": "MA", "country": "USA",
               "zip": "02110"}
    assert confirm_fields("modify_pending_order_address", {"order_id": o.order_id, **address}) == [
        "order_id", "address1", "zip"]
    assert confirm_fields("modify_user_address", {"user_id": o.user_id, **address}) == ["address1", "zip"]
    order_change = tool(env, "modify_pending_order_address", {"order_id": o.order_id, **address})
    profile_change = tool(env, "modify_user_address", {"user_id": o.user_id, **address})
    ok_events = [say(f"Ship {o.order_id} to 77 Harbor Lane, Boston, MA 02110?"), user("Yes"), order_change,
                 say("And make 77 Harbor Lane, 02110 your default address?"), user("sure"), profile_change]
    assert check(env, ConfirmedBeforeWrite, ok_events) == []
    vague = [say(f"Ship {o.order_id} to your new address in Boston?"), user("Yes"), order_change]
    violations = check(env, ConfirmedBeforeWrite, vague)
    assert len(violations) == 1 and "77 Harbor Lane" in violations[0].message and "02110" in violations[0].message


def test_reads_need_no_confirmation(env):
    o = order(env.db, "pending")
    events = [tool(env, "get_order_details", {"order_id": o.order_id}),
              tool(env, "transfer_to_human_agents", {"summary": "wants a human"})]
    assert check(env, ConfirmedBeforeWrite, events) == []


def test_the_whole_policy_on_a_good_conversation(env):
    o = order(env.db, "pending")
    email = env.db.view("users", o.user_id).email
    events = [
        user(f"Hi, I'd like to cancel an order. My email is {email}."),
        tool(env, "find_user_id_by_email", {"email": email}),
        tool(env, "get_order_details", {"order_id": o.order_id}),
        say(f"Order {o.order_id} is pending. Cancel it because it is no longer needed?"),
        user("Yes, that's right."),
        tool(env, "cancel_pending_order", {"order_id": o.order_id, "reason": "no longer needed"}),
    ]
    assert all(e.observation.ok for e in events if e.observation)
    assert domain().policy.check(events, env.db) == []


# -- sampling hooks ---------------------------------------------------------------------------


def test_auth_call_identifies_the_user_both_ways(env):
    seen = set()
    uid = domain().user_ids()[0]
    for i in range(40):
        name, args = auth_call(env.db, uid, random.Random(i))
        seen.add(name)
        obs = env.execute(name, args)
        assert obs.ok and obs.result["user_id"] == uid
    assert seen == AUTH_TOOLS


def test_user_context_shows_the_users_records(env):
    o = order(env.db, "delivered")
    ctx = user_context(env.db, o.user_id)
    assert ctx["user"]["user_id"] == o.user_id
    assert o.order_id in [x["order_id"] for x in ctx["orders"]]
    assert o.items[0].product_id in ctx["products"]
    assert user_context(env.db, "nobody") == {}


def test_policy_text_and_preconditions():
    policy = domain().policy
    assert policy.text.startswith("# Retail support desk policy")
    for word in ("pending", "delivered", "gift card", "confirm", "transfer"):
        assert word in policy.text.lower()
    assert len(policy.preconditions) >= 6
