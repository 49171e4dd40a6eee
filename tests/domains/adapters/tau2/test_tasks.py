"""tau2's tasks: its test split's users never sampled, its training tasks as examples, tasks as blueprints."""

import random

import pytest

pytest.importorskip("tau2", reason="tau2 is not installed: pip install -e '.[tau2]'")

from domains import load_domain  # noqa: E402
from domains.adapters.tau2.domain import hooks_for  # noqa: E402
from domains.adapters.tau2.loader import SOURCES, cached_tasks  # noqa: E402
from domains.adapters.tau2.tasks import excluded_users, task_text, to_blueprint  # noqa: E402
from domains.framework.sampling import replay  # noqa: E402

DOMAINS = ["retail", "airline", "telecom"]


@pytest.mark.parametrize("name", DOMAINS)
def test_train_and_test_splits_are_disjoint(name):
    splits = SOURCES[name].splits()
    assert splits["train"] and splits["test"] and not set(splits["train"]) & set(splits["test"])


@pytest.mark.parametrize("name", DOMAINS)
def test_no_test_task_names_a_sampled_user_or_their_records(name):
    domain = load_domain(f"tau2:{name}")
    hooks = hooks_for(name)
    sampled = domain.user_ids()
    assert sampled, "nobody left to sample"
    test_texts = [task_text(t) for t in cached_tasks(name, "test")]
    for uid in sampled:
        for ref in hooks.references(domain.tables, uid):
            assert not any(ref in text for text in test_texts), (uid, ref)
    # and every user a test task acts on is left out (through the owner of what its actions touch)
    env = domain.new_environment()
    for task in cached_tasks(name, "test"):
        for action in task.evaluation_criteria.actions or []:
            assert hooks.owner_of(env.db, action.name, action.arguments) not in set(sampled)


@pytest.mark.parametrize("name", DOMAINS)
def test_sampled_chains_never_touch_a_test_user(name):
    domain = load_domain(f"tau2:{name}")
    banned = excluded_users(domain.tables, hooks_for(name), cached_tasks(name, "test"))
    assert banned
    for i in range(30):
        chain = domain.sampler.sample(random.Random(i))
        assert chain.ok, chain.failures
        assert chain.user_id not in banned


@pytest.mark.parametrize("name", DOMAINS)
def test_examples_are_training_tasks_that_replay(name):
    domain = load_domain(f"tau2:{name}")
    train = {t.id: t for t in cached_tasks(name, "train")}
    instructions = {str(t.user_scenario): t for t in train.values()}
    assert len(domain.examples) >= 2
    kinds = set()
    for example in domain.examples:
        task = instructions[example["instruction"]]  # from the training split, verbatim
        writes = [a["name"] for a in example["actions"] if domain.tools[a["name"]].kind == "write"]
        assert writes
        kinds.add(writes[0])
        if task.initial_state is None:
            _env, observations = replay(domain, ((a["name"], a["arguments"]) for a in example["actions"]))
            assert all(o.ok for o in observations)
    assert len(kinds) >= 2  # the first examples show different kinds of task


def test_a_task_becomes_a_blueprint_with_the_identification_first():
    domain = load_domain("tau2:retail")
    task = next(t for t in cached_tasks("retail", "train")
                if t.evaluation_criteria.actions and t.evaluation_criteria.actions[0].name == "cancel_pending_order")
    blueprint = to_blueprint(task, hooks_for("retail"), domain.new_environment().db)
    assert blueprint["actions"][0]["name"] in {"find_user_id_by_email", "find_user_id_by_name_zip"}
    assert [a["name"] for a in blueprint["actions"][1:]] == [a.name for a in task.evaluation_criteria.actions]
    assert blueprint["instruction"] == str(task.user_scenario)
    assert blueprint["outputs"] == list(task.evaluation_criteria.communicate_info or [])
