"""Reverse task recombination: merge the validated tasks of a family into one longer task.

`recombine` creates one recombined task per family with at least two validated members (a
family's chain awaits only its own members, never the rest of the run); `MergeInstructions`
(role: generator) merges their instructions; the actions are the parents' actions in order, a read repeated with the same
arguments kept once. The result then goes through the same checks and review as any blueprint.
"""


from builder.llm.errors import JSONOutputError, LLMCallFailed
from builder.llm.json_output import achat_json
from builder.prompts.blueprints import merger_messages
from builder.records import Action, Blueprint, Reason, RoundRecord, TaskRecord
from pydantic import BaseModel
from steps.llm_stage import LLMStage


class MergedInstruction(BaseModel):
    instruction: str


def merge_actions(parents: list[Blueprint], write_tools: set[str]) -> list[Action]:
    seen: set[str] = set()
    actions: list[Action] = []
    for bp in parents:
        for action in bp.actions:
            key = action.model_dump_json()
            if action.name not in write_tools and key in seen:
                continue
            seen.add(key)
            actions.append(action)
    return actions


def merged_task_id(family: str) -> str:
    return f"{family}-merged"


def recombined_task(family: str, members: list[TaskRecord]) -> TaskRecord:
    first = members[0]
    return TaskRecord(
        task_id=merged_task_id(family), domain=first.domain, seed=first.seed, kind="recombined",
        family=family, parents=[m.task_id for m in members],
        parent_blueprints=[m.blueprint for m in members if m.blueprint is not None],
        context=first.context.model_copy(update={
            "scenarios": [s for m in members for s in m.context.scenarios], "examples": [],
        }),
    )


def recombine(members: list[TaskRecord]) -> TaskRecord | None:
    """The recombined task of a family (its members after phase 1), when two or more of them
    were validated; else None."""
    validated = sorted((m for m in members if m.kind == "base" and m.status == "validated"), key=lambda m: m.task_id)
    if len(validated) < 2 or validated[0].family is None:
        return None
    return recombined_task(validated[0].family, validated)


class MergeInstructions(LLMStage):
    def role_names(self) -> list[str]:
        return ["generator"]

    def applies(self, record: TaskRecord) -> bool:
        return record.kind == "recombined" and record.status == "pending" and not record.rounds

    async def run_task(self, record: TaskRecord) -> TaskRecord:
        parents = record.parent_blueprints
        current = RoundRecord(round=0)
        row_id = f"{record.task_id}/merge"
        try:
            merged = await achat_json(
                self.role_llm("generator"), merger_messages(self.domain, [p.instruction for p in parents]),
                MergedInstruction, row_id=row_id, seed=record.seed,
            )
            outputs = list(dict.fromkeys(o for p in parents for o in p.outputs))
            current.blueprint = Blueprint(
                instruction=merged.instruction,
                actions=merge_actions(parents, set(self.domain.write_tools())),
                outputs=outputs,
            )
            current.raw = current.blueprint.model_dump_json()
        except JSONOutputError as exc:
            current.raw = exc.raw
            current.reasons.append(Reason(stage="recombination", code="invalid_json", message=exc.error))
        except LLMCallFailed as exc:
            current.reasons.append(Reason(stage="llm", code="llm_failure", message=str(exc)))
        record.rounds.append(current)
        self.book_usage(record, row_id)
        return record
