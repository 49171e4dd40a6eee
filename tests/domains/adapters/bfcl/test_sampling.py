import random

import pytest

pytest.importorskip("bfcl_eval", reason="bfcl-eval is not installed (pip install 'builder[bfcl]')")

from domains import load_domain  # noqa: E402
from domains.adapters.bfcl import build_domain, domain_names  # noqa: E402
from domains.framework.sampling import replay  # noqa: E402

CHAINS = 25


@pytest.mark.parametrize("name", domain_names())
def test_every_sampled_chain_executes_and_replays(name):
    """What `builder domains check` does: 100% of chains run, and replay to the same state."""
    domain = build_domain(name)
    used = set()
    for i in range(CHAINS):
        chain = domain.sampler.sample(random.Random(f"0:check:{i}"), max_targets=2)
        assert chain.ok, f"chain {i}: {chain.failures[0]}"
        assert chain.calls[0].name == "find_user" and chain.calls[0].purpose == "auth"
        env, observations = replay(domain, ((c.name, c.arguments) for c in chain.calls))
        assert all(o.ok for o in observations)
        assert env.fingerprint() == chain.fingerprint
        used |= {c.name for c in chain.calls if c.purpose == "target"}
    writes = set(domain.write_tools())
    assert len(used & writes) >= min(4, len(writes))


def test_chains_discover_identifiers_through_reads():
    domain = build_domain("filesystem")
    purposes = [(c.purpose, c.name) for i in range(20)
                for c in domain.sampler.sample(random.Random(i)).calls]
    assert ("discover", "ls") in purposes  # the listing before changing into a directory


def test_a_question_ends_the_chain():
    """Requests come before questions in an instruction, so no task follows a question."""
    domain = build_domain("math+trading")
    questions = {"mean", "sum_values", "max_value", "min_value", "standard_deviation", "add", "subtract",
                 "multiply", "percentage", "square_root", "round_number", "get_symbol_by_name"}
    for i in range(60):
        chain = domain.sampler.sample(random.Random(i), max_targets=2)
        targets = [c.name for c in chain.calls if c.purpose == "target"]
        asked = [j for j, n in enumerate(targets) if n in questions]
        assert not asked or asked[-1] == len(targets) - 1, targets


def test_context_shows_the_person_and_their_systems():
    domain = build_domain("ticket+trading")
    uid = domain.user_ids()[0]
    context = domain.user_context(domain.new_environment().db, uid)
    assert context["profile"]["username"] and set(context) == {"profile", "TicketAPI", "TradingBot"}
    assert any(k.startswith("orders/") for k in context["TradingBot"])


def test_the_registry_resolves_bfcl_names_and_the_custom_form():
    assert load_domain("bfcl:message+trading").name == "bfcl:message+trading"
    assert load_domain("domains.adapters.bfcl:message_trading").name == "bfcl:message+trading"
