"""Sampled chains of the airline domain: they execute, replay to the same state, cover every scenario."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from domains.airline import AirlineDomain, build_domain
from domains.airline.data import generate
from domains.airline.models import TABLES
from domains.framework import Tables
from domains.framework.sampling import replay
from tests.domains.airline.helpers import domain

N_CHAINS = 500
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def chains():
    d = domain()
    return [d.sampler.sample(random.Random(f"check:{i}")) for i in range(N_CHAINS)]


def test_every_sampled_chain_executes(chains):
    failures = [(c.user_id, f.name, f.observation) for c in chains for f in c.failures]
    assert failures == []
    assert all(c.calls[0].purpose == "auth" and c.calls[0].name == "get_user_details" for c in chains)
    assert all(any(call.purpose == "target" for call in c.calls) for c in chains)


def test_sampled_chains_replay_to_the_same_state(chains):
    d = domain()
    for c in chains:
        env, observations = replay(d, [(call.name, call.arguments) for call in c.calls])
        assert all(o.ok for o in observations)
        assert env.fingerprint() == c.fingerprint
        assert [o.content for o in observations] == [call.observation for call in c.calls]


def test_chains_cover_every_write_tool_and_scenario(chains):
    d = domain()
    used = Counter(call.name for c in chains for call in c.calls)
    assert set(d.write_tools()) <= set(used)
    scenarios = Counter(s for c in chains for s in c.scenarios)
    assert set(scenarios) == {s.name for s in d.scenarios}
    # questions end in a number the customer is told
    assert used["calculate"] > 100


def test_chains_follow_the_action_rules(chains):
    from domains.framework.policy import Event

    d = domain()
    for c in chains[:100]:
        env, observations = replay(d, [(call.name, call.arguments) for call in c.calls])
        events = [Event(kind="tool", observation=o) for o in observations]
        assert d.policy.check(events, env.db, actions_only=True) == [], c.calls


def test_discovery_adds_only_meaningful_reads(chains):
    discovered = Counter(call.name for c in chains for call in c.calls if call.purpose == "discover")
    assert set(discovered) <= {"list_all_airports", "get_reservation_details", "get_flight_status"}


def test_sampling_is_deterministic(chains):
    d = domain()
    again = [d.sampler.sample(random.Random(f"check:{i}")) for i in range(20)]
    assert [c.model_dump() for c in again] == [c.model_dump() for c in chains[:20]]


def test_sampling_does_not_depend_on_the_hash_seed(chains):
    code = (
        "import json, random\n"
        "from domains.airline import build_domain\n"
        "d = build_domain()\n"
        "print(json.dumps([d.sampler.sample(random.Random(f'check:{i}')).model_dump() for i in range(12)]))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    assert json.loads(out.stdout) == json.loads(json.dumps([c.model_dump() for c in chains[:12]]))


def test_scenarios_work_on_other_generated_data():
    tables = Tables.from_json(TABLES, generate(7, scale=0.3))
    base = build_domain()
    d = AirlineDomain(
        name="airline", description=base.description, tools=list(base.tools.values()), load_tables=lambda: tables,
        policy=base.policy, user_table="users", auth_tools=base.auth_tools, auth_call=base.auth_call,
        scenarios=base.scenarios, user_context=base.user_context,
    )
    chains = [d.sampler.sample(random.Random(f"other:{i}")) for i in range(200)]
    assert [(c.user_id, f.name, f.observation) for c in chains for f in c.failures] == []
    assert len({s for c in chains for s in c.scenarios}) >= 8
