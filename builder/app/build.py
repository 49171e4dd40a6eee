"""`builder build`: prepare the run folder, run the pipeline, write outputs and the funnel.

The pipeline runs in this process (distilabel starts its step processes from here) while
`builder.app.progress` shows each stage's progress from the journal. Outputs and the funnel are then written by streaming
the journal's records, so no process ever holds every record.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.console import Console

from builder.config import BuildConfig
from builder.errors import BuildFailure
from builder.app.progress import BuildProgress
from builder.records import TaskRecord
from builder.app.disk import full_disk
from builder.run.folder import CONFIG, STATS, lock_run, prepare_run, write_atomic
from builder.run.journal import Journal
from builder.run.lifetime import children_die_with_this_process
from builder.run.outage import clear_outages, outage_message, read_outages
from builder.app.outputs import write_outputs
from builder.app.ray_session import RayOptions
from builder.app.stats import compute_stats

INTERRUPTED = "interrupted; run the same command to resume"
CHAINS_DONE = "chains_done"  # journal meta key: every task's chain has ended (config fingerprint)


def _on_interrupt(console: Console):
    """Ctrl-C: stop every process of the build at once and say how to go on. Every finished
    stage is already in the journal, so nothing is lost; distilabel's own graceful stop waits
    for the batches in flight (minutes of LLM calls) and hangs when pressed twice."""

    def handler(signum: int, frame: Any) -> None:
        _stop_all(console, f"\n{INTERRUPTED}", 130)

    return handler


def _stop_all(console: Console, message: str, code: int) -> None:
    """End the build at once: every process it started, then this one."""
    for child in multiprocessing.active_children():
        child.kill()
    console.show_cursor(True)
    console.print(message, highlight=False, soft_wrap=True)
    sys.stderr.flush()
    os._exit(code)


def _watch_processes(stop: threading.Event, console: Console, on_ray: bool = False) -> None:
    """A step process that dies (the OOM killer's SIGKILL, a segfault), or on Ray an actor of the
    build lost with its node or killed, leaves distilabel waiting for its batch forever: end the
    build instead, naming the cause. distilabel ends its pool with SIGTERM, which is not a crash."""
    seen: dict[int, multiprocessing.Process] = {}
    while not stop.wait(0.5):
        lost = _lost_work() if on_ray else None
        if lost and not stop.is_set():
            _stop_all(console, f"[red]build failed:[/] {lost}", 1)
        for child in multiprocessing.active_children():
            seen.setdefault(child.pid, child)
        for pid, child in seen.items():
            code = child.exitcode
            if code is not None and code < 0 and code != -signal.SIGTERM and not stop.is_set():
                name = signal.Signals(-code).name
                hint = " (the kernel's out-of-memory killer sends it)" if name == "SIGKILL" else ""
                _stop_all(console, f"[red]build failed:[/] a process of the build (pid {pid}) was killed by "
                          f"{name}{hint}; finished work is kept: run the same command to resume", 1)


def _lost_work() -> str | None:
    from builder.app.ray_session import lost_work

    try:
        return lost_work()
    except Exception:  # noqa: BLE001 - the connection opening or closing meanwhile: ask again later
        return None


def _run_chains(run_dir: Path, config: BuildConfig, ray: RayOptions | None, console: Console) -> None:
    """Run every task's chain through the distilabel pipeline; fail with the cause if one could not run."""
    os.environ.setdefault("DISTILABEL_LOG_LEVEL", "WARNING")
    from builder.app.pipeline import run_pipeline

    # distilabel's own cache is not our resume mechanism (the journal is), and a killed run can
    # leave it half-written, which distilabel then fails to read: start it afresh every time
    shutil.rmtree(run_dir / ".state" / "distilabel", ignore_errors=True)
    clear_outages(run_dir)
    children_die_with_this_process()
    stop = threading.Event()
    watcher = threading.Thread(target=_watch_processes, args=(stop, console, ray is not None), daemon=True)
    watcher.start()
    try:
        with BuildProgress(run_dir, config, console):
            distiset = run_pipeline(run_dir, config, ray=ray, on_interrupt=_on_interrupt(console))
    except OSError as exc:  # distilabel writing its batches; a full disk is said as such
        raise BuildFailure(full_disk(run_dir) or str(exc)) from exc
    finally:
        stop.set()
        watcher.join(timeout=5)
    outages = read_outages(run_dir)
    if outages:
        raise BuildFailure(outage_message(outages, config.roles))
    rows = distiset["default"]["train"] if distiset is not None and "default" in distiset else None
    if rows is None or len(rows) == 0:
        raise BuildFailure(full_disk(run_dir) or
                           f"the pipeline produced no output; see the log in {run_dir / '.state' / 'distilabel'}")
    errors = [e for e in rows["error"] if e]
    if errors or None in rows["tasks"]:
        cause = errors[0] if errors else "a step of the pipeline crashed"
        raise BuildFailure(full_disk(run_dir) or f"{cause} (the log is in {run_dir / '.state' / 'distilabel'}); "
                           "finished work is kept: run the same command to resume")


def _records(journal: Journal) -> Iterator[TaskRecord]:
    for text in journal.records():
        yield TaskRecord.model_validate_json(text)


def run_build(run_dir: Path, config: BuildConfig, console: Console | None = None,
              ray: RayOptions | None = None) -> dict[str, Any]:
    console = console or Console(stderr=True)
    run_dir = Path(run_dir)
    started = time.time()
    resuming = prepare_run(run_dir, config)
    lock = lock_run(run_dir)
    try:
        return _build(run_dir, config, console, ray, resuming, started)
    finally:
        os.close(lock)


def _build(run_dir: Path, config: BuildConfig, console: Console, ray: RayOptions | None, resuming: bool,
           started: float) -> dict[str, Any]:
    if resuming:
        console.print(f"Resuming the run in {run_dir} (finished rows are not redone).")
        write_atomic(run_dir / CONFIG, config.to_yaml())  # curation may differ (not in the fingerprint)
    simulated = config.simulated_roles()
    if simulated:
        which = "every role" if len(simulated) == len(config.used_roles()) else "roles " + ", ".join(simulated)
        console.print(f"[yellow]Using the offline simulator for {which}: the data is simulated, not model-written.[/]")
    journal = Journal(run_dir)
    try:
        if journal.get_meta(CHAINS_DONE) != config.fingerprint():
            journal.clear_claims()  # each build's processes claim units afresh (see Journal.claim)
            _run_chains(run_dir, config, ray, console)
            journal.set_meta(CHAINS_DONE, config.fingerprint())
            journal.compact()
        write_outputs(run_dir, _records(journal))
        curation = None
        if config.phase >= 2:
            from builder.curation.run import curate

            curation = curate(run_dir, config)  # the selection the export publishes
        invocations = _invocations(run_dir, resuming) + [
            {"started": round(started, 3), "seconds": round(time.time() - started, 2)}
        ]
        stats = compute_stats(config, _records(journal), seconds=sum(i["seconds"] for i in invocations),
                              curation=curation)
        stats["invocations"] = invocations
        write_atomic(run_dir / STATS, json.dumps(stats, indent=2))  # before the export, which can fail
        if config.phase >= 2:
            from builder.curation.selection import read_selection
            from builder.export.dataset import export_dataset

            selection = read_selection(run_dir)
            kept = {task for task, _ in selection.trajectories} | set(selection.blueprints)
            # the journal streams the records in task id order, as the export reads them
            export_dataset(run_dir, config, (r for r in _records(journal) if r.task_id in kept), selection=selection)
            # the export is part of the build's time, which "Built in" reports (it can be seconds)
            invocations[-1]["seconds"] = round(time.time() - started, 2)
            stats["seconds"] = round(sum(i["seconds"] for i in invocations), 2)
            write_atomic(run_dir / STATS, json.dumps(stats, indent=2))
    finally:
        journal.close()
    return stats


def _invocations(run_dir: Path, resuming: bool) -> list[dict[str, float]]:
    """The earlier invocations of `builder build` on this run that got as far as writing stats.json."""
    path = run_dir / STATS
    if not resuming or not path.exists():
        return []
    try:
        earlier = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    return list(earlier.get("invocations") or ([{"seconds": earlier["seconds"]}] if earlier.get("seconds") else []))
