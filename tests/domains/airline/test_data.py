"""The shipped airline data, its generator, the tool schemas and the domain's registration."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from domains import load_domain
from domains.airline import DB_PATH, build_domain
from domains.airline import tools
from domains.airline.data import generate
from domains.airline.models import DATES, TABLES, FlightChoice, instance_key
from domains.framework import Database, Tables, ToolError
from tests.domains.airline.helpers import MINE, domain


@pytest.fixture(scope="module")
def shipped() -> dict:
    return json.loads(DB_PATH.read_text())


def test_shipped_data_equals_the_generator_output(shipped):
    assert shipped == generate(0), "regenerate with: python -m domains.airline.data"


def test_shipped_file_is_compact():
    text = DB_PATH.read_text()
    assert ", " not in text[:2000] and "\n" not in text.rstrip("\n")
    assert DB_PATH.stat().st_size < 4_000_000


def test_sizes(shipped):
    assert {t: len(rows) for t, rows in shipped.items()} == {
        "airports": 30, "flights": 300, "flight_instances": 300 * len(DATES), "users": 500, "reservations": 2000,
    }


@pytest.mark.parametrize("scale", [0.1, 2.0])
def test_sizes_scale(scale):
    data = generate(0, scale=scale)
    sizes = {t: len(rows) for t, rows in data.items()}
    assert sizes == {
        "airports": max(30, round(30 * scale)), "flights": round(300 * scale),
        "flight_instances": round(300 * scale) * len(DATES),
        "users": round(500 * scale), "reservations": round(2000 * scale),
    }
    Tables.from_json(TABLES, data)  # every record has the right type


def test_a_bigger_network_keeps_flights_per_airport():
    """A bigger airline serves more airports, so searches see about as many flights as at scale 1."""
    def per_airport(data):
        return len(data["flights"]) / len({f["origin"] for f in data["flights"].values()})

    assert per_airport(generate(0, scale=10)) < 2 * per_airport(generate(0, scale=1))


def test_generation_is_deterministic():
    assert generate(3, scale=0.1) == generate(3, scale=0.1)
    assert generate(3, scale=0.1) != generate(4, scale=0.1)
    with pytest.raises(ValueError):
        generate(0, scale=0)


def test_data_is_consistent(shipped):
    db = Database(domain().tables)
    reservations = shipped["reservations"]
    ids: Counter = Counter()
    for uid, user in shipped["users"].items():
        assert user["user_id"] == uid
        assert any(m["source"] == "credit_card" for m in user["payment_methods"])
        ids.update(m["payment_method_id"] for m in user["payment_methods"])
        for rid in user["reservation_ids"]:
            assert reservations[rid]["user_id"] == uid
    assert ids.most_common(1)[0][1] == 1, "payment method ids are unique"
    assert sum(len(u["reservation_ids"]) for u in shipped["users"].values()) == len(reservations)
    for rid, res in reservations.items():
        assert res["reservation_id"] == rid and len(rid) == 6
        assert 1 <= len(res["passengers"]) <= 5 and res["nonfree_baggages"] <= res["total_baggages"]
        paid = sum(p["amount"] for p in res["payment_history"])
        assert paid > 0 if res["status"] == "active" else paid == 0
        for seg in res["flights"]:
            flight = shipped["flights"][seg["flight_number"]]
            assert (seg["origin"], seg["destination"]) == (flight["origin"], flight["destination"])
            assert instance_key(seg["flight_number"], seg["date"]) in shipped["flight_instances"]
        # every reservation is a trip the tools themselves would accept
        tools.check_itinerary(db, res["origin"], res["destination"], res["flight_type"],
                          [FlightChoice(flight_number=s["flight_number"], date=s["date"]) for s in res["flights"]])
    for key, inst in shipped["flight_instances"].items():
        assert key == instance_key(inst["flight_number"], inst["date"])
        assert bool(inst["prices"]) == (inst["status"] == "available")


def test_data_is_varied(shipped):
    users = shipped["users"].values()
    reservations = shipped["reservations"].values()
    assert set(Counter(u["membership"] for u in users)) == {"regular", "silver", "gold"}
    assert len({u["last_name"] for u in users}) > 50 and len({u["first_name"] for u in users}) > 50
    assert set(Counter(r["cabin"] for r in reservations)) == {"basic_economy", "economy", "business"}
    assert set(Counter(r["flight_type"] for r in reservations)) == {"one_way", "round_trip"}
    assert {len(r["flights"]) for r in reservations} == {1, 2, 3, 4}
    assert set(Counter(i["status"] for i in shipped["flight_instances"].values())) == {
        "available", "on time", "delayed", "cancelled", "flying", "landed"}
    sources = Counter(m["source"] for u in users for m in u["payment_methods"])
    assert set(sources) == {"credit_card", "travel_certificate", "travel_credit"}
    assert any(r["created_at"] >= "2025-05-14T15:00:00" for r in reservations), "some booked in the last 24 h"
    assert len({f["origin"] for f in shipped["flights"].values()}) >= 25


def test_tool_schemas_are_valid():
    d = build_domain()
    assert set(d.read_tools()) == {
        "get_user_details", "list_all_airports", "search_direct_flight", "search_onestop_flight",
        "get_flight_status", "get_reservation_details", "calculate", "transfer_to_human_agents"}
    assert set(d.write_tools()) == {
        "book_reservation", "cancel_reservation", "update_reservation_flights", "update_reservation_passengers",
        "update_reservation_baggages", "send_certificate"}
    for schema in d.tool_schemas():
        json.dumps(schema)
        fn = schema["function"]
        assert fn["name"] and len(fn["description"]) > 20
        params = fn["parameters"]
        assert params["type"] == "object" and set(params["required"]) <= set(params["properties"])
        for name, prop in params["properties"].items():
            assert prop.get("description"), f"{fn['name']}.{name} has no description"
            assert "type" in prop or "enum" in prop or "$ref" in prop or "anyOf" in prop
        for ref in json.dumps(params).split('"$ref": "')[1:]:
            target = ref.split('"')[0].split("/")[-1]
            assert target in params.get("$defs", {}), f"{fn['name']}: dangling $ref {target}"


def test_the_registry_loads_the_airline_domain():
    d = load_domain("airline")
    assert d.name == "airline" and d.user_table == "users" and d.auth_tools == {"get_user_details"}
    assert len(d.user_ids()) == 500 and "Halcyon Air" in d.policy.text
    assert len(d.scenarios) >= 6


def test_the_api_graph_links_tools_through_ids():
    g = domain().graph
    assert g.feeders("cancel_reservation", "reservation_id") == ["get_user_details", "get_reservation_details"]
    assert "list_all_airports" in g.feeders("search_direct_flight", "origin")
    assert "get_reservation_details" in g.feeders("get_flight_status", "flight_number")
    # what the customer decides is not discovered through reads, in parameter order
    assert g.discoverable("book_reservation") == ["user_id", "origin", "destination"]
    assert g.discoverable("search_direct_flight") == ["origin", "destination"]
    assert g.discoverable("update_reservation_flights") == ["reservation_id", "payment_method_id"]
    assert g.discoverable("get_flight_status") == ["flight_number", "date"]


def test_tools_only_raise_tool_errors_on_odd_values():
    """Odd but well-typed arguments are refused or answered, never an internal error."""
    env = domain().new_environment()
    odd_strings = ["", " ", "x", "HL100", MINE, "JFK", "2025-05-20", "2025-13-40", "💥", "a" * 300]
    for name, spec in domain().tools.items():
        for s in odd_strings:
            args = {}
            for p, field in spec.args_model.model_fields.items():
                ann = field.annotation
                args[p] = s if ann is str else {
                    int: -1, float: -1.0, bool: True,
                }.get(ann, [] if "list" in str(ann) else None)
                if args[p] is None:
                    args[p] = field.annotation.__args__[0]  # the first value of a Literal
            obs = env.execute(name, args)
            assert obs.error_code != "internal_error", obs.content
    for bad in ({"flight_number": "HL100", "date": "20-05-2025"}, {"flight_number": "", "date": ""}):
        obs = env.execute("update_reservation_flights", {"reservation_id": MINE, "cabin": "economy",
                                                         "flights": [bad], "payment_method_id": "credit_card_6959825"})
        assert obs.error_code == "refused" and "date" in obs.content, obs.content


def test_check_itinerary_rejects_unknown_dates_before_lookups():
    db = Database(domain().tables)
    with pytest.raises(ToolError, match="invalid date"):
        tools.check_itinerary(db, "JFK", "LAX", "one_way", [FlightChoice(flight_number="HL100", date="tomorrow")])
