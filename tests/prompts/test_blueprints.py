"""The generator's prompt: what it grounds a blueprint in, and the feedback a model can act on."""

from __future__ import annotations

import json

import pytest

from builder.config import BuildConfig
from builder.prompts.blueprints import generator_messages, reviewer_messages
from builder.llm.context_tag import strip
from builder.records import Action, Blueprint, Reason, RoundRecord
from domains import load_domain
from domains.framework.sampling import replay
from steps.contexts import Unit, sample_task


@pytest.fixture(scope="module")
def retail():
    return load_domain("retail")


def task(retail, index: int = 1, **blueprints):
    return sample_task(BuildConfig(tasks=5, blueprints={"examples": 1, **blueprints}), retail, Unit(index, 1), index)


def records_in(prompt: str) -> dict:
    """The records JSON of a generator prompt (it must parse: never cut)."""
    start = prompt.index("The customer's records")
    line = prompt[start:].split("\n", 2)[1]
    return json.loads(line)


def test_the_chain_comes_before_the_records_and_both_after_the_examples(retail):
    record = task(retail)
    system, user = strip(generator_messages(retail, record.context, []))
    assert user.content.index("Example blueprints") < user.content.index("YOUR TASK") \
        < user.content.index("0. find_user_id") < user.content.index("The customer's records")
    assert "form only" in user.content
    # the static part (policy, tools, the blueprint's shape) is the same for every task
    other = strip(generator_messages(retail, task(retail, 2).context, []))[0]
    assert system.content == other.content


def test_records_are_those_the_chain_touches_whole_and_the_others_in_brief(retail):
    record = task(retail)
    named = {v for c in record.context.chain for v in c.arguments.values() if isinstance(v, str)}
    records = records_in(strip(generator_messages(retail, record.context, []))[1].content)
    assert [o["order_id"] for o in records["orders"]] == [
        o["order_id"] for o in record.context.records["orders"] if o["order_id"] in named
    ]
    others = records["orders (others, in brief)"]
    assert others and all(set(o) == {"order_id", "status"} for o in others)
    assert all(o["order_id"] not in named for o in others)


def test_every_target_result_is_in_the_prompt_whole(retail):
    record = task(retail)
    user = strip(generator_messages(retail, record.context, []))[1].content
    for call in record.context.chain:
        if call.purpose == "target" and call.kind == "write":
            assert call.observation in user


def test_the_example_matches_the_chains_write_tool(retail):
    for index in range(8):
        record = task(retail, index)
        writes = {c.name for c in record.context.chain if c.purpose == "target" and c.kind == "write"}
        covered = [e for e in retail.examples if writes & {a["name"] for a in e["actions"]}]
        (example,) = record.context.examples
        if covered:
            assert writes & {a.name for a in example.actions}, (index, writes)


def refused_round(retail, record, raw: str) -> RoundRecord:
    """A candidate that cancels an order of the customer that is not pending."""
    orders = record.context.records["orders"]
    done = next(o for o in orders if not o["status"].startswith("pending"))
    auth = record.context.chain[0]
    blueprint = Blueprint(instruction="Cancel it.", actions=[
        Action(name=auth.name, arguments=auth.arguments),
        Action(name="cancel_pending_order", arguments={"order_id": done["order_id"], "reason": "no longer needed"}),
    ], outputs=[])
    _, observations = replay(retail, ((a.name, a.arguments) for a in blueprint.actions))
    assert not observations[1].ok
    return RoundRecord(
        round=0, raw=raw, blueprint=blueprint, observations=[o.content for o in observations],
        reasons=[Reason(stage="execution", code="action_failed", action_index=1,
                        message=f"action 1 (cancel_pending_order): {observations[1].content}")],
    )


def test_feedback_shows_the_refusal_the_record_it_contradicts_and_every_round(retail):
    record = next(r for r in (task(retail, i) for i in range(20))
                  if any(not o["status"].startswith("pending") for o in r.context.records["orders"]))
    first = refused_round(retail, record, "I think... {round 0 as written}")
    second = RoundRecord(round=1, raw="not JSON at all", reasons=[
        Reason(stage="format", code="invalid_json", message="no JSON object found in the reply")])
    messages = strip(generator_messages(retail, record.context, [first, second]))
    assert [m.role for m in messages] == ["system", "user", "assistant", "user", "assistant", "user"]
    assert messages[2].content == first.raw and messages[4].content == second.raw
    feedback = messages[3].content
    refused = first.blueprint.actions[1].arguments["order_id"]
    status = next(o["status"] for o in record.context.records["orders"] if o["order_id"] == refused)
    assert first.observations[1] in feedback  # the tool's refusal, whole
    assert f'"order_id": "{refused}", "status": "{status}"' in feedback
    for order in record.context.records["orders"]:  # which orders are in which state
        assert f'"order_id": "{order["order_id"]}", "status": "{order["status"]}"' in feedback
    assert "(as chain call 0 above)" in feedback
    assert "[format/invalid_json]" in messages[5].content


def test_from_chain_asks_only_for_the_instruction_and_outputs(retail):
    record = task(retail)
    system, user = strip(generator_messages(retail, record.context, [], generation="from_chain"))
    assert '"actions"' not in system.content.split("Shape:")[1]
    assert "ran successfully on the database, in this order" in user.content
    assert '"actions"' not in user.content.split("YOUR TASK")[0]  # the examples without actions


def test_compact_lists_only_the_chains_tools(retail):
    record = task(retail)
    full = strip(generator_messages(retail, record.context, []))[0].content
    compact = strip(generator_messages(retail, record.context, [], compact=True))[0].content
    used = {c.name for c in record.context.chain}
    for name in retail.tools:
        assert (f"- {name}(" in compact) == (name in used)
        assert f"- {name}(" in full
    assert len(compact) < len(full)


def test_reviewer_sees_every_result_whole_after_the_static_part(retail):
    record = task(retail)
    blueprint = Blueprint(instruction="x", actions=[Action(name=c.name, arguments=c.arguments) for c in record.context.chain])
    _, observations = replay(retail, ((a.name, a.arguments) for a in blueprint.actions))
    system, user = strip(reviewer_messages(retail, blueprint, [o.content for o in observations], [], 0))
    assert "Tools:" in system.content and system.content.index("Policy") < system.content.index('"correct"')
    assert all(o.content in user.content for o in observations)
