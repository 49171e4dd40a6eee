"""Blueprint generation (role: generator), one step per round.

Round 0 writes a blueprint from the sampled context; later rounds regenerate the candidates
that failed, shown every earlier reply with why it was rejected. With `blueprints.generation:
from_chain` the sampled chain (already replayed successfully) is the blueprint's actions and
the generator writes its instruction and outputs; `free` (the paper's method) has it write all,
and stays the default: on the small local model from_chain did no better (figures in
configs/local-gguf.yaml), since what failed there was the instruction and outputs, not the actions.
"""

from __future__ import annotations

from builder.llm.errors import JSONOutputError, LLMCallFailed
from builder.llm.json_output import achat_json_reply
from builder.prompts.blueprints import ChainTask, chain_actions, generator_messages
from builder.records import Blueprint, Reason, RoundRecord, TaskRecord
from steps.llm_stage import LLMStage


class GenerateBlueprints(LLMStage):
    round: int = 0

    def role_names(self) -> list[str]:
        return ["generator"]

    def applies(self, record: TaskRecord) -> bool:
        return record.status == "pending" and record.kind == "base" and len(record.rounds) == self.round

    async def run_task(self, record: TaskRecord) -> TaskRecord:
        settings = self.config.blueprints
        messages = generator_messages(
            self.domain, record.context, record.rounds,
            generation=settings.generation, compact=settings.compact_prompt,
        )
        row_id = f"{record.task_id}/generate{self.round}"
        current = RoundRecord(round=self.round)
        llm = self.role_llm("generator")
        try:
            if settings.generation == "from_chain":
                task, current.raw = await achat_json_reply(llm, messages, ChainTask, row_id=row_id, seed=record.seed)
                current.blueprint = Blueprint(
                    instruction=task.instruction, actions=chain_actions(record.context), outputs=task.outputs
                )
            else:
                current.blueprint, current.raw = await achat_json_reply(
                    llm, messages, Blueprint, row_id=row_id, seed=record.seed
                )
        except JSONOutputError as exc:
            current.raw = exc.raw
            current.reasons.append(Reason(stage="format", code="invalid_json", message=exc.error))
        except LLMCallFailed as exc:
            current.reasons.append(Reason(stage="llm", code="llm_failure", message=str(exc)))
        record.rounds.append(current)
        self.book_usage(record, row_id)
        return record
