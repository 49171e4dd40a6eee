"""The airline's tools: what the agent can look up and change.

Every write checks the policy's preconditions itself and refuses with a `ToolError` that says
why; conversation-level rules (authenticate first, confirm before writing) live in `rules.py`.
Tools touch only the records of the call: a user, a reservation and its flights.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from datetime import date as Date
from datetime import datetime, timedelta
from functools import lru_cache

from pydantic import BaseModel

from domains.airline.models import (
    COMPENSATION_PER_PASSENGER,
    EXTRA_BAG_FEE,
    FLOWN_STATUSES,
    FREE_BAGS,
    INSURANCE_PER_PASSENGER,
    INSURED_REASONS,
    MAX_BAGS_PER_PASSENGER,
    MAX_PASSENGERS,
    MIN_CONNECTION_MINUTES,
    NOW,
    NOW_ISO,
    Airport,
    Cabin,
    CancelReason,
    CompensationReason,
    Flight,
    FlightChoice,
    FlightInstance,
    FlightOption,
    FlightStatusInfo,
    FlightType,
    Passenger,
    Payment,
    PaymentSplit,
    Reservation,
    Segment,
    TravelCertificate,
    User,
    instance_key,
)
from domains.framework import Database, Tables, ToolError, tool
from domains.framework.shared_tools import calculate, transfer_to_human_agents

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_SEGMENTS_PER_LEG = 2
MAX_ONESTOP_RESULTS = 30
MAX_LAYOVER_MINUTES = 12 * 60


# -- helpers ---------------------------------------------------------------------------------------
def _money(x: float) -> float:
    return round(x + 0.0, 2)


def _fmt(x: float) -> str:
    return f"${x:,.0f}" if float(x).is_integer() else f"${x:,.2f}"


def _date(value: str) -> Date:
    if not _DATE.match(value):
        raise ToolError(f"invalid date {value!r}: use the format YYYY-MM-DD")
    try:
        return Date.fromisoformat(value)
    except ValueError:
        raise ToolError(f"invalid date {value!r}: no such day") from None


def get_user(db: Database, user_id: str) -> User:
    return db.require("users", user_id, "user")


def get_reservation(db: Database, reservation_id: str) -> Reservation:
    return db.require("reservations", reservation_id, "reservation")


def _airport(db: Database, code: str, role: str) -> None:
    if db.view("airports", code) is None:
        raise ToolError(f"unknown {role} airport {code!r}: use a three-letter IATA code of an airport we serve")


def departure_time(flight: Flight, day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{flight.scheduled_departure}")


def arrival_time(flight: Flight, day: str) -> datetime:
    arrival = datetime.fromisoformat(f"{day}T{flight.scheduled_arrival}")
    return arrival + timedelta(days=flight.arrival_day_offset)


def _option(flight: Flight, inst: FlightInstance) -> FlightOption:
    return FlightOption(
        flight_number=flight.flight_number, origin=flight.origin, destination=flight.destination,
        date=inst.date, scheduled_departure=flight.scheduled_departure,
        scheduled_arrival=flight.scheduled_arrival, arrival_day_offset=flight.arrival_day_offset,
        status=inst.status, available_seats=dict(inst.available_seats), prices=dict(inst.prices),
    )


def segment_status(db: Database, seg: Segment) -> str | None:
    inst = db.view("flight_instances", instance_key(seg.flight_number, seg.date))
    return None if inst is None else inst.status


def flown_segments(db: Database, res: Reservation) -> list[Segment]:
    return [s for s in res.flights if segment_status(db, s) in FLOWN_STATUSES]


def _payment_method(user: User, payment_method_id: str):
    for m in user.payment_methods:
        if m.payment_method_id == payment_method_id:
            return m
    raise ToolError(f"payment method {payment_method_id!r} is not on file for user {user.user_id}")


def _validate_passengers(passengers: Sequence[Passenger]) -> None:
    if not passengers:
        raise ToolError("at least one passenger is needed")
    if len(passengers) > MAX_PASSENGERS:
        raise ToolError(f"at most {MAX_PASSENGERS} passengers per reservation")
    for p in passengers:
        if not p.first_name.strip() or not p.last_name.strip():
            raise ToolError("every passenger needs a first and a last name")
        born = _date(p.dob)
        if born > NOW.date():
            raise ToolError(f"date of birth {p.dob} of {p.first_name} {p.last_name} is in the future")


Leg = tuple[Flight, FlightInstance, str]  # the flight, its instance on the date, the date


def check_itinerary(
    db: Database, origin: str, destination: str, flight_type: str, choices: Sequence[FlightChoice]
) -> list[Leg]:
    """The flights of a trip, refused unless they connect origin to destination (and back).

    Each way is one flight or two with a connection of at least an hour; a round trip returns
    to its origin after reaching its destination.
    """
    if not choices:
        raise ToolError("at least one flight is needed")
    if len(choices) > 2 * MAX_SEGMENTS_PER_LEG:
        raise ToolError(f"a reservation has at most {2 * MAX_SEGMENTS_PER_LEG} flights")
    keys = [(c.flight_number, c.date) for c in choices]
    if len(set(keys)) != len(keys):
        raise ToolError("the same flight is listed twice")
    legs: list[Leg] = []
    for c in choices:
        _date(c.date)
        flight = db.require("flights", c.flight_number, "flight")
        inst = db.view("flight_instances", instance_key(c.flight_number, c.date))
        if inst is None:
            raise ToolError(f"flight {c.flight_number} does not operate on {c.date} (no schedule for that date)")
        legs.append((flight, inst, c.date))
    first = legs[0][0]
    if first.origin != origin:
        raise ToolError(f"the first flight {first.flight_number} leaves from {first.origin}, not from the origin {origin}")
    for (prev, _, pday), (cur, _, cday) in zip(legs, legs[1:]):
        if cur.origin != prev.destination:
            raise ToolError(
                f"flight {cur.flight_number} leaves from {cur.origin} but {prev.flight_number} arrives at {prev.destination}"
            )
        gap = departure_time(cur, cday) - arrival_time(prev, pday)
        if gap < timedelta(minutes=MIN_CONNECTION_MINUTES):
            raise ToolError(
                f"flight {cur.flight_number} on {cday} leaves less than {MIN_CONNECTION_MINUTES} minutes after "
                f"{prev.flight_number} on {pday} arrives"
            )
    ends = [f.destination for f, _, _ in legs]
    if flight_type == "one_way":
        if ends[-1] != destination:
            raise ToolError(f"the last flight arrives at {ends[-1]}, not at the destination {destination}")
        if destination in ends[:-1] or origin in ends:
            raise ToolError("a one-way trip must not pass through its origin or destination on the way")
        if len(legs) > MAX_SEGMENTS_PER_LEG:
            raise ToolError(f"a one-way trip has at most {MAX_SEGMENTS_PER_LEG} flights")
    else:
        if destination not in ends:
            raise ToolError(f"none of the flights arrives at the destination {destination}")
        turn = ends.index(destination) + 1
        outbound, inbound = legs[:turn], legs[turn:]
        if not inbound or ends[-1] != origin:
            raise ToolError(f"a round trip must end back at its origin {origin}")
        if origin in ends[:turn] or origin in ends[turn:-1] or destination in ends[turn:]:
            raise ToolError("a round trip must not pass through its origin or destination on the way")
        if len(outbound) > MAX_SEGMENTS_PER_LEG or len(inbound) > MAX_SEGMENTS_PER_LEG:
            raise ToolError(f"each way of a round trip has at most {MAX_SEGMENTS_PER_LEG} flights")
    return legs


def _require_bookable(inst: FlightInstance, cabin: str, seats: int) -> None:
    if inst.status != "available":
        raise ToolError(
            f"flight {inst.flight_number} on {inst.date} cannot be booked: its status is {inst.status!r}"
        )
    left = inst.available_seats.get(cabin, 0)  # type: ignore[call-overload]
    if left < seats:
        raise ToolError(
            f"flight {inst.flight_number} on {inst.date} has {left} {cabin} seat(s) left, {seats} needed"
        )


def _adjust_seats(db: Database, deltas: dict[str, Counter]) -> None:
    """Add (or, negative, take) seats per flight instance and cabin; only flights still on sale."""
    for key, by_cabin in deltas.items():
        current = db.view("flight_instances", key)
        if current is None or current.status != "available" or not any(by_cabin.values()):
            continue
        inst = db.edit("flight_instances", key)
        for cabin, delta in by_cabin.items():
            inst.available_seats[cabin] = inst.available_seats.get(cabin, 0) + delta
        db.put("flight_instances", key, inst)


def _change_payment_method(user: User, payment_method_id: str, what: str):
    """The card or travel credit that pays (or receives) a difference on an existing reservation."""
    method = _payment_method(user, payment_method_id)
    if method.source == "travel_certificate":
        raise ToolError(f"travel certificates can only be used for new bookings, not for {what}; use a credit card or travel credit")
    return method


def _charge(db: Database, res: Reservation, payment_method_id: str, amount: float) -> None:
    """Charge (amount > 0) or refund (amount < 0) one method; a travel credit's balance follows."""
    amount = _money(amount)
    if amount == 0:
        return
    user = db.view("users", res.user_id)
    if any(m.payment_method_id == payment_method_id and m.source == "travel_credit" for m in user.payment_methods):
        user = db.edit("users", res.user_id)
        for m in user.payment_methods:
            if m.payment_method_id == payment_method_id:
                m.amount = _money(m.amount - amount)
        db.put("users", user.user_id, user)
    res.payment_history.append(Payment(payment_method_id=payment_method_id, amount=amount))


def _check_credit_balance(method, amount: float) -> None:
    if method.source == "travel_credit" and amount > method.amount + 1e-9:
        raise ToolError(
            f"travel credit {method.payment_method_id} has a balance of {_fmt(method.amount)}, less than {_fmt(amount)}"
        )


def _new_reservation_id(db: Database, user: User, choices: Sequence[FlightChoice]) -> str:
    """A six-character code that depends only on the booking and the state (replays agree)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    seed = f"{user.user_id}|{len(user.reservation_ids)}|" + ",".join(f"{c.flight_number}@{c.date}" for c in choices)
    counter = 0
    while True:
        digest = hashlib.blake2b(f"{seed}|{counter}".encode(), digest_size=8).digest()
        code = "".join(alphabet[b % len(alphabet)] for b in digest[:6])
        if db.view("reservations", code) is None:
            return code
        counter += 1


# -- reads -----------------------------------------------------------------------------------------
@tool("read")
def get_user_details(db: Database, user_id: str) -> User:
    """Get a user's profile: name, contact details, date of birth, membership level, payment methods (with the balance of travel certificates and travel credits), saved passengers and reservation ids. The user id is how a customer identifies themself.

    Args:
        user_id: The user's id, such as "olivia_garcia_4821".
    """
    return get_user(db, user_id)


AIRPORTS_PER_PAGE = 50


class AirportPage(BaseModel):
    airports: list[Airport]
    page: int
    pages: int


@lru_cache(maxsize=4)
def _airport_codes(tables: Tables) -> list[str]:
    return sorted(tables.records["airports"])


@tool("read")
def list_all_airports(db: Database, page: int = 1) -> AirportPage:
    """List the airports the airline serves, with their IATA code, city and name, in code order, 50 per page.

    Args:
        page: Which page of the list, from 1 (the default) to `pages` of the answer.
    """
    # paged so that the answer stays small however many airports a (generated) network has;
    # tools never edit airports, but an environment that did sees its own table
    edited = any(table == "airports" for table, _ in db.changed_keys())
    codes = sorted(db.keys("airports")) if edited else _airport_codes(db.base)
    pages = max(1, -(-len(codes) // AIRPORTS_PER_PAGE))
    if page < 1 or page > pages:
        raise ToolError(f"page must be between 1 and {pages}, got {page}")
    start = (page - 1) * AIRPORTS_PER_PAGE
    return AirportPage(
        airports=[db.view("airports", c) for c in codes[start:start + AIRPORTS_PER_PAGE]], page=page, pages=pages
    )


@tool("read", discovers={"origin": "iata", "destination": "iata"})
def search_direct_flight(db: Database, origin: str, destination: str, date: str) -> list[FlightOption]:
    """Search the nonstop flights between two airports on a date that are open for booking, with the seats left and the price per passenger of each cabin.

    Args:
        origin: IATA code of the departure airport, such as "JFK".
        destination: IATA code of the arrival airport, such as "LAX".
        date: The departure date, "YYYY-MM-DD".
    """
    _airport(db, origin, "origin")
    _airport(db, destination, "destination")
    if origin == destination:
        raise ToolError("origin and destination must differ")
    _date(date)
    out = []
    for fn in db.find("flights", origin=origin, destination=destination):
        inst = db.view("flight_instances", instance_key(fn, date))
        if inst is not None and inst.status == "available":
            out.append(_option(db.view("flights", fn), inst))
    out.sort(key=lambda o: (o.scheduled_departure, o.flight_number))
    return out


Timetable = tuple[dict[str, list[Flight]], dict[str, dict[str, list[Flight]]]]


def _timetable_of(numbers, db: Database) -> Timetable:
    """Flights by origin, and by destination then origin, each in departure order."""
    by_origin: dict[str, list[Flight]] = {}
    into: dict[str, dict[str, list[Flight]]] = {}
    for fn in numbers:
        f = db.view("flights", fn)
        by_origin.setdefault(f.origin, []).append(f)
        into.setdefault(f.destination, {}).setdefault(f.origin, []).append(f)
    order = lambda f: (f.scheduled_departure, f.flight_number)  # noqa: E731
    for flights in by_origin.values():
        flights.sort(key=order)
    for vias in into.values():
        for flights in vias.values():
            flights.sort(key=order)
    return by_origin, into


@lru_cache(maxsize=4)
def _base_timetable(tables: Tables) -> Timetable:
    # tools never write the timetable, so an environment that did not edit it sees the base's
    return _timetable_of(tables.records["flights"], Database(tables))


@tool("read", discovers={"origin": "iata", "destination": "iata"})
def search_onestop_flight(db: Database, origin: str, destination: str, date: str) -> list[list[FlightOption]]:
    """Search connections with exactly one stop between two airports, leaving on a date: pairs of flights open for booking where the second leaves one to twelve hours after the first arrives (possibly the next day). At most 30 connections, earliest departures first.

    Args:
        origin: IATA code of the departure airport, such as "JFK".
        destination: IATA code of the final arrival airport, such as "SEA".
        date: The departure date of the first flight, "YYYY-MM-DD".
    """
    _airport(db, origin, "origin")
    _airport(db, destination, "destination")
    if origin == destination:
        raise ToolError("origin and destination must differ")
    day = _date(date)
    next_day = (day + timedelta(days=1)).isoformat()
    if any(table == "flights" for table, _ in db.changed_keys()):  # the timetable was edited here
        by_origin, into = _timetable_of(db.keys("flights"), db)
    else:
        by_origin, into = _base_timetable(db.base)
    # second flights into the destination by stopover airport; first flights in departure order
    seconds = {via: flights for via, flights in into.get(destination, {}).items() if via != origin}
    firsts = [f for f in by_origin.get(origin, []) if f.destination in seconds]
    found: list[tuple[datetime, datetime, str, Flight, FlightInstance, Flight, FlightInstance]] = []
    last_departure = None
    for f1 in firsts:
        # results are ordered by departure first: once enough are found, later departures cannot enter
        if f1.scheduled_departure != last_departure and len(found) >= MAX_ONESTOP_RESULTS:
            break
        last_departure = f1.scheduled_departure
        i1 = db.view("flight_instances", instance_key(f1.flight_number, date))
        if i1 is None or i1.status != "available":
            continue
        arrive = arrival_time(f1, date)
        for f2 in seconds[f1.destination]:
            for d2 in (date, next_day):
                gap = departure_time(f2, d2) - arrive
                if not timedelta(minutes=MIN_CONNECTION_MINUTES) <= gap <= timedelta(minutes=MAX_LAYOVER_MINUTES):
                    continue
                i2 = db.view("flight_instances", instance_key(f2.flight_number, d2))
                if i2 is not None and i2.status == "available":
                    found.append((departure_time(f1, date), arrival_time(f2, d2), f1.flight_number + f2.flight_number,
                                  f1, i1, f2, i2))
    found.sort(key=lambda t: t[:3])
    return [[_option(f1, i1), _option(f2, i2)] for *_, f1, i1, f2, i2 in found[:MAX_ONESTOP_RESULTS]]


@tool("read")
def get_flight_status(db: Database, flight_number: str, date: str) -> FlightStatusInfo:
    """Get the status of a flight on a date (available, on time, delayed, cancelled, flying or landed), with its scheduled times and, when delayed or in the air, its estimated times.

    Args:
        flight_number: The flight number, such as "HL104".
        date: The departure date, "YYYY-MM-DD".
    """
    _date(date)
    flight = db.require("flights", flight_number, "flight")
    inst = db.view("flight_instances", instance_key(flight_number, date))
    if inst is None:
        raise ToolError(f"flight {flight_number} has no schedule on {date}")
    return FlightStatusInfo(
        flight_number=flight_number, origin=flight.origin, destination=flight.destination, date=date,
        status=inst.status, scheduled_departure=flight.scheduled_departure,
        scheduled_arrival=flight.scheduled_arrival, arrival_day_offset=flight.arrival_day_offset,
        estimated_departure=inst.estimated_departure, estimated_arrival=inst.estimated_arrival,
    )


@tool("read")
def get_reservation_details(db: Database, reservation_id: str) -> Reservation:
    """Get a reservation: its status, trip (origin, destination, one way or round trip), cabin, flights with the price paid per passenger, passengers, payment history (refunds are negative), booking time, baggage and insurance.

    Args:
        reservation_id: The six-character reservation code, such as "Q7M2KD".
    """
    return get_reservation(db, reservation_id)


# -- writes ----------------------------------------------------------------------------------------
@tool("write", discovers={"origin": "iata", "destination": "iata"})
def book_reservation(
    db: Database,
    user_id: str,
    origin: str,
    destination: str,
    flight_type: FlightType,
    cabin: Cabin,
    flights: list[FlightChoice],
    passengers: list[Passenger],
    payment_methods: list[PaymentSplit],
    total_baggages: int,
    insurance: bool,
) -> Reservation:
    """Book a new reservation for a user. The total (flight prices times passengers, plus insurance and extra bag fees) must be paid in full by the listed payment methods.

    Args:
        user_id: The id of the user who books (and pays).
        origin: IATA code of the trip's origin airport.
        destination: IATA code of the trip's destination airport (the far end of a round trip).
        flight_type: "one_way" or "round_trip".
        cabin: "basic_economy", "economy" or "business"; the same cabin for every flight.
        flights: Every flight of the trip in travel order, each {"flight_number", "date"}.
        passengers: Every traveller, each {"first_name", "last_name", "dob"} (dob as YYYY-MM-DD).
        payment_methods: How the total is paid: a list of {"payment_method_id", "amount"}; at most one credit card, one travel certificate and one travel credit.
        total_baggages: Checked bags for the whole reservation (free allowance first, then the fee per extra bag).
        insurance: Whether to add travel insurance for every passenger.
    """
    user = get_user(db, user_id)
    _airport(db, origin, "origin")
    _airport(db, destination, "destination")
    if origin == destination:
        raise ToolError("origin and destination must differ")
    _validate_passengers(passengers)
    n = len(passengers)
    if not 0 <= total_baggages <= MAX_BAGS_PER_PASSENGER * n:
        raise ToolError(f"checked bags must be between 0 and {MAX_BAGS_PER_PASSENGER} per passenger")
    legs = check_itinerary(db, origin, destination, flight_type, flights)
    for _, inst, _ in legs:
        _require_bookable(inst, cabin, n)
    fare = sum(inst.prices[cabin] for _, inst, _ in legs) * n
    free = FREE_BAGS[user.membership][cabin] * n
    nonfree = max(0, total_baggages - free)
    total = _money(fare + nonfree * EXTRA_BAG_FEE + (INSURANCE_PER_PASSENGER * n if insurance else 0))

    if not payment_methods:
        raise ToolError("at least one payment method is needed")
    seen: Counter = Counter()
    methods = []
    for split in payment_methods:
        method = _payment_method(user, split.payment_method_id)
        if split.amount <= 0:
            raise ToolError(f"the amount for {split.payment_method_id} must be positive")
        if any(m.payment_method_id == method.payment_method_id for m, _ in methods):
            raise ToolError(f"payment method {split.payment_method_id} is listed twice")
        seen[method.source] += 1
        if seen[method.source] > 1:
            raise ToolError(f"at most one {method.source.replace('_', ' ')} can be used per booking")
        if method.source != "credit_card" and split.amount > method.amount + 1e-9:
            raise ToolError(
                f"{method.source.replace('_', ' ')} {method.payment_method_id} has {_fmt(method.amount)}, "
                f"less than {_fmt(split.amount)}"
            )
        methods.append((method, split.amount))
    paid = _money(sum(a for _, a in methods))
    if abs(paid - total) > 0.005:
        raise ToolError(f"the payments add up to {_fmt(paid)} but the total due is {_fmt(total)}")

    rid = _new_reservation_id(db, user, flights)
    user = db.edit("users", user_id)
    for method, amount in methods:
        if method.source == "travel_certificate":  # single use: the rest of its value is forfeited
            user.payment_methods = [m for m in user.payment_methods if m.payment_method_id != method.payment_method_id]
        elif method.source == "travel_credit":
            for m in user.payment_methods:
                if m.payment_method_id == method.payment_method_id:
                    m.amount = _money(m.amount - amount)
    user.reservation_ids.append(rid)
    db.put("users", user_id, user)
    _adjust_seats(db, {instance_key(f.flight_number, d): Counter({cabin: -n}) for f, _, d in legs})
    res = Reservation(
        reservation_id=rid, user_id=user_id, status="active", origin=origin, destination=destination,
        flight_type=flight_type, cabin=cabin,
        flights=[Segment(flight_number=f.flight_number, date=d, origin=f.origin, destination=f.destination,
                         price=inst.prices[cabin]) for f, inst, d in legs],
        passengers=[Passenger(**p.model_dump()) for p in passengers],
        payment_history=[Payment(payment_method_id=m.payment_method_id, amount=_money(a)) for m, a in methods],
        created_at=NOW_ISO, total_baggages=total_baggages, nonfree_baggages=nonfree, insurance=insurance,
    )
    db.insert("reservations", rid, res)
    return res


def _active_unflown(db: Database, reservation_id: str, what: str) -> Reservation:
    res = get_reservation(db, reservation_id)
    if res.status != "active":
        raise ToolError(f"reservation {reservation_id} is {res.status}; it cannot be {what}")
    flown = flown_segments(db, res)
    if flown:
        raise ToolError(
            f"flight {flown[0].flight_number} on {flown[0].date} of reservation {reservation_id} has already "
            f"departed; the reservation cannot be {what}"
        )
    return res


def cancellation_grounds(db: Database, res: Reservation, reason: str) -> str | None:
    """Why the policy allows cancelling this reservation for this reason, or None."""
    airline_cancelled = any(segment_status(db, s) == "cancelled" for s in res.flights)
    if airline_cancelled:
        return "a flight was cancelled by the airline"
    if datetime.fromisoformat(res.created_at) >= NOW - timedelta(hours=24):
        return "booked within the last 24 hours"
    if res.cabin == "business":
        return "business cabin"
    if res.insurance and reason in INSURED_REASONS:
        return "travel insurance covers the reason"
    return None


@tool("write")
def cancel_reservation(db: Database, reservation_id: str, reason: CancelReason) -> Reservation:
    """Cancel a whole reservation and refund what was paid to the original payment methods. Allowed before any of its flights has departed, when booked within the last 24 hours, when the airline cancelled one of its flights, for business cabin, or with insurance for a covered reason.

    Args:
        reservation_id: The reservation code.
        reason: "change of plans", "airline cancelled flight", "health", "family emergency" or "other".
    """
    res = _active_unflown(db, reservation_id, "cancelled")
    if reason == "airline cancelled flight" and not any(segment_status(db, s) == "cancelled" for s in res.flights):
        raise ToolError(f"none of the flights of reservation {reservation_id} has been cancelled by the airline")
    if cancellation_grounds(db, res, reason) is None:
        detail = (" (its travel insurance covers only health and family emergencies)" if res.insurance else "")
        raise ToolError(
            f"reservation {reservation_id} cannot be cancelled: it was booked more than 24 hours ago, no flight "
            f"was cancelled by the airline, it is not in business cabin and it has no insurance covering "
            f"the reason{detail}"
        )
    res = db.edit("reservations", reservation_id)
    owner = db.view("users", res.user_id)
    user = None  # edited only when a certificate or a travel credit gets money back
    net: dict[str, float] = {}
    for p in res.payment_history:
        net[p.payment_method_id] = net.get(p.payment_method_id, 0.0) + p.amount
    for method_id, amount in net.items():
        amount = _money(amount)
        if amount <= 0:
            continue
        current = None if owner is None else next(
            (m for m in owner.payment_methods if m.payment_method_id == method_id), None)
        # a used certificate comes back as a certificate for the amount it paid
        restore = owner is not None and current is None and method_id.startswith("certificate_")
        if restore or (current is not None and current.source != "credit_card"):
            user = user or db.edit("users", res.user_id)
            if restore:
                user.payment_methods.append(TravelCertificate(payment_method_id=method_id, amount=amount))
            else:
                method = next(m for m in user.payment_methods if m.payment_method_id == method_id)
                method.amount = _money(method.amount + amount)
        res.payment_history.append(Payment(payment_method_id=method_id, amount=-amount))
    res.status = "cancelled"
    n = len(res.passengers)
    _adjust_seats(db, {instance_key(s.flight_number, s.date): Counter({res.cabin: n}) for s in res.flights})
    if user is not None:
        db.put("users", user.user_id, user)
    db.put("reservations", reservation_id, res)
    return res


@tool("write")
def update_reservation_flights(
    db: Database, reservation_id: str, cabin: Cabin, flights: list[FlightChoice], payment_method_id: str
) -> Reservation:
    """Change the flights and/or the cabin of a reservation (same origin, destination and trip type). List every flight of the new itinerary, kept ones too. Flights of basic economy reservations cannot be changed; the cabin can. The fare difference for all passengers is charged to, or refunded to, the given payment method.

    Args:
        reservation_id: The reservation code.
        cabin: The cabin for the whole reservation after the change.
        flights: Every flight of the new itinerary in travel order, each {"flight_number", "date"}.
        payment_method_id: The credit card or travel credit that pays or receives the fare difference.
    """
    res = get_reservation(db, reservation_id)
    if res.status != "active":
        raise ToolError(f"reservation {reservation_id} is {res.status}; it cannot be changed")
    user = get_user(db, res.user_id)
    method = _change_payment_method(user, payment_method_id, "flight changes")
    legs = check_itinerary(db, res.origin, res.destination, res.flight_type, flights)
    old = {(s.flight_number, s.date): s for s in res.flights}
    new_keys = [(f.flight_number, d) for f, _, d in legs]
    if new_keys == [(s.flight_number, s.date) for s in res.flights] and cabin == res.cabin:
        raise ToolError(f"reservation {reservation_id} already has these flights in {cabin}; nothing to change")
    if res.cabin == "basic_economy" and set(new_keys) != set(old):
        raise ToolError(
            "the flights of a basic economy reservation cannot be changed (the cabin can be upgraded first)"
        )
    for s in flown_segments(db, res):
        if (s.flight_number, s.date) not in new_keys:
            raise ToolError(f"flight {s.flight_number} on {s.date} has already departed and must be kept")
        if cabin != res.cabin:
            raise ToolError("the cabin cannot be changed once part of the trip has been flown")
    n = len(res.passengers)
    deltas: dict[str, Counter] = {}
    segments = []
    for f, inst, d in legs:
        kept = old.get((f.flight_number, d))
        if kept is not None and cabin == res.cabin:
            segments.append(kept.model_copy())
            continue
        _require_bookable(inst, cabin, n)
        deltas.setdefault(instance_key(f.flight_number, d), Counter())[cabin] -= n
        segments.append(Segment(flight_number=f.flight_number, date=d, origin=f.origin,
                                destination=f.destination, price=inst.prices[cabin]))
    for (fn, d), s in old.items():
        if (fn, d) not in new_keys or cabin != res.cabin:
            deltas.setdefault(instance_key(fn, d), Counter())[res.cabin] += n
    difference = _money((sum(s.price for s in segments) - sum(s.price for s in res.flights)) * n)
    if difference > 0:
        _check_credit_balance(method, difference)
    res = db.edit("reservations", reservation_id)
    _charge(db, res, payment_method_id, difference)
    res.flights = segments
    res.cabin = cabin
    _adjust_seats(db, deltas)
    db.put("reservations", reservation_id, res)
    return res


@tool("write")
def update_reservation_passengers(db: Database, reservation_id: str, passengers: list[Passenger]) -> Reservation:
    """Replace the passenger details of a reservation (to correct a name or date of birth, or to swap a traveller). The number of passengers cannot change, and nothing can be changed once travel has started.

    Args:
        reservation_id: The reservation code.
        passengers: Every passenger after the change, each {"first_name", "last_name", "dob"}, as many as before.
    """
    res = _active_unflown(db, reservation_id, "changed")
    if len(passengers) != len(res.passengers):
        raise ToolError(
            f"reservation {reservation_id} has {len(res.passengers)} passenger(s); the number of passengers cannot change"
        )
    _validate_passengers(passengers)
    if [p.model_dump() for p in passengers] == [p.model_dump() for p in res.passengers]:
        raise ToolError(f"these are already the passengers of reservation {reservation_id}; nothing to change")
    res = db.edit("reservations", reservation_id)
    res.passengers = [Passenger(**p.model_dump()) for p in passengers]
    db.put("reservations", reservation_id, res)
    return res


@tool("write")
def update_reservation_baggages(
    db: Database, reservation_id: str, total_baggages: int, payment_method_id: str
) -> Reservation:
    """Add checked bags to a reservation. Bags within the free allowance (by membership level and cabin, per passenger) cost nothing; each extra bag costs the fee, charged to the given payment method. Bags cannot be removed.

    Args:
        reservation_id: The reservation code.
        total_baggages: The new total number of checked bags for the whole reservation.
        payment_method_id: The credit card or travel credit that pays for extra bags.
    """
    res = _active_unflown(db, reservation_id, "changed")
    user = get_user(db, res.user_id)
    method = _change_payment_method(user, payment_method_id, "bags")
    n = len(res.passengers)
    if total_baggages < res.total_baggages:
        raise ToolError(f"reservation {reservation_id} has {res.total_baggages} checked bag(s); bags cannot be removed")
    if total_baggages == res.total_baggages:
        raise ToolError(f"reservation {reservation_id} already has {total_baggages} checked bag(s); nothing to change")
    if total_baggages > MAX_BAGS_PER_PASSENGER * n:
        raise ToolError(f"at most {MAX_BAGS_PER_PASSENGER} checked bags per passenger ({MAX_BAGS_PER_PASSENGER * n} here)")
    free = FREE_BAGS[user.membership][res.cabin] * n
    nonfree = max(res.nonfree_baggages, total_baggages - free)
    fee = _money((nonfree - res.nonfree_baggages) * EXTRA_BAG_FEE)
    if fee > 0:
        _check_credit_balance(method, fee)
    res = db.edit("reservations", reservation_id)
    _charge(db, res, payment_method_id, fee)
    res.total_baggages = total_baggages
    res.nonfree_baggages = nonfree
    db.put("reservations", reservation_id, res)
    return res


def compensation_due(db: Database, user: User, res: Reservation, reason: str) -> float | None:
    """The certificate amount the policy grants for this reservation and reason, or None."""
    wanted = "cancelled" if reason == "cancelled flight" else "delayed"
    if not any(segment_status(db, s) == wanted for s in res.flights):
        return None
    if user.membership == "regular" and res.cabin != "business" and not res.insurance:
        return None
    return float(COMPENSATION_PER_PASSENGER[reason] * len(res.passengers))


@tool("write")
def send_certificate(
    db: Database, user_id: str, reservation_id: str, reason: CompensationReason, amount: float
) -> TravelCertificate:
    """Compensate a user with a travel certificate for a cancelled or delayed flight of one of their reservations: per passenger, the policy's amount for cancelled flights or for delays. Only silver and gold members, business cabin or insured reservations qualify, once per reservation.

    Args:
        user_id: The id of the user to compensate.
        reservation_id: The reservation with the cancelled or delayed flight.
        reason: "cancelled flight" or "delayed flight".
        amount: The certificate amount in dollars, as the policy sets it.
    """
    user = get_user(db, user_id)
    res = get_reservation(db, reservation_id)
    if res.user_id != user_id:
        raise ToolError(f"reservation {reservation_id} does not belong to user {user_id}")
    if res.compensation_certificate_id is not None:
        raise ToolError(
            f"reservation {reservation_id} was already compensated with certificate {res.compensation_certificate_id}"
        )
    wanted = "cancelled" if reason == "cancelled flight" else "delayed"
    if not any(segment_status(db, s) == wanted for s in res.flights):
        raise ToolError(f"no flight of reservation {reservation_id} is {wanted}")
    due = compensation_due(db, user, res, reason)
    if due is None:
        raise ToolError(
            "no compensation is due: only silver and gold members, business cabin or insured reservations qualify"
        )
    if abs(amount - due) > 0.005:
        per = COMPENSATION_PER_PASSENGER[reason]
        raise ToolError(
            f"the compensation for a {reason} is {_fmt(per)} per passenger, {_fmt(due)} for this reservation, "
            f"not {_fmt(amount)}"
        )
    cert = TravelCertificate(payment_method_id=f"certificate_{reservation_id}", amount=due)
    if any(m.payment_method_id == cert.payment_method_id for m in user.payment_methods):
        raise ToolError(f"certificate {cert.payment_method_id} already exists")
    user = db.edit("users", user_id)
    user.payment_methods.append(cert)
    db.put("users", user_id, user)
    res = db.edit("reservations", reservation_id)
    res.compensation_certificate_id = cert.payment_method_id
    db.put("reservations", reservation_id, res)
    return cert


READ_TOOLS = [
    get_user_details,
    list_all_airports,
    search_direct_flight,
    search_onestop_flight,
    get_flight_status,
    get_reservation_details,
    calculate,
    transfer_to_human_agents,
]
WRITE_TOOLS = [
    book_reservation,
    cancel_reservation,
    update_reservation_flights,
    update_reservation_passengers,
    update_reservation_baggages,
    send_certificate,
]
TOOLS = READ_TOOLS + WRITE_TOOLS
