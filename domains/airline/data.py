"""Deterministic generator of the airline database.

`generate(seed, scale)` returns the JSON tables; scale 1 gives about 500 users, 300 scheduled
flights (each operated on every date of the schedule window, 2025-05-06 to 2025-05-27) and 2,000
reservations; every count grows linearly with `scale`. Beyond scale 1 the network grows too:
`airports` adds generated regional airports to the 30 real ones, so a bigger airline has more
airports and routes rather than more flights on the same routes (flights per airport, and so the
cost of a flight search, stay about the same at any scale). Only seeded `random.Random`s are used,
so the same arguments always give the same data; scale 1 draws exactly the shipped file.

`python -m domains.airline.data` rewrites the shipped file `data/db.json` (seed 0, scale 1).
"""

from __future__ import annotations

import json
import random
import string
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from domains.airline.models import (
    CABINS, DATES, EXTRA_BAG_FEE, FREE_BAGS, INSURANCE_PER_PASSENGER, N_DATES, NOW, TODAY, instance_key,
)
from domains.airline.names import FIRST_NAMES, LAST_NAMES
from domains.airline.network import draw_airports, draw_flight_instance, draw_schedule

DB_PATH = Path(__file__).parent / "data" / "db.json"


CARD_BRANDS = ["visa", "visa", "mastercard", "mastercard", "amex", "discover"]
CERTIFICATE_AMOUNTS = [50, 100, 100, 150, 200, 250, 300, 500]
TRIES = 8  # random tries per choice when drawing itineraries
RESERVATION_CHARS = string.ascii_uppercase + string.digits


class _Ids:
    """Unique random identifiers drawn from the generator's random stream."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def draw(self, make) -> str:
        while True:
            value = make()
            if value not in self.used:
                self.used.add(value)
                return value

    def payment(self, prefix: str) -> str:
        return self.draw(lambda: f"{prefix}_{self.rng.randrange(10**6, 10**7)}")

    def reservation(self) -> str:
        return self.draw(lambda: "".join(self.rng.choice(RESERVATION_CHARS) for _ in range(6)))


def _person(rng: random.Random, last_name: str | None = None, min_year: int = 1940, max_year: int = 2020) -> dict:
    year = rng.randint(min_year, max_year)
    return {
        "first_name": rng.choice(FIRST_NAMES),
        "last_name": last_name or rng.choice(LAST_NAMES),
        "dob": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    }


def _users(rng: random.Random, ids: _Ids, n: int) -> dict[str, dict]:
    users: dict[str, dict] = {}
    for _ in range(n):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        handle = f"{first}_{last}".lower().replace("'", "")
        uid = ids.draw(lambda: f"{handle}_{rng.randrange(1000, 10000)}")
        methods: list[dict] = []
        for _ in range(1 if rng.random() < 0.7 else 2):
            methods.append({"source": "credit_card", "payment_method_id": ids.payment("credit_card"),
                            "brand": rng.choice(CARD_BRANDS), "last_four": f"{rng.randrange(10000):04d}"})
        for _ in range(rng.choices([0, 1, 2], weights=[55, 35, 10])[0]):
            methods.append({"source": "travel_certificate", "payment_method_id": ids.payment("certificate"),
                            "amount": rng.choice(CERTIFICATE_AMOUNTS)})
        if rng.random() < 0.35:
            methods.append({"source": "travel_credit", "payment_method_id": ids.payment("travel_credit"),
                            "amount": rng.randint(10, 400)})
        rng.shuffle(methods)
        saved = [_person(rng, last if rng.random() < 0.5 else None)
                 for _ in range(rng.choices([0, 1, 2, 3], weights=[30, 35, 25, 10])[0])]
        me = _person(rng, last, 1945, 2004)
        users[uid] = {
            "user_id": uid, "first_name": first, "last_name": last,
            "email": f"{first}.{last}{rng.randint(1, 99)}@{rng.choice(['example.com', 'example.net', 'example.org'])}".lower().replace("'", ""),
            "phone": f"{rng.randint(201, 989)}-555-{rng.randrange(10000):04d}",
            "dob": me["dob"],
            "membership": rng.choices(["regular", "silver", "gold"], weights=[55, 27, 18])[0],
            "payment_methods": methods,
            "saved_passengers": saved,
            "reservation_ids": [],
        }
    return users


class _Itineraries:
    """Random valid itineraries over the schedule: connections of at least an hour."""

    def __init__(self, rng: random.Random, flights: list[dict], base: dict[str, dict]):
        self.rng = rng
        self.flights = flights
        self.base = base
        self.by_route: dict[tuple[str, str], list[dict]] = {}
        self.by_origin: dict[str, list[dict]] = {}
        for f in flights:
            self.by_route.setdefault((f["origin"], f["destination"]), []).append(f)
            self.by_origin.setdefault(f["origin"], []).append(f)

    def _abs(self, f: dict, day_index: int) -> tuple[int, int]:
        info = self.base[f["flight_number"]]
        return day_index * 1440 + info["dep"], day_index * 1440 + info["arr"]

    def _connection(self, first: dict, day_index: int, candidates: list[dict], avoid: str) -> tuple[dict, int] | None:
        """A second flight leaving one to eight hours after `first` lands (a few random tries)."""
        _, arr = self._abs(first, day_index)
        for _ in range(TRIES):
            f = self.rng.choice(candidates)
            if f["destination"] == avoid:
                continue
            for d in (day_index, day_index + 1):
                dep, _ = self._abs(f, d)
                if arr + 60 <= dep <= arr + 8 * 60 and d < N_DATES:
                    return f, d
        return None

    def _leg(self, origin: str, destination: str | None, day_index: int, not_before: int,
             stop_via: str | None = None, one_stop: bool = False) -> list[tuple[dict, int]] | None:
        """A direct or one-stop leg leaving on `day_index` no earlier than `not_before` (minutes).

        Without a destination, the leg goes where its first flight (and maybe a connection) goes.
        Choices are a bounded number of random tries, so drawing costs the same at any scale.
        """
        rng = self.rng
        if destination is None:
            first = rng.choice(self.by_origin[origin])
            if self._abs(first, day_index)[0] < not_before:
                return None
            leg = [(first, day_index)]
            if rng.random() < 0.3:
                second = self._connection(first, day_index, self.by_origin[first["destination"]], avoid=origin)
                if second:
                    leg.append(second)
            return leg
        direct = self.by_route.get((origin, destination))
        if direct and not one_stop:
            first = rng.choice(direct)
            return [(first, day_index)] if self._abs(first, day_index)[0] >= not_before else None
        first = None
        if stop_via and (origin, stop_via) in self.by_route and (stop_via, destination) in self.by_route:
            first = rng.choice(self.by_route[(origin, stop_via)])
        else:
            for _ in range(TRIES):
                f = rng.choice(self.by_origin[origin])
                if f["destination"] != destination and (f["destination"], destination) in self.by_route:
                    first = f
                    break
        if first is None or self._abs(first, day_index)[0] < not_before:
            return None
        second = self._connection(first, day_index, self.by_route[(first["destination"], destination)], avoid=origin)
        return [(first, day_index), second] if second else None

    def draw(self, round_trip: bool, first_day: int, last_day: int) -> tuple[list[tuple[dict, int]], str] | None:
        """Segments (flight, day index) and the trip's destination, or None to try again."""
        rng = self.rng
        day = rng.randint(first_day, last_day)
        origin = rng.choice(self.flights)["origin"]
        out = self._leg(origin, None, day, 0)
        if not out:
            return None
        destination = out[-1][0]["destination"]
        if not round_trip:
            return out, destination
        _, arrival = self._abs(*out[-1])
        back_day = out[-1][1] + rng.randint(1, 6)
        if back_day >= N_DATES:
            return None
        via = out[0][0]["destination"] if len(out) == 2 else None
        back = self._leg(destination, origin, back_day, arrival + 60, stop_via=via,
                         one_stop=len(out) == 2 and rng.random() < 0.6)
        return (out + back, destination) if back else None


def _price(rng: random.Random, base: dict, cabin: str) -> int:
    return round(base["prices"][cabin] * rng.uniform(0.85, 1.3))


def _reservations(rng: random.Random, ids: _Ids, n: int, users: dict[str, dict], flights: list[dict],
                  base: dict[str, dict], instances: dict[str, dict]) -> dict[str, dict]:
    itins = _Itineraries(rng, flights, base)
    user_ids = list(users)
    reservations: dict[str, dict] = {}
    today_index = DATES.index(TODAY)
    made = 0
    while made < n:
        user = users[rng.choice(user_ids)]
        round_trip = rng.random() < 0.55
        # a third of the trips are in the past, a few today, the rest on sale
        r = rng.random()
        first_day, last_day = ((0, today_index - 1) if r < 0.3 else (today_index, today_index) if r < 0.38
                               else (today_index + 1, N_DATES - 1))
        drawn = itins.draw(round_trip, first_day, last_day)
        if not drawn:
            continue
        legs, destination = drawn
        cabin = rng.choices(CABINS, weights=[28, 52, 20])[0]
        n_pass = rng.choices([1, 2, 3, 4], weights=[50, 30, 13, 7])[0]
        passengers = []
        if rng.random() < 0.75:
            passengers.append({"first_name": user["first_name"], "last_name": user["last_name"], "dob": user["dob"]})
        for p in user["saved_passengers"]:
            if len(passengers) < n_pass and rng.random() < 0.7:
                passengers.append(dict(p))
        while len(passengers) < n_pass:
            passengers.append(_person(rng, user["last_name"] if rng.random() < 0.4 else None))
        segments = []
        for f, day_index in legs:
            day = DATES[day_index]
            inst = instances[instance_key(f["flight_number"], day)]
            price = inst["prices"].get(cabin) or _price(rng, base[f["flight_number"]], cabin)
            segments.append({"flight_number": f["flight_number"], "date": day, "origin": f["origin"],
                             "destination": f["destination"], "price": round(price * rng.uniform(0.9, 1.1))})
        # booked between 1 and 60 days before departure; some in the last 24 hours
        first_dep = datetime.fromisoformat(f"{segments[0]['date']}T{legs[0][0]['scheduled_departure']}")
        if first_dep > NOW and rng.random() < 0.1:
            created = NOW - timedelta(minutes=rng.randrange(20, 23 * 60, 5))
        else:
            created = min(first_dep, NOW) - timedelta(minutes=rng.randrange(24 * 60, 60 * 24 * 60, 5))
        free = FREE_BAGS[user["membership"]][cabin] * n_pass
        total_bags = rng.randint(0, n_pass * (1 if cabin == "basic_economy" else 2))
        nonfree = max(0, total_bags - free)
        insurance = rng.random() < 0.35
        total = (sum(s["price"] for s in segments) * n_pass + nonfree * EXTRA_BAG_FEE
                 + (INSURANCE_PER_PASSENGER * n_pass if insurance else 0))
        cards = [m for m in user["payment_methods"] if m["source"] == "credit_card"]
        credits = [m for m in user["payment_methods"] if m["source"] == "travel_credit"]
        payments = []
        r = rng.random()
        if r < 0.15:  # a certificate since used up, the rest on a card
            cert = min(total, rng.choice(CERTIFICATE_AMOUNTS))
            payments.append({"payment_method_id": ids.payment("certificate"), "amount": cert})
            if total > cert:
                payments.append({"payment_method_id": rng.choice(cards)["payment_method_id"], "amount": total - cert})
        elif r < 0.25 and credits:
            part = min(total, rng.randint(20, 300))
            payments.append({"payment_method_id": credits[0]["payment_method_id"], "amount": part})
            if total > part:
                payments.append({"payment_method_id": rng.choice(cards)["payment_method_id"], "amount": total - part})
        else:
            payments.append({"payment_method_id": rng.choice(cards)["payment_method_id"], "amount": total})
        status = "active"
        if rng.random() < 0.07:  # cancelled and refunded: a used certificate came back (as the tool does)
            status = "cancelled"
            for p in payments:
                if p["payment_method_id"].startswith("certificate_"):
                    user["payment_methods"].append({"source": "travel_certificate",
                                                    "payment_method_id": p["payment_method_id"], "amount": p["amount"]})
            payments += [{"payment_method_id": p["payment_method_id"], "amount": -p["amount"]} for p in payments]
        rid = ids.reservation()
        reservations[rid] = {
            "reservation_id": rid, "user_id": user["user_id"], "status": status,
            "origin": segments[0]["origin"], "destination": destination,
            "flight_type": "round_trip" if round_trip else "one_way", "cabin": cabin,
            "flights": segments, "passengers": passengers, "payment_history": payments,
            "created_at": created.strftime("%Y-%m-%dT%H:%M:%S"),
            "total_baggages": total_bags, "nonfree_baggages": nonfree, "insurance": insurance,
            "compensation_certificate_id": None,
        }
        user["reservation_ids"].append(rid)
        made += 1
    return reservations


def generate(seed: int = 0, scale: float = 1.0) -> dict[str, dict[str, Any]]:
    """The airline tables as JSON-ready dicts: airports, flights, flight_instances, users, reservations."""
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    rng = random.Random(seed)
    ids = _Ids(rng)
    network = draw_airports(seed, scale)
    airports = {a[0]: {"iata": a[0], "city": a[1], "name": a[2]} for a in network}
    flights, base = draw_schedule(rng, max(2, round(150 * scale)), network)
    instances: dict[str, dict] = {}
    for f in flights:
        for day in DATES:
            instances[instance_key(f["flight_number"], day)] = draw_flight_instance(rng, f, base[f["flight_number"]], day)
    users = _users(rng, ids, max(1, round(500 * scale)))
    reservations = _reservations(rng, ids, max(1, round(2000 * scale)), users, flights, base, instances)
    return {
        "airports": airports,
        "flights": {f["flight_number"]: f for f in flights},
        "flight_instances": instances,
        "users": users,
        "reservations": reservations,
    }


def write(path: Path = DB_PATH, seed: int = 0, scale: float = 1.0) -> dict[str, int]:
    data = generate(seed, scale)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        json.dump(data, fh, separators=(",", ":"), ensure_ascii=False)
        fh.write("\n")
    return {table: len(rows) for table, rows in data.items()}


if __name__ == "__main__":
    sizes = write()
    print(f"wrote {DB_PATH}: " + ", ".join(f"{t}={n}" for t, n in sizes.items()), file=sys.stderr)
