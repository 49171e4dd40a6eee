"""The simulator with tools unlike retail's: camelCase names, arguments named after their tool or
ending in a connector word, writes without identifiers, results that are JSON objects (BFCL)."""

from __future__ import annotations

import json
import random

import pytest

from builder.records import Action
from builder.simulator import generator, reviewer
from builder.simulator import phrases
from builder.simulator.config import SimulatorConfig

TOOLS = {
    "fillFuelTank": {"type": "object", "properties": {"fuelAmount": {"type": "number"}}, "required": ["fuelAmount"]},
    "book_flight": {"type": "object", "properties": {"travel_from": {"type": "string"}, "travel_to": {"type": "string"}}},
    "comment": {"type": "object", "properties": {"tweet_id": {"type": "integer"}, "comment_content": {"type": "string"}}},
    "fund_account": {"type": "object", "properties": {"amount": {"type": "number"}}},
}


@pytest.mark.parametrize("name,args", [
    ("fillFuelTank", {"fuelAmount": 7.0}),
    ("book_flight", {"travel_from": "JFK", "travel_to": "BOS"}),
    ("comment", {"tweet_id": 0, "comment_content": "Love this!"}),
])
def test_requests_round_trip_for_every_argument_shape(name, args):
    text = f"I'd like to {phrases.render_clause(name, args)}."
    assert [(r.tool, r.args) for r in phrases.parse_requests(text, TOOLS)] == [(name, args)]
    # as the human restates its instruction: lower-cased names, then read back by the agent
    (clause,) = phrases.parse_instruction(f"You want to {phrases.render_clause(name, args)}.").requests
    restated = f"Here it is: {phrases.render_args(clause.args)}."
    found = phrases.pairs_dict(phrases.parse_pairs(restated, vocabulary=set(TOOLS[name]["properties"])))
    assert found == args


def _call(observation: str) -> dict:
    return {"purpose": "target", "kind": "read", "ok": True, "observation": observation}


def test_the_answer_of_a_read_is_the_one_number_or_scalar_of_its_result():
    assert generator._answer(_call(json.dumps({"count": 3, "type": "lines"}))) == "3"
    assert generator._answer(_call(json.dumps({"symbol": "AAPL"}))) == "AAPL"
    assert generator._answer(_call("42.5")) == "42.5"
    assert generator._answer(_call(json.dumps({"price": 1.0, "volume": 2.0}))) is None  # which one?
    assert generator._answer(_call(json.dumps({"matches": ["a", "b"]}))) is None


def _review(instruction: str, actions: list[dict]) -> dict:
    rates = SimulatorConfig(reviewer_miss=0.0, reviewer_false_reject=0.0)
    ctx = {"blueprint": {"instruction": instruction, "actions": actions}, "write_tools": ["fund_account"],
           "tools": TOOLS}
    return json.loads(reviewer.respond(ctx, [], random.Random(0), rates).content)


def test_reviewers_want_every_argument_of_a_write_without_identifiers():
    deposit = {"name": "fund_account", "arguments": {"amount": 250.0}}
    assert _review("You want to fund account with amount 250.0.", [deposit])["scores"]["complete"]
    verdict = _review("You want to fund account.", [deposit])
    assert not verdict["scores"]["complete"] and "amount = 250.0" in verdict["feedback"]


def test_reviewers_catch_a_write_done_more_often_than_asked():
    deposit = {"name": "fund_account", "arguments": {"amount": 250.0}}
    verdict = _review("You want to fund account with amount 250.0.", [deposit, deposit])
    assert not verdict["scores"]["correct"] and "2 times" in verdict["feedback"]
    assert _review("You want to fund account with amount 250.0.\nThen you want to fund account with amount 250.0.",
                   [deposit, deposit])["scores"]["correct"]
    # an instruction in free prose (a real generator's) is not counted
    assert _review("Please add 250 dollars to my account twice.", [deposit, deposit])["scores"]["correct"]


def test_instruction_keeps_arguments_ending_in_a_connector():
    actions = [Action(name="book_flight", arguments={"travel_from": "JFK", "travel_to": "BOS"})]
    text = phrases.render_instruction({"user_id": "u1"}, "", actions, [], {"book_flight": {**TOOLS["book_flight"], "kind": "write"}})
    (req,) = phrases.parse_instruction(text).requests
    assert req.args == {"travel_from": "JFK", "travel_to": "BOS"}
