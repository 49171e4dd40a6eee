"""The base of every per-task stage: journal lookups, concurrent rows, recorded fates.

Each stage is a distilabel `Step` whose rows are `{"task_id", "record"}` with the record the
JSON of a `TaskRecord`. For each row it first asks the run's journal whether this stage already
finished that task (resume: nothing is done twice), runs the rest concurrently on one event
loop (a slow row does not block the others of its batch), and commits each result to the
journal as soon as it exists. A row that raises is not dropped: it is rejected with the stage
and the error as its reason. The exception is an endpoint that is down (`EndpointDown`): no fate
is recorded, the outage is noted in the run folder, and from then on every stage passes its rows
on untouched, so the build stops and a resumed build redoes them (`builder.run.outage`).
"""


import asyncio
import logging
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

from distilabel.steps import Step, StepInput
from pydantic import PrivateAttr

from builder.llm.errors import EndpointDown
from builder.records import Reason, TaskRecord
from builder.run.folder import read_config
from builder.run.journal import Journal
from builder.run.outage import note_outage, outage_noted
from domains import load_domain

if TYPE_CHECKING:
    from distilabel.typing import StepOutput

    from builder.config import BuildConfig
    from domains.framework.domain import Domain

log = logging.getLogger("builder.steps")

ROW_COLUMNS = ["task_id", "record"]


class TaskStep(Step):
    """A stage applied to each task row; subclasses implement `applies` and `run_task`."""

    run_dir: str
    stage_key: str  # unique per step instance: the journal key of its results

    _config: Any = PrivateAttr(default=None)
    _domain: Any = PrivateAttr(default=None)
    _journal: Any = PrivateAttr(default=None)
    _loop: Any = PrivateAttr(default=None)

    @property
    def inputs(self) -> list[str]:
        return ROW_COLUMNS

    @property
    def outputs(self) -> list[str]:
        return ROW_COLUMNS

    @property
    def config(self) -> "BuildConfig":
        return self._config

    @property
    def domain(self) -> "Domain":
        return self._domain

    def load(self) -> None:
        super().load()
        self._config = read_config(Path(self.run_dir))
        self._domain = load_domain(self._config.domain)
        self._journal = Journal(Path(self.run_dir))
        self._loop = asyncio.new_event_loop()
        self.load_stage()

    def unload(self) -> None:
        if self._loop is not None:
            self._loop.close()
        if self._journal is not None:
            self._journal.close()
        super().unload()

    def load_stage(self) -> None:
        """Subclasses: build LLMs and other per-process resources."""

    def applies(self, record: TaskRecord) -> bool:
        """Whether this stage has work to do on the task (others pass through untouched)."""
        return True

    async def run_task(self, record: TaskRecord) -> TaskRecord:
        raise NotImplementedError

    def process(self, inputs: StepInput) -> "StepOutput":
        if outage_noted(Path(self.run_dir)):
            yield inputs
            return
        pending: list[tuple[dict[str, Any], TaskRecord]] = []
        for row in inputs:
            done = self._journal.get(self.stage_key, row["task_id"])
            if done is not None:
                row["record"] = done
                continue
            record = TaskRecord.model_validate_json(row["record"])
            if self.applies(record):
                pending.append((row, record))
        if pending:
            results = self._loop.run_until_complete(self._run_all([rec for _, rec in pending]))
            for (row, _), result in zip(pending, results):
                if isinstance(result, EndpointDown):
                    note_outage(Path(self.run_dir), result)
                    continue
                row["record"] = result.model_dump_json()
                self._journal.put(self.stage_key, row["task_id"], row["record"])
        yield inputs

    async def _run_all(self, records: list[TaskRecord]) -> list[TaskRecord | EndpointDown]:
        return list(await asyncio.gather(*(self._guarded(rec) for rec in records)))

    async def _guarded(self, record: TaskRecord) -> TaskRecord | EndpointDown:
        try:
            return await self.run_task(record.model_copy(deep=True))
        except EndpointDown as down:  # the endpoint's failure, not the row's
            return down
        except Exception as exc:  # recorded on the row, so the row keeps a fate and the cause
            log.error("stage %s failed on task %s: %s", self.stage_key, record.task_id, exc)
            record.status = "rejected"
            record.errors.append(Reason(stage=self.stage_key, code="internal_error", message=_describe(exc)))
            return record


def _describe(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"
