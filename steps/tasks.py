"""The distilabel steps of a build: the run's task range, and the chains that run it.

`TaskRange` emits the range of task indexes once per replica of `RunTasks`, and every replica
runs chains (`steps.chain`) over the whole range, each taking the next unit from the journal
whenever it has room (`Journal.claim`): static shards would leave one replica idle while
another still works through its share, and on an endpoint that is part of its capacity. Their
rows are tiny; the records live in the run's journal. Both steps end when the build's main
process is gone, so nothing outlives a killed build.
"""

import logging
from typing import TYPE_CHECKING

from distilabel.steps import GeneratorStep, Step, StepInput

from builder.errors import UserError
from builder.run.access import open_run
from builder.run.lifetime import watch_parent
from steps.chain import innermost, run_shard

if TYPE_CHECKING:
    from distilabel.typing import GeneratorStepOutput, StepOutput

log = logging.getLogger("builder.steps.tasks")

RANGE_COLUMNS = ["first", "stop"]


class TaskRange(GeneratorStep):
    """The run's task indexes [0, tasks), once for each of the `replicas` that share them."""

    run_dir: str
    journal_service: str | None = None  # on Ray: the run's journal service, which alone opens run_dir
    replicas: int = 1

    @property
    def outputs(self) -> list[str]:
        return RANGE_COLUMNS

    def load(self) -> None:
        super().load()
        watch_parent()

    def process(self, offset: int = 0) -> "GeneratorStepOutput":
        tasks = open_run(self.run_dir, self.journal_service).config().tasks
        yield [{"first": 0, "stop": tasks} for _ in range(max(1, self.replicas))], True


class RunTasks(Step):
    """Runs chains over each range it receives, sharing it with the other replicas of the build
    (`invocation`); a range's row comes back with `error` set when its chains could not run (the
    build then fails with that cause)."""

    run_dir: str
    journal_service: str | None = None  # on Ray: the run's journal service, which alone opens run_dir
    workers: int = 1  # the step's replicas: each endpoint's limit is divided among them
    invocation: str  # this build's name for the claims its replicas make in the journal

    @property
    def inputs(self) -> list[str]:
        return RANGE_COLUMNS

    @property
    def outputs(self) -> list[str]:
        return [*RANGE_COLUMNS, "tasks", "error"]

    def load(self) -> None:
        super().load()
        watch_parent()

    def process(self, inputs: StepInput) -> "StepOutput":
        for row in inputs:
            row["tasks"], row["error"] = 0, None
            try:
                run = open_run(self.run_dir, self.journal_service)
                row["tasks"] = run_shard(run, row["first"], row["stop"], self.workers, self.invocation)
            except Exception as exc:  # the build reports it; distilabel would only log it
                cause = innermost(exc) or exc
                if isinstance(cause, UserError):  # bad input, said in full: no traceback
                    log.error("the chains of tasks %s..%s stopped: %s", row["first"], row["stop"], cause)
                    row["error"] = str(cause)
                else:
                    log.exception("the chains of tasks %s..%s failed", row["first"], row["stop"])
                    row["error"] = f"{type(cause).__name__}: {cause}"
        yield inputs
