"""The review committee when reviewers' endpoints fail: a rejection they caused says so."""

import asyncio
import json

import pytest

from builder.config import BuildConfig
from builder.llm.config import RoleConfig
from builder.llm.types import ChatReply
from builder.prompts.blueprints import RUBRIC
from builder.records import Context, RoundRecord, TaskRecord
from builder.simulator.backend import simulator_llm
from steps.review import ReviewBlueprints
from tests.domains.framework.toy import build_toy
from tests.simulator.test_human_agent import make_blueprint

TOY_SPEC = "tests.domains.framework.toy:build_toy"


def reviewer(role: str, verdict: bool | None):
    """A reviewer that passes (True), rejects (False), or whose endpoint is down (None)."""
    def respond(messages, tools, *, seed, row_id):
        if verdict is None:
            raise ConnectionError("endpoint down")
        return ChatReply(content=json.dumps({"scores": {k: verdict for k in RUBRIC}, "feedback": "checked"}))

    return simulator_llm(role, RoleConfig(max_retries=0), responder=respond)


def review(verdicts: list[bool | None]) -> TaskRecord:
    toy = build_toy()
    blueprint, _ = make_blueprint(toy, 0)
    record = TaskRecord(
        task_id="t-0", domain="toy", seed=1, context=Context(user_id="u", records={}, chain=[], scenarios=[], persona="p"),
        rounds=[RoundRecord(round=0, blueprint=blueprint, stage_reached="execution")],
    )
    llms = {f"reviewer_{i}": reviewer(f"reviewer_{i}", v) for i, v in enumerate(verdicts)}
    step = ReviewBlueprints(stage_key="review.r0", round=0, final_round=True).bind(BuildConfig(domain=TOY_SPEC), toy, llms)
    return asyncio.run(step.advance(record))


@pytest.mark.parametrize("verdicts, status, llm_reasons", [
    ([True, None, None], "rejected", 2),  # the endpoint cost the blueprint its majority
    ([True, True, None], "validated", 0),  # a failed reviewer that changed nothing: no row lost
    ([False, False, True], "rejected", 0),  # an honest rejection
])
def test_a_rejection_caused_by_failed_reviewers_carries_llm_failure_reasons(verdicts, status, llm_reasons):
    record = review(verdicts)
    assert record.status == status
    reasons = record.rounds[0].reasons
    failures = [r for r in reasons if (r.stage, r.code) == ("llm", "llm_failure")]
    assert len(failures) == llm_reasons
    assert all("endpoint down" in r.message and "reviewer_" in r.message for r in failures)
    if status == "rejected":
        assert reasons[0].code == "committee_rejected"
