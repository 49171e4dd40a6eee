"""State fingerprints and diffs on the airline database."""

from __future__ import annotations

import pytest

from domains.airline.models import instance_key
from tests.domains.airline.helpers import CARD, MINE, USER, add_methods, booking, domain, edit, ok

ME = {"first_name": "Andre", "last_name": "Hall", "dob": "1958-04-20"}


@pytest.fixture
def env():
    return domain().new_environment()


def _writes(env):
    args = booking(env, n=2, round_trip=True, bags=3)
    rid = ok(env, "book_reservation", **args)["reservation_id"]
    ok(env, "update_reservation_baggages", reservation_id=MINE, total_baggages=4, payment_method_id=CARD)
    ok(env, "update_reservation_passengers", reservation_id=rid,
       passengers=[ME, {"first_name": "Lina", "last_name": "Hall", "dob": "1990-07-14"}])
    ok(env, "cancel_reservation", reservation_id=rid, reason="change of plans")
    return rid


def test_same_writes_give_the_same_fingerprint():
    a, b = domain().new_environment(), domain().new_environment()
    assert a.fingerprint() == b.fingerprint()
    assert _writes(a) == _writes(b)  # reservation codes are deterministic too
    assert a.fingerprint() == b.fingerprint() != domain().new_environment().fingerprint()
    assert a.diff(b) == []


def test_writes_that_restore_a_value_restore_the_fingerprint(env):
    fresh = env.fingerprint()
    people = [p.model_dump() for p in env.db.view("reservations", MINE).passengers]
    ok(env, "update_reservation_passengers", reservation_id=MINE, passengers=[{**people[0], "first_name": "Andrew"}, *people[1:]])
    assert env.fingerprint() != fresh
    ok(env, "update_reservation_passengers", reservation_id=MINE, passengers=people)
    assert env.fingerprint() == fresh and env.diff(domain().new_environment()) == []


def test_money_written_as_int_or_float_hashes_the_same():
    a, b = domain().new_environment(), domain().new_environment()
    add_methods(a, USER, {"source": "travel_credit", "payment_method_id": "travel_credit_1", "amount": 40})
    add_methods(b, USER, {"source": "travel_credit", "payment_method_id": "travel_credit_1", "amount": 40.0})
    assert a.fingerprint() == b.fingerprint()


@pytest.mark.parametrize("table, key, field, value", [
    ("users", USER, "membership", "gold"),
    ("users", USER, "phone", "555-0000"),
    ("users", USER, "reservation_ids", [MINE]),
    ("reservations", MINE, "total_baggages", 3),
    ("reservations", MINE, "insurance", True),
    ("reservations", MINE, "status", "cancelled"),
    ("reservations", MINE, "compensation_certificate_id", "certificate_X"),
    ("flight_instances", instance_key("HL169", "2025-05-22"), "status", "delayed"),
    ("flights", "HL169", "scheduled_departure", "13:35"),
    ("airports", "JFK", "city", "Queens"),
])
def test_any_changed_field_changes_the_fingerprint_and_the_diff_names_it(env, table, key, field, value):
    fresh = env.fingerprint()
    edit(env, table, key, **{field: value})
    assert env.fingerprint() != fresh
    diffs = env.diff(domain().new_environment())
    assert len(diffs) == 1
    assert (diffs[0].table, diffs[0].key, diffs[0].change) == (table, key, "modified")
    assert list(diffs[0].fields) == [field]
    assert f"{table}/{key}" in str(diffs[0]) and field in str(diffs[0])


def test_nested_changes_change_the_fingerprint(env):
    fresh = env.fingerprint()
    key = instance_key("HL169", "2025-05-22")
    inst = env.db.edit("flight_instances", key)
    inst.available_seats["economy"] -= 1
    env.db.put("flight_instances", key, inst)
    assert env.fingerprint() != fresh
    user = env.db.edit("users", USER)
    user.payment_methods[0].amount += 1  # the certificate's value
    env.db.put("users", USER, user)
    diffs = {(d.table, d.key): d for d in env.diff(domain().new_environment())}
    assert set(diffs) == {("flight_instances", key), ("users", USER)}
    assert list(diffs[("flight_instances", key)].fields) == ["available_seats"]
    assert list(diffs[("users", USER)].fields) == ["payment_methods"]


def test_diff_of_a_booking_names_every_record_and_field(env):
    args = booking(env, n=1)
    rid = ok(env, "book_reservation", **args)["reservation_id"]
    diffs = {(d.table, d.key): d for d in domain().new_environment().diff(env)}  # from the base to env
    seg = args["flights"][0]
    assert diffs[("reservations", rid)].change == "added"
    assert list(diffs[("users", USER)].fields) == ["reservation_ids"]
    assert list(diffs[("flight_instances", instance_key(seg["flight_number"], seg["date"]))].fields) == ["available_seats"]


def test_reset_restores_the_fingerprint(env):
    fresh = env.fingerprint()
    _writes(env)
    assert env.fingerprint() != fresh
    env.reset()
    assert env.fingerprint() == fresh and env.db.changed_keys() == set() and env.trace == []


def test_reads_and_refusals_leave_the_state_alone(env):
    fresh = env.fingerprint()
    ok(env, "get_reservation_details", reservation_id=MINE)
    ok(env, "search_onestop_flight", origin="JFK", destination="SEA", date="2025-05-20")
    env.execute("cancel_reservation", {"reservation_id": MINE, "reason": "other"})  # refused: not eligible
    env.execute("update_reservation_baggages", {"reservation_id": MINE, "total_baggages": 99, "payment_method_id": CARD})
    assert env.fingerprint() == fresh and env.db.changed_keys() == set()
