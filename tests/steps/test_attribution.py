"""Attribution: who made a failed conversation fail, asked of the judge, on transcripts written the
way real models write (free prose, no phrasebook), with a scripted judge standing in for the model."""

from __future__ import annotations

import asyncio
import json

from builder.llm.config import RoleConfig
from builder.simulator.backend import simulator_llm
from builder.llm.types import ChatReply, Message, ToolCall
from builder.llm.context_tag import strip
from builder.records import Action, Blame, Blueprint
from domains.framework.sampling import replay
from steps.attribution import blame_reasons, judged_verdict, structural_signals
from steps.verification import verify
from tests.domains.framework.toy import build_toy

TOY = build_toy()
INSTRUCTION = ("You are Ana, a retired teacher. Your email is u1@example.com. You ordered something you no longer "
               "need (order #O1_0) and want it cancelled because you no longer need it.")
BLUEPRINT = Blueprint(
    instruction=INSTRUCTION,
    actions=[Action(name="find_user_id_by_email", arguments={"email": "u1@example.com"}),
             Action(name="get_order_details", arguments={"order_id": "#O1_0"}),
             Action(name="cancel_order", arguments={"order_id": "#O1_0", "reason": "no longer needed"})],
)
GOLD = replay(TOY, [(a.name, a.arguments) for a in BLUEPRINT.actions])[0].fingerprint()
SYSTEM = Message(role="system", content="You are a helpful customer service agent for a shop.")


def tool(n: int, name: str, args: dict) -> list[Message]:
    """One agent tool call; the result message is filled by replay, the text here is what it saw."""
    call = ToolCall(id=f"call_{n}", name=name, arguments=args)
    return [Message(role="assistant", tool_calls=[call]), Message(role="tool", tool_call_id=call.id, name=name, content="...")]


def opening(order: str = "#O1_0") -> list[Message]:
    return [
        SYSTEM,
        Message(role="user", content=f"Hi there, I'd like to cancel my order {order}, I don't need it anymore."),
        Message(role="assistant", content="I'm sorry to hear that! Before I can help, could you please provide the "
                                          "email address on your account so I can verify your identity?"),
        Message(role="user", content="Sure, it's u1@example.com"),
        *tool(1, "find_user_id_by_email", {"email": "u1@example.com"}),
        *tool(2, "get_order_details", {"order_id": order}),
        Message(role="assistant", content=f"Thanks, Ana. I found order {order}, which is still pending. I can cancel it "
                                          "with the reason 'no longer needed'. Would you like me to go ahead?"),
    ]


EARLY_STOP = opening() + [Message(role="user", content="Hmm, actually let me think about it first. Bye! ###STOP###")]
DRIFT = opening("#O1_2") + [
    Message(role="user", content="Yes please."),
    *tool(3, "cancel_order", {"order_id": "#O1_2", "reason": "no longer needed"}),
    Message(role="assistant", content="Done! Order #O1_2 has been cancelled. Is there anything else?"),
    Message(role="user", content="No, that's all. Thank you! ###STOP###"),
]
AGENT_WRONG = opening() + [
    Message(role="user", content="Yes, go ahead."),
    *tool(3, "cancel_order", {"order_id": "#O1_2", "reason": "no longer needed"}),  # the agent's slip
    Message(role="assistant", content="Your order has been cancelled. Anything else I can help with?"),
    Message(role="user", content="No, thanks! ###STOP###"),
]
GREETING = "Hi! How can I help you today?"
ECHOING_USER = [SYSTEM] + [Message(role=r, content=GREETING) for _ in range(3) for r in ("user", "assistant")]


class ScriptedJudge:
    """A judge model that answers with a fixed reply and keeps the prompts it was sent."""

    def __init__(self, reply: str):
        self.reply = reply
        self.prompts: list[list[Message]] = []

    def __call__(self, messages, tools, *, seed, row_id) -> ChatReply:
        self.prompts.append(messages)
        return ChatReply(content=self.reply)

    def llm(self):
        return simulator_llm("judge", RoleConfig(), responder=self)


def judged(messages, judge: ScriptedJudge | None, end_reason: str = "stop", blueprint: Blueprint = BLUEPRINT):
    return asyncio.run(judged_verdict(TOY, blueprint, GOLD, messages, end_reason, judge.llm() if judge else None,
                                      row_id="t/attempt1", seed=1))


def codes(reasons) -> set[tuple[str, str]]:
    return {(r.stage, r.code) for r in reasons}


def signals_of(messages, end_reason: str = "stop"):
    return structural_signals(TOY, BLUEPRINT, messages, verify(TOY, BLUEPRINT, GOLD, messages, end_reason).events,
                              end_reason)


def test_structural_signals_read_any_models_text():
    assert signals_of(EARLY_STOP).stopped_early and not signals_of(EARLY_STOP).no_request
    assert signals_of(EARLY_STOP).unknown_values == []
    drift = signals_of(DRIFT)
    assert drift.unknown_values == ["#O1_2"] and not drift.stopped_early  # the user's own order number
    wrong = signals_of(AGENT_WRONG)
    assert not wrong.stopped_early and not wrong.unknown_values and not wrong.no_request
    assert signals_of(ECHOING_USER, "max_turns").no_request
    # a value the agent said first is not the user's invention; one nobody said is
    echo_back = opening() + [Message(role="user", content="Is #O1_0 the one I paid $10.50 for? ###STOP###")]
    assert signals_of(echo_back).unknown_values == ["$10.50"]


def test_the_judge_is_asked_with_the_whole_case_and_its_verdict_is_the_reason():
    judge = ScriptedJudge(json.dumps({
        "culprit": "user", "reason": "At turn 5 the agent asked to confirm the cancellation; the customer left instead.",
        "user_mistakes": [{"kind": "early_stop", "reason": "the customer left at turn 5 instead of confirming"}]}))
    verdict, blame = judged(EARLY_STOP, judge)
    assert codes(verdict.reasons) == {("state", "state_mismatch"), ("user", "user_early_stop")}
    assert blame.culprit == "user" and blame.source == "judge" and "turn 5" in blame.reason
    assert [r.message for r in verdict.reasons if r.stage == "user"] == ["the customer left at turn 5 instead of confirming"]
    prompt = strip(judge.prompts[0])[0].content  # what a real model reads: no context tag
    assert "<builder-context>" not in prompt
    for fact in (INSTRUCTION, "cancel_order", "Would you like me to go ahead?", "state/state_mismatch",
                 "AGENT CALLED get_order_details", "ended the conversation (stop marker)",
                 "before every expected write was made"):
        assert fact in prompt, fact


def test_an_agent_at_fault_gets_no_user_reason():
    judge = ScriptedJudge('{"culprit": "agent", "reason": "The agent cancelled #O1_2 instead of #O1_0.", "user_mistakes": []}')
    verdict, blame = judged(AGENT_WRONG, judge)
    assert blame.culprit == "agent" and not any(r.stage == "user" for r in verdict.reasons)
    assert ("state", "state_mismatch") in codes(verdict.reasons)


def test_a_drifting_user_is_blamed_with_the_judges_words():
    judge = ScriptedJudge('```json\n{"culprit": "User", "reason": "The customer asked for order #O1_2, not #O1_0.",'
                          ' "user_mistakes": ["drift"]}\n```')
    verdict, blame = judged(DRIFT, judge)
    assert codes(verdict.reasons) >= {("user", "user_drift")}
    assert [r.message for r in verdict.reasons if r.stage == "user"] == ["The customer asked for order #O1_2, not #O1_0."]
    assert "#O1_2" in strip(judge.prompts[0])[0].content.split("# Facts the program established")[1]


def test_a_user_who_never_asks_is_blamed_whatever_the_judge_says():
    judge = ScriptedJudge('{"culprit": "agent", "reason": "The agent never did anything.", "user_mistakes": []}')
    verdict, blame = judged(ECHOING_USER, judge, "max_turns")
    assert blame.culprit == "both" and ("user", "user_no_request") in codes(verdict.reasons)


def test_without_a_usable_verdict_the_structural_signals_answer():
    garbage = ScriptedJudge("I think the customer is to blame here.")
    verdict, blame = judged(EARLY_STOP, garbage)
    assert len(garbage.prompts) == 2  # the repair round was tried
    assert blame.source == "signals" and blame.culprit == "user"
    assert ("user", "user_early_stop") in codes(verdict.reasons)
    verdict, blame = judged(AGENT_WRONG, None)
    assert blame.source == "signals" and blame.culprit == "unclear" and blame_reasons(blame) == []


def test_a_passing_or_rule_only_failure_asks_no_judge():
    judge = ScriptedJudge("{}")
    good = opening() + [Message(role="user", content="Yes, please."),
                        *tool(3, "cancel_order", {"order_id": "#O1_0", "reason": "no longer needed"}),
                        Message(role="assistant", content="Order #O1_0 is cancelled."),
                        Message(role="user", content="Thanks! ###STOP###")]
    verdict, blame = judged(good, judge)
    assert verdict.passed and blame is None and judge.prompts == []


def test_blame_reads_a_small_models_near_misses():
    blame = Blame.model_validate({"culprit": " Both ", "reason": "x", "user_mistakes": ["Early stop", "lying"]})
    assert blame.culprit == "both" and [m.kind for m in blame.user_mistakes] == ["early_stop", "other"]
    assert [r.code for r in blame_reasons(blame)] == ["user_early_stop", "user_other"]
