"""What every stage that calls LLMs shares: its role LLMs, booking their usage, and awaiting a
row's concurrent calls."""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable

from builder.llm.base import ChatLLM
from builder.llm.usage import get_ledger
from builder.records import TaskRecord, add_usage
from steps.base import TaskStep


class LLMStage(TaskStep):
    """A TaskStep with LLMs for some roles; `role_names()` names them (e.g. generator, reviewer_0)."""

    def role_names(self) -> list[str]:
        raise NotImplementedError

    def role_llm(self, role: str) -> ChatLLM:
        """The LLM of `role`, as given to `bind`."""
        try:
            return self._llms[role]
        except KeyError:
            raise KeyError(f"stage {self.stage_key}: no LLM bound for role {role!r}") from None

    def book_usage(self, record: TaskRecord, row_id: str) -> None:
        """Move this row's token counts from the process ledger onto the task record, in all and
        for this stage."""
        usage = get_ledger().pop_row(row_id)
        record.add_usage(usage)
        add_usage(record.stage_usage.setdefault(self.stage_key, {}), usage)


async def gather_all(*calls: Awaitable[Any]) -> list[Any]:
    """Await every call, then raise the first error, if any. Unlike a plain `gather`, no call is
    left running after its row has ended (an endpoint going down fails several at once)."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results
