"""Workspace messaging tasks; the person's messaging id is their user id."""

from __future__ import annotations

import random
from typing import Any

from domains.adapters.bfcl.database import WorldDatabase
from domains.adapters.bfcl.scenarios.common import question, task
from domains.framework.sampling import TargetCall

MESSAGES = "MessageAPI"
TEXTS = ["The files are in the shared folder.", "Can we move our call to 3pm?", "I booked the flight for Monday.",
         "Please review the budget before Friday.", "Happy birthday!"]
NEW_CONTACTS = ["Kofi", "Lucia", "Mikhail", "Nora", "Oscar", "Paula"]


def _api(db: WorldDatabase) -> Any:
    return db.live(MESSAGES)


def _login(db: WorldDatabase, user_id: str) -> list[TargetCall]:
    return [] if _api(db).current_user == user_id else [("message_login", {"user_id": user_id})]


def send(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    contacts = sorted((name, uid) for name, uid in _api(db).user_map.items() if uid != user_id)
    if not contacts:
        return None
    name, receiver = rng.choice(contacts)
    return _login(db, user_id) + [
        ("get_user_id", {"user": name}), ("send_message", {"receiver_id": receiver, "message": rng.choice(TEXTS)}),
    ]


def delete_latest(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    receivers = sorted({next(iter(m)) for m in _api(db).inbox})
    if not receivers:
        return None
    return _login(db, user_id) + [("view_messages_sent", {}), ("delete_message", {"receiver_id": rng.choice(receivers)})]


def add_contact(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    new = [n for n in NEW_CONTACTS if n not in _api(db).user_map]
    return [("add_contact", {"user_name": rng.choice(new)})] if new else None


def contact_id(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    names = sorted(name for name, uid in _api(db).user_map.items() if uid != user_id)
    return [("get_user_id", {"user": rng.choice(names)})] if names else None


SCENARIOS = [
    task("message_send", send, 1.5),
    task("message_delete_latest", delete_latest, 0.7),
    task("message_add_contact", add_contact, 0.7),
    question("message_contact_id", contact_id, 0.3),
]
