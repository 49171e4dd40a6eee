"""Write tools of the airline: success paths with their effects, and every refusal."""

from __future__ import annotations

import copy

import pytest

from domains.airline.models import NOW_ISO, instance_key
from tests.domains.airline.helpers import (
    CARD,
    CERT,
    FLOWN,
    MINE,
    PEOPLE,
    USER,
    add_methods,
    book,
    booking,
    domain,
    edit,
    make_flight,
    ok,
    price,
    refused,
    seats,
    set_status,
)

OLD = "2025-04-01T09:00:00"  # booked long ago: the 24-hour rule does not apply
CREDIT = {"source": "travel_credit", "payment_method_id": "travel_credit_1111111", "amount": 40.0}
CARD2 = {"source": "credit_card", "payment_method_id": "credit_card_2222222", "brand": "visa", "last_four": "0042"}


@pytest.fixture
def env():
    return domain().new_environment()


def _user(env, uid=USER):
    return env.db.view("users", uid)


def _res(env, rid):
    return env.db.view("reservations", rid)


def _method(env, pid, uid=USER):
    return next((m for m in _user(env, uid).payment_methods if m.payment_method_id == pid), None)


# -- book_reservation ------------------------------------------------------------------------------
def test_book_one_way(env):
    args = booking(env, n=2, cabin="business")
    before = seats(env, args["flights"][0], "business")
    res = ok(env, "book_reservation", **args)
    rid = res["reservation_id"]
    assert len(rid) == 6 and res["status"] == "active" and res["created_at"] == NOW_ISO
    assert res["flights"][0]["price"] == price(env, args["flights"][0], "business")
    assert res["payment_history"] == args["payment_methods"]
    assert seats(env, args["flights"][0], "business") == before - 2
    assert _user(env).reservation_ids[-1] == rid
    assert _res(env, rid).passengers[1].first_name == "Lena"


def test_book_round_trip_with_insurance_bags_and_three_methods(env):
    add_methods(env, USER, CREDIT)
    args = booking(env, round_trip=True, cabin="economy", n=1, bags=4, insurance=True)
    fare = sum(price(env, c, "economy") for c in args["flights"])
    total = fare + 30 + 2 * 50  # silver economy: 2 free bags
    assert args["payment_methods"][0]["amount"] == total
    args["payment_methods"] = [
        {"payment_method_id": CERT, "amount": 50},
        {"payment_method_id": CREDIT["payment_method_id"], "amount": 25},
        {"payment_method_id": CARD, "amount": total - 75},
    ]
    res = ok(env, "book_reservation", **args)
    assert res["nonfree_baggages"] == 2 and res["insurance"] is True and res["flight_type"] == "round_trip"
    assert _method(env, CERT) is None  # a used certificate is gone
    assert _method(env, CREDIT["payment_method_id"]).amount == 15


def test_book_with_part_of_a_certificate_forfeits_the_rest(env):
    add_methods(env, USER, {"source": "travel_certificate", "payment_method_id": "certificate_9", "amount": 5000})
    args = booking(env)
    total = args["payment_methods"][0]["amount"]
    args["payment_methods"] = [{"payment_method_id": "certificate_9", "amount": total}]
    ok(env, "book_reservation", **args)
    assert _method(env, "certificate_9") is None


def test_book_one_stop(env):
    make_flight(env, "HL9001", "JFK", "ORD", "08:00", "10:00", "2025-05-20")
    make_flight(env, "HL9002", "ORD", "DEN", "11:30", "13:30", "2025-05-20")
    legs = ok(env, "search_onestop_flight", origin="JFK", destination="DEN", date="2025-05-20")
    assert ["HL9001", "HL9002"] in [[f["flight_number"] for f in pair] for pair in legs]
    res = ok(env, "book_reservation", user_id=USER, origin="JFK", destination="DEN", flight_type="one_way",
             cabin="economy", flights=[{"flight_number": "HL9001", "date": "2025-05-20"},
                                       {"flight_number": "HL9002", "date": "2025-05-20"}],
             passengers=PEOPLE[:1], payment_methods=[{"payment_method_id": CARD, "amount": 400}],
             total_baggages=0, insurance=False)
    assert [s["destination"] for s in res["flights"]] == ["ORD", "DEN"]


def _three_legs(env):
    make_flight(env, "HL9001", "JFK", "ORD", "08:00", "10:00", "2025-05-20")
    make_flight(env, "HL9002", "ORD", "DEN", "11:30", "13:30", "2025-05-20")
    make_flight(env, "HL9003", "DEN", "SEA", "15:00", "17:00", "2025-05-20")
    make_flight(env, "HL9004", "SEA", "JFK", "08:00", "16:00", "2025-05-22")
    make_flight(env, "HL9005", "DEN", "ORD", "15:00", "17:00", "2025-05-20")
    make_flight(env, "HL9006", "ORD", "DEN", "10:30", "12:30", "2025-05-20")  # leaves 30 min after HL9001 lands
    make_flight(env, "HL9007", "ORD", "JFK", "12:00", "14:00", "2025-05-21")


def _legs(*numbers_and_dates):
    return [{"flight_number": f, "date": d} for f, d in numbers_and_dates]


D = "2025-05-20"


@pytest.mark.parametrize("change, match", [
    (dict(user_id="nobody_0000"), "not found"),
    (dict(origin="XYZ"), "unknown origin airport"),
    (dict(destination="XYZ"), "unknown destination airport"),
    (dict(destination="JFK"), "origin and destination must differ"),
    (dict(passengers=[]), "at least one passenger"),
    (dict(passengers=PEOPLE * 3), "at most 5 passengers"),
    (dict(passengers=[{"first_name": " ", "last_name": "Hall", "dob": "1958-04-20"}]), "first and a last name"),
    (dict(passengers=[{"first_name": "Andre", "last_name": "Hall", "dob": "20/04/1958"}]), "invalid date"),
    (dict(passengers=[{"first_name": "Andre", "last_name": "Hall", "dob": "2031-01-01"}]), "in the future"),
    (dict(total_baggages=-1), "checked bags must be between"),
    (dict(total_baggages=6), "checked bags must be between"),
    (dict(flights=[]), "at least one flight"),
    (dict(flights=_legs(("HL9001", D), ("HL9002", D), ("HL9003", D), ("HL9004", "2025-05-22"), ("HL9007", "2025-05-21"))),
     "at most 4 flights"),
    (dict(flights=_legs(("HL9001", D), ("HL9001", D))), "listed twice"),
    (dict(flights=_legs(("HL9999", D))), "flight 'HL9999' not found"),
    (dict(flights=_legs(("HL9001", "2025-06-20"))), "does not operate on 2025-06-20"),
    (dict(flights=_legs(("HL9002", D))), "leaves from ORD, not from the origin JFK"),
    (dict(flights=_legs(("HL9001", D), ("HL9003", D))), "leaves from DEN but HL9001 arrives at ORD"),
    (dict(flights=_legs(("HL9001", D), ("HL9006", D))), "less than 60 minutes"),
    (dict(flights=_legs(("HL9001", D))), "arrives at ORD, not at the destination DEN"),
    (dict(destination="ORD", flights=_legs(("HL9001", D), ("HL9002", D), ("HL9005", D))), "must not pass through"),
    (dict(destination="SEA", flights=_legs(("HL9001", D), ("HL9002", D), ("HL9003", D))), "at most 2 flights"),
    (dict(flight_type="round_trip"), "must end back at its origin"),
    (dict(flight_type="round_trip", destination="SEA", flights=_legs(("HL9001", D), ("HL9007", "2025-05-21"))),
     "none of the flights arrives at the destination SEA"),
    (dict(flight_type="round_trip", destination="SEA",
          flights=_legs(("HL9001", D), ("HL9002", D), ("HL9003", D), ("HL9004", "2025-05-22"))),
     "each way of a round trip has at most 2 flights"),
    (dict(flight_type="round_trip", destination="ORD",
          flights=_legs(("HL9001", D), ("HL9002", D), ("HL9005", D), ("HL9007", "2025-05-21"))),
     "must not pass through"),
    (dict(payment_methods=[]), "at least one payment method"),
    (dict(payment_methods=[{"payment_method_id": "credit_card_0000000", "amount": 400}]), "not on file"),
    (dict(payment_methods=[{"payment_method_id": CARD, "amount": 0}]), "must be positive"),
    (dict(payment_methods=[{"payment_method_id": CARD, "amount": 200}, {"payment_method_id": CARD, "amount": 200}]),
     "listed twice"),
    (dict(payment_methods=[{"payment_method_id": CARD, "amount": 200}, {"payment_method_id": CARD2["payment_method_id"], "amount": 200}]),
     "at most one credit card"),
    (dict(payment_methods=[{"payment_method_id": CERT, "amount": 60}, {"payment_method_id": CARD, "amount": 340}]),
     "travel certificate certificate_6577628 has $50, less than $60"),
    (dict(payment_methods=[{"payment_method_id": "travel_credit_1111111", "amount": 41}, {"payment_method_id": CARD, "amount": 359}]),
     "less than $41"),
    (dict(payment_methods=[{"payment_method_id": CARD, "amount": 399.5}]), "add up to $399.50 but the total due is $400"),
])
def test_book_refusals(env, change, match):
    _three_legs(env)
    add_methods(env, USER, CREDIT, CARD2)
    args = dict(user_id=USER, origin="JFK", destination="DEN", flight_type="one_way", cabin="economy",
                flights=_legs(("HL9001", D), ("HL9002", D)), passengers=PEOPLE[:1],
                payment_methods=[{"payment_method_id": CARD, "amount": 400}], total_baggages=0, insurance=False)
    args.update(copy.deepcopy(change))
    refused(env, "book_reservation", match, **args)
    assert not any(t == "reservations" for t, _ in env.db.changed_keys())
    assert _user(env).reservation_ids == [MINE, FLOWN]


def test_book_refuses_flights_not_on_sale(env):
    args = booking(env)
    set_status(env, args["flights"][0]["flight_number"], args["flights"][0]["date"], "cancelled")
    refused(env, "book_reservation", "cannot be booked: its status is 'cancelled'", **args)


def test_book_refuses_when_seats_run_out(env):
    args = booking(env, n=2)
    choice = args["flights"][0]
    inst = env.db.edit("flight_instances", instance_key(choice["flight_number"], choice["date"]))
    inst.available_seats["economy"] = 1
    env.db.put("flight_instances", instance_key(choice["flight_number"], choice["date"]), inst)
    refused(env, "book_reservation", "has 1 economy seat(s) left, 2 needed", **args)


# -- cancel_reservation ----------------------------------------------------------------------------
def test_cancel_within_24_hours_refunds_and_releases_seats(env):
    args = booking(env, n=2, round_trip=True)
    before = [seats(env, c, "economy") for c in args["flights"]]
    res = book(env, n=2, round_trip=True)
    res = ok(env, "cancel_reservation", reservation_id=res["reservation_id"], reason="change of plans")
    assert res["status"] == "cancelled"
    paid = res["payment_history"][0]["amount"]
    assert res["payment_history"][-1] == {"payment_method_id": CARD, "amount": -paid}
    assert [seats(env, c, "economy") for c in args["flights"]] == before


def test_cancel_returns_certificate_and_travel_credit(env):
    add_methods(env, USER, CREDIT)
    args = booking(env)
    total = args["payment_methods"][0]["amount"]
    args["payment_methods"] = [{"payment_method_id": CERT, "amount": 50},
                               {"payment_method_id": CREDIT["payment_method_id"], "amount": 40},
                               {"payment_method_id": CARD, "amount": total - 90}]
    rid = ok(env, "book_reservation", **args)["reservation_id"]
    assert _method(env, CERT) is None and _method(env, CREDIT["payment_method_id"]).amount == 0
    ok(env, "cancel_reservation", reservation_id=rid, reason="other")
    assert _method(env, CERT).amount == 50 and _method(env, CERT).source == "travel_certificate"
    assert _method(env, CREDIT["payment_method_id"]).amount == 40
    assert [p.amount for p in _res(env, rid).payment_history] == [50, 40, total - 90, -50, -40, -(total - 90)]


def test_cancel_after_airline_cancellation(env):
    res = book(env, round_trip=True)
    rid = res["reservation_id"]
    edit(env, "reservations", rid, created_at=OLD)
    back = res["flights"][1]
    set_status(env, back["flight_number"], back["date"], "cancelled")
    assert ok(env, "cancel_reservation", reservation_id=rid, reason="airline cancelled flight")["status"] == "cancelled"


def test_cancel_business(env):
    rid = book(env, cabin="business")["reservation_id"]
    edit(env, "reservations", rid, created_at=OLD)
    ok(env, "cancel_reservation", reservation_id=rid, reason="other")


def test_cancel_insured_for_health(env):
    rid = book(env, insurance=True)["reservation_id"]
    edit(env, "reservations", rid, created_at=OLD)
    ok(env, "cancel_reservation", reservation_id=rid, reason="health")


def test_cancel_refusals(env):
    refused(env, "cancel_reservation", "not found", reservation_id="ZZZZZZ", reason="other")
    rid = book(env, round_trip=True)["reservation_id"]
    ok(env, "cancel_reservation", reservation_id=rid, reason="other")
    refused(env, "cancel_reservation", "is cancelled", reservation_id=rid, reason="other")

    res = book(env, round_trip=True, insurance=True)
    rid = res["reservation_id"]
    refused(env, "cancel_reservation", "none of the flights", reservation_id=rid, reason="airline cancelled flight")
    edit(env, "reservations", rid, created_at=OLD)
    refused(env, "cancel_reservation", "covers only health and family emergencies", reservation_id=rid, reason="other")
    edit(env, "reservations", rid, insurance=False)
    refused(env, "cancel_reservation", "cannot be cancelled: it was booked more than 24 hours ago",
            reservation_id=rid, reason="family emergency")
    out = res["flights"][0]
    set_status(env, out["flight_number"], out["date"], "landed")
    edit(env, "reservations", rid, cabin="business")
    refused(env, "cancel_reservation", "has already departed", reservation_id=rid, reason="other")


# -- update_reservation_flights --------------------------------------------------------------------
def _alternative(env, res, index, delta_price, *, status="available", seats_left=9, fn="HL9100"):
    """A synthetic flight on the same route and date as segment `index`, costing `delta_price` more."""
    seg = res["flights"][index]
    base = env.db.view("flight_instances", instance_key(seg["flight_number"], seg["date"]))
    prices = {c: p + delta_price for c, p in base.prices.items()}
    return make_flight(env, fn, seg["origin"], seg["destination"], "05:00", "05:30", seg["date"],
                       status=status, seats=seats_left, prices=prices)


def test_change_flight_charges_the_difference_and_moves_seats(env):
    res = book(env, round_trip=True, n=2)
    rid = res["reservation_id"]
    new = _alternative(env, res, 0, 75)
    old_choice = {"flight_number": res["flights"][0]["flight_number"], "date": res["flights"][0]["date"]}
    old_seats = seats(env, old_choice, "economy")
    back = {"flight_number": res["flights"][1]["flight_number"], "date": res["flights"][1]["date"]}
    out = ok(env, "update_reservation_flights", reservation_id=rid, cabin="economy", flights=[new, back],
             payment_method_id=CARD)
    assert out["flights"][0]["flight_number"] == "HL9100" and out["flights"][1] == res["flights"][1]
    assert out["payment_history"][-1] == {"payment_method_id": CARD, "amount": 150}
    assert seats(env, old_choice, "economy") == old_seats + 2 and seats(env, new, "economy") == 7


def test_change_flight_refunds_to_travel_credit(env):
    add_methods(env, USER, CREDIT)
    res = book(env, round_trip=True)
    new = _alternative(env, res, 1, -20)
    out_choice = {"flight_number": res["flights"][0]["flight_number"], "date": res["flights"][0]["date"]}
    ok(env, "update_reservation_flights", reservation_id=res["reservation_id"], cabin="economy",
       flights=[out_choice, new], payment_method_id=CREDIT["payment_method_id"])
    assert _method(env, CREDIT["payment_method_id"]).amount == 60
    assert _res(env, res["reservation_id"]).payment_history[-1].amount == -20


def test_upgrade_basic_economy_cabin(env):
    res = book(env, cabin="basic_economy", n=2, round_trip=True)
    flights = [{"flight_number": s["flight_number"], "date": s["date"]} for s in res["flights"]]
    before = [(seats(env, c, "basic_economy"), seats(env, c, "business")) for c in flights]
    diff = sum(price(env, c, "business") - price(env, c, "basic_economy") for c in flights) * 2
    out = ok(env, "update_reservation_flights", reservation_id=res["reservation_id"], cabin="business",
             flights=flights, payment_method_id=CARD)
    assert out["cabin"] == "business" and out["payment_history"][-1]["amount"] == diff
    assert [(seats(env, c, "basic_economy"), seats(env, c, "business")) for c in flights] == [
        (b + 2, s - 2) for b, s in before]


def test_change_return_flight_after_outbound_has_flown(env):
    res = book(env, round_trip=True)
    out = {"flight_number": res["flights"][0]["flight_number"], "date": res["flights"][0]["date"]}
    set_status(env, out["flight_number"], out["date"], "landed")
    new = _alternative(env, res, 1, 0)
    changed = ok(env, "update_reservation_flights", reservation_id=res["reservation_id"], cabin="economy",
                 flights=[out, new], payment_method_id=CARD)
    assert changed["flights"][0] == res["flights"][0] and len(changed["payment_history"]) == 1


def test_update_flights_refusals(env):
    add_methods(env, USER, {**CREDIT, "amount": 10.0})
    refused(env, "update_reservation_flights", "not found", reservation_id="ZZZZZZ", cabin="economy",
            flights=[], payment_method_id=CARD)
    res = book(env, round_trip=True)
    rid = res["reservation_id"]
    flights = [{"flight_number": s["flight_number"], "date": s["date"]} for s in res["flights"]]
    args = dict(reservation_id=rid, cabin="economy", flights=flights, payment_method_id=CARD)
    refused(env, "update_reservation_flights", "not on file", **{**args, "payment_method_id": "credit_card_0"})
    refused(env, "update_reservation_flights", "certificates can only be used for new bookings",
            **{**args, "payment_method_id": CERT})
    refused(env, "update_reservation_flights", "nothing to change", **args)
    refused(env, "update_reservation_flights", "must end back at its origin", **{**args, "flights": flights[:1]})
    full = _alternative(env, res, 0, 0, seats_left=0, fn="HL9101")
    refused(env, "update_reservation_flights", "0 economy seat(s) left", **{**args, "flights": [full, flights[1]]})
    gone = _alternative(env, res, 0, 0, status="cancelled", fn="HL9102")
    refused(env, "update_reservation_flights", "its status is 'cancelled'", **{**args, "flights": [gone, flights[1]]})
    dear = _alternative(env, res, 0, 100, fn="HL9103")
    refused(env, "update_reservation_flights", "balance of $10, less than $100",
            **{**args, "flights": [dear, flights[1]], "payment_method_id": CREDIT["payment_method_id"]})
    set_status(env, flights[0]["flight_number"], flights[0]["date"], "flying")
    refused(env, "update_reservation_flights", "has already departed and must be kept",
            **{**args, "flights": [dear, flights[1]]})
    refused(env, "update_reservation_flights", "cabin cannot be changed once part of the trip has been flown",
            **{**args, "cabin": "business"})
    set_status(env, flights[0]["flight_number"], flights[0]["date"], "available")
    ok(env, "cancel_reservation", reservation_id=rid, reason="other")
    refused(env, "update_reservation_flights", "is cancelled", **args)

    basic = book(env, cabin="basic_economy", round_trip=True)
    other = _alternative(env, basic, 0, 0, fn="HL9104")
    refused(env, "update_reservation_flights", "basic economy reservation cannot be changed",
            reservation_id=basic["reservation_id"], cabin="basic_economy",
            flights=[other, {"flight_number": basic["flights"][1]["flight_number"], "date": basic["flights"][1]["date"]}],
            payment_method_id=CARD)


# -- update_reservation_passengers -----------------------------------------------------------------
def test_update_passengers(env):
    rid = book(env, n=2)["reservation_id"]
    people = copy.deepcopy(PEOPLE)
    people[1]["first_name"] = "Lina"
    res = ok(env, "update_reservation_passengers", reservation_id=rid, passengers=people)
    assert res["passengers"][1]["first_name"] == "Lina" and res["passengers"][0] == PEOPLE[0]


def test_update_passengers_refusals(env):
    refused(env, "update_reservation_passengers", "not found", reservation_id="ZZZZZZ", passengers=PEOPLE[:1])
    res = book(env, n=2)
    rid = res["reservation_id"]
    refused(env, "update_reservation_passengers", "nothing to change", reservation_id=rid, passengers=PEOPLE)
    refused(env, "update_reservation_passengers", "number of passengers cannot change",
            reservation_id=rid, passengers=PEOPLE[:1])
    refused(env, "update_reservation_passengers", "first and a last name", reservation_id=rid,
            passengers=[PEOPLE[0], {"first_name": "Lena", "last_name": "", "dob": "1990-07-14"}])
    refused(env, "update_reservation_passengers", "in the future", reservation_id=rid,
            passengers=[PEOPLE[0], {"first_name": "Lena", "last_name": "Hall", "dob": "2026-07-14"}])
    out = res["flights"][0]
    set_status(env, out["flight_number"], out["date"], "landed")
    refused(env, "update_reservation_passengers", "has already departed", reservation_id=rid, passengers=PEOPLE[::-1])
    set_status(env, out["flight_number"], out["date"], "available")
    ok(env, "cancel_reservation", reservation_id=rid, reason="other")
    refused(env, "update_reservation_passengers", "is cancelled", reservation_id=rid, passengers=PEOPLE[::-1])


# -- update_reservation_baggages -------------------------------------------------------------------
def test_add_bags_with_fee(env):
    edit(env, "users", USER, membership="regular")
    rid = book(env, n=1, bags=1)["reservation_id"]  # regular economy: one free bag
    res = ok(env, "update_reservation_baggages", reservation_id=rid, total_baggages=3, payment_method_id=CARD)
    assert (res["total_baggages"], res["nonfree_baggages"]) == (3, 2)
    assert res["payment_history"][-1] == {"payment_method_id": CARD, "amount": 100}


def test_add_free_bags(env):
    rid = book(env, n=1)["reservation_id"]  # silver economy: two free bags
    res = ok(env, "update_reservation_baggages", reservation_id=rid, total_baggages=2, payment_method_id=CARD)
    assert (res["total_baggages"], res["nonfree_baggages"], len(res["payment_history"])) == (2, 0, 1)


def test_add_bags_paid_by_travel_credit(env):
    add_methods(env, USER, {**CREDIT, "amount": 120.0})
    rid = book(env, n=1)["reservation_id"]  # silver economy: two free bags, the third costs $50
    ok(env, "update_reservation_baggages", reservation_id=rid, total_baggages=3,
       payment_method_id=CREDIT["payment_method_id"])
    assert _method(env, CREDIT["payment_method_id"]).amount == 70
    assert _res(env, rid).payment_history[-1].amount == 50


def test_add_bags_refusals(env):
    add_methods(env, USER, CREDIT)
    refused(env, "update_reservation_baggages", "not found", reservation_id="ZZZZZZ", total_baggages=1,
            payment_method_id=CARD)
    res = book(env, n=1, bags=2)
    rid = res["reservation_id"]
    args = dict(reservation_id=rid, total_baggages=3, payment_method_id=CARD)
    refused(env, "update_reservation_baggages", "not on file", **{**args, "payment_method_id": "credit_card_0"})
    refused(env, "update_reservation_baggages", "certificates can only be used for new bookings",
            **{**args, "payment_method_id": CERT})
    refused(env, "update_reservation_baggages", "bags cannot be removed", **{**args, "total_baggages": 1})
    refused(env, "update_reservation_baggages", "nothing to change", **{**args, "total_baggages": 2})
    refused(env, "update_reservation_baggages", "at most 5 checked bags per passenger", **{**args, "total_baggages": 6})
    refused(env, "update_reservation_baggages", "balance of $40, less than $150",
            **{**args, "total_baggages": 5, "payment_method_id": CREDIT["payment_method_id"]})
    out = res["flights"][0]
    set_status(env, out["flight_number"], out["date"], "landed")
    refused(env, "update_reservation_baggages", "has already departed", **args)
    set_status(env, out["flight_number"], out["date"], "available")
    ok(env, "cancel_reservation", reservation_id=rid, reason="other")
    refused(env, "update_reservation_baggages", "is cancelled", **args)


# -- send_certificate ------------------------------------------------------------------------------
def test_certificate_for_cancelled_flight(env):
    res = book(env, n=2)
    seg = res["flights"][0]
    set_status(env, seg["flight_number"], seg["date"], "cancelled")
    rid = res["reservation_id"]
    cert = ok(env, "send_certificate", user_id=USER, reservation_id=rid, reason="cancelled flight", amount=200)
    assert cert == {"source": "travel_certificate", "payment_method_id": f"certificate_{rid}", "amount": 200}
    assert _method(env, f"certificate_{rid}").amount == 200
    assert _res(env, rid).compensation_certificate_id == f"certificate_{rid}"


def test_certificate_for_delay_of_insured_regular_member(env):
    edit(env, "users", USER, membership="regular")
    res = book(env, n=1, insurance=True)
    seg = res["flights"][0]
    set_status(env, seg["flight_number"], seg["date"], "delayed")
    ok(env, "send_certificate", user_id=USER, reservation_id=res["reservation_id"], reason="delayed flight", amount=50)


def test_send_certificate_refusals(env):
    res = book(env, n=2)
    rid = res["reservation_id"]
    seg = res["flights"][0]
    args = dict(user_id=USER, reservation_id=rid, reason="cancelled flight", amount=200)
    refused(env, "send_certificate", "user 'nobody_0000' not found", **{**args, "user_id": "nobody_0000"})
    refused(env, "send_certificate", "reservation 'ZZZZZZ' not found", **{**args, "reservation_id": "ZZZZZZ"})
    other = next(u for u in domain().tables.records["users"] if u != USER)
    refused(env, "send_certificate", "does not belong to user", **{**args, "user_id": other})
    refused(env, "send_certificate", "no flight of reservation", **args)
    set_status(env, seg["flight_number"], seg["date"], "cancelled")
    refused(env, "send_certificate", "no flight of reservation", **{**args, "reason": "delayed flight", "amount": 100})
    refused(env, "send_certificate", "$100 per passenger, $200 for this reservation, not $300", **{**args, "amount": 300})
    edit(env, "users", USER, membership="regular")
    refused(env, "send_certificate", "no compensation is due", **args)
    edit(env, "users", USER, membership="gold")
    ok(env, "send_certificate", **args)
    refused(env, "send_certificate", "already compensated", **args)


def test_send_certificate_refuses_a_clashing_certificate_id(env):
    res = book(env, n=1)
    rid = res["reservation_id"]
    set_status(env, res["flights"][0]["flight_number"], res["flights"][0]["date"], "cancelled")
    add_methods(env, USER, {"source": "travel_certificate", "payment_method_id": f"certificate_{rid}", "amount": 10})
    refused(env, "send_certificate", "already exists", user_id=USER, reservation_id=rid,
            reason="cancelled flight", amount=100)
