import pytest

pytest.importorskip("bfcl_eval", reason="bfcl-eval is not installed (pip install 'builder[bfcl]')")

from domains.adapters.bfcl import build_domain  # noqa: E402
from domains.adapters.bfcl.database import Worlds  # noqa: E402
from domains.adapters.bfcl.state import snapshot  # noqa: E402
from domains.adapters.bfcl.worlds import generate_worlds  # noqa: E402
from tests.domains.adapters.bfcl.worlds import USER, one_world_domain  # noqa: E402

CALLS = [
    ("find_user", {"user_id": USER}),
    ("trading_login", {"username": "alex", "password": "pw1"}),
    ("fund_account", {"amount": 250.0}),
    ("cancel_order", {"order_id": 101}),
]


def _run(domain, calls):
    env = domain.new_environment()
    for name, args in calls:
        assert env.execute(name, args).ok, name
    return env


def test_equal_actions_give_equal_fingerprints_and_a_write_changes_it():
    domain = one_world_domain("trading")
    base = domain.new_environment().fingerprint()
    a, b = _run(domain, CALLS), _run(domain, CALLS)
    assert a.fingerprint() == b.fingerprint() != base
    assert _run(domain, CALLS[:1]).fingerprint() == base  # identifying the user changes nothing
    assert _run(domain, CALLS[:3]).fingerprint() not in (base, a.fingerprint())


def test_reads_leave_the_fingerprint_alone():
    domain = one_world_domain("trading")
    env = _run(domain, CALLS[:2])
    before = env.fingerprint()
    for name, args in [("get_account_info", {}), ("get_stock_info", {"symbol": "AAPL"}), ("get_order_history", {})]:
        assert env.execute(name, args).ok
    assert env.fingerprint() == before


def test_reset_returns_to_the_base_state_and_unbinds():
    domain = one_world_domain("trading")
    env = _run(domain, CALLS)
    env.reset()
    assert env.fingerprint() == domain.new_environment().fingerprint()
    assert not env.db.changed_keys()
    assert env.execute("get_account_info", {}).error_code == "refused"  # nobody identified any more
    env.execute("find_user", {"user_id": USER})
    assert env.execute("get_order_details", {"order_id": 101}).result["status"] == "Open"


def test_diff_names_records_and_fields():
    domain = one_world_domain("trading")
    env = _run(domain, CALLS)
    diffs = {f"{d.table}/{d.key}": d for d in domain.new_environment().diff(env)}
    order = diffs[f"TradingBot/{USER}:orders/101"]
    assert order.fields == {"status": ("Open", "Cancelled")}
    assert f"TradingBot/{USER}:account_info" in diffs and f"TradingBot/{USER}:authenticated" in diffs


def test_added_and_removed_records():
    domain = one_world_domain("filesystem")
    env = _run(domain, [("find_user", {"user_id": USER}), ("mkdir", {"dir_name": "new"}), ("rm", {"file_name": "notes.txt"})])
    changes = {(d.key.split(":", 1)[1], d.change) for d in domain.new_environment().diff(env)}
    assert changes == {("root/alex/new", "added"), ("root/alex/notes.txt", "removed")}
    undone = _run(domain, [("find_user", {"user_id": USER}), ("mkdir", {"dir_name": "new"}), ("rmdir", {"dir_name": "new"})])
    assert undone.fingerprint() == domain.new_environment().fingerprint()


def test_the_working_directory_is_not_state():
    """As in BFCL's checker: the same files in the end is the same outcome, wherever one stands."""
    domain = one_world_domain("filesystem")
    env = _run(domain, [("find_user", {"user_id": USER}), ("cd", {"folder": "docs"})])
    assert env.fingerprint() == domain.new_environment().fingerprint()
    assert env.execute("cat", {"file_name": "a.txt"}).ok  # but later calls see it


def test_records_match_the_live_instance_after_writes():
    domain = one_world_domain("trading")
    env = _run(domain, CALLS)
    live = {f"{USER}:{k}": v for k, v in snapshot(env.db.live("TradingBot")).items()}
    stored = {k: env.db.view("TradingBot", k).model_dump() for k in live}
    assert stored == live


def test_state_work_grows_with_one_world_not_with_the_database(monkeypatch):
    """Binding loads one world; a write re-reads one class of it; reset loads nothing."""
    small = build_domain("trading")
    many = generate_worlds(["TradingBot"], n=300)
    big = type(small)(small.classes, worlds=many)
    loads = []
    original = Worlds.instantiate
    monkeypatch.setattr(Worlds, "instantiate", lambda self, world: loads.append(world.user_id) or original(self, world))
    for domain in (small, big):
        _ = domain.tables  # the base is built once per domain
        loads.clear()
        env = domain.new_environment()
        uid = domain.user_ids()[0]
        env.execute("find_user", {"user_id": uid})
        env.execute("add_to_watchlist", {"stock": "ZETA"})
        env.fingerprint()
        env.reset()
        env.fingerprint()
        assert loads == [uid]
        assert len(domain.tables.records["TradingBot"]) >= 10 * (300 if domain is big else 1)


def test_worlds_are_seeded_and_distinct():
    a, b = build_domain("vehicle"), build_domain("vehicle")
    assert a.tables.total_hash == b.tables.total_hash
    fingerprints = set()
    for uid in a.user_ids()[:10]:
        fingerprints.add(str(a.worlds.worlds[uid].configs))
    assert len(fingerprints) == 10
