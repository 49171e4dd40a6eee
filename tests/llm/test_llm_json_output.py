from __future__ import annotations

import asyncio

import pytest
from pydantic import BaseModel

from builder.llm import ChatReply, JSONOutputError, Message, RoleConfig, achat_json, extract_json
from builder.llm.json_output import NoJSONFound
from builder.simulator.backend import simulator_llm


class Verdict(BaseModel):
    ok: bool
    reasons: list[str]


@pytest.mark.parametrize("text,expected", [
    ('{"a": 1}', {"a": 1}),
    ('Sure! Here it is:\n```json\n{"a": {"b": [1, 2]}}\n```\nDone.', {"a": {"b": [1, 2]}}),
    ('<think>maybe {"a": 0}? no</think>\nThe answer: {"a": 2} hope that helps', {"a": 2}),
    ('Reasoning: the set {x} is empty. {"a": 3}', {"a": 3}),
    ('```\n{"a": 4}\n```', {"a": 4}),
])
def test_extract_json_tolerates_fences_and_reasoning(text, expected):
    assert extract_json(text) == expected


def test_extract_json_without_json():
    with pytest.raises(NoJSONFound):
        extract_json("no braces here")


def _scripted(replies: list[str], seen: list):
    def respond(messages, tools, *, seed, row_id):
        seen.append(messages)
        return ChatReply(content=replies[len(seen) - 1])
    return simulator_llm("reviewer_0", RoleConfig(), responder=respond)


def test_valid_first_time():
    seen: list = []
    llm = _scripted(['```json\n{"ok": true, "reasons": []}\n```'], seen)
    v = asyncio.run(achat_json(llm, [Message(role="user", content="judge")], Verdict, row_id="b1"))
    assert v == Verdict(ok=True, reasons=[]) and len(seen) == 1


def test_one_repair_round_sends_the_error_back():
    seen: list = []
    llm = _scripted(['{"ok": "perhaps"}', 'Fixed: {"ok": false, "reasons": ["ambiguous"]}'], seen)
    v = asyncio.run(achat_json(llm, [Message(role="user", content="judge")], Verdict, row_id="b1"))
    assert v.reasons == ["ambiguous"]
    repair = seen[1]
    assert repair[-2].role == "assistant" and repair[-2].content == '{"ok": "perhaps"}'
    assert repair[-1].role == "user" and "reasons" in repair[-1].content and "ok" in repair[-1].content


def test_gives_up_after_one_repair():
    seen: list = []
    llm = _scripted(["I refuse", "still no JSON"], seen)
    with pytest.raises(JSONOutputError) as e:
        asyncio.run(achat_json(llm, [Message(role="user", content="judge")], Verdict, row_id="b7"))
    err = e.value
    assert len(seen) == 2
    assert err.raw == "still no JSON" and err.first_raw == "I refuse"
    assert "no JSON object" in err.error and err.row_id == "b7" and err.role == "reviewer_0"
