"""`builder build`: prepare the run folder, run the pipeline, write outputs and the funnel.

The pipeline runs in this process (distilabel starts its step processes from here) while
`builder.progress` shows each stage's progress from the journal.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from builder.config import BuildConfig
from builder.errors import BuildFailure
from builder.progress import BuildProgress
from builder.records import TaskRecord
from builder.run.disk import full_disk
from builder.run.folder import CONFIG, STATS, prepare_run, write_atomic
from builder.run.outage import clear_outages, outage_message, read_outages
from builder.run.outputs import write_outputs
from builder.run.ray_session import RayOptions
from builder.run.stats import compute_stats


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
    clear_outages(run_dir)
    started = time.time()
    with BuildProgress(run_dir, config, console):
        distiset = run_pipeline(run_dir, config, ray=ray)
    outages = read_outages(run_dir)
    if outages:
        raise BuildFailure(outage_message(outages, config.roles))
    if distiset is None or "default" not in distiset:
        raise BuildFailure(full_disk(run_dir) or f"the pipeline produced no output; see the log in {run_dir / '.state'}")
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
