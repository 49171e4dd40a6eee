"""The airline's network: airports (the 30 real ones, and generated regional ones beyond scale 1),
the flight schedule between them, and each flight's state on each date of the window."""

from __future__ import annotations

import math
import random
import string
from datetime import date, timedelta
from typing import Any

from domains.airline.models import CABINS, NOW, TODAY
from domains.airline.names import LAST_NAMES


NOW_MIN = NOW.hour * 60 + NOW.minute


# (IATA, city, airport name, latitude, longitude, hub weight)
AIRPORTS = [
    ("ATL", "Atlanta", "Hartsfield-Jackson Atlanta International Airport", 33.64, -84.43, 5),
    ("BOS", "Boston", "Logan International Airport", 42.36, -71.01, 2),
    ("BWI", "Baltimore", "Baltimore/Washington International Airport", 39.18, -76.67, 1),
    ("CLT", "Charlotte", "Charlotte Douglas International Airport", 35.21, -80.94, 2),
    ("ORD", "Chicago", "O'Hare International Airport", 41.98, -87.90, 5),
    ("DFW", "Dallas", "Dallas/Fort Worth International Airport", 32.90, -97.04, 5),
    ("DEN", "Denver", "Denver International Airport", 39.86, -104.67, 4),
    ("DTW", "Detroit", "Detroit Metropolitan Wayne County Airport", 42.21, -83.35, 1),
    ("IAH", "Houston", "George Bush Intercontinental Airport", 29.99, -95.34, 2),
    ("LAS", "Las Vegas", "Harry Reid International Airport", 36.08, -115.15, 2),
    ("LAX", "Los Angeles", "Los Angeles International Airport", 33.94, -118.41, 5),
    ("MIA", "Miami", "Miami International Airport", 25.79, -80.29, 2),
    ("MSP", "Minneapolis", "Minneapolis-Saint Paul International Airport", 44.88, -93.22, 1),
    ("JFK", "New York", "John F. Kennedy International Airport", 40.64, -73.78, 5),
    ("LGA", "New York", "LaGuardia Airport", 40.78, -73.87, 2),
    ("EWR", "Newark", "Newark Liberty International Airport", 40.69, -74.17, 2),
    ("MCO", "Orlando", "Orlando International Airport", 28.43, -81.31, 2),
    ("PHL", "Philadelphia", "Philadelphia International Airport", 39.87, -75.24, 1),
    ("PHX", "Phoenix", "Phoenix Sky Harbor International Airport", 33.43, -112.01, 2),
    ("PDX", "Portland", "Portland International Airport", 45.59, -122.60, 1),
    ("SLC", "Salt Lake City", "Salt Lake City International Airport", 40.79, -111.98, 1),
    ("SAN", "San Diego", "San Diego International Airport", 32.73, -117.19, 1),
    ("SFO", "San Francisco", "San Francisco International Airport", 37.62, -122.38, 4),
    ("SEA", "Seattle", "Seattle-Tacoma International Airport", 47.45, -122.31, 3),
    ("DCA", "Washington", "Ronald Reagan Washington National Airport", 38.85, -77.04, 1),
    ("IAD", "Washington", "Washington Dulles International Airport", 38.95, -77.46, 1),
    ("AUS", "Austin", "Austin-Bergstrom International Airport", 30.19, -97.67, 1),
    ("BNA", "Nashville", "Nashville International Airport", 36.12, -86.68, 1),
    ("MSY", "New Orleans", "Louis Armstrong New Orleans International Airport", 29.99, -90.26, 1),
    ("HNL", "Honolulu", "Daniel K. Inouye International Airport", 21.32, -157.92, 1),
]


MIN_ROUTE_KM = 250


def _hhmm(minutes: int) -> str:
    minutes %= 24 * 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _stamp(day: str, minutes: int) -> str:
    """"YYYY-MM-DDTHH:MM" for a number of minutes after midnight of `day` (may pass midnight)."""
    d = date.fromisoformat(day) + timedelta(days=minutes // (24 * 60))
    return f"{d.isoformat()}T{_hhmm(minutes)}"


def _distance_km(a: tuple, b: tuple) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a[3], a[4], b[3], b[4]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


REGIONAL_SUFFIXES = ["ville", "ton", "field", "port", " Falls", " Springs", " City", "burg", " Harbor", " Junction"]


def draw_airports(seed: int, scale: float) -> list[tuple]:
    """The real airports, plus generated regional ones (hub weight 1) beyond scale 1.

    The extra airports come from their own random stream, so the schedule of scale 1 is drawn
    from the same numbers as before they existed.
    """
    extra = max(0, round(len(AIRPORTS) * scale) - len(AIRPORTS))
    if not extra:
        return list(AIRPORTS)
    rng = random.Random(f"{seed}:airports")
    taken = {a[0] for a in AIRPORTS}
    out = list(AIRPORTS)
    while len(out) < len(AIRPORTS) + extra:
        code = "".join(rng.choice(string.ascii_uppercase) for _ in range(3))
        if code in taken:
            continue
        taken.add(code)
        city = f"{rng.choice(LAST_NAMES)}{rng.choice(REGIONAL_SUFFIXES)}"
        out.append((code, city, f"{city} Regional Airport",
                    round(rng.uniform(25.5, 48.5), 2), round(rng.uniform(-123.0, -70.0), 2), 1))
    return out


def draw_schedule(rng: random.Random, n_routes: int, airports: list[tuple]) -> tuple[list[dict], dict[str, dict]]:
    """Flights in out-and-back pairs over routes drawn with hub weights; base prices per flight."""
    weights = [a[5] for a in airports]
    flights: list[dict] = []
    base: dict[str, dict] = {}  # flight number -> base prices and duration, for instances and bookings
    number = 100
    for _ in range(n_routes):
        a, b = rng.choices(airports, weights=weights, k=2)
        while _distance_km(a, b) < MIN_ROUTE_KM:  # no hops between neighbouring airports
            b = rng.choices(airports, weights=weights)[0]
        km = _distance_km(a, b)
        duration = int(round((35 + km / 12.5) / 5.0)) * 5
        basic = round(40 + km * rng.uniform(0.06, 0.09))
        economy = round(basic * rng.uniform(1.35, 1.8))
        business = round(economy * rng.uniform(2.4, 3.4))
        for src, dst in ((a, b), (b, a)):
            dep = rng.randrange(5 * 6, 22 * 6) * 10  # 05:00 to 21:50
            arr = dep + duration
            fn = f"HL{number}"
            number += 1
            flights.append({
                "flight_number": fn, "origin": src[0], "destination": dst[0],
                "scheduled_departure": _hhmm(dep), "scheduled_arrival": _hhmm(arr),
                "arrival_day_offset": arr // (24 * 60),
            })
            base[fn] = {"dep": dep, "arr": arr,
                        "prices": {"basic_economy": basic, "economy": economy, "business": business}}
    return flights, base


def draw_flight_instance(rng: random.Random, flight: dict, info: dict, day: str) -> dict:
    dep, arr = info["dep"], info["arr"]
    inst: dict[str, Any] = {"flight_number": flight["flight_number"], "date": day}
    seats: dict[str, int] = {}
    prices: dict[str, int] = {}
    if day < TODAY:
        status = "cancelled" if rng.random() < 0.04 else "landed"
    elif day == TODAY:
        if dep < NOW_MIN:
            status = "landed" if arr <= NOW_MIN else "flying"
            if status == "flying":
                inst["estimated_departure"] = _stamp(day, dep)
                inst["estimated_arrival"] = _stamp(day, arr)
        else:
            r = rng.random()
            status = "on time" if r < 0.7 else "delayed" if r < 0.9 else "cancelled"
            if status == "delayed":
                delay = rng.randrange(3, 25) * 10
                inst["estimated_departure"] = _stamp(day, dep + delay)
                inst["estimated_arrival"] = _stamp(day, arr + delay)
    else:
        status = "cancelled" if rng.random() < 0.03 else "available"
        if status == "available":
            for cabin, cap in (("basic_economy", 12), ("economy", 30), ("business", 10)):
                seats[cabin] = 0 if rng.random() < 0.05 else rng.randint(1, cap)
            days_out = (date.fromisoformat(day) - NOW.date()).days
            demand = rng.uniform(0.85, 1.25) * (1.15 if days_out <= 3 else 1.0)
            for cabin in CABINS:
                prices[cabin] = round(info["prices"][cabin] * demand)
    inst["status"] = status
    inst["available_seats"] = seats
    inst["prices"] = prices
    return inst
