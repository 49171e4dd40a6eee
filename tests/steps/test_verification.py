"""Verification of conversations: state, outputs, rules, end reasons."""

from __future__ import annotations

import pytest

from builder.conversation_protocol import MALFORMED_KEY, STOP
from builder.llm.types import Message, ToolCall
from builder.records import Action, Blueprint
from domains.framework.sampling import replay
from steps.verification import (
    check_end,
    check_outputs,
    check_rules,
    check_state,
    output_told,
    replay_conversation,
    verify,
)
from tests.domains.framework.toy import build_toy

TOY = build_toy()
CANCEL = {"order_id": "#O1_0", "reason": "no longer needed"}
INSTRUCTION = (
    'Your email is "u1@example.com".\n'
    'You want to cancel order with order id "#O1_0" and reason "no longer needed".\n'
)
BLUEPRINT = Blueprint(
    instruction=INSTRUCTION,
    actions=[Action(name="find_user_id_by_email", arguments={"email": "u1@example.com"}),
             Action(name="get_order_details", arguments={"order_id": "#O1_0"}),
             Action(name="cancel_order", arguments=CANCEL)],
    outputs=[],
)
GOLD = replay(TOY, [(a.name, a.arguments) for a in BLUEPRINT.actions])[0].fingerprint()
PROPOSAL = 'Please confirm: I will cancel order with order id "#O1_0" and reason "no longer needed". Shall I go ahead (yes/no)?'


def call(n: int, name: str, args: dict) -> list[Message]:
    tc = ToolCall(id=f"c{n}", name=name, arguments=args)
    return [Message(role="assistant", tool_calls=[tc]), Message(role="tool", tool_call_id=tc.id, name=name, content="(ignored)")]


def conversation(cancel_args: dict | None = CANCEL, *, confirm: bool = True, authenticate: bool = True,
                 last_user: str = f"Thanks. {STOP}") -> list[Message]:
    msgs = [Message(role="system", content=TOY.policy.text),
            Message(role="user", content='I\'d like to cancel order with order id "#O1_0" and reason "no longer needed".'),
            Message(role="assistant", content="Please verify your identity: your email?"),
            Message(role="user", content='My email is "u1@example.com".')]
    if authenticate:
        msgs += call(1, "find_user_id_by_email", {"email": "u1@example.com"})
    msgs += call(2, "get_order_details", {"order_id": "#O1_0"})
    if confirm:
        msgs += [Message(role="assistant", content=PROPOSAL), Message(role="user", content="Yes, please go ahead.")]
    if cancel_args is not None:
        msgs += call(3, "cancel_order", cancel_args)
        msgs += [Message(role="assistant", content="Done: it has been completed successfully. Anything else?")]
    msgs.append(Message(role="user", content=last_user))
    return msgs


def codes(reasons) -> set[tuple[str, str]]:
    return {(r.stage, r.code) for r in reasons}


# -- outputs: numbers as numbers ------------------------------------------------------------
@pytest.mark.parametrize("output,text,told", [
    ("10", "The total is 100 dollars.", False),
    ("100", "The total is 100 dollars.", True),
    ("1000", "You will get back 1,000 on your card.", True),
    ("1,000", "You will get back 1000.00 on your card.", True),
    ("54", "The refund is $54.0.", True),
    ("54.0", "The refund is $54.", True),
    ("54.5", "The refund is $54.", False),
    ("-3.33", "The difference is -3.33.", True),
    ("delivered", "Your order was delivered yesterday.", True),
    ("deliver", "Your order was delivered yesterday.", False),
])
def test_outputs_compare_numbers_as_numbers(output, text, told):
    assert output_told(output, [text]) is told


@pytest.mark.parametrize("text,told", [
    ('Here is your order: {"order_id": "#W1", "total": 3.11, "status": "pending"}. Anything else?', False),
    ('Details:\n```json\n{"items": [{"price": 3.11}]}\n```', False),
    ('I found [{"item_id": "1", "price": 3.11}] for you.', False),
    ("The item costs $3.11, and your order is still pending.", True),
    ("The prices are [3.11, 5.0].", True),  # a list of plain values is a way of saying them
    ('Your total is 3.11 ({"order_id": "#W1"}).', True),
])
def test_outputs_count_only_in_the_agents_own_words(text, told):
    assert output_told("3.11", [text]) is told


def test_check_outputs_reads_only_the_agents_messages():
    msgs = [Message(role="user", content="Is it 42?"), Message(role="assistant", content="Let me check."),
            Message(role="tool", tool_call_id="x", content="42")]
    assert codes(check_outputs(["42"], msgs)) == {("outputs", "output_missing")}
    msgs.append(Message(role="assistant", content="It is 42."))
    assert check_outputs(["42"], msgs) == []


# -- state ----------------------------------------------------------------------------------
def test_state_matches_and_mismatches_with_the_records_listed():
    env, _ = replay_conversation(TOY, conversation())
    assert env.fingerprint() == GOLD
    assert check_state(TOY, BLUEPRINT, GOLD, env) == ([], [])
    other, _ = replay_conversation(TOY, conversation({"order_id": "#O1_2", "reason": "no longer needed"}))
    reasons, diff = check_state(TOY, BLUEPRINT, GOLD, other)
    assert codes(reasons) == {("state", "state_mismatch")}
    assert diff == ["orders/#O1_0: status: 'pending' -> 'cancelled'", "orders/#O1_2: status: 'cancelled' -> 'pending'"]
    assert "orders/#O1_0" in reasons[0].message and "2 record(s)" in reasons[0].message
    missing, _ = replay_conversation(TOY, conversation(None))
    reasons, diff = check_state(TOY, BLUEPRINT, GOLD, missing)
    assert codes(reasons) == {("state", "state_mismatch")} and any("status" in d for d in diff)


def test_malformed_calls_are_not_executed():
    msgs = conversation()
    bad = ToolCall(id="m1", name="cancel_order", arguments={MALFORMED_KEY: '{"name": "cancel_order", "argu'})
    msgs[5:5] = [Message(role="assistant", tool_calls=[bad]),
                 Message(role="tool", tool_call_id="m1", content="Error: the tool call could not be parsed")]
    env, events = replay_conversation(TOY, msgs)
    assert env.fingerprint() == GOLD
    obs = [e.observation for e in events if e.kind == "tool"]
    assert [o.error_code for o in obs if not o.ok] == ["malformed_call"]


# -- rules ----------------------------------------------------------------------------------
def test_rules_catch_missing_confirmation_and_authentication():
    env, events = replay_conversation(TOY, conversation())
    assert check_rules(TOY, events, env) == []
    env, events = replay_conversation(TOY, conversation(confirm=False))
    assert codes(check_rules(TOY, events, env)) == {("rules", "confirmed_before_write")}
    env, events = replay_conversation(TOY, conversation(authenticate=False))
    assert ("rules", "authenticated_before_access") in codes(check_rules(TOY, events, env))


# -- the end of the conversation ------------------------------------------------------------
def test_end_reasons():
    assert check_end(TOY, BLUEPRINT, "stop") == []
    assert codes(check_end(TOY, BLUEPRINT, "transfer")) == {("interplay", "unexpected_transfer")}
    assert codes(check_end(TOY, BLUEPRINT, "max_turns")) == {("interplay", "max_turns")}
    assert codes(check_end(TOY, BLUEPRINT, "max_errors")) == {("interplay", "max_errors")}
    failed = check_end(TOY, BLUEPRINT, "llm_failure", "LLM call failed for role 'agent'")
    assert codes(failed) == {("llm", "llm_failure")} and "agent" in failed[0].message


def test_an_expected_transfer_is_a_proper_end():
    from domains import load_domain

    retail = load_domain("retail")
    bp = Blueprint(instruction="", actions=[Action(name="transfer_to_human_agents", arguments={"summary": "x"})])
    assert check_end(retail, bp, "transfer") == []


# -- everything together --------------------------------------------------------------------
def test_verify_passes_a_good_conversation_and_checks_the_live_state():
    msgs = conversation()
    verdict = verify(TOY, BLUEPRINT, GOLD, msgs, "stop")
    assert verdict.passed and verdict.reasons == [] and verdict.final_fingerprint == GOLD
    live = TOY.new_environment()  # a live environment that did not run these calls
    assert ("interplay", "replay_mismatch") in codes(verify(TOY, BLUEPRINT, GOLD, msgs, "stop", env=live).reasons)
    outputs = BLUEPRINT.model_copy(update={"outputs": ["12.5"]})
    assert codes(verify(TOY, outputs, GOLD, msgs, "stop").reasons) >= {("outputs", "output_missing")}
