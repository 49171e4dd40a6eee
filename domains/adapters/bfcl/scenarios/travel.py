"""Travel booking tasks. Everything but lookups needs an access token: a person who is not
signed in first signs in (a task of its own: the token BFCL issues is only known afterwards),
and later tasks of the chain use the token."""

from __future__ import annotations

import random
from typing import Any

from bfcl_eval.eval_checker.multi_turn_eval.func_source_code.travel_booking import TravelAPI

from domains.adapters.bfcl.configs import ROUTES, travel_date
from domains.adapters.bfcl.database import WorldDatabase
from domains.adapters.bfcl.scenarios.common import profile, question, task
from domains.framework.sampling import TargetCall

TRAVEL = "TravelAPI"
INSURANCE = ["comprehensive", "cancellation", "baggage"]
CURRENCIES = ["EUR", "JPY", "GBP", "CAD", "AUD", "RMB"]


def _api(db: WorldDatabase) -> Any:
    return db.live(TRAVEL)


def _token(db: WorldDatabase) -> str | None:
    api = _api(db)
    return api.access_token if api.token_expires_in else None


def flight_cost(travel_from: str, travel_to: str, date: str, travel_class: str) -> float:
    """BFCL's price of a flight, from its own method on a throwaway instance."""
    pricer = TravelAPI()
    pricer.long_context = False
    return pricer.get_flight_cost(travel_from, travel_to, date, travel_class)["travel_cost_list"][0]


def sign_in(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    if _token(db) is not None:
        return None
    me = profile(db, user_id)
    return [("authenticate_travel", {
        "client_id": me["travel_client_id"], "client_secret": me["travel_client_secret"],
        "refresh_token": me["travel_refresh_token"], "grant_type": "read_write",
        "user_first_name": me["first_name"], "user_last_name": me["last_name"],
    })]


def book(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    token, api = _token(db), _api(db)
    if token is None:
        return None
    a, b = rng.choice(sorted(ROUTES))
    date, travel_class = travel_date(rng), rng.choice(["economy", "economy", "business"])
    cost = flight_cost(a, b, date, travel_class)
    limit = api.budget_limit
    cards = sorted(c for c, card in api.credit_card_list.items()
                   if card.get("balance", 0) >= cost and (limit is None or card["balance"] >= limit))
    if not cards:
        return None
    card_id = rng.choice(cards)
    return [
        ("get_flight_cost", {"travel_from": a, "travel_to": b, "travel_date": date, "travel_class": travel_class}),
        ("book_flight", {"access_token": token, "card_id": card_id, "travel_date": date, "travel_from": a,
                         "travel_to": b, "travel_class": travel_class}),
    ]


def cancel(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    token, api = _token(db), _api(db)
    bookings = sorted(b for b, rec in api.booking_record.items() if rec["card_id"] in api.credit_card_list)
    if token is None or not bookings:
        return None
    booking_id = rng.choice(bookings)
    return [("retrieve_invoice", {"access_token": token, "booking_id": booking_id}),
            ("cancel_booking", {"access_token": token, "booking_id": booking_id})]


def budget(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    token = _token(db)
    if token is None:
        return None
    return [("set_budget_limit", {"access_token": token, "budget_limit": float(rng.randrange(500, 5000, 100))})]


def insure(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    token, api = _token(db), _api(db)
    if token is None or not api.booking_record:
        return None
    cost = float(rng.randrange(20, 200, 5))
    if api.budget_limit is not None and api.budget_limit < cost:
        return None
    return [("purchase_insurance", {
        "access_token": token, "insurance_type": rng.choice(INSURANCE), "booking_id": rng.choice(sorted(api.booking_record)),
        "insurance_cost": cost, "card_id": rng.choice(sorted(api.credit_card_list)),
    })]


def register_card(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    token = _token(db)
    if token is None:
        return None
    me = profile(db, user_id)
    return [("register_credit_card", {
        "access_token": token, "card_number": str(rng.randrange(4 * 10**15, 5 * 10**15)),
        "expiration_date": f"{rng.randint(1, 12):02d}/{rng.randint(2027, 2031)}",
        "cardholder_name": me["name"], "card_verification_number": rng.randrange(100, 999),
    })]


def card_balance(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    token, api = _token(db), _api(db)
    if token is None or not api.credit_card_list:
        return None
    return [("get_credit_card_balance", {"access_token": token, "card_id": rng.choice(sorted(api.credit_card_list))})]


def exchange(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    return [("compute_exchange_rate", {
        "base_currency": "USD", "target_currency": rng.choice(CURRENCIES), "value": float(rng.randrange(50, 3000, 10)),
    })]


CITIES = ["Rivermist", "Stonebrook", "Maplecrest", "Silverpine", "Shadowridge", "London", "Paris", "Sunset Valley",
          "Oakendale", "Willowbend", "Crescent Hollow", "Autumnville", "Pinehaven", "Greenfield", "San Francisco",
          "Los Angeles", "New York", "Chicago", "Boston", "Beijing", "Hong Kong", "Rome", "Tokyo"]


def nearest_airport(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    return [("get_nearest_airport_by_city", {"location": rng.choice(CITIES)})]


SCENARIOS = [
    task("travel_sign_in", sign_in),
    task("travel_book_flight", book, 1.5),
    task("travel_cancel_booking", cancel),
    task("travel_set_budget", budget, 0.5),
    task("travel_insurance", insure, 0.6),
    task("travel_register_card", register_card, 0.5),
    question("travel_card_balance", card_balance, 0.4),
    question("travel_exchange", exchange, 0.3),
    question("travel_nearest_airport", nearest_airport, 0.2),
]
