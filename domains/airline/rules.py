"""The airline's hooks for the framework: whose data a call touches, what a confirmation must
name, how a user authenticates, and which records surround a user."""

from __future__ import annotations

import random
from typing import Any

from domains.framework import Database
from domains.framework.policy import AuthenticatedBeforeAccess, ConfirmedBeforeWrite, Policy
from domains.airline.models import NOW_ISO, instance_key

AUTH_TOOLS = {"get_user_details"}
USER_ARG_TOOLS = {"get_user_details", "book_reservation", "send_certificate"}
RESERVATION_ARG_TOOLS = {
    "get_reservation_details",
    "cancel_reservation",
    "update_reservation_flights",
    "update_reservation_passengers",
    "update_reservation_baggages",
}

PRECONDITIONS = [
    "only available flights with enough seats in the cabin can be booked or added",
    "each way of a trip is one flight or two with a connection of at least an hour; a round trip returns to its origin",
    "1 to 5 passengers; the number of passengers of a reservation never changes",
    "bookings are paid in full with at most one credit card, one travel certificate and one travel credit on file",
    "a travel certificate or travel credit cannot pay more than its value; a used certificate is consumed",
    "cancelled reservations cannot be changed; nothing but kept flights once a flight has departed",
    "basic economy flights cannot be changed (the cabin can)",
    "fare differences and bag fees are paid with a credit card or travel credit, never a certificate",
    "bags can be added, never removed; at most 5 per passenger; $50 per bag beyond the allowance",
    "cancellation only before departure and within 24 h of booking, after an airline cancellation, "
    "in business, or with insurance for health or a family emergency",
    "compensation ($100/passenger cancelled, $50/passenger delayed) once per reservation, only for "
    "silver/gold members, business cabin or insured reservations with such a flight",
]


def owner_of(db: Database, tool_name: str, args: dict[str, Any]) -> str | None:
    """The user whose data a call reads or changes, or None for calls that touch no user's data.

    `get_user_details` is the authentication tool: the rule treats a successful call as
    identifying the user (and a second such call for someone else as a violation), so its
    owner here (the user id argument) only matters if it is ever not listed as an auth tool.
    """
    if tool_name in USER_ARG_TOOLS:
        uid = args.get("user_id")
        return uid if isinstance(uid, str) and db.view("users", uid) is not None else None
    if tool_name in RESERVATION_ARG_TOOLS:
        rid = args.get("reservation_id")
        if not isinstance(rid, str):
            return None
        res = db.view("reservations", rid)
        return None if res is None else res.user_id
    return None


def confirm_fields(tool_name: str, args: dict[str, Any]) -> list[str]:
    """What the agent must name before the user's yes: the reservation code, or the route of a booking."""
    if "reservation_id" in args:
        return ["reservation_id"]
    if tool_name == "book_reservation":
        return ["origin", "destination"]
    return []


def auth_call(db: Database, user_id: str, rng: random.Random) -> tuple[str, dict[str, Any]]:
    return "get_user_details", {"user_id": user_id}


def user_context(db: Database, user_id: str) -> dict[str, Any]:
    """The user's profile and reservations, with the current status of every flight on them."""
    user = db.view("users", user_id)
    if user is None:
        return {"current_time": NOW_ISO}
    reservations = []
    for rid in user.reservation_ids:
        res = db.view("reservations", rid)
        if res is None:
            continue
        data = res.model_dump(mode="json")
        for seg in data["flights"]:
            inst = db.view("flight_instances", instance_key(seg["flight_number"], seg["date"]))
            seg["status"] = None if inst is None else inst.status
        reservations.append(data)
    return {"current_time": NOW_ISO, "user": user.model_dump(mode="json"), "reservations": reservations}


def make_policy(text: str, write_tools: set[str]) -> Policy:
    return Policy(
        text=text,
        preconditions=PRECONDITIONS,
        rules=[
            AuthenticatedBeforeAccess(AUTH_TOOLS, owner_of),
            ConfirmedBeforeWrite(write_tools, confirm_fields),
        ],
    )
