"""Shared helpers of the airline tests: calls through the environment and state set-ups."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from domains.airline import build_domain
from domains.airline import tools
from domains.airline.models import FREE_BAGS, INSURANCE_PER_PASSENGER, EXTRA_BAG_FEE, instance_key
from domains.framework import Domain, Environment
from domains.framework.environment import Observation

USER = "andre_hall_1042"  # silver member with one credit card and one certificate
CARD = "credit_card_6959825"
CERT = "certificate_6577628"
MINE = "P3O4R3"  # USER's basic economy trip BNA-MSP-MCO on May 22, three passengers, on sale
FLOWN = "CAKR9R"  # USER's trip that has landed
OTHER = "benjamin_fischer_8904"  # another customer
THEIRS = "15NL7K"  # OTHER's economy round trip, on sale
OTHER_CARD = "credit_card_9598634"


@lru_cache(maxsize=1)
def domain() -> Domain:
    return build_domain()


def call(env: Environment, name: str, **args: Any) -> Observation:
    return env.execute(name, args)


def ok(env: Environment, name: str, **args: Any) -> Any:
    obs = env.execute(name, args)
    assert obs.ok, obs.content
    return obs.result


def refused(env: Environment, name: str, match: str, **args: Any) -> Observation:
    obs = env.execute(name, args)
    assert not obs.ok, f"{name} should have been refused: {obs.content[:300]}"
    assert obs.error_code == "refused", obs.content
    assert match.lower() in obs.content.lower(), f"{match!r} not in {obs.content!r}"
    return obs


def edit(env: Environment, table: str, key: str, **changes: Any) -> Any:
    rec = env.db.edit(table, key)
    assert rec is not None, f"{table}/{key} missing"
    for field, value in changes.items():
        setattr(rec, field, value)
    env.db.put(table, key, rec)
    return rec


def set_status(env: Environment, flight_number: str, date: str, status: str) -> None:
    edit(env, "flight_instances", instance_key(flight_number, date), status=status)


def add_methods(env: Environment, user_id: str, *methods: dict) -> None:
    from domains.airline.models import User

    user = env.db.edit("users", user_id)
    data = user.model_dump()
    data["payment_methods"] += list(methods)
    env.db.put("users", user_id, User.model_validate(data))


@lru_cache(maxsize=1)
def _future_keys() -> list[str]:
    rows = domain().tables.records["flight_instances"]
    return sorted(k for k, i in rows.items() if i.status == "available" and i.date >= "2025-05-18")


def on_sale(env: Environment, n: int = 2, skip: int = 0) -> tuple[str, str]:
    """(flight_number, date) of a future flight with at least `n` seats left in every cabin."""
    found = 0
    for key in _future_keys():
        inst = env.db.view("flight_instances", key)
        if inst.status == "available" and min(inst.available_seats.values()) >= n:
            if found == skip:
                return inst.flight_number, inst.date
            found += 1
    raise AssertionError("no flight on sale")


def trip(env: Environment, n: int = 2) -> dict[str, Any]:
    """A bookable round trip with nonstop flights: origin, destination, outbound and return choices."""
    skip = 0
    while True:
        fn, day = on_sale(env, n, skip)
        skip += 1
        f = env.db.view("flights", fn)
        for back_day in ("2025-05-25", "2025-05-26", "2025-05-27"):
            if back_day <= day:
                continue
            back = [o for o in tools.search_direct_flight.func(env.db, f.destination, f.origin, back_day)
                    if min(o.available_seats.values()) >= n]
            if back:
                return {"origin": f.origin, "destination": f.destination,
                        "out": {"flight_number": fn, "date": day},
                        "back": {"flight_number": back[0].flight_number, "date": back_day}}


def price(env: Environment, choice: dict, cabin: str) -> float:
    return env.db.view("flight_instances", instance_key(choice["flight_number"], choice["date"])).prices[cabin]


def seats(env: Environment, choice: dict, cabin: str) -> int:
    return env.db.view("flight_instances", instance_key(choice["flight_number"], choice["date"])).available_seats[cabin]


PEOPLE = [
    {"first_name": "Andre", "last_name": "Hall", "dob": "1958-04-20"},
    {"first_name": "Lena", "last_name": "Hall", "dob": "1990-07-14"},
]


def booking(env: Environment, *, round_trip: bool = False, cabin: str = "economy", n: int = 1,
            bags: int = 0, insurance: bool = False, user_id: str = USER, card: str = CARD) -> dict[str, Any]:
    """Valid arguments of book_reservation, paid in full by the card."""
    t = trip(env, max(n, 2))
    flights = [t["out"], t["back"]] if round_trip else [t["out"]]
    user = env.db.view("users", user_id)
    fare = sum(price(env, c, cabin) for c in flights) * n
    nonfree = max(0, bags - FREE_BAGS[user.membership][cabin] * n)
    total = fare + nonfree * EXTRA_BAG_FEE + (INSURANCE_PER_PASSENGER * n if insurance else 0)
    return {
        "user_id": user_id, "origin": t["origin"], "destination": t["destination"],
        "flight_type": "round_trip" if round_trip else "one_way", "cabin": cabin, "flights": flights,
        "passengers": PEOPLE[:n], "payment_methods": [{"payment_method_id": card, "amount": total}],
        "total_baggages": bags, "insurance": insurance,
    }


def book(env: Environment, **kwargs: Any) -> dict[str, Any]:
    """Book a reservation (created now, so within 24 hours) and return it."""
    return ok(env, "book_reservation", **booking(env, **kwargs))


def make_flight(env: Environment, fn: str, origin: str, destination: str, dep: str, arr: str, date: str, *,
                status: str = "available", seats: int = 9, prices: dict | None = None, offset: int = 0) -> dict:
    """A synthetic flight on one date (inserted in this environment only); returns its choice."""
    from domains.airline.models import Flight, FlightInstance

    if env.db.view("flights", fn) is None:
        env.db.insert("flights", fn, Flight(flight_number=fn, origin=origin, destination=destination,
                                            scheduled_departure=dep, scheduled_arrival=arr, arrival_day_offset=offset))
    prices = prices or {"basic_economy": 100, "economy": 200, "business": 600}
    env.db.insert("flight_instances", instance_key(fn, date), FlightInstance(
        flight_number=fn, date=date, status=status,
        available_seats={c: seats for c in prices} if status == "available" else {},
        prices=prices if status == "available" else {},
    ))
    return {"flight_number": fn, "date": date}
