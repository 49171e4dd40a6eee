"""The airline policy's conversation rules: each catches its violations and passes correct conversations."""

from __future__ import annotations

import random

import pytest

from domains.airline.rules import AUTH_TOOLS, auth_call, confirm_fields, owner_of, user_context
from domains.framework.policy import AuthenticatedBeforeAccess, ConfirmedBeforeWrite, Event
from tests.domains.airline.helpers import FLOWN, MINE, OTHER, OTHER_CARD, THEIRS, USER, booking, domain


@pytest.fixture
def env():
    return domain().new_environment()


def tool(env, name, **args):
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
    assert {r.name for r in domain().policy.rules} == {"authenticated_before_access", "confirmed_before_write"}
    assert rule(AuthenticatedBeforeAccess).auth_tools == AUTH_TOOLS == {"get_user_details"}
    assert rule(ConfirmedBeforeWrite).write_tools == set(domain().write_tools())
    assert domain().policy.preconditions and "24 h" in " ".join(domain().policy.preconditions)


# -- owner_of ---------------------------------------------------------------------------------------
def test_owner_of(env):
    db = env.db
    assert owner_of(db, "get_user_details", {"user_id": USER}) == USER
    assert owner_of(db, "book_reservation", {"user_id": OTHER}) == OTHER
    assert owner_of(db, "send_certificate", {"user_id": USER, "reservation_id": THEIRS}) == USER
    for name in ("get_reservation_details", "cancel_reservation", "update_reservation_flights",
                 "update_reservation_passengers", "update_reservation_baggages"):
        assert owner_of(db, name, {"reservation_id": THEIRS}) == OTHER
    assert owner_of(db, "get_reservation_details", {"reservation_id": "ZZZZZZ"}) is None
    assert owner_of(db, "get_reservation_details", {"reservation_id": 7}) is None
    assert owner_of(db, "get_user_details", {"user_id": "nobody_0000"}) is None
    for name, args in [("search_direct_flight", {"origin": "JFK", "destination": "LAX", "date": "2025-05-20"}),
                       ("list_all_airports", {}), ("calculate", {"expression": "1 + 1"}),
                       ("get_flight_status", {"flight_number": "HL100", "date": "2025-05-20"}),
                       ("transfer_to_human_agents", {"summary": "x"})]:
        assert owner_of(db, name, args) is None


# -- authenticated before access -------------------------------------------------------------------
def test_reading_a_reservation_before_authentication_is_a_violation(env):
    events = [tool(env, "get_reservation_details", reservation_id=MINE), tool(env, "get_user_details", user_id=USER)]
    violations = check(env, AuthenticatedBeforeAccess, events)
    assert len(violations) == 1 and violations[0].event_index == 0
    assert "before the user was authenticated" in violations[0].message


def test_a_failed_lookup_does_not_authenticate(env):
    events = [tool(env, "get_user_details", user_id="nobody_0000"), tool(env, "get_reservation_details", reservation_id=MINE)]
    violations = check(env, AuthenticatedBeforeAccess, events)
    assert [v.event_index for v in violations] == [1]


def test_touching_another_users_data_is_a_violation(env):
    events = [
        tool(env, "get_user_details", user_id=USER),
        tool(env, "get_reservation_details", reservation_id=THEIRS),
        tool(env, "cancel_reservation", reservation_id=THEIRS, reason="other"),
        tool(env, "book_reservation", **booking(env, user_id=OTHER, card=OTHER_CARD)),
        tool(env, "send_certificate", user_id=OTHER, reservation_id=THEIRS, reason="delayed flight", amount=50),
    ]
    violations = check(env, AuthenticatedBeforeAccess, events)
    assert [v.event_index for v in violations] == [1, 2, 3, 4]
    assert all(f"user {OTHER!r}'s data while authenticated as {USER!r}" in v.message for v in violations)


def test_looking_up_a_second_user_is_a_violation(env):
    events = [tool(env, "get_user_details", user_id=USER), tool(env, "get_user_details", user_id=OTHER)]
    violations = check(env, AuthenticatedBeforeAccess, events)
    assert len(violations) == 1 and "second user" in violations[0].message


def test_own_data_and_public_reads_after_authentication_pass(env):
    events = [
        tool(env, "list_all_airports"),  # public: no user's data
        tool(env, "search_direct_flight", origin="JFK", destination="LAX", date="2025-05-20"),
        tool(env, "get_user_details", user_id=USER),
        tool(env, "get_user_details", user_id=USER),  # the same user again is fine
        tool(env, "get_reservation_details", reservation_id=MINE),
        tool(env, "calculate", expression="328 - 209"),
        tool(env, "book_reservation", **booking(env)),
        tool(env, "update_reservation_baggages", reservation_id=MINE, total_baggages=1,
             payment_method_id="credit_card_6959825"),
    ]
    assert all(e.observation.ok for e in events)
    assert check(env, AuthenticatedBeforeAccess, events) == []


# -- confirmed before write ------------------------------------------------------------------------
def _bags(env):
    return tool(env, "update_reservation_baggages", reservation_id=MINE, total_baggages=1,
                payment_method_id="credit_card_6959825")


def test_write_without_confirmation_is_a_violation(env):
    events = [user("My id is andre_hall_1042"), tool(env, "get_user_details", user_id=USER),
              say("I can add one bag to reservation P3O4R3."), _bags(env)]
    violations = check(env, ConfirmedBeforeWrite, events)
    assert len(violations) == 1 and "without the user's explicit confirmation" in violations[0].message


def test_a_no_is_not_a_confirmation(env):
    events = [say("Shall I add one bag to reservation P3O4R3?"), user("No, wait, let me think."), _bags(env)]
    assert len(check(env, ConfirmedBeforeWrite, events)) == 1


def test_confirmation_that_does_not_name_the_reservation_is_a_violation(env):
    events = [say("Shall I add one bag to your reservation?"), user("Yes please."), _bags(env)]
    violations = check(env, ConfirmedBeforeWrite, events)
    assert len(violations) == 1 and "did not state P3O4R3" in violations[0].message


def test_one_confirmation_covers_one_write(env):
    events = [say("Shall I add one bag to reservation P3O4R3?"), user("Yes."), _bags(env),
              tool(env, "update_reservation_baggages", reservation_id=MINE, total_baggages=2,
                   payment_method_id="credit_card_6959825")]
    violations = check(env, ConfirmedBeforeWrite, events)
    assert [v.event_index for v in violations] == [3]


def test_confirmed_writes_pass(env):
    args = booking(env)
    events = [
        say("To confirm: I will add one checked bag to reservation P3O4R3, free with your allowance. Proceed?"),
        user("Yes, go ahead."),
        _bags(env),
        say(f"I will book {args['origin']} to {args['destination']} on {args['flights'][0]['date']} in economy, "
            f"${args['payment_methods'][0]['amount']} on your Mastercard. Shall I book it?"),
        user("Yes, please book it."),
        tool(env, "book_reservation", **args),
    ]
    assert all(e.observation.ok for e in events if e.kind == "tool")
    assert check(env, ConfirmedBeforeWrite, events) == []


def test_booking_confirmation_must_name_the_route(env):
    args = booking(env)
    events = [say("I will book the flight we discussed. OK?"), user("Yes."), tool(env, "book_reservation", **args)]
    violations = check(env, ConfirmedBeforeWrite, events)
    assert len(violations) == 1 and args["origin"] in violations[0].message


def test_confirm_fields():
    assert confirm_fields("cancel_reservation", {"reservation_id": "AB12CD", "reason": "other"}) == ["reservation_id"]
    assert confirm_fields("send_certificate", {"user_id": USER, "reservation_id": "AB12CD", "amount": 50}) == ["reservation_id"]
    assert confirm_fields("book_reservation", {"user_id": USER, "origin": "JFK", "destination": "SEA"}) == ["origin", "destination"]


def test_policy_check_on_actions_only(env):
    events = [tool(env, "get_user_details", user_id=USER), _bags(env)]  # no dialogue at all
    assert domain().policy.check(events, env.db, actions_only=True) == []
    assert [v.rule for v in domain().policy.check(events, env.db)] == ["confirmed_before_write"]


def test_auth_call_and_user_context(env):
    assert auth_call(env.db, USER, random.Random(0)) == ("get_user_details", {"user_id": USER})
    context = user_context(env.db, USER)
    assert context["user"]["user_id"] == USER and context["current_time"] == "2025-05-15T15:00:00"
    assert [r["reservation_id"] for r in context["reservations"]] == [MINE, FLOWN]
    assert all("status" in s for r in context["reservations"] for s in r["flights"])
    assert user_context(env.db, "nobody_0000") == {"current_time": "2025-05-15T15:00:00"}
