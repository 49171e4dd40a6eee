"""Assembly of the distilabel pipeline: the run's task range, then the chains that run it.

Two steps pass tiny rows: `TaskRange` emits the range of task indexes once per replica of
`RunTasks`, which runs every task's chain of stages (`steps.chain`) as concurrent coroutines
scheduled by one limiter per endpoint. `RunTasks` has one replica per CPU (a process each, or
a Ray actor each); they share the range, each taking the next unit whenever it has room, and
each endpoint's limit is divided among them. Records never travel through
distilabel: each stage's result goes to the run's journal, which is also what a re-run resumes
from (distilabel's batch cache is off).

The same pipeline runs on distilabel's `RayPipeline` (`run_pipeline(..., ray=RayOptions())`):
each step becomes a Ray actor instead of a local process, with one `tasks` replica per CPU of
the cluster, on any of its nodes; they reach the run through its journal service, an actor on
this node (`builder.run.journal_service`). Rows, journal and outputs are the same.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder.config import BuildConfig
from builder.app.ray_session import RayOptions, cluster_cpus, lost_work, ray_session
from builder.errors import BuildFailure
from builder.run.journal_service import start_journal_service, stop_journal_service

if TYPE_CHECKING:
    from distilabel.distiset import Distiset
    from distilabel.pipeline import Pipeline
    from distilabel.pipeline.base import BasePipeline


class _QuickPolls:
    """`time` for distilabel's pipeline module, with its polling sleeps capped at 50 ms: it
    checks whether the steps have loaded every 2.5 s, most of a build's start-up otherwise."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        time.sleep(min(seconds, 0.05))


def build_pipeline(run_dir: Path, config: BuildConfig, cpus: int | None = None,
                   journal_service: str | None = None) -> "Pipeline":
    """The pipeline, with one `tasks` replica per CPU (`cpus`: this machine's by default).

    On Ray (`journal_service` given) each replica holds a CPU of the cluster, so the replicas
    spread over its nodes, and the steps reach the run through its journal service."""
    import distilabel.pipeline.base
    from distilabel.pipeline import Pipeline
    from distilabel.steps import StepResources

    from steps.chain import worker_count
    from steps.tasks import RunTasks, TaskRange

    distilabel.pipeline.base.time = _QuickPolls()
    run = str(run_dir)
    workers = worker_count(config, cpus or os.cpu_count() or 1)
    resources = StepResources(replicas=workers, cpus=1 if journal_service else None)
    with Pipeline(name=f"builder-{config.domain}", cache_dir=str(Path(run_dir) / ".state" / "distilabel")) as pipeline:
        tasks = TaskRange(name="range", run_dir=run, journal_service=journal_service, replicas=workers,
                          batch_size=workers)
        tasks >> RunTasks(name="tasks", run_dir=run, journal_service=journal_service, workers=workers,
                          invocation=uuid.uuid4().hex, input_batch_size=1, resources=resources)
    return pipeline


def run_pipeline(run_dir: Path, config: BuildConfig, ray: RayOptions | None = None,
                 on_interrupt: Callable[[int, Any], None] | None = None) -> "Distiset | None":
    """Build and run the pipeline, locally or (with `ray`) as Ray actors; returns its Distiset.

    `on_interrupt` replaces distilabel's SIGINT handler (a graceful stop that waits for the
    batches in flight) for the duration of the run.
    """
    if ray is None:
        pipeline = _with_interrupt(build_pipeline(run_dir, config), on_interrupt)
        return pipeline.run(use_cache=False)
    with ray_session(ray):
        # the roles as given, credentials included: config.yaml hides them
        service = start_journal_service(run_dir, f"builder-journal-{uuid.uuid4().hex[:12]}",
                                        config.roles.model_dump_json())
        try:
            pipeline = build_pipeline(run_dir, config, cluster_cpus(), service.name)
            try:
                distiset = _with_interrupt(_on_ray(pipeline), on_interrupt).run(use_cache=False)
            except Exception as exc:  # an actor lost with its node fails distilabel's queues
                _fail_on_lost_work(exc)
                raise
            _fail_on_lost_work()  # or ends its run without that node's rows
            return distiset
        finally:
            stop_journal_service(service)


def _on_ray(pipeline: "Pipeline") -> "BasePipeline":
    """`pipeline.ray()`, with distilabel's queues (its control flow: load, output, log and input
    queues) on this node, so that losing another node loses only the steps' actors on it."""
    from distilabel.pipeline.ray import RayPipeline

    class QueuesHere(RayPipeline):
        @property
        def QueueClass(self) -> Callable:
            return _queue_on_this_node

    ray_pipeline = QueuesHere(name=pipeline.name, description=pipeline.description, cache_dir=pipeline._cache_dir,
                              enable_metadata=pipeline._enable_metadata, requirements=pipeline.requirements)
    ray_pipeline.dag = pipeline.dag
    return ray_pipeline


def _queue_on_this_node(maxsize: int = 0, actor_options: dict[str, Any] | None = None) -> Any:
    import ray
    from ray.util.queue import Queue
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    here = NodeAffinitySchedulingStrategy(ray.get_runtime_context().get_node_id(), soft=False)
    return Queue(maxsize, actor_options={**(actor_options or {}), "scheduling_strategy": here, "num_cpus": 0})


def _fail_on_lost_work(cause: Exception | None = None) -> None:
    """Say so when actors or nodes the build used were lost, whatever distilabel made of it (an
    error, a run that ends without their rows): their chains did not all end."""
    lost = lost_work()
    if lost:
        raise BuildFailure(lost) from cause


def _with_interrupt(pipeline: "BasePipeline", on_interrupt: Callable[[int, Any], None] | None) -> "BasePipeline":
    if on_interrupt is not None:
        pipeline._handle_keyboard_interrupt = lambda: signal.signal(signal.SIGINT, on_interrupt)
        signal.signal(signal.SIGINT, on_interrupt)
    return pipeline
