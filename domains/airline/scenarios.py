"""Kinds of airline tasks, each proposing the target calls of one task on the current database.

Every proposal is built from the state it is given and checked with the same helpers the tools
use (itinerary rules, seats, balances, cancellation and compensation rules), so its calls execute.
Targets include the reads an agent needs to act correctly (the reservation before changing it,
the search before booking, the flight status before compensating) and `calculate` for amounts
the customer is told.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from domains.framework import Database, ToolError
from domains.framework.sampling import Scenario, TargetCall
from domains.airline import tools
from domains.airline.scenario_state import (
    all_on_sale, changeable, flight_choices, flight_numbers, money_text, payment_split, reservations_of,
    segment_statuses, spend_method, travellers, user_of,
)
from domains.airline.names import FIRST_NAMES, LAST_NAMES
from domains.airline.models import (
    CABINS,
    COMPENSATION_PER_PASSENGER,
    DATES,
    EXTRA_BAG_FEE,
    FREE_BAGS,
    INSURANCE_PER_PASSENGER,
    MAX_BAGS_PER_PASSENGER,
    TODAY,
    FlightChoice,
    instance_key,
)

SALE_DATES = [d for d in DATES if d > TODAY]


# -- booking ---------------------------------------------------------------------------------------
def _pick(options: list, cabin: str, n: int, rng: random.Random):
    fitting = [o for o in options if all(f.available_seats.get(cabin, 0) >= n for f in o)]
    return rng.choice(fitting) if fitting else None


def book_trip(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    """A new one-way or round trip, nonstop or with one stop, paid with the customer's methods."""
    user = user_of(db, user_id)
    if user is None:
        return None
    numbers = flight_numbers(db)
    for _ in range(12):
        seed_flight = db.view("flights", rng.choice(numbers))
        origin = seed_flight.origin
        day_index = rng.randrange(len(SALE_DATES) - 1)
        day = SALE_DATES[day_index]
        round_trip = rng.random() < 0.5
        one_stop = rng.random() < 0.3
        cabin = rng.choices(CABINS, weights=[25, 55, 20])[0]
        people = travellers(user, rng)
        n = len(people)
        calls: list[TargetCall] = []
        if one_stop:
            destination = rng.choice([a for a in db.base.records["airports"] if a != origin])
            options = tools.search_onestop_flight.func(db, origin, destination, day)
            calls.append(("search_onestop_flight", {"origin": origin, "destination": destination, "date": day}))
        else:
            destination = seed_flight.destination
            options = [[o] for o in tools.search_direct_flight.func(db, origin, destination, day)]
            calls.append(("search_direct_flight", {"origin": origin, "destination": destination, "date": day}))
        out = _pick(options, cabin, n, rng)
        if out is None:
            continue
        legs = list(out)
        if round_trip:
            back_day = SALE_DATES[min(len(SALE_DATES) - 1, day_index + rng.randint(1, 5))]
            back = [[o] for o in tools.search_direct_flight.func(db, destination, origin, back_day)]
            tool_name = "search_direct_flight"
            if not back or (one_stop and rng.random() < 0.5):
                back = tools.search_onestop_flight.func(db, destination, origin, back_day)
                tool_name = "search_onestop_flight"
            ret = _pick(back, cabin, n, rng)
            if ret is None:
                continue
            calls.append((tool_name, {"origin": destination, "destination": origin, "date": back_day}))
            legs += ret
        flight_type = "round_trip" if round_trip else "one_way"
        choices = [{"flight_number": o.flight_number, "date": o.date} for o in legs]
        try:
            tools.check_itinerary(db, origin, destination, flight_type, [FlightChoice(**c) for c in choices])
        except ToolError:
            continue
        bags = rng.randint(0, n + 1)
        nonfree = max(0, bags - FREE_BAGS[user.membership][cabin] * n)
        insurance = rng.random() < 0.35
        prices = [o.prices[cabin] for o in legs]
        total = sum(prices) * n + nonfree * EXTRA_BAG_FEE + (INSURANCE_PER_PASSENGER * n if insurance else 0)
        fare = " + ".join(money_text(p) for p in prices)
        terms = [fare if n == 1 else f"({fare}) * {n}" if len(prices) > 1 else f"{fare} * {n}"]
        if insurance:
            terms.append(f"{INSURANCE_PER_PASSENGER} * {n}")
        if nonfree:
            terms.append(f"{EXTRA_BAG_FEE} * {nonfree}")
        expression = " + ".join(terms)
        if rng.random() < 0.6 and expression != money_text(total):  # the agent tells the total before booking
            calls.append(("calculate", {"expression": expression}))
        calls.append(("book_reservation", {
            "user_id": user_id, "origin": origin, "destination": destination, "flight_type": flight_type,
            "cabin": cabin, "flights": choices, "passengers": people,
            "payment_methods": payment_split(user, total, rng), "total_baggages": bags, "insurance": insurance,
        }))
        return calls
    return None


# -- cancelling ------------------------------------------------------------------------------------
def cancel_trip(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    """Cancel a reservation the policy lets the customer cancel, for a reason that qualifies."""
    user = user_of(db, user_id)
    if user is None:
        return None
    options = []
    for res in reservations_of(db, user):
        if not changeable(db, res):
            continue
        if "cancelled" in segment_statuses(db, res):
            reasons = ["airline cancelled flight"]
        else:
            reasons = [r for r in ("change of plans", "other", "health", "family emergency")
                       if tools.cancellation_grounds(db, res, r)]
        if reasons:
            options.append((res, rng.choice(reasons)))
    if not options:
        return None
    res, reason = rng.choice(options)
    calls: list[TargetCall] = [("get_reservation_details", {"reservation_id": res.reservation_id})]
    net: dict[str, float] = {}
    for p in res.payment_history:
        net[p.payment_method_id] = net.get(p.payment_method_id, 0) + p.amount
    refunds = [a for a in net.values() if a > 0]
    if len(refunds) > 1:
        calls.append(("calculate", {"expression": " + ".join(money_text(a) for a in refunds)}))
    calls.append(("cancel_reservation", {"reservation_id": res.reservation_id, "reason": reason}))
    return calls


def escalate_partly_flown(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    """The customer insists on cancelling a trip that is partly flown: the policy says transfer."""
    user = user_of(db, user_id)
    if user is None:
        return None
    partly = [res for res in reservations_of(db, user)
              if res.status == "active" and 0 < len(tools.flown_segments(db, res)) < len(res.flights)]
    if not partly:
        return None
    res = rng.choice(partly)
    summary = (
        f"User {user_id} wants to cancel reservation {res.reservation_id}, which is partly flown and cannot "
        "be cancelled under the policy; the customer insists."
    )
    return [
        ("get_reservation_details", {"reservation_id": res.reservation_id}),
        ("transfer_to_human_agents", {"summary": summary}),
    ]

# -- changing flights and cabin --------------------------------------------------------------------
def change_flight(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    """Move one flight of a (not basic economy) reservation to another flight on the same route."""
    user = user_of(db, user_id)
    if user is None:
        return None
    candidates = [r for r in reservations_of(db, user) if r.cabin != "basic_economy" and all_on_sale(db, r)]
    rng.shuffle(candidates)
    for res in candidates[:4]:
        n = len(res.passengers)
        i = rng.randrange(len(res.flights))
        seg = res.flights[i]
        base_day = date.fromisoformat(seg.date)
        days = [(base_day + timedelta(days=k)).isoformat() for k in (-2, -1, 0, 1, 2)]
        days = [d for d in days if d in SALE_DATES]
        rng.shuffle(days)
        for day in days:
            options = [o for o in tools.search_direct_flight.func(db, seg.origin, seg.destination, day)
                       if (o.flight_number, o.date) != (seg.flight_number, seg.date)
                       and o.available_seats.get(res.cabin, 0) >= n]
            rng.shuffle(options)
            for o in options:
                choices = flight_choices(res.flights)
                choices[i] = {"flight_number": o.flight_number, "date": o.date}
                try:
                    tools.check_itinerary(db, res.origin, res.destination, res.flight_type,
                                      [FlightChoice(**c) for c in choices])
                except ToolError:
                    continue
                new_price = o.prices[res.cabin]
                difference = (new_price - seg.price) * n
                calls: list[TargetCall] = [
                    ("get_reservation_details", {"reservation_id": res.reservation_id}),
                    ("search_direct_flight", {"origin": seg.origin, "destination": seg.destination, "date": day}),
                ]
                if rng.random() < 0.7:
                    calls.append(("calculate", {"expression": f"({money_text(new_price)} - {money_text(seg.price)}) * {n}"}))
                calls.append(("update_reservation_flights", {
                    "reservation_id": res.reservation_id, "cabin": res.cabin, "flights": choices,
                    "payment_method_id": spend_method(user, max(0.0, difference), rng),
                }))
                return calls
    return None


def change_cabin(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    """Upgrade (or downgrade) the cabin of a whole reservation whose flights are all on sale."""
    user = user_of(db, user_id)
    if user is None:
        return None
    candidates = [r for r in reservations_of(db, user) if all_on_sale(db, r)]
    rng.shuffle(candidates)
    for res in candidates[:4]:
        n = len(res.passengers)
        cabins = [c for c in CABINS if c != res.cabin]
        rng.shuffle(cabins)
        for cabin in cabins:
            instances = [db.view("flight_instances", instance_key(s.flight_number, s.date)) for s in res.flights]
            if any(i.available_seats.get(cabin, 0) < n for i in instances):
                continue
            new_prices = [i.prices[cabin] for i in instances]
            difference = (sum(new_prices) - sum(s.price for s in res.flights)) * n
            calls: list[TargetCall] = [("get_reservation_details", {"reservation_id": res.reservation_id})]
            for s in res.flights:
                calls.append(("search_direct_flight", {"origin": s.origin, "destination": s.destination, "date": s.date}))
            new = " + ".join(money_text(p) for p in new_prices)
            old = " + ".join(money_text(s.price) for s in res.flights)
            calls.append(("calculate", {"expression": f"(({new}) - ({old})) * {n}"}))
            calls.append(("update_reservation_flights", {
                "reservation_id": res.reservation_id, "cabin": cabin, "flights": flight_choices(res.flights),
                "payment_method_id": spend_method(user, max(0.0, difference), rng),
            }))
            return calls
    return None


# -- passengers and bags ---------------------------------------------------------------------------
def update_passengers(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    """Correct a traveller's name or date of birth, or swap in a saved passenger."""
    user = user_of(db, user_id)
    if user is None:
        return None
    candidates = [r for r in reservations_of(db, user) if changeable(db, r)]
    if not candidates:
        return None
    res = rng.choice(candidates)
    people = [p.model_dump() for p in res.passengers]
    i = rng.randrange(len(people))
    on_board = {(p["first_name"], p["last_name"], p["dob"]) for p in people}
    spare = [p.model_dump() for p in user.saved_passengers
             if (p.first_name, p.last_name, p.dob) not in on_board]
    kind = rng.choice(["swap", "name", "dob"] if spare else ["name", "dob"])
    if kind == "swap":
        people[i] = rng.choice(spare)
    elif kind == "name":  # booked under the wrong first name, or the last name has changed
        field, names = ("first_name", FIRST_NAMES) if rng.random() < 0.5 else ("last_name", LAST_NAMES)
        people[i][field] = rng.choice([x for x in names if x != people[i][field]])
    else:
        born = date.fromisoformat(people[i]["dob"])
        people[i]["dob"] = (born + timedelta(days=rng.choice([-366, -31, -1, 1, 31, 365]))).isoformat()
    if people == [p.model_dump() for p in res.passengers]:
        return None
    return [
        ("get_reservation_details", {"reservation_id": res.reservation_id}),
        ("update_reservation_passengers", {"reservation_id": res.reservation_id, "passengers": people}),
    ]


def add_bags(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    """Add checked bags; extra bags beyond the allowance are paid by card or travel credit."""
    user = user_of(db, user_id)
    if user is None:
        return None
    candidates = [r for r in reservations_of(db, user)
                  if changeable(db, r) and r.total_baggages < MAX_BAGS_PER_PASSENGER * len(r.passengers)]
    if not candidates:
        return None
    res = rng.choice(candidates)
    n = len(res.passengers)
    total = min(MAX_BAGS_PER_PASSENGER * n, res.total_baggages + rng.choice([1, 1, 2, 3]))
    free = FREE_BAGS[user.membership][res.cabin] * n
    extra = max(res.nonfree_baggages, total - free) - res.nonfree_baggages
    calls: list[TargetCall] = [("get_reservation_details", {"reservation_id": res.reservation_id})]
    if extra > 0:
        calls.append(("calculate", {"expression": f"{extra} * {EXTRA_BAG_FEE}"}))
    calls.append(("update_reservation_baggages", {
        "reservation_id": res.reservation_id, "total_baggages": total,
        "payment_method_id": spend_method(user, extra * EXTRA_BAG_FEE, rng),
    }))
    return calls


# -- compensation ----------------------------------------------------------------------------------
def compensation(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    """A certificate for a cancelled or delayed flight, for a customer the policy compensates."""
    user = user_of(db, user_id)
    if user is None:
        return None
    options = []
    for res in reservations_of(db, user):
        if res.compensation_certificate_id is not None:
            continue
        for reason, status in (("cancelled flight", "cancelled"), ("delayed flight", "delayed")):
            if tools.compensation_due(db, user, res, reason) is None:
                continue
            seg = next(s for s in res.flights if tools.segment_status(db, s) == status)
            options.append((res, reason, seg))
    if not options:
        return None
    res, reason, seg = rng.choice(options)
    n = len(res.passengers)
    per = COMPENSATION_PER_PASSENGER[reason]
    return [
        ("get_reservation_details", {"reservation_id": res.reservation_id}),
        ("get_flight_status", {"flight_number": seg.flight_number, "date": seg.date}),
        ("calculate", {"expression": f"{per} * {n}"}),
        ("send_certificate", {"user_id": user_id, "reservation_id": res.reservation_id,
                              "reason": reason, "amount": per * n}),
    ]


# -- questions (no change, an answer the customer is told) -----------------------------------------
def trip_cost(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    """How much a reservation cost in total (payments net of refunds) or per passenger for the flights."""
    user = user_of(db, user_id)
    if user is None:
        return None
    reservations = [r for r in reservations_of(db, user) if len(r.payment_history) > 1 or len(r.flights) > 1]
    if not reservations:
        return None
    res = rng.choice(reservations)
    if len(res.payment_history) > 1:
        expression = " + ".join(f"({money_text(p.amount)})" if p.amount < 0 else money_text(p.amount) for p in res.payment_history)
    else:
        expression = " + ".join(money_text(s.price) for s in res.flights)
    return [
        ("get_reservation_details", {"reservation_id": res.reservation_id}),
        ("calculate", {"expression": expression}),
    ]


def travel_funds(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    """The total value of the customer's travel certificates and travel credits."""
    user = user_of(db, user_id)
    if user is None:
        return None
    amounts = [m.amount for m in user.payment_methods if m.source != "credit_card"]
    if len(amounts) < 2:
        return None
    return [("calculate", {"expression": " + ".join(money_text(a) for a in amounts)})]


def fare_quote(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    """What the cheapest nonstop flight on a route and date costs for the customer's party."""
    numbers = flight_numbers(db)
    for _ in range(8):
        f = db.view("flights", rng.choice(numbers))
        day = rng.choice(SALE_DATES)
        cabin = rng.choice(CABINS)
        options = [o for o in tools.search_direct_flight.func(db, f.origin, f.destination, day)
                   if o.available_seats.get(cabin, 0) > 0]
        if not options:
            continue
        cheapest = min(o.prices[cabin] for o in options)
        n = rng.choice([1, 2, 2, 3, 4])
        return [
            ("search_direct_flight", {"origin": f.origin, "destination": f.destination, "date": day}),
            ("calculate", {"expression": f"{money_text(cheapest)} * {n}"}),
        ]
    return None


SCENARIOS = [
    Scenario("book_trip", book_trip, weight=3.0),
    Scenario("cancel_trip", cancel_trip, weight=2.0),
    Scenario("change_flight", change_flight, weight=2.0),
    Scenario("change_cabin", change_cabin, weight=1.5),
    Scenario("update_passengers", update_passengers, weight=1.5),
    Scenario("add_bags", add_bags, weight=1.5),
    Scenario("compensation", compensation, weight=2.0),
    Scenario("trip_cost", trip_cost, weight=0.7),
    Scenario("travel_funds", travel_funds, weight=0.5),
    Scenario("fare_quote", fare_quote, weight=0.7),
    Scenario("escalate_partly_flown", escalate_partly_flown, weight=0.3),
]
