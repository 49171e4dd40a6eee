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
from steps.generation import GenerateBlueprints

TOY_SPEC = "tests.domains.framework.toy:build_toy"
# what a 1.5B model wrote on retail: a tool result where a short fact belongs
OBJECT_OUTPUTS = 'Thinking... ```json\n{"instruction": "Get my id.", "actions": [{"name": "lookup", "arguments": {}}], "outputs": [{"user_id": "u1"}]}\n```'


def generate(record: TaskRecord, round_no: int, seen: list) -> TaskRecord:
    def respond(messages, tools, *, seed, row_id):
        seen.append(messages)
        return ChatReply(content=OBJECT_OUTPUTS)

    llms = {"generator": simulator_llm("generator", RoleConfig(max_retries=0), responder=respond)}
    step = GenerateBlueprints(stage_key=f"generate.r{round_no}", round=round_no)
    step.bind(BuildConfig(domain=TOY_SPEC), load_domain(TOY_SPEC), llms)
    return asyncio.run(step.advance(record))


def test_a_reply_that_does_not_parse_is_shown_back_with_its_reason(tmp_path):
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
