"""Chains sampled from the retail domain all execute, replay to the same state, and cover the domain."""

from __future__ import annotations

import random
from collections import Counter
from functools import lru_cache

from domains.framework.sampling import replay
from tests.domains.retail.helpers import base_hash_now, domain

N_CHAINS = 500


@lru_cache(maxsize=1)
def chains():
    d = domain()
    d.tables.total_hash  # hashed before any write, so that a mutated base would show
    return [d.sampler.sample(random.Random(f"check:{i}")) for i in range(N_CHAINS)]


def test_every_sampled_chain_executes():
    failures = [(c.user_id, f.name, f.arguments, f.observation) for c in chains() for f in c.failures]
    assert failures == []
    assert all(c.calls[0].purpose == "auth" and c.scenarios for c in chains())


def test_every_chain_replays_to_the_same_state():
    d = domain()
    for c in chains():
        env, observations = replay(d, [(call.name, call.arguments) for call in c.calls])
        assert all(o.ok for o in observations)
        assert env.fingerprint() == c.fingerprint


def test_chains_cover_every_write_tool_and_scenario():
    d = domain()
    tools = Counter(call.name for c in chains() for call in c.calls)
    scenarios = Counter(s for c in chains() for s in c.scenarios)
    assert set(d.write_tools()) <= set(tools)
    assert set(d.tools) <= set(tools)  # reads too: both ways of authenticating, calculate, transfer...
    assert {s.name for s in d.scenarios} <= set(scenarios)
    writes = sum(n for name, n in tools.items() if name in d.write_tools())
    assert writes >= N_CHAINS // 2
    assert sum(1 for c in chains() if len(c.scenarios) == 2) > N_CHAINS // 4


def test_chains_change_state_or_compute_an_answer():
    d = domain()
    base = d.new_environment().fingerprint()
    for c in chains():
        changed = c.fingerprint != base
        informative = any(call.purpose == "target" and call.kind == "read" for call in c.calls)
        assert changed or informative


def test_sampling_is_deterministic():
    d = domain()
    again = [d.sampler.sample(random.Random(f"check:{i}")) for i in range(20)]
    assert again == chains()[:20]


def test_sampling_leaves_the_shared_base_untouched():
    chains()
    tables = domain().tables
    assert base_hash_now(tables) == tables.total_hash


def test_at_least_six_scenarios_across_kinds():
    names = {s.name for s in domain().scenarios}
    assert len(names) >= 6
    assert {"spending_total", "upgrade_price", "browse_catalogue"} <= names  # answered with calculate
