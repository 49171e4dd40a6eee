"""What the airline's task scenarios read of a customer and their trips, and how a customer would
pay or travel: the helpers every scenario of `scenarios.py` shares."""

from __future__ import annotations

import random
from functools import lru_cache
from typing import Any

from domains.airline import tools
from domains.airline.models import Reservation, User
from domains.framework import Database, Tables


def money(x: float) -> int | float:
    """A money amount as it would be written: 250 rather than 250.0."""
    x = round(x, 2)
    return int(x) if float(x).is_integer() else x


def money_text(x: float) -> str:
    return str(money(x))


def user_of(db: Database, user_id: str) -> User | None:
    return db.view("users", user_id)


def reservations_of(db: Database, user: User) -> list[Reservation]:
    out = []
    for rid in user.reservation_ids:
        res = db.view("reservations", rid)
        if res is not None:
            out.append(res)
    return out


def segment_statuses(db: Database, res: Reservation) -> list[str | None]:
    return [tools.segment_status(db, s) for s in res.flights]


def changeable(db: Database, res: Reservation) -> bool:
    """Active and nothing flown."""
    return res.status == "active" and not tools.flown_segments(db, res)


def all_on_sale(db: Database, res: Reservation) -> bool:
    return res.status == "active" and all(s == "available" for s in segment_statuses(db, res))


def flight_choices(res_or_legs) -> list[dict[str, str]]:
    return [{"flight_number": s.flight_number, "date": s.date} for s in res_or_legs]


def flight_numbers(db: Database) -> list[str]:
    # the timetable is never written by tools, so the base's keys are the current ones
    return _timetable(db.base)


@lru_cache(maxsize=4)
def _timetable(tables: Tables) -> list[str]:
    return list(tables.records["flights"])


def spend_method(user: User, amount: float, rng: random.Random) -> str:
    """A credit card, or a travel credit that covers `amount`, to pay or receive a difference."""
    options = [m.payment_method_id for m in user.payment_methods if m.source == "credit_card"]
    options += [m.payment_method_id for m in user.payment_methods
                if m.source == "travel_credit" and m.amount >= amount]
    return rng.choice(options)


def payment_split(user: User, total: float, rng: random.Random) -> list[dict[str, Any]]:
    """How a customer might pay `total`: a certificate and/or travel credit first, the rest by card."""
    splits: list[dict[str, Any]] = []
    left = round(total, 2)
    certs = [m for m in user.payment_methods if m.source == "travel_certificate"]
    credits = [m for m in user.payment_methods if m.source == "travel_credit" and m.amount > 0]
    if certs and rng.random() < 0.45:
        cert = rng.choice(certs)
        use = min(cert.amount, left)
        splits.append({"payment_method_id": cert.payment_method_id, "amount": money(use)})
        left = round(left - use, 2)
    if credits and left > 0 and rng.random() < 0.5:
        credit = credits[0]
        use = min(credit.amount, left)
        splits.append({"payment_method_id": credit.payment_method_id, "amount": money(use)})
        left = round(left - use, 2)
    if left > 0:
        card = rng.choice([m for m in user.payment_methods if m.source == "credit_card"])
        splits.append({"payment_method_id": card.payment_method_id, "amount": money(left)})
    return splits


def travellers(user: User, rng: random.Random) -> list[dict[str, str]]:
    me = {"first_name": user.first_name, "last_name": user.last_name, "dob": user.dob}
    saved = [p.model_dump() for p in user.saved_passengers]
    rng.shuffle(saved)
    people = ([me] if not saved or rng.random() < 0.8 else []) + saved
    return people[: rng.choices([1, 2, 3], weights=[55, 33, 12])[0]] or [me]
