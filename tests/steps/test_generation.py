"""Blueprint generation with a real model's kind of mistakes: what the next round is shown."""

from __future__ import annotations

import asyncio
import json

from builder.config import BuildConfig
from builder.llm.config import RoleConfig
from builder.llm.types import ChatReply
from builder.records import Context, TaskRecord
from builder.simulator.backend import simulator_llm
from domains import load_domain
from domains.framework.sampling import PlannedCall
from steps.generation import GenerateBlueprints

TOY_SPEC = "tests.domains.framework.toy:build_toy"
# what a 1.5B model wrote on retail: a tool result where a short fact belongs
OBJECT_OUTPUTS = 'Thinking... ```json\n{"instruction": "Get my id.", "actions": [{"name": "lookup", "arguments": {}}], "outputs": [{"user_id": "u1"}]}\n```'


def generate(record: TaskRecord, round_no: int, seen: list, reply: str = OBJECT_OUTPUTS,
             generation: str = "free") -> TaskRecord:
    def respond(messages, tools, *, seed, row_id):
        seen.append(messages)
        return ChatReply(content=reply)

    llms = {"generator": simulator_llm("generator", RoleConfig(max_retries=0), responder=respond)}
    step = GenerateBlueprints(stage_key=f"generate.r{round_no}", round=round_no)
    step.bind(BuildConfig(domain=TOY_SPEC, blueprints={"generation": generation}), load_domain(TOY_SPEC), llms)
    return asyncio.run(step.advance(record))


def test_a_reply_that_does_not_parse_is_shown_back_with_its_reason():
    record = TaskRecord(task_id="t-0", domain="toy", seed=1,
                        context=Context(user_id="u1", records={}, chain=[], scenarios=[], persona="p"))
    seen: list = []
    record = generate(record, 0, seen)
    (first,) = record.rounds
    assert first.blueprint is None and first.raw == OBJECT_OUTPUTS
    assert [(r.stage, r.code) for r in first.reasons] == [("format", "invalid_json")]
    assert "outputs.0" in first.reasons[0].message
    assert "a list of strings" in seen[0][0].content  # the system prompt says what outputs are

    round0_calls = len(seen)  # the JSON reader asks once more within a call before giving up
    record = generate(record, 1, seen)
    prompt = seen[round0_calls]
    assert prompt[-2].role == "assistant" and prompt[-2].content == OBJECT_OUTPUTS  # its own words, not a placeholder
    assert prompt[-1].role == "user" and "[format/invalid_json]" in prompt[-1].content and "outputs.0" in prompt[-1].content
    assert len(record.rounds) == 2 and json.loads(record.rounds[1].reasons[0].model_dump_json())["stage"] == "format"


def test_from_chain_the_chain_is_the_actions_and_the_reply_is_kept_as_written():
    chain = [
        PlannedCall(name="find_user_id_by_email", arguments={"email": "a@x"}, kind="read", purpose="auth",
                    ok=True, observation="u1"),
        PlannedCall(name="get_order", arguments={"order_id": "o9"}, kind="read", purpose="discover",
                    ok=False, observation="Error: no order o9"),
        PlannedCall(name="cancel_order", arguments={"order_id": "o1"}, kind="write", purpose="target",
                    ok=True, observation='{"order_id": "o1", "status": "cancelled"}'),
    ]
    record = TaskRecord(task_id="t-0", domain="toy", seed=1,
                        context=Context(user_id="u1", records={}, chain=chain, scenarios=[], persona="p"))
    reply = 'The chain cancels o1.\n{"instruction": "You are a@x. Cancel order o1.", "outputs": [1]}'
    seen: list = []
    record = generate(record, 0, seen, reply=reply, generation="from_chain")
    (first,) = record.rounds
    assert first.raw == reply and not first.reasons
    assert [(a.name, a.arguments) for a in first.blueprint.actions] == [
        ("find_user_id_by_email", {"email": "a@x"}), ("cancel_order", {"order_id": "o1"})]  # the refused read dropped
    assert first.blueprint.instruction == "You are a@x. Cancel order o1." and first.blueprint.outputs == ["1"]
    assert '"outputs"' in seen[0][0].content.split("Shape:")[1] and '"actions"' not in seen[0][0].content.split("Shape:")[1]
