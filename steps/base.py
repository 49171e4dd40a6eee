"""The base of every per-task stage: what it applies to, its work, and a fate for every error.

A stage is one unit of a task's chain (`steps.chain`): given the task's record it says whether
it has work to do (`applies`; the others pass through untouched) and does it (`run_task`). A
stage that raises does not lose the task: the record is rejected with the stage and the error
as its reason. The exception is an endpoint that is down (`EndpointDown`): it is the endpoint's
failure, not the task's, so it propagates and the chain stops with no fate recorded
(`steps.chain`, `builder.run.outage`). Stages hold no state of their own between tasks, so one instance serves every
task of a process; `bind` gives it the run's config, domain and role LLMs.
"""

from __future__ import annotations

import logging
import traceback
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, PrivateAttr

from builder.llm.errors import EndpointDown
from builder.records import Reason, TaskRecord

if TYPE_CHECKING:
    from typing_extensions import Self

    from builder.config import BuildConfig
    from builder.llm.base import ChatLLM
    from domains.framework.domain import Domain

log = logging.getLogger("builder.steps")


class TaskStep(BaseModel):
    """A stage applied to each task; subclasses implement `applies` and `run_task`."""

    stage_key: str  # unique per stage of a chain: the journal key of its results

    _config: Any = PrivateAttr(default=None)
    _domain: Any = PrivateAttr(default=None)
    _llms: dict[str, Any] = PrivateAttr(default_factory=dict)

    @property
    def config(self) -> "BuildConfig":
        return self._config

    @property
    def domain(self) -> "Domain":
        return self._domain

    def bind(self, config: "BuildConfig", domain: "Domain", llms: dict[str, "ChatLLM"] | None = None) -> "Self":
        """Give the stage the run's config, its domain and the role LLMs (name -> LLM) it may call."""
        self._config, self._domain, self._llms = config, domain, dict(llms or {})
        return self

    def applies(self, record: TaskRecord) -> bool:
        """Whether this stage has work to do on the task (others pass through untouched)."""
        return True

    async def run_task(self, record: TaskRecord) -> TaskRecord:
        raise NotImplementedError

    async def advance(self, record: TaskRecord) -> TaskRecord | None:
        """The task's record after this stage (a copy), or None when the stage does not apply."""
        if not self.applies(record):
            return None
        return await self._guarded(record)

    async def _guarded(self, record: TaskRecord) -> TaskRecord:
        try:
            return await self.run_task(_copy(record))
        except EndpointDown:
            raise
        except Exception as exc:  # recorded on the row, so the row keeps a fate and the cause
            log.error("stage %s failed on task %s: %s", self.stage_key, record.task_id, exc)
            record = _copy(record)
            record.status = "rejected"
            record.errors.append(Reason(stage=self.stage_key, code="internal_error", message=_describe(exc)))
            return record


def _copy(record: TaskRecord) -> TaskRecord:
    """A deep copy the stage may change freely. A dump and validate round trip: pydantic does it
    in compiled code, five times faster than `copy.deepcopy` on a record with its conversations,
    and every stage of every task makes one."""
    return TaskRecord.model_validate(record.model_dump())


def _describe(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"
