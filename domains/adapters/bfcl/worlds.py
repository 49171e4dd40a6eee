"""The worlds of a BFCL domain: one person each, with a seeded config per API class.

Every random choice derives from the domain seed, the person and the class, so a class's
config in a world is the same whichever other classes the domain combines it with.
"""

from __future__ import annotations

import random

from domains.adapters.bfcl.configs import GENERATORS
from domains.adapters.bfcl.database import World
from domains.adapters.bfcl.people import make_people

DEFAULT_WORLDS = 60
DEFAULT_SEED = 0
_TRAVEL_KEYS = ("travel_client_id", "travel_client_secret", "travel_refresh_token", "travel_access_token")


def generate_worlds(class_names: list[str], n: int = DEFAULT_WORLDS, seed: int = DEFAULT_SEED) -> list[World]:
    people = make_people(random.Random(f"bfcl:{seed}:people"), n)
    worlds = []
    for person in people:
        profile = person.profile()
        if "TravelAPI" not in class_names:
            for key in _TRAVEL_KEYS:
                profile.pop(key)
        configs = {
            name: GENERATORS[name](random.Random(f"bfcl:{seed}:{person.user_id}:{name}"), person)
            for name in class_names if name in GENERATORS
        }
        if "access_token" not in configs.get("TravelAPI", {}):
            profile.pop("travel_access_token", None)  # not signed in: no token to know yet
        worlds.append(World(user_id=person.user_id, profile=profile, configs=configs))
    return worlds
