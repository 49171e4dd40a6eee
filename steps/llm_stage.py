"""What every stage that calls LLMs shares: building its role LLMs and booking their usage."""

from __future__ import annotations

from builder.llm.base import ChatLLM
from builder.llm.factory import make_llm
from builder.llm.usage import get_ledger
from builder.records import TaskRecord, add_usage
from builder.simulator import brain
from steps.base import TaskStep


class LLMStage(TaskStep):
    """A TaskStep with LLMs for some roles; `roles()` names them (e.g. generator, reviewer_0)."""

    def role_names(self) -> list[str]:
        raise NotImplementedError

    def load_stage(self) -> None:
        brain.configure(self.config.simulator)
        roles = dict(self.config.roles.named())
        self._llms = {name: make_llm(name, roles[name]) for name in self.role_names()}
        for llm in self._llms.values():
            llm.load()

    def role_llm(self, role: str) -> ChatLLM:
        """The LLM of `role` (not named `llm`: distilabel treats a step's `llm` as its one LLM)."""
        return self._llms[role]

    def book_usage(self, record: TaskRecord, row_id: str) -> None:
        """Move this row's token counts from the process ledger onto the task record, in all and
        for this stage."""
        usage = get_ledger().pop_row(row_id)
        record.add_usage(usage)
        add_usage(record.stage_usage.setdefault(self.stage_key, {}), usage)
