"""The review committee (roles: reviewer_0 ... reviewer_k-1) and its majority vote.

Each reviewer scores the rubric of `builder.prompts.blueprints.RUBRIC` and sees what the gold
actions returned and the state they change. A reviewer passes a blueprint when every criterion
holds; the committee passes it when a strict majority of reviewers do. A reviewer whose reply
cannot be used (bad JSON after a repair, endpoint down) counts as a failing vote with that
reason, so the verdict always rests on recorded votes. An endpoint that is down (`EndpointDown`)
is no vote: it ends the row unrecorded (see `steps.base`). When the committee rejects and some of
its reviewers could not be reached, the round also carries an `llm/llm_failure` reason for each,
so a rejection the endpoint caused is told apart from one the blueprint earned.
"""

from __future__ import annotations

from pydantic import BaseModel

from builder.llm.errors import JSONOutputError, LLMCallFailed
from builder.llm.json_output import achat_json
from builder.prompts.blueprints import RUBRIC, reviewer_messages
from builder.records import Reason, Review, RoundRecord, TaskRecord
from steps.llm_stage import LLMStage, gather_all


class ReviewReply(BaseModel):
    scores: dict[str, bool]
    feedback: str = ""


def majority(reviews: list[Review]) -> bool:
    return sum(r.passed for r in reviews) * 2 > len(reviews)


class ReviewBlueprints(LLMStage):
    round: int = 0
    final_round: bool = True
    kind: str = "base"

    def role_names(self) -> list[str]:
        return [f"reviewer_{i}" for i in range(len(self.config.roles.reviewers))]

    def applies(self, record: TaskRecord) -> bool:
        if record.status != "pending" or record.kind != self.kind or not record.rounds:
            return False
        current = record.rounds[-1]
        return current.round == self.round and current.stage_reached == "execution" and not current.reasons

    async def _one(self, role: str, index: int, record: TaskRecord, current: RoundRecord,
                   failures: list[Reason]) -> Review:
        messages = reviewer_messages(self.domain, current.blueprint, current.observations, current.state_diff, index)
        row_id = f"{record.task_id}/review{self.round}"
        try:
            reply = await achat_json(self.role_llm(role), messages, ReviewReply, row_id=row_id, seed=record.seed)
        except (JSONOutputError, LLMCallFailed) as exc:
            if isinstance(exc, LLMCallFailed):
                failures.append(Reason(stage="llm", code="llm_failure", message=str(exc)))
            return Review(reviewer=role, passed=False, feedback=f"no usable review: {exc}")
        scores = {k: bool(reply.scores.get(k, False)) for k in RUBRIC}
        return Review(reviewer=role, passed=all(scores.values()), scores=scores, feedback=reply.feedback)

    async def run_task(self, record: TaskRecord) -> TaskRecord:
        current = record.rounds[-1]
        current.stage_reached = "review"
        failures: list[Reason] = []
        current.reviews = await gather_all(
            *(self._one(role, i, record, current, failures) for i, role in enumerate(self.role_names()))
        )
        self.book_usage(record, f"{record.task_id}/review{self.round}")
        if majority(current.reviews):
            current.passed = True
            record.status = "validated"
        else:
            failed = [r for r in current.reviews if not r.passed]
            current.reasons.append(Reason(
                stage="review", code="committee_rejected",
                message=f"{len(failed)} of {len(current.reviews)} reviewers rejected: "
                + " | ".join(f"{r.reviewer}: {r.feedback}" for r in failed),
            ))
            current.reasons += sorted(failures, key=lambda r: r.message)
            if self.final_round:
                record.status = "rejected"
        return record
