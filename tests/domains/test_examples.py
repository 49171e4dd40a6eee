"""The built-in domains' example blueprints are real tasks: the generator imitates them."""

from __future__ import annotations

import pytest

from domains import load_domain
from domains.framework.policy import Event
from domains.framework.sampling import replay


@pytest.mark.parametrize("name", ["retail", "airline"])
def test_examples_replay_follow_the_action_rules_and_ground_their_outputs(name):
    domain = load_domain(name)
    assert len(domain.examples) >= 2
    for example in domain.examples:
        run, observations = replay(domain, [(a["name"], a["arguments"]) for a in example["actions"]])
        assert all(o.ok for o in observations), [o.content for o in observations if not o.ok]
        assert run.db.changed_keys(), "an example changes the state"
        events = [Event(kind="tool", observation=o) for o in observations]
        assert domain.policy.check(events, run.db, actions_only=True) == []
        contents = " ".join(o.content for o in observations)
        assert all(isinstance(out, str) and out in contents for out in example["outputs"])
