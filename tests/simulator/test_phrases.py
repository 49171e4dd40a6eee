"""The phrasebook: what one simulated role writes, another reads back exactly."""

from __future__ import annotations

import random

import pytest

from builder.records import Action
from builder.simulator import phrases
from domains import load_domain
from tests.domains.framework.toy import build_toy


def _domain(name: str):
    if name == "toy":
        return build_toy()
    try:
        return load_domain(name)
    except Exception as exc:  # a domain still being written elsewhere
        pytest.skip(f"domain {name} not loadable: {exc}")


DOMAINS = ["toy", "retail", "airline"]


def _chains(domain, n: int):
    for i in range(n):
        yield domain.sampler.sample(random.Random(f"phrases:{i}"))


@pytest.mark.parametrize("name", DOMAINS)
def test_every_sampled_call_round_trips_through_a_user_sentence(name):
    domain = _domain(name)
    schemas = domain.tool_schemas()  # what a real agent sees
    seen = set()
    for chain in _chains(domain, 60):
        for call in chain.calls:
            text = f"Hi! I'd like to {phrases.render_clause(call.name, call.arguments)}. Thanks."
            found = phrases.parse_requests(text, schemas)
            assert [(r.tool, r.args) for r in found] == [(call.name, call.arguments)], text
            seen.add(call.name)
    assert set(domain.write_tools()) & seen, "the chains exercised no write"


@pytest.mark.parametrize("name", DOMAINS)
def test_instruction_round_trip(name):
    domain = _domain(name)
    for chain in _chains(domain, 40):
        auth = next(c for c in chain.calls if c.purpose == "auth")
        identity = dict(auth.arguments)
        actions = [Action(name=c.name, arguments=c.arguments) for c in chain.calls]
        text = phrases.render_instruction(identity, "A chef who is blunt and practical.", actions, [], domain.tools)
        assert "1." not in text.split("\n")[0]  # prose, not a numbered script
        parsed = phrases.parse_instruction(text)
        assert parsed.identity == identity
        assert parsed.persona.startswith("a chef")
        writes = [a for a in actions if domain.tools[a.name].kind == "write" and "transfer" not in a.name]
        expected = [(phrases.humanize(a.name), {k: v for k, v in a.arguments.items()
                                         if k != "user_id" or "user_id" in identity}) for a in writes]
        got = [(c.phrase, c.args) for c in parsed.requests if "transfer" not in c.phrase]
        assert got == expected
        assert parsed.questions == []  # no outputs, no questions


def test_questions_are_the_reads_whose_answers_are_the_outputs():
    tools = {
        "find_user_id_by_email": {"type": "object", "properties": {"email": {"type": "string"}}},
        "get_order_details": {"type": "object", "properties": {"order_id": {"type": "string"}}},
        "list_all_product_types": {"type": "object", "properties": {}},
        "calculate": {"type": "object", "properties": {"expression": {"type": "string"}}},
        "cancel_pending_order": {"type": "object", "properties": {"order_id": {"type": "string"},
                                                                  "reason": {"type": "string"}}},
    }
    actions = [
        Action(name="find_user_id_by_email", arguments={"email": "a@b.c"}),
        Action(name="get_order_details", arguments={"order_id": "#W1"}),  # looked up before the write
        Action(name="cancel_pending_order", arguments={"order_id": "#W1", "reason": "no longer needed"}),
        Action(name="list_all_product_types", arguments={}),
        Action(name="calculate", arguments={"expression": "10 + 20.5"}),
    ]
    infos = phrases.tool_infos(tools)
    assert phrases.question_indexes(actions, ["30.5"], infos, {"email": "a@b.c"}) == [4]
    assert phrases.question_indexes(actions, [], infos, {"email": "a@b.c"}) == []
    text = phrases.render_instruction({"email": "a@b.c"}, "", actions, ["30.5"], tools)
    parsed = phrases.parse_instruction(text)
    assert [(c.phrase, c.args) for c in parsed.questions] == [("calculate", {"expression": "10 + 20.5"})]
    assert "30.5" not in text  # the user does not know the answer
    # a generator that knows where its outputs come from says so
    text = phrases.render_instruction({"email": "a@b.c"}, "", actions, ["x"], tools, questions=[3])
    assert [c.phrase for c in phrases.parse_instruction(text).questions] == ["list all product types"]


def test_omitted_arguments_are_left_out_of_the_instruction():
    actions = [Action(name="cancel_order", arguments={"order_id": "#O1", "reason": "no longer needed"})]
    text = phrases.render_instruction({"email": "a@b.c"}, "", actions, [], build_toy().tools, omit={"reason"})
    (req,) = phrases.parse_instruction(text).requests
    assert req.args == {"order_id": "#O1"}
    assert "no longer needed" not in text


def test_transfers_come_last_without_arguments():
    domain = build_toy()
    tools = {**{n: t for n, t in domain.tools.items()},
             "transfer_to_human_agents": {"type": "object", "properties": {"summary": {"type": "string"}}}}
    actions = [Action(name="transfer_to_human_agents", arguments={"summary": "internal note"}),
               Action(name="cancel_order", arguments={"order_id": "#O1", "reason": "no longer needed"})]
    parsed = phrases.parse_instruction(phrases.render_instruction({"email": "a@b.c"}, "", actions, [], tools))
    assert [(c.phrase, c.args) for c in parsed.requests] == [
        ("cancel order", {"order_id": "#O1", "reason": "no longer needed"}), ("transfer to human agents", {}),
    ]


def test_pairs_with_and_without_vocabulary():
    text = 'My first name is "Ana", my last name is "Li" and my zip is "12 3". Then 12.5 and date of birth "x"'
    assert phrases.pairs_dict(phrases.parse_pairs(text)) == {"first_name": "Ana", "last_name": "Li", "zip": "12 3",
                                                 "date_of_birth": "x"}
    vocab = {"date_of_birth", "zip"}
    assert phrases.pairs_dict(phrases.parse_pairs(text, vocabulary=vocab)) == {"zip": "12 3", "date_of_birth": "x"}
    # values keep their JSON types; text inside a value is never read as a pair
    text = 'with item ids ["1", "2"], amount 12.0, flag true and note "order id \\"x\\" inside"'
    assert phrases.pairs_dict(phrases.parse_pairs(text)) == {"item_ids": ["1", "2"], "amount": 12.0, "flag": True,
                                                 "note": 'order id "x" inside'}


def test_a_tool_name_inside_a_value_is_not_a_request():
    schemas = build_toy().tool_schemas()
    text = 'I want to cancel order with order id "#O1" and reason "cancel order with order id #O2"'
    found = phrases.parse_requests(text, schemas)
    assert [(r.tool, r.args) for r in found] == [("cancel_order", {"order_id": "#O1",
                                                                  "reason": "cancel order with order id #O2"})]


def test_tool_infos_accept_every_schema_shape():
    domain = build_toy()
    from_specs = phrases.tool_infos(domain.tools)
    from_openai = phrases.tool_infos(domain.tool_schemas())
    from_params = phrases.tool_infos({n: t.parameters_schema for n, t in domain.tools.items()})
    for infos in (from_specs, from_openai, from_params):
        assert set(infos) == set(domain.tools)
        assert infos["cancel_order"].kind == "write" and infos["get_order_details"].kind == "read"
        assert infos["cancel_order"].required == ("order_id", "reason")
        assert infos["cancel_order"].enum("reason") == ["no longer needed", "ordered by mistake"]
    assert from_specs["find_user_id_by_email"].returns_scalar is True
    assert phrases.guess_kind("transfer_to_human_agents") == "read"
    assert phrases.guess_kind("book_reservation") == "write"


def test_values_compare_as_multisets_and_numbers():
    assert phrases.same_value(["a", "b"], ["b", "a"])
    assert not phrases.same_value(["a", "a"], ["a"])
    assert phrases.same_value(12, 12.0)
    assert phrases.args_match({"x": 1}, {"x": 1.0, "y": 2})
    assert not phrases.args_match({"x": 1, "z": 0}, {"x": 1})


def test_cues():
    assert phrases.is_confirmation_request('Please confirm: I will cancel order with order id "#O1". Shall I go ahead (yes/no)?')
    assert not phrases.is_confirmation_request("Done: it went through. Is there anything else I can help you with?")
    assert phrases.is_identity_request("Before I can help, I need to verify your identity.")
    assert phrases.is_identity_request("What is your email?", ["email"])
    assert not phrases.is_identity_request('Done: result {"email": "x"}. Anything else?', ["email"])
    assert phrases.is_transfer_notice("I have transferred you to a human agent. Please hold on.")
    assert phrases.says_dont_know("Sorry, I don't know that.")
