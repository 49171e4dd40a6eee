"""The people whose systems the BFCL domains' worlds are: names, ids and credentials."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

FIRST = ["Maya", "Liam", "Sofia", "Noah", "Aisha", "Mateo", "Chloe", "Ravi", "Emma", "Kenji", "Zara", "Omar",
         "Lena", "Diego", "Priya", "Tomas", "Nadia", "Ethan", "Yara", "Felix"]
LAST = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Haddad", "Kowalski", "Silva", "Brennan", "Novak", "Ferreira",
        "Osei", "Larsen", "Castillo", "Iyer", "Becker", "Rossi"]


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    user_id: str
    username: str  # the handle they log in with everywhere (twitter, tickets, trading)
    password: str
    travel_client_id: str
    travel_client_secret: str
    travel_refresh_token: str
    travel_token: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    def profile(self) -> dict[str, Any]:
        """What the person knows about themselves, shown to the blueprint generator."""
        return {
            "name": self.name, "first_name": self.first, "last_name": self.last, "username": self.username,
            "password": self.password, "travel_client_id": self.travel_client_id,
            "travel_client_secret": self.travel_client_secret, "travel_refresh_token": self.travel_refresh_token,
            "travel_access_token": self.travel_token,
        }


def _token(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(n))


def make_people(rng: random.Random, n: int) -> list[Person]:
    people: list[Person] = []
    ids: set[str] = set()
    while len(people) < n:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        user_id = f"{first.lower()}_{last.lower()}_{rng.randrange(1000, 9999)}"
        if user_id in ids:
            continue
        ids.add(user_id)
        people.append(Person(
            first=first, last=last, user_id=user_id,
            username=f"{first.lower()}_{last[0].lower()}{rng.randrange(10, 99)}",
            password=f"{_token(rng, 6)}{rng.randrange(10, 99)}!",
            travel_client_id=f"client_{_token(rng, 8)}", travel_client_secret=_token(rng, 12),
            travel_refresh_token=f"rt_{_token(rng, 10)}", travel_token=_token(rng, 10),
        ))
    return people
