"""The run's journal as a Ray actor, for builds whose steps run on several machines.

SQLite's WAL mode (the journal's) needs every connection on one host, and a run folder on
shared network storage would not give that. So on Ray the run folder stays on the disk of the
node that runs `builder build`, and one actor pinned to that node (`start_journal_service`)
is the only thing of the cluster that opens it: it holds the one connection that writes the
journal, serves the config, and takes outage notes. Steps anywhere reach it by name
(`RemoteRun`). A stage's result is stored before its chain goes on (the chain awaits the
actor's reply), so a task's fate is durable the moment it is known, as in a local build.

The roles with their credentials (config.yaml hides them) are given to the actor by a method
call, not as creation arguments, which the cluster would store.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.config import BuildConfig
from builder.llm.errors import EndpointDown
from builder.run.folder import read_config
from builder.run.journal import Journal
from builder.run.outage import note_outage


class JournalService:
    """The actor's class: the run folder's journal, config and outage notes, on the build's node."""

    def __init__(self, run_dir: str):
        self.run_dir = Path(run_dir)
        self._journal = Journal(self.run_dir)
        self._roles: str | None = None

    def give_roles(self, roles_json: str) -> None:
        self._roles = roles_json

    def config(self) -> BuildConfig:
        return read_config(self.run_dir, self._roles)

    def journal_path(self) -> str:
        return str(self._journal.path)

    def put(self, stage: str, task_id: str, record: str) -> None:
        self._journal.put(stage, task_id, record)

    def checkpoint(self, task_id: str) -> tuple[str, str] | None:
        return self._journal.checkpoint(task_id)

    def claim(self, invocation: str, unit: int) -> bool:
        return self._journal.claim(invocation, unit)

    def note_outage(self, endpoint: str, role: str, down_s: float, error: str) -> None:
        note_outage(self.run_dir, EndpointDown(endpoint=endpoint, role=role, down_s=down_s, error=error))

    def close(self) -> None:
        self._journal.close()


@dataclass(frozen=True)
class JournalServiceHandle:
    name: str  # for the steps: `open_run(..., journal_service=name)`
    actor: Any


def start_journal_service(run_dir: Path, name: str, roles_json: str) -> JournalServiceHandle:
    """Start the run's journal service on this process's node (the driver's; Ray must be
    connected). It runs one call at a time: a single writer, and no lock needed."""
    import ray
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    here = NodeAffinitySchedulingStrategy(ray.get_runtime_context().get_node_id(), soft=False)
    actor = ray.remote(JournalService).options(
        name=name, num_cpus=0, max_concurrency=1, scheduling_strategy=here, max_restarts=0,
    ).remote(str(Path(run_dir).absolute()))
    ray.get(actor.give_roles.remote(roles_json))
    return JournalServiceHandle(name, actor)


def stop_journal_service(handle: JournalServiceHandle) -> None:
    """Close the journal (its last writes are committed) and end the actor."""
    import ray

    try:
        ray.get(handle.actor.close.remote(), timeout=60)
    except ray.exceptions.RayError:  # gone with its node (then so is this process) or stuck
        pass  # every put was committed as it came: nothing to save
    finally:
        ray.kill(handle.actor)


class RemoteJournal:
    """The journal service seen from a step: the chains' journal (`TaskJournal`)."""

    def __init__(self, actor: Any):
        import ray

        self._ray, self._actor = ray, actor
        self.path = Path(ray.get(actor.journal_path.remote()))  # on the build's node: for messages

    def put(self, stage: str, task_id: str, record: str) -> Awaitable[None]:
        return self._actor.put.remote(stage, task_id, record)  # an ObjectRef: awaitable

    def claim(self, invocation: str, unit: int) -> Awaitable[bool]:
        return self._actor.claim.remote(invocation, unit)

    def checkpoint(self, task_id: str) -> tuple[str, str] | None:
        found = self._ray.get(self._actor.checkpoint.remote(task_id))
        return None if found is None else (found[0], found[1])

    def close(self) -> None:
        pass  # the service's connection is the build's to close


class RemoteRun:
    """A run reached through its journal service (`RunAccess`), from any node of the cluster."""

    def __init__(self, name: str):
        import ray

        self._ray, self._actor = ray, ray.get_actor(name)

    def config(self) -> BuildConfig:
        return self._ray.get(self._actor.config.remote())

    def journal(self) -> RemoteJournal:
        return RemoteJournal(self._actor)

    def note_outage(self, down: EndpointDown) -> None:
        self._ray.get(self._actor.note_outage.remote(down.endpoint, down.role, down.down_s, down.error))
