"""Car tasks, with the steps BFCL's car requires (doors locked and brake pressed to start)."""

from __future__ import annotations

import random
from typing import Any

from domains.adapters.bfcl.configs import DOORS
from domains.adapters.bfcl.database import WorldDatabase
from domains.adapters.bfcl.scenarios.common import question, task
from domains.framework.sampling import TargetCall

CAR = "VehicleControlAPI"
MAX_FUEL = 50.0
# city -> zip code and the city pairs whose distance BFCL's table knows
ZIPCODES = {
    "Rivermist": "83214", "Stonebrook": "74532", "Maplecrest": "56108", "Silverpine": "62947",
    "Shadowridge": "71354", "Sunset Valley": "83462", "Oakendale": "47329", "Willowbend": "52013",
    "Crescent Hollow": "69238", "Autumnville": "51479", "San Francisco": "94016",
}
DISTANCES = [("Rivermist", "Stonebrook"), ("Maplecrest", "Silverpine"), ("Shadowridge", "Sunset Valley"),
             ("Oakendale", "Willowbend"), ("Crescent Hollow", "Autumnville"), ("San Francisco", "Rivermist"),
             ("Silverpine", "Oakendale"), ("San Francisco", "Silverpine"), ("Stonebrook", "San Francisco")]
DESTINATIONS = ["2107 Channing Way, Berkeley, CA", "456 Oakwood Avenue, Rivermist, 83214",
                "88 Harbor Road, Stonebrook, 74532", "12 Pine Street, Maplecrest, 56108"]


def _car(db: WorldDatabase) -> Any:
    return db.live(CAR)


def _start(car: Any) -> list[TargetCall]:
    calls: list[TargetCall] = []
    unlocked = [d for d in DOORS if car.doorStatus[d] == "unlocked"]
    if unlocked:
        calls.append(("lockDoors", {"unlock": False, "door": unlocked}))
    calls.append(("pressBrakePedal", {"pedalPosition": 1.0}))
    calls.append(("startEngine", {"ignitionMode": "START"}))
    return calls


def start_engine(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    car = _car(db)
    return None if car.engine_state == "running" else _start(car)


def doors(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    car = _car(db)
    unlock = rng.random() < 0.5
    wanted = "locked" if unlock else "unlocked"  # doors in the other state
    candidates = [d for d in DOORS if car.doorStatus[d] == wanted]
    if not candidates:
        return None
    chosen = [d for d in DOORS if d in rng.sample(candidates, rng.randint(1, len(candidates)))]
    return [("lockDoors", {"unlock": unlock, "door": chosen})]


def fill_tank(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    room = MAX_FUEL - _car(db).fuelLevel
    if room < 1:
        return None
    amount = float(rng.randint(1, int(room)))
    return [("displayCarStatus", {"option": "fuel"}), ("fillFuelTank", {"fuelAmount": amount})]


def climate(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    args: dict[str, Any] = {"temperature": float(rng.randint(17, 26))}
    if rng.random() < 0.3:
        args = {"temperature": float(rng.randint(62, 78)), "unit": "fahrenheit"}
    if rng.random() < 0.6:
        args["fanSpeed"] = rng.randrange(10, 100, 10)
    if rng.random() < 0.6:
        args["mode"] = rng.choice(["auto", "cool", "heat", "defrost"])
    return [("adjustClimateControl", args)]


def headlights(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    mode = "off" if _car(db).headLightStatus == "on" else "on"
    return [("setHeadlights", {"mode": mode})]


def parking_brake(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    mode = "release" if _car(db).parkingBrakeStatus == "engaged" else "engage"
    return [("activateParkingBrake", {"mode": mode})]


def cruise(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    car = _car(db)
    calls = [] if car.engine_state == "running" else _start(car)
    calls.append(("setCruiseControl", {
        "speed": float(rng.randrange(40, 120, 5)), "activate": True,
        "distanceToNextVehicle": float(rng.randrange(30, 120, 10)),
    }))
    return calls


def navigation(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    options = [d for d in DESTINATIONS if d != _car(db).destination]
    return [("set_navigation", {"destination": rng.choice(options)})]


def trip_distance(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    a, b = rng.choice(DISTANCES)
    if rng.random() < 0.5:
        a, b = b, a
    return [
        ("get_zipcode_based_on_city", {"city": a}),
        ("get_zipcode_based_on_city", {"city": b}),
        ("estimate_distance", {"cityA": ZIPCODES[a], "cityB": ZIPCODES[b]}),
    ]


def fuel_in_liters(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    return [("displayCarStatus", {"option": "fuel"}), ("gallon_to_liter", {"gallon": float(_car(db).fuelLevel)})]


SCENARIOS = [
    task("car_start_engine", start_engine),
    task("car_doors", doors),
    task("car_fill_tank", fill_tank),
    task("car_climate", climate, 0.7),
    task("car_headlights", headlights, 0.5),
    task("car_parking_brake", parking_brake, 0.5),
    task("car_cruise_control", cruise, 0.6),
    task("car_navigation", navigation, 0.6),
    question("car_trip_distance", trip_distance),
    question("car_fuel_in_liters", fuel_in_liters, 0.3),
]
