"""How the steps of a build reach its run: config, journal, outage notes.

A local build's step processes open the run folder themselves (`LocalRun`): they are on the
machine that holds it. A Ray build's steps may run on any node of the cluster, so they never
open the folder: they ask the run's journal service, an actor on the build's own node that alone
opens it (`builder.run.journal_service`). Both give the chains the same three things.
"""

from __future__ import annotations

from collections.abc import Awaitable
from pathlib import Path
from typing import Protocol

from builder.config import BuildConfig
from builder.llm.errors import EndpointDown
from builder.run.folder import read_config
from builder.run.journal import Journal
from builder.run.outage import note_outage


class TaskJournal(Protocol):
    """What the chains need of the run's journal (`builder.run.journal.Journal` has it all)."""

    path: Path

    def put(self, stage: str, task_id: str, record: str) -> Awaitable[None] | None:
        """Store a stage's result; an awaitable when it is stored once awaited (a remote journal)."""

    def checkpoint(self, task_id: str) -> tuple[str, str] | None: ...

    def claim(self, invocation: str, unit: int) -> Awaitable[bool] | bool:
        """Take a unit for this process; an awaitable for a remote journal."""

    def close(self) -> None: ...


class RunAccess(Protocol):
    def config(self) -> BuildConfig: ...

    def journal(self) -> TaskJournal: ...

    def note_outage(self, down: EndpointDown) -> None: ...


class LocalRun:
    """The run folder, opened directly (it is on this machine)."""

    def __init__(self, run_dir: Path):
        self.run_dir = Path(run_dir)

    def config(self) -> BuildConfig:
        return read_config(self.run_dir)

    def journal(self) -> Journal:
        return Journal(self.run_dir)

    def note_outage(self, down: EndpointDown) -> None:
        note_outage(self.run_dir, down)


def open_run(run_dir: str | Path, journal_service: str | None = None) -> RunAccess:
    """The run in `run_dir`, or (`journal_service` given: the Ray actor's name) the run its
    journal service holds on the build's node."""
    if journal_service:
        from builder.run.journal_service import RemoteRun

        return RemoteRun(journal_service)
    return LocalRun(Path(run_dir))
