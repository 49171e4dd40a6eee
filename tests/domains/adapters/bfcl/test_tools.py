import pytest

pytest.importorskip("bfcl_eval", reason="bfcl-eval is not installed (pip install 'builder[bfcl]')")

from domains.adapters.bfcl.catalog import CLASSES  # noqa: E402
from domains.adapters.bfcl.tools import BfclTool, load_docs  # noqa: E402
from tests.domains.adapters.bfcl.worlds import ALWAYS_REFUSE, SEQUENCES, USER, one_world_domain  # noqa: E402


@pytest.mark.parametrize("short", sorted(CLASSES))
def test_every_tool_of_a_class_succeeds_on_its_world(short):
    domain = one_world_domain(short)
    env = domain.new_environment()
    assert env.execute("find_user", {"user_id": USER}).ok
    results = {}
    for name, args in SEQUENCES[CLASSES[short].class_name]:
        args = args(results) if callable(args) else args
        obs = env.execute(name, args)
        assert obs.ok, f"{name}({args}): {obs.content}"
        results[name] = obs.result
    tools = {t.name for t in domain.bfcl_tools()}
    assert tools - set(results) == ALWAYS_REFUSE & tools


def test_tools_carry_bfcl_descriptions_and_standard_json_schemas():
    domain = one_world_domain("trading")
    docs = {d["name"]: d for d in load_docs(CLASSES["trading"])}
    place = domain.tools["place_order"]
    assert place.description == docs["place_order"]["description"]
    schema = place.openai_schema()["function"]["parameters"]
    assert schema["type"] == "object"
    assert schema["properties"]["price"]["type"] == "number"  # BFCL writes "float"
    assert schema["required"] == ["order_type", "symbol", "price", "amount"]
    history = domain.tools["get_transaction_history"].parameters_schema
    assert history["required"] == [] and "default" not in history["properties"]["start_date"]
    assert all(isinstance(t, BfclTool) for n, t in domain.tools.items() if n != "find_user")


def test_kinds_follow_the_catalog():
    domain = one_world_domain("filesystem")
    assert domain.tools["cd"].kind == "write"  # later calls depend on the working directory
    assert domain.tools["ls"].kind == "read"
    assert domain.tools["find_user"].kind == "read"


def _env(short="trading", identify=True):
    env = one_world_domain(short).new_environment()
    if identify:
        env.execute("find_user", {"user_id": USER})
    return env


def test_bfcl_refusals_become_error_observations():
    env = _env()
    obs = env.execute("place_order", {"order_type": "Buy", "symbol": "AAPL", "price": 227.0, "amount": 1})
    assert (obs.ok, obs.error_code) == (False, "refused")
    assert "not authenticated" in obs.content
    obs = env.execute("cancel_order", {"order_id": 102})  # completed orders cannot be cancelled
    assert (obs.ok, obs.error_code) == (False, "refused") and "already completed" in obs.content


def test_list_and_flag_shaped_refusals_are_refusals():
    env = _env()
    assert env.execute("get_watchlist", {}).error_code == "refused"  # BFCL answers ["Error: ..."]
    tw = _env("twitter")
    obs = tw.execute("authenticate_twitter", {"username": "alex", "password": "wrong"})
    assert obs.error_code == "refused" and "authentication_status" in obs.content


def test_exceptions_raised_by_bfcl_are_refusals_not_internal_errors():
    env = _env("travel")
    obs = env.execute("get_flight_cost", {"travel_from": "SFO", "travel_to": "XXX", "travel_date": "2024-11-15",
                                          "travel_class": "economy"})
    assert obs.error_code == "refused" and "No available route" in obs.content
    car = _env("vehicle")
    obs = car.execute("lockDoors", {"unlock": False, "door": ["trunk"]})
    assert obs.error_code == "refused" and "trunk" in obs.content


def test_arguments_are_validated_against_the_schema():
    env = _env()
    assert env.execute("cancel_order", {"order_id": "101"}).error_code == "invalid_arguments"
    assert env.execute("fund_account", {"amount": 5.0, "extra": 1}).error_code == "invalid_arguments"
    assert env.execute("get_stock_info", {}).error_code == "invalid_arguments"
    assert env.execute("fund_account", {"amount": 5}).error_code == "refused"  # an int is a number; not signed in


def test_only_registered_tools_are_dispatched():
    env = _env()
    for name in ("_load_scenario", "_generate_transaction_timestamp", "__init__", "eval"):
        assert env.execute(name, {}).error_code == "unknown_tool"


def test_calls_need_an_identified_user_and_only_one():
    env = _env(identify=False)
    obs = env.execute("get_stock_info", {"symbol": "AAPL"})
    assert obs.error_code == "refused" and "find_user" in obs.content
    assert env.execute("find_user", {"user_id": "nobody"}).error_code == "refused"
    assert env.execute("find_user", {"user_id": USER}).result["username"] == "alex"
    assert env.execute("find_user", {"user_id": USER}).ok  # the same person again is fine


def test_list_defaults_are_fresh_per_call():
    env = _env("twitter")
    env.execute("authenticate_twitter", {"username": "alex", "password": "pw1"})
    first = env.execute("post_tweet", {"content": "one"}).result
    env.execute("mention", {"tweet_id": first["id"], "mentioned_usernames": ["@bob"]})
    second = env.execute("post_tweet", {"content": "two"}).result
    assert second["mentions"] == []  # BFCL's shared default list would carry "@bob" over
