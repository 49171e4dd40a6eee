"""The distilabel steps of a build: task shards, and the chains of each shard.

`TaskShards` emits shards (ranges of task indexes, cut between families) and `RunTasks` runs
each shard's chains (`steps.chain`). Their rows are tiny; the records live in the run's journal.
Both steps end when the build's main process is gone, so nothing outlives a killed build.
"""

import logging
from typing import TYPE_CHECKING, Any

from distilabel.steps import GeneratorStep, Step, StepInput

from builder.errors import UserError
from builder.run.access import open_run
from builder.run.lifetime import watch_parent
from steps.chain import innermost, run_shard
from steps.contexts import units

if TYPE_CHECKING:
    from distilabel.typing import GeneratorStepOutput, StepOutput

log = logging.getLogger("builder.steps.tasks")

SHARD_COLUMNS = ["first", "stop"]


class TaskShards(GeneratorStep):
    """The run's tasks as `shards` ranges of task indexes of about equal size, each cut between
    two units (a family stays whole)."""

    run_dir: str
    journal_service: str | None = None  # on Ray: the run's journal service, which alone opens run_dir
    shards: int = 1

    @property
    def outputs(self) -> list[str]:
        return SHARD_COLUMNS

    def load(self) -> None:
        super().load()
        watch_parent()

    def process(self, offset: int = 0) -> "GeneratorStepOutput":
        config = open_run(self.run_dir, self.journal_service).config()
        per_shard = -(-config.tasks // max(1, self.shards))
        rows: list[dict[str, Any]] = []
        first = 0
        for unit in units(config):
            if unit.family is None:
                break  # single tasks from here on: any index is a cut between units
            end = unit.first + unit.size
            if end - first >= per_shard:
                rows.append({"first": first, "stop": end})
                first = end
        while config.tasks - first > per_shard:
            rows.append({"first": first, "stop": first + per_shard})
            first += per_shard
        rows.append({"first": first, "stop": config.tasks})
        yield rows, True


class RunTasks(Step):
    """Runs the chains of each shard it receives; a shard's row comes back with `error` set when
    its chains could not run (the build then fails with that cause)."""

    run_dir: str
    journal_service: str | None = None  # on Ray: the run's journal service, which alone opens run_dir
    workers: int = 1  # the step's replicas: each endpoint's limit is divided among them

    @property
    def inputs(self) -> list[str]:
        return SHARD_COLUMNS

    @property
    def outputs(self) -> list[str]:
        return [*SHARD_COLUMNS, "tasks", "error"]

    def load(self) -> None:
        super().load()
        watch_parent()

    def process(self, inputs: StepInput) -> "StepOutput":
        for row in inputs:
            row["tasks"], row["error"] = 0, None
            try:
                run = open_run(self.run_dir, self.journal_service)
                row["tasks"] = run_shard(run, row["first"], row["stop"], self.workers)
            except Exception as exc:  # the build reports it; distilabel would only log it
                cause = innermost(exc) or exc
                if isinstance(cause, UserError):  # bad input, said in full: no traceback
                    log.error("the chains of tasks %s..%s stopped: %s", row["first"], row["stop"], cause)
                    row["error"] = str(cause)
                else:
                    log.exception("the chains of tasks %s..%s failed", row["first"], row["stop"])
                    row["error"] = f"{type(cause).__name__}: {cause}"
        yield inputs
