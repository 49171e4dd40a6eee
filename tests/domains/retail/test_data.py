"""The retail database: the shipped file, the generator, the data's integrity, and the tool schemas."""

from __future__ import annotations

import json
import time
from collections import Counter
from functools import lru_cache

import pytest

from domains.framework import Tables
from domains.registry import load_domain
from domains.retail import DB_PATH, build_domain
from domains.retail.data import CATALOGUE, generate
from domains.retail.models import MODELS
from tests.domains.retail.helpers import domain


@lru_cache(maxsize=None)
def generated(seed: int = 0, scale: float = 1.0):
    return generate(seed, scale)


def test_shipped_data_is_the_generator_output():
    text = DB_PATH.read_text(encoding="utf-8")
    assert json.loads(text) == generated(0)
    # compact, as written by `python -m domains.retail.data`
    assert text == json.dumps(generated(0), separators=(",", ":"), ensure_ascii=False) + "\n"


def test_generator_is_deterministic_and_seeded():
    assert generate(0, scale=0.2) == generate(0, scale=0.2)
    assert generate(1, scale=0.2) != generate(0, scale=0.2)


@pytest.mark.parametrize("scale, users, orders", [(1.0, 500, 1000), (0.1, 50, 100), (3, 1500, 3000)])
def test_generator_sizes(scale, users, orders):
    data = generated(0, scale)
    assert {t: len(rows) for t, rows in data.items()} == {"users": users, "products": len(CATALOGUE), "orders": orders}


def test_round_trip_through_the_record_types():
    tables = Tables.from_json(MODELS, generated(0))
    assert tables.to_json() == generated(0)


def test_catalogue_size_and_variants():
    products = generated(0)["products"]
    assert 45 <= len(products) <= 60
    for p in products.values():
        variants = list(p["variants"].values())
        assert len(variants) >= 4
        assert sum(v["available"] for v in variants) >= 2
        assert len({tuple(sorted(v["options"].items())) for v in variants}) == len(variants)
        assert all(v["price"] > 0 and round(v["price"], 2) == v["price"] for v in variants)
        assert all(k == v["item_id"] for k, v in p["variants"].items())


def test_users_are_identifiable_and_varied():
    users = generated(0)["users"]
    assert len({u["email"] for u in users.values()}) == len(users)
    assert len({(u["first_name"], u["last_name"], u["address"]["zip"]) for u in users.values()}) == len(users)
    for u in users.values():
        # find_user_id_by_name_zip title-cases what the user types
        assert u["first_name"] == u["first_name"].title() and u["last_name"] == u["last_name"].title()
        assert u["email"] == u["email"].lower()
        assert u["payment_methods"] and u["order_ids"]
    sources = Counter(m["source"] for u in users.values() for m in u["payment_methods"])
    assert set(sources) == {"credit_card", "gift_card", "paypal"}
    assert len({u["address"]["city"] for u in users.values()}) > 30
    assert len({u["first_name"] for u in users.values()}) > 80


def test_orders_are_consistent():
    data = generated(0)
    users, products, orders = data["users"], data["products"], data["orders"]
    statuses = Counter(o["status"] for o in orders.values())
    assert set(statuses) == {"pending", "pending (items modified)", "processed", "delivered", "cancelled",
                             "return requested", "exchange requested"}
    for oid, o in orders.items():
        user = users[o["user_id"]]
        assert oid in user["order_ids"]
        methods = {m["payment_method_id"] for m in user["payment_methods"]}
        assert {e["payment_method_id"] for e in o["payment_history"]} <= methods
        item_ids = [i["item_id"] for i in o["items"]]
        assert len(set(item_ids)) == len(item_ids)
        for item in o["items"]:
            variant = products[item["product_id"]]["variants"][item["item_id"]]
            assert item["options"] == variant["options"] and item["price"] == variant["price"]
        net = sum(e["amount"] * (1 if e["kind"] == "payment" else -1) for e in o["payment_history"])
        total = sum(i["price"] for i in o["items"])
        assert net == pytest.approx(0 if o["status"] == "cancelled" else total)
        shipped = [i for f in o["fulfilments"] for i in f["item_ids"]]
        if o["status"] in ("pending", "pending (items modified)", "cancelled"):
            assert shipped == []
        else:
            assert sorted(shipped) == sorted(item_ids)
        assert (o["cancel_reason"] is not None) == (o["status"] == "cancelled")
        assert (o["return_details"] is not None) == (o["status"] == "return requested")
        assert (o["exchange_details"] is not None) == (o["status"] == "exchange requested")
    assert sum(len(u["order_ids"]) for u in users.values()) == len(orders)


@pytest.mark.slow
def test_scale_100_is_generated_in_reasonable_time():
    start = time.perf_counter()
    data = generate(0, scale=100)
    assert time.perf_counter() - start < 60
    assert len(data["users"]) == 50_000 and len(data["orders"]) == 100_000


# -- tools -----------------------------------------------------------------------------------


def test_tool_schemas_are_complete():
    d = domain()
    assert set(d.read_tools()) == {
        "find_user_id_by_email", "find_user_id_by_name_zip", "get_user_details", "get_order_details",
        "get_product_details", "list_all_product_types", "calculate", "transfer_to_human_agents"}
    assert set(d.write_tools()) == {
        "cancel_pending_order", "modify_pending_order_items", "modify_pending_order_address",
        "modify_pending_order_payment", "modify_user_address", "return_delivered_order_items",
        "exchange_delivered_order_items"}
    for schema in d.tool_schemas():
        json.dumps(schema)
        assert schema["type"] == "function"
        fn = schema["function"]
        assert fn["description"] and len(fn["description"]) > 20
        params = fn["parameters"]
        assert params["type"] == "object" and params.get("additionalProperties") is False
        assert set(params["required"]) <= set(params["properties"])
        for name, prop in params["properties"].items():
            assert prop.get("description"), f"{fn['name']}.{name} has no description"
            assert "type" in prop or "enum" in prop, f"{fn['name']}.{name} has no type"
    cancel = next(s["function"] for s in d.tool_schemas() if s["function"]["name"] == "cancel_pending_order")
    assert set(cancel["parameters"]["properties"]["reason"]["enum"]) == {
        "no longer needed", "ordered by mistake", "found a better price", "shipping takes too long"}


def test_api_graph_links_the_tools():
    edges = set(domain().graph.describe())
    for edge in [
        "get_user_details -> get_order_details (order_id)",
        "get_order_details -> get_product_details (product_id)",
        "list_all_product_types -> get_product_details (product_id)",
        "find_user_id_by_email -> get_user_details (user_id)",
    ]:
        assert edge in edges
    g = domain().graph
    assert "get_product_details" in g.feeders("modify_pending_order_items", "new_item_ids")
    assert "get_product_details" in g.feeders("exchange_delivered_order_items", "new_item_ids")
    assert "get_user_details" in g.feeders("modify_pending_order_payment", "payment_method_id")
    assert g.path("find_user_id_by_email", "cancel_pending_order") == [
        "find_user_id_by_email", "get_user_details", "cancel_pending_order"]


def test_registry_builds_the_domain():
    d = load_domain("retail")
    assert d.name == "retail" and d.user_table == "users"
    assert len(d.user_ids()) == 500


def test_build_domain_over_other_tables():
    tables = Tables.from_json(MODELS, generated(0, 0.1))
    d = build_domain(tables)
    assert d.tables is tables and len(d.user_ids()) == 50
