"""Blueprint generation (role: generator), one step per round.

Round 0 writes a blueprint from the sampled context; later rounds regenerate the candidates
that failed, with every reason and every reviewer's feedback of the round before.
"""

from __future__ import annotations

from builder.llm.errors import JSONOutputError, LLMCallFailed
from builder.llm.json_output import achat_json
from builder.prompts.blueprints import generator_messages
from builder.records import Blueprint, Reason, RoundRecord, TaskRecord
from steps.llm_stage import LLMStage


def feedback_of(previous: RoundRecord) -> list[str]:
    lines = [f"[{r.stage}/{r.code}] {r.message}" for r in previous.reasons]
    lines += [f"[review/{rv.reviewer}] {rv.feedback}" for rv in previous.reviews if not rv.passed and rv.feedback]
    return lines


class GenerateBlueprints(LLMStage):
    round: int = 0

    def role_names(self) -> list[str]:
        return ["generator"]

    def applies(self, record: TaskRecord) -> bool:
        return record.status == "pending" and record.kind == "base" and len(record.rounds) == self.round

    async def run_task(self, record: TaskRecord) -> TaskRecord:
        previous = record.rounds[-1] if record.rounds else None
        messages = generator_messages(
            self.domain,
            record.context,
            self.round,
            feedback_of(previous) if previous else [],
            previous.raw if previous else None,
        )
        row_id = f"{record.task_id}/generate{self.round}"
        current = RoundRecord(round=self.round)
        try:
            current.blueprint = await achat_json(self.role_llm("generator"), messages, Blueprint, row_id=row_id, seed=record.seed)
            current.raw = current.blueprint.model_dump_json()
        except JSONOutputError as exc:
            current.raw = exc.raw
            current.reasons.append(Reason(stage="format", code="invalid_json", message=exc.error))
        except LLMCallFailed as exc:
            current.reasons.append(Reason(stage="llm", code="llm_failure", message=str(exc)))
        record.rounds.append(current)
        self.book_usage(record, row_id)
        return record
