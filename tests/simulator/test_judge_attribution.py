"""The simulated judge's attribution: on the simulated human's phrasebook text it finds the user's
mistakes (early stops, drift) and blames nobody it cannot read."""

from __future__ import annotations

import asyncio

from builder.llm.types import Message
from builder.conversation_protocol import STOP
from steps.attribution import judged_verdict
from tests.simulator.test_human_agent import sim_llms
from tests.steps.test_verification import BLUEPRINT, GOLD, TOY, codes, conversation


def judged(messages, blueprint=BLUEPRINT, end_reason: str = "stop"):
    judge = sim_llms()[2]
    return asyncio.run(judged_verdict(TOY, blueprint, GOLD, messages, end_reason, judge, row_id="r", seed=1))


def test_user_early_stop_while_the_agent_waits():
    verdict, blame = judged(conversation(None, last_user=f"Actually, let's leave it. {STOP}"))
    assert ("state", "state_mismatch") in codes(verdict.reasons)
    assert ("user", "user_early_stop") in codes(verdict.reasons)
    assert blame.culprit == "user" and "waited" in blame.reason and not verdict.passed


def test_user_early_stop_before_saying_what_it_wanted():
    msgs = [Message(role="system", content=TOY.policy.text), Message(role="user", content=f"Hello. {STOP}")]
    assert ("user", "user_early_stop") in codes(judged(msgs)[0].reasons)


def test_user_drift_is_a_request_the_task_does_not_contain():
    msgs = conversation({"order_id": "#O1_2", "reason": "no longer needed"})
    msgs[1] = Message(role="user", content='I\'d like to cancel order with order id "#O1_2" and reason "no longer needed".')
    verdict, _ = judged(msgs)
    assert {("state", "state_mismatch"), ("user", "user_drift")} <= codes(verdict.reasons)
    assert ("user", "user_early_stop") not in codes(verdict.reasons)


def test_no_user_blame_for_the_agents_wrong_write_or_for_free_prose():
    verdict, blame = judged(conversation({"order_id": "#O1_2", "reason": "no longer needed"}))
    assert ("state", "state_mismatch") in codes(verdict.reasons) and not any(r.stage == "user" for r in verdict.reasons)
    assert blame.culprit == "agent"
    prose = BLUEPRINT.model_copy(update={"instruction": "You are Ann and want your order #O1_0 gone."})
    msgs = [Message(role="system", content="policy"), Message(role="user", content="Cancel my order please"),
            Message(role="assistant", content="Sorry, no."), Message(role="user", content=STOP)]
    verdict, blame = judged(msgs, prose)
    assert blame.culprit == "unclear" and not any(r.stage == "user" for r in verdict.reasons)
