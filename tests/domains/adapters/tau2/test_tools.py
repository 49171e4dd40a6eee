"""tau2's tools behind our interface: dispatch, validation, refusals, copy-on-write state, determinism."""

import pytest

pytest.importorskip("tau2", reason="tau2 is not installed: pip install -e '.[tau2]'")

from domains import load_domain  # noqa: E402
from domains.adapters.tau2.loader import cached_tasks  # noqa: E402


@pytest.fixture(scope="module")
def retail():
    return load_domain("tau2:retail")


@pytest.fixture(scope="module")
def telecom():
    return load_domain("tau2:telecom")


def pending_order(domain):
    return next(o for o in domain.tables.records["orders"].values() if o.status == "pending")


def test_tools_are_tau2s_with_its_kinds(retail, telecom):
    assert set(retail.write_tools()) == {
        "cancel_pending_order", "exchange_delivered_order_items", "modify_pending_order_address",
        "modify_pending_order_items", "modify_pending_order_payment", "modify_user_address",
        "return_delivered_order_items"}
    assert "transfer_to_human_agents" in retail.read_tools()
    # solo mode: the agent also holds the phone's tools
    assert {"toggle_airplane_mode", "refuel_data"} <= set(telecom.write_tools())
    assert telecom.policy.text.startswith("<main_policy>")
    schema = retail.tools["cancel_pending_order"].openai_schema()["function"]
    assert schema["parameters"]["required"] == ["order_id", "reason"]


def test_only_registered_tools_with_valid_arguments_run(retail):
    env = retail.new_environment()
    order = pending_order(retail)
    assert env.execute("_get_order", {"order_id": order.order_id}).error_code == "unknown_tool"
    assert env.execute("get_order_details", {"order_id": 7}).error_code == "invalid_arguments"
    bad = env.execute("get_order_details", {"order_id": order.order_id, "extra": 1})
    assert bad.error_code == "invalid_arguments" and "extra" in bad.content
    assert env.execute("calculate", "2+2").error_code == "invalid_arguments"
    ok = env.execute("get_order_details", {"order_id": order.order_id})
    assert ok.ok and ok.result["order_id"] == order.order_id


def test_a_refusal_is_an_error_observation_with_tau2s_message(retail):
    env = retail.new_environment()
    order = pending_order(retail)
    obs = env.execute("cancel_pending_order", {"order_id": order.order_id, "reason": "too expensive"})
    assert not obs.ok and obs.error_code == "refused" and obs.content == "Error: Invalid reason"
    assert env.fingerprint() == retail.new_environment().fingerprint()


def test_writes_go_to_the_overlay_and_reset_restores_the_base(retail):
    env = retail.new_environment()
    base = env.fingerprint()
    order = pending_order(retail)
    obs = env.execute("cancel_pending_order", {"order_id": order.order_id, "reason": "no longer needed"})
    assert obs.ok and obs.result["status"] == "cancelled"
    assert retail.tables.records["orders"][order.order_id].status == "pending"  # the shared base is untouched
    assert env.fingerprint() != base
    diff = [str(d) for d in retail.new_environment().diff(env)]
    assert any(d.startswith(f"orders/{order.order_id}: ") and "'pending' -> 'cancelled'" in d for d in diff)
    env.reset()
    assert env.fingerprint() == base and env.db.changed_keys() == set()


@pytest.mark.parametrize("name", ["retail", "airline", "telecom"])
def test_reads_change_nothing_they_are_given(name):
    """Reads get the records themselves, not copies: this proves tau2's reads leave them as they are
    (checked by copying and comparing, as for writes). The phone is always copied: not checked."""
    domain = load_domain(f"tau2:{name}")
    reads = [(a.name, a.arguments) for t in cached_tasks(name, "train") for a in t.evaluation_criteria.actions or []
             if domain.tools[a.name].kind == "read"]
    if name == "telecom":  # its tasks act on the phone: look up every account record instead
        records = domain.tables.records
        reads += [("get_details_by_id", {"id": key}) for table in ("customers", "lines", "bills", "plans", "devices")
                  for key in records[table]]
        for c in records["customers"].values():
            reads += [("get_customer_by_phone", {"phone_number": c.phone_number}),
                      ("get_customer_by_name", {"full_name": c.full_name, "dob": str(c.date_of_birth)}),
                      ("get_bills_for_customer", {"customer_id": c.customer_id})]
            reads += [("get_data_usage", {"customer_id": c.customer_id, "line_id": line}) for line in c.line_ids]
    assert len(reads) > 20
    domain.toolbox.copy_reads = True
    try:
        env = domain.new_environment()
        for call in reads:
            env.execute(*call)
        assert {t for t, _ in env.db.changed_keys()} <= {"user_device", "user_surroundings"}
    finally:
        domain.toolbox.copy_reads = False


def test_a_new_bill_id_is_the_same_on_every_replay(telecom):
    """telecom names new bills with uuid4; the adapter seeds it from the state, so replays agree."""
    customer = next(c for c in telecom.tables.records["customers"].values()
                    if c.line_ids and not any(telecom.tables.records["bills"][b].status == "Draft" for b in c.bill_ids))
    call = {"customer_id": customer.customer_id, "line_id": customer.line_ids[0], "gb_amount": 1.0}
    states = []
    for _ in range(2):
        env = telecom.new_environment()
        assert env.execute("refuel_data", call).ok
        states.append(env.fingerprint())
        assert len(list(env.db.keys("bills"))) == len(telecom.tables.records["bills"]) + 1
    assert states[0] == states[1]
