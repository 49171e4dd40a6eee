"""Support ticket tasks; creating and listing one's own tickets needs the person signed in."""

from __future__ import annotations

import random
from typing import Any

from domains.adapters.bfcl.database import WorldDatabase
from domains.adapters.bfcl.scenarios.common import profile, task
from domains.framework.sampling import TargetCall

TICKETS = "TicketAPI"
NEW = [
    ("Car rental refund", "The rental company charged twice for the same booking."),
    ("Wi-Fi drops in meeting room B", "The connection drops whenever more than ten people join."),
    ("Request a second monitor", "A second monitor would help with the data work."),
    ("Expense report stuck", "The expense report has been pending approval for two weeks."),
]
RESOLUTIONS = ["Replaced the cable.", "Reset the account and sent new credentials.", "Issue fixed by the vendor.",
               "Duplicate of an earlier ticket."]


def _api(db: WorldDatabase) -> Any:
    return db.live(TICKETS)


def _login(db: WorldDatabase, user_id: str) -> list[TargetCall]:
    me = profile(db, user_id)
    if _api(db).current_user == me["username"]:
        return []
    return [("ticket_login", {"username": me["username"], "password": me["password"]})]


def _mine(db: WorldDatabase, user_id: str, statuses: tuple[str, ...]) -> list[int]:
    me = profile(db, user_id)["username"]
    return sorted(t["id"] for t in _api(db).ticket_queue if t["created_by"] == me and t["status"] in statuses)


def create(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    title, description = rng.choice(NEW)
    return _login(db, user_id) + [
        ("create_ticket", {"title": title, "description": description, "priority": rng.randint(1, 5)})
    ]


def close(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    ids = _mine(db, user_id, ("Open", "In Progress", "Resolved"))
    if not ids:
        return None
    ticket_id = rng.choice(ids)
    return [("get_ticket", {"ticket_id": ticket_id}), ("close_ticket", {"ticket_id": ticket_id})]


def resolve(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    ids = _mine(db, user_id, ("Open", "In Progress"))
    if not ids:
        return None
    ticket_id = rng.choice(ids)
    return [("get_ticket", {"ticket_id": ticket_id}),
            ("resolve_ticket", {"ticket_id": ticket_id, "resolution": rng.choice(RESOLUTIONS)})]


def edit(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    ids = _mine(db, user_id, ("Open", "In Progress"))
    if not ids:
        return None
    ticket_id = rng.choice(ids)
    ticket = next(t for t in _api(db).ticket_queue if t["id"] == ticket_id)
    priority = rng.choice([p for p in range(1, 6) if p != ticket["priority"]])
    updates: dict[str, Any] = {"priority": priority}
    if rng.random() < 0.3:
        updates["status"] = "In Progress" if ticket["status"] == "Open" else "Open"
    return [("get_ticket", {"ticket_id": ticket_id}), ("edit_ticket", {"ticket_id": ticket_id, "updates": updates})]


def logout(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    return [("logout", {})] if _api(db).current_user else None


SCENARIOS = [
    task("ticket_create", create, 1.5),
    task("ticket_close", close),
    task("ticket_resolve", resolve),
    task("ticket_edit", edit),
    task("ticket_logout", logout, 0.2),
]
