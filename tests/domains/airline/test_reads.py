"""Read tools of the airline: success paths, every refusal, argument validation."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from domains.airline.models import NOW
from tests.domains.airline.helpers import CARD, FLOWN, MINE, USER, call, domain, ok, refused, trip


@pytest.fixture
def env():
    return domain().new_environment()


# -- users and reservations ------------------------------------------------------------------------
def test_get_user_details(env):
    user = ok(env, "get_user_details", user_id=USER)
    assert user["user_id"] == USER and user["membership"] == "silver"
    assert CARD in [m["payment_method_id"] for m in user["payment_methods"]]
    assert user["reservation_ids"] == [MINE, FLOWN]


def test_get_user_details_unknown(env):
    refused(env, "get_user_details", "not found", user_id="nobody_0000")


@pytest.mark.parametrize("arguments, match", [
    ({}, "user_id: Field required"),
    ({"user_id": 42}, "user_id: Input should be a valid string"),
    ({"user_id": USER, "email": "x@example.com"}, "email: Extra inputs are not permitted"),
    (["andre_hall_1042"], "must be a JSON object"),
])
def test_get_user_details_bad_arguments(env, arguments, match):
    obs = env.execute("get_user_details", arguments)
    assert not obs.ok and obs.error_code == "invalid_arguments"
    assert match in obs.content


@pytest.mark.parametrize("arguments, match", [
    ({"origin": "JFK", "destination": "LAX"}, "date: Field required"),
    ({"origin": "JFK", "destination": "LAX", "date": 20250520}, "date: Input should be a valid string"),
    ({"origin": ["JFK"], "destination": "LAX", "date": "2025-05-20"}, "origin: Input should be a valid string"),
])
def test_search_bad_arguments(env, arguments, match):
    obs = env.execute("search_direct_flight", arguments)
    assert obs.error_code == "invalid_arguments" and match in obs.content


def test_write_tool_bad_arguments(env):
    obs = call(env, "cancel_reservation", reservation_id=MINE, reason="bored")
    assert obs.error_code == "invalid_arguments" and "reason" in obs.content
    obs = call(env, "update_reservation_baggages", reservation_id=MINE, total_baggages="2", payment_method_id=CARD)
    assert obs.error_code == "invalid_arguments" and "total_baggages" in obs.content
    obs = call(env, "book_reservation", user_id=USER)
    assert obs.error_code == "invalid_arguments" and "flights: Field required" in obs.content


def test_unknown_tool(env):
    obs = call(env, "get_weather", city="Boston")
    assert obs.error_code == "unknown_tool"


def test_get_reservation_details(env):
    res = ok(env, "get_reservation_details", reservation_id=MINE)
    assert res["user_id"] == USER and res["origin"] == "BNA" and res["destination"] == "MCO"
    assert [s["flight_number"] for s in res["flights"]] == ["HL169", "HL118"]


def test_get_reservation_details_unknown(env):
    refused(env, "get_reservation_details", "not found", reservation_id="ZZZZZZ")


# -- airports and flights --------------------------------------------------------------------------
def test_list_all_airports(env):
    listing = ok(env, "list_all_airports")
    assert (listing["page"], listing["pages"]) == (1, 1)
    codes = [a["iata"] for a in listing["airports"]]
    assert len(codes) == 30 and codes == sorted(set(codes))
    assert {"JFK", "LAX", "ORD", "SEA"} <= set(codes)
    assert all(a["city"] and a["name"] for a in listing["airports"])
    refused(env, "list_all_airports", "page must be between 1 and 1", page=2)


def test_list_all_airports_pages_a_large_network():
    from domains.airline import build_domain, data
    from domains.airline.tools import AIRPORTS_PER_PAGE
    from domains.framework import Tables

    domain = build_domain()
    domain.__dict__["tables"] = Tables.from_json(domain.tables.models, data.generate(0, scale=4))
    env = domain.new_environment()
    first = ok(env, "list_all_airports")
    assert first["pages"] == 3 and len(first["airports"]) == AIRPORTS_PER_PAGE
    last = ok(env, "list_all_airports", page=3)
    codes = [a["iata"] for p in (first, ok(env, "list_all_airports", page=2), last) for a in p["airports"]]
    assert len(codes) == 120 == len(set(codes)) and codes == sorted(codes)


def test_search_direct_flight(env):
    t = trip(env)
    found = ok(env, "search_direct_flight", origin=t["origin"], destination=t["destination"], date=t["out"]["date"])
    assert t["out"]["flight_number"] in [f["flight_number"] for f in found]
    for f in found:
        assert (f["origin"], f["destination"], f["date"], f["status"]) == (
            t["origin"], t["destination"], t["out"]["date"], "available")
        assert set(f["prices"]) == {"basic_economy", "economy", "business"}
    assert [f["scheduled_departure"] for f in found] == sorted(f["scheduled_departure"] for f in found)


def test_search_direct_flight_past_date_has_nothing_on_sale(env):
    t = trip(env)
    assert ok(env, "search_direct_flight", origin=t["origin"], destination=t["destination"], date="2025-05-08") == []


def _minutes(flight: dict, key: str) -> datetime:
    stamp = datetime.fromisoformat(f"{flight['date']}T{flight[key]}")
    return stamp + timedelta(days=flight["arrival_day_offset"]) if key == "scheduled_arrival" else stamp


def test_search_onestop_flight(env):
    results = []
    for origin, destination in [("JFK", "SEA"), ("BOS", "LAX"), ("ATL", "SFO"), ("MIA", "DEN"), ("ORD", "MCO")]:
        results = ok(env, "search_onestop_flight", origin=origin, destination=destination, date="2025-05-20")
        if results:
            break
    assert results, "expected some one-stop connection"
    for first, second in results:
        assert first["origin"] == origin and second["destination"] == destination
        assert first["destination"] == second["origin"] != destination
        assert first["date"] == "2025-05-20" and first["status"] == second["status"] == "available"
        gap = _minutes(second, "scheduled_departure") - _minutes(first, "scheduled_arrival")
        assert timedelta(hours=1) <= gap <= timedelta(hours=12)


@pytest.mark.parametrize("tool", ["search_direct_flight", "search_onestop_flight"])
@pytest.mark.parametrize("origin, destination, date, match", [
    ("XYZ", "LAX", "2025-05-20", "unknown origin airport"),
    ("JFK", "XYZ", "2025-05-20", "unknown destination airport"),
    ("JFK", "JFK", "2025-05-20", "origin and destination must differ"),
    ("JFK", "LAX", "05/20/2025", "invalid date"),
    ("JFK", "LAX", "2025-02-30", "no such day"),
])
def test_search_refusals(env, tool, origin, destination, date, match):
    refused(env, tool, match, origin=origin, destination=destination, date=date)


def _instance_with(status: str):
    for inst in domain().tables.records["flight_instances"].values():
        if inst.status == status:
            return inst
    raise AssertionError(status)


def test_get_flight_status(env):
    landed = _instance_with("landed")
    info = ok(env, "get_flight_status", flight_number=landed.flight_number, date=landed.date)
    assert info["status"] == "landed" and info["estimated_departure"] is None
    delayed = _instance_with("delayed")
    info = ok(env, "get_flight_status", flight_number=delayed.flight_number, date=delayed.date)
    assert info["status"] == "delayed"
    assert info["estimated_departure"] > f"{delayed.date}T{info['scheduled_departure']}"
    assert info["date"] == NOW.date().isoformat()


@pytest.mark.parametrize("flight_number, date, match", [
    ("HL9999", "2025-05-20", "flight 'HL9999' not found"),
    ("HL100", "May 20", "invalid date"),
    ("HL100", "2025-07-01", "no schedule on 2025-07-01"),
])
def test_get_flight_status_refusals(env, flight_number, date, match):
    refused(env, "get_flight_status", match, flight_number=flight_number, date=date)


# -- calculate and transfer ------------------------------------------------------------------------
@pytest.mark.parametrize("expression, value", [
    ("(289 + 310) * 2 - 150", 1048.0),
    ("-3 + 2.5", -0.5),
    ("10 / 4", 2.5),
    ("1 / 3", 0.33),
    ("+(2)", 2.0),
    ("  366 + (-366)  ", 0.0),
])
def test_calculate(env, expression, value):
    obs = call(env, "calculate", expression=expression)
    assert obs.ok and obs.result == value


@pytest.mark.parametrize("expression, match", [
    ("", "empty"),
    ("   ", "empty"),
    ("1 + " * 200 + "1", "too long"),
    ("(2 + 3", "cannot parse"),
    ("__import__('os').system('ls')", "only numbers"),
    ("2 ** 10", "only numbers"),
    ("7 % 3", "only numbers"),
    ("abs(-2)", "only numbers"),
    ("x + 1", "only numbers"),
    ("True + 1", "only numbers"),
    ("'a' + 'b'", "only numbers"),
    ("1 if 2 else 3", "only numbers"),
    ("[1, 2]", "only numbers"),
    ("4 / (2 - 2)", "division by zero"),
    ("1e308 * 10", "too large"),
    ("9" * 400 + " / 1", "too large"),
    ("1\x00", "cannot parse"),
    ("(" * 240 + "1" + ")" * 240, "cannot parse"),  # deeper than the parser allows
    ("(" * 150 + "1" + ")" * 150, None),
])
def test_calculate_refusals(env, expression, match):
    if match is None:  # deep but legal nesting evaluates
        assert call(env, "calculate", expression=expression).result == 1.0
    else:
        refused(env, "calculate", match, expression=expression)


def test_calculate_bad_argument_type(env):
    obs = call(env, "calculate", expression=2 + 2)
    assert obs.error_code == "invalid_arguments"


def test_transfer_to_human_agents(env):
    obs = call(env, "transfer_to_human_agents", summary="Customer wants to cancel a partly flown trip.")
    assert obs.ok and "human agent" in obs.content
    refused(env, "transfer_to_human_agents", "summary", summary="  ")


def test_onestop_search_uses_the_live_timetable_when_it_was_edited(env):
    from domains.airline import tools

    assert tools._timetable_of(env.db.keys("flights"), env.db) == tools._base_timetable(env.db.base)
    before = ok(env, "search_onestop_flight", origin="JFK", destination="SEA", date="2025-05-20")
    from tests.domains.airline.helpers import make_flight

    make_flight(env, "HL9001", "JFK", "ORD", "00:05", "01:00", "2025-05-20")
    make_flight(env, "HL9002", "ORD", "SEA", "02:30", "05:00", "2025-05-20")
    after = ok(env, "search_onestop_flight", origin="JFK", destination="SEA", date="2025-05-20")
    assert [f["flight_number"] for f in after[0]] == ["HL9001", "HL9002"]  # the earliest departure
    assert after[1:] == before[: len(after) - 1]
