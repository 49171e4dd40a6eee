"""`builder build`: prepare the run folder, run the pipeline, write outputs and the funnel.

The pipeline runs in this process (distilabel starts its step processes from here) while a
thread draws one progress bar per stage from the journal, so progress survives step restarts
and shows resumed work as already done.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from builder.config import BuildConfig
from builder.errors import BuildFailure
from builder.records import TaskRecord
from builder.run.folder import CONFIG, STATS, prepare_run, write_atomic
from builder.run.journal import Journal
from builder.run.outputs import write_outputs
from builder.run.ray_session import RayOptions
from builder.run.stats import compute_stats


def _watch(run_dir: Path, config: BuildConfig, stop: threading.Event, console: Console) -> None:
    from builder.pipeline import stage_keys

    journal = Journal(run_dir)
    keys = stage_keys(config)
    with Progress(
        TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=False,
    ) as progress:
        bars = {k: progress.add_task(k, total=config.tasks if k.endswith(".r0") else None) for k in keys}
        while True:
            counts = journal.counts()
            for key, bar in bars.items():
                progress.update(bar, completed=counts.get(key, 0))
            if stop.wait(0.5):
                counts = journal.counts()
                for key, bar in bars.items():
                    done = counts.get(key, 0)
                    progress.update(bar, completed=done, total=done)
                break
    journal.close()


def run_build(run_dir: Path, config: BuildConfig, console: Console | None = None,
              ray: RayOptions | None = None) -> dict[str, Any]:
    console = console or Console(stderr=True)
    run_dir = Path(run_dir)
    resuming = prepare_run(run_dir, config)
    if resuming:
        console.print(f"Resuming the run in {run_dir} (finished rows are not redone).")
        write_atomic(run_dir / CONFIG, config.to_yaml())  # curation may differ (not in the fingerprint)
    simulated = config.simulated_roles()
    if simulated:
        which = "every role" if len(simulated) == len(config.used_roles()) else "roles " + ", ".join(simulated)
        console.print(f"[yellow]Using the offline simulator for {which}: the data is simulated, not model-written.[/]")
    os.environ.setdefault("DISTILABEL_LOG_LEVEL", "WARNING")
    from builder.pipeline import run_pipeline

    # distilabel's own cache is not our resume mechanism (the journal is), and a killed run can
    # leave it half-written, which distilabel then fails to read: start it afresh every time
    shutil.rmtree(run_dir / ".state" / "distilabel", ignore_errors=True)
    started = time.time()
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(run_dir, config, stop, console), daemon=True)
    watcher.start()
    try:
        distiset = run_pipeline(run_dir, config, ray=ray)
    finally:
        stop.set()
        watcher.join(timeout=5)
    if distiset is None or "default" not in distiset:
        raise BuildFailure(f"the pipeline produced no output; see the log in {run_dir / '.state'}")
    records = [TaskRecord.model_validate_json(r) for r in distiset["default"]["train"]["record"]]
    records.sort(key=lambda r: r.task_id)
    write_outputs(run_dir, records)
    curation = None
    if config.phase >= 2:
        from builder.curation.run import curate

        curation = curate(run_dir, config)  # the selection the export publishes
    stats = compute_stats(config, records, seconds=time.time() - started, curation=curation)
    write_atomic(run_dir / STATS, json.dumps(stats, indent=2))  # before the export, which can fail
    if config.phase >= 2:
        from builder.export.dataset import export_dataset

        export_dataset(run_dir, config, records)
    return stats
