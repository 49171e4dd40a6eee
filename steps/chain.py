"""Each task's chain of stages as one coroutine, many at once, scheduled by the endpoint limits.

A task goes through its stages in order: rounds of generate, check and review; then (phase 2)
its conversation attempts. A family's recombined task is one more chain that awaits only its
own members' phase-1 results (never the rest of the run), then merges, checks and reviews,
and plays its attempts. Chains run concurrently on one event loop, a window of them at a time;
what bounds the calls is each endpoint's limiter (`builder.llm.limits`), shared by every stage
and role of the process. So an endpoint stays busy whatever stage the tasks are in: there are
no per-stage batches whose slowest row holds the others back, and no barrier between phases.

Every stage's result goes to the run's journal the moment it exists, and a chain starts from
its task's last checkpoint, so a re-run redoes nothing that finished. Every choice derives
from the seed and the task, never from the order the chains happen to finish in.

The distilabel steps that run them are in `steps.tasks`.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder.config import BuildConfig
from builder.llm.config import endpoint_key
from builder.llm.errors import EndpointDown
from builder.llm.factory import make_llm
from builder.llm.limits import call_priority
from builder.records import TaskRecord
from builder.run.access import LocalRun, RunAccess, TaskJournal
from builder.run.journal_check import damaged_record
from domains import load_domain
from steps.base import TaskStep
from steps.checks import CheckBlueprints
from steps.contexts import Unit, family_id_of, sample_task, task_id_of, units
from steps.generation import GenerateBlueprints
from steps.recombination import MergeInstructions, merged_task_id, recombine
from steps.review import ReviewBlueprints

if TYPE_CHECKING:
    from builder.llm.base import ChatLLM
    from domains.framework.domain import Domain

def base_stages(config: BuildConfig) -> list[TaskStep]:
    """A task's phase-1 stages, in order: the feedback loop unrolled into rounds."""
    rounds = config.blueprints.feedback_rounds
    stages: list[TaskStep] = []
    for r in range(rounds + 1):
        final = r == rounds
        stages += [
            GenerateBlueprints(stage_key=f"generate.r{r}", round=r),
            CheckBlueprints(stage_key=f"check.r{r}", round=r, final_round=final),
            ReviewBlueprints(stage_key=f"review.r{r}", round=r, final_round=final),
        ]
    return stages


def recombined_stages() -> list[TaskStep]:
    return [
        MergeInstructions(stage_key="merge"),
        CheckBlueprints(stage_key="check.recombined", kind="recombined", final_round=True),
        ReviewBlueprints(stage_key="review.recombined", kind="recombined"),
    ]


def attempt_stages(config: BuildConfig) -> list[TaskStep]:
    if config.phase < 2:
        return []
    from steps.interplay import Interplay

    return [Interplay(stage_key=f"interplay.a{k}", attempt=k) for k in range(1, config.interplay.attempts + 1)]


def stage_keys(config: BuildConfig) -> list[str]:
    """The journal keys of every per-task stage, in chain order (for progress and stats)."""
    merged = recombined_stages() if config.blueprints.recombine_share > 0 else []
    return [s.stage_key for s in (*base_stages(config), *merged, *attempt_stages(config))]


def endpoint_limits(config: BuildConfig) -> dict[str, int]:
    """Endpoint -> its concurrency limit: the smallest `concurrency` of the roles that use it."""
    limits: dict[str, int] = {}
    for _, cfg in config.roles.named():
        key = endpoint_key(cfg)
        limits[key] = min(limits.get(key, cfg.concurrency), cfg.concurrency)
    return limits


def worker_count(config: BuildConfig, cpus: int) -> int:
    """How many processes run chains: one per CPU, but never more than an endpoint's limit, which
    the workers divide among themselves."""
    return max(1, min(cpus, *endpoint_limits(config).values()))


def role_llms(config: BuildConfig, workers: int = 1) -> dict[str, "ChatLLM"]:
    """One LLM per role, shared by every stage and chain of the process. Each endpoint's limit is
    divided among the `workers` processes, so together they never exceed it."""
    limits = endpoint_limits(config)
    llms = {}
    for name, cfg in config.roles.named():
        share = max(1, limits[endpoint_key(cfg)] // workers)
        llms[name] = make_llm(name, cfg.model_copy(update={"concurrency": share}))
    for llm in llms.values():
        llm.load()
    return llms


def window_size(config: BuildConfig, workers: int = 1) -> int:
    """How many units run at once: enough to keep every endpoint's limit full while some chains
    are between calls (checks, replays), few enough that records in memory stay bounded."""
    return max(16, 2 * sum(endpoint_limits(config).values()) // workers)


class Chains:
    """Runs the chains of a range of units in one process, against one journal."""

    def __init__(self, config: BuildConfig, domain: "Domain", journal: TaskJournal, llms: dict[str, "ChatLLM"],
                 workers: int = 1):
        self.config, self.domain, self.journal, self.workers = config, domain, journal, workers
        # a row's token counts belong to the stage that runs it: counts that an earlier run in
        # this process left behind (stages cancelled at an outage) must not be added to the
        # stages that redo those rows
        for ledger in {id(llm.ledger): llm.ledger for llm in llms.values()}.values():
            ledger.reset()
        bind = lambda stages: [s.bind(config, domain, llms) for s in stages]  # noqa: E731
        self.phase1 = bind(base_stages(config))
        self.merged = bind(recombined_stages())
        self.phase2 = bind(attempt_stages(config))

    async def run(self, first: int, stop: int, invocation: str | None = None) -> int:
        """Run every unit whose tasks lie in [first, stop); returns the number of tasks run.
        With `invocation`, the build's processes share the range: each runs only the units it
        claims in the journal, taking the next one whenever it has room."""
        window = asyncio.Semaphore(window_size(self.config, self.workers))
        count = 0
        async with asyncio.TaskGroup() as group:
            for unit in units(self.config, first):
                if unit.first >= stop:
                    break
                await window.acquire()
                if invocation is not None and not await _resolved(self.journal.claim(invocation, unit.first)):
                    window.release()
                    continue
                group.create_task(self.run_unit(unit)).add_done_callback(lambda _: window.release())
                count += unit.size
                await asyncio.sleep(0)  # let the unit sample and make its first call before the next is sampled
        return count

    async def run_unit(self, unit: Unit) -> None:
        if unit.family is None:
            await self._task(self._start(unit, unit.first), self.phase1 + self.phase2, unit.first)
            return
        members: list[asyncio.Future[TaskRecord]] = [asyncio.get_running_loop().create_future() for _ in unit.indexes]
        async with asyncio.TaskGroup() as group:
            for index, phase1_done in zip(unit.indexes, members):
                group.create_task(self._task(self._start(unit, index), self.phase1 + self.phase2, index, phase1_done))
            group.create_task(self._recombined(unit, members))

    def _checkpoint(self, task_id: str) -> tuple[TaskRecord, str] | None:
        """The task's record at its last finished stage, and that stage; None if none finished."""
        try:
            found = self.journal.checkpoint(task_id)
            return None if found is None else (TaskRecord.model_validate_json(found[1]), found[0])
        except (ValueError, zlib.error) as exc:  # a record changed by hand, or a bit flipped on disk
            raise damaged_record(self.journal.path, task_id, exc) from exc

    def _start(self, unit: Unit, index: int) -> tuple[TaskRecord, str | None]:
        """The task's record to continue from, and the stage that made it (None: sampled afresh)."""
        found = self._checkpoint(task_id_of(self.config, index))
        if found is not None:
            return found
        return sample_task(self.config, self.domain, unit, index), None

    async def _recombined(self, unit: Unit, members: list["asyncio.Future[TaskRecord]"]) -> None:
        found = self._checkpoint(merged_task_id(family_id_of(self.config, unit.family)))
        if found is not None:
            await self._task(found, self.merged + self.phase2, unit.first)
            return
        record = recombine(list(await asyncio.gather(*members)))
        if record is not None:
            await self._task((record, None), self.merged + self.phase2, unit.first)

    async def _task(self, start: tuple[TaskRecord, str | None], stages: list[TaskStep], order: int,
                    phase1_done: "asyncio.Future[TaskRecord] | None" = None) -> None:
        record, reached = start
        position = [s.stage_key for s in stages].index(reached) + 1 if reached is not None else 0
        for i, stage in enumerate(stages):
            if i >= position:
                # the chains with the most stages ahead first: see builder.llm.limits
                call_priority.set((i - len(stages), order))
                after = await stage.advance(record)
                if after is not None:
                    # a remote journal: go on once the result is stored
                    await _resolved(self.journal.put(stage.stage_key, record.task_id, after.model_dump_json()))
                    record = after
            if phase1_done is not None and i == len(self.phase1) - 1:
                phase1_done.set_result(record)


async def _resolved(value: Any) -> Any:
    """The value of a journal call: as it is from a local journal, awaited from a remote one."""
    return await value if inspect.isawaitable(value) else value


def run_shard(run: "Path | RunAccess", first: int, stop: int, workers: int = 1,
              invocation: str | None = None) -> int:
    """Run the chains of tasks [first, stop) of the run (its folder, or its `RunAccess`), as one
    of `workers` processes, sharing the range with the others of `invocation` (see
    `Chains.run`); returns how many tasks this process ran."""
    run = LocalRun(run) if isinstance(run, Path) else run
    config = run.config()
    journal = run.journal()
    try:
        chains = Chains(config, load_domain(config.domain), journal, role_llms(config, workers), workers)
        # What is loaded by now (the libraries, the domain's tables) lives as long as the process:
        # out of the collector's sight, a full collection no longer walks it (it took 250-300 ms,
        # with no reply read meanwhile, several times a minute)
        gc.freeze()
        try:
            return _run_loop(chains.run(first, stop, invocation))
        except BaseException as exc:
            down = innermost(exc, EndpointDown)
            if down is None:
                raise
            # every chain of this process stops (the task group cancels them); what finished is
            # in the journal, what did not has no fate and is redone by the next build
            run.note_outage(down)
            return 0
    finally:
        journal.close()


def _run_loop(main: Any) -> Any:
    """Run the chains on uvloop where it is installed: its event loop wakes a waiting chain and
    reads a reply in a fraction of asyncio's own time, and with hundreds of calls in flight that
    time is a concurrency slot held with nothing at the endpoint."""
    try:
        import uvloop
    except ImportError:  # Windows
        return asyncio.run(main)
    return uvloop.run(main)


def innermost(exc: BaseException, kind: type[BaseException] = BaseException) -> BaseException | None:
    """The first exception of type `kind` that ended the chains, looked for inside the task
    groups' exception groups (which say only "unhandled errors in a TaskGroup")."""
    if isinstance(exc, BaseExceptionGroup):
        return next((found for e in exc.exceptions if (found := innermost(e, kind)) is not None), None)
    return exc if isinstance(exc, kind) else None
