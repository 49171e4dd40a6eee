"""Telling a full disk from other reasons a build stops.

The step processes write the journal (SQLite: "database or disk is full") and distilabel's cache
("[Errno 28] No space left on device"); when a disk fills, the pipeline ends with no output and
the errors are in the step processes' logs, on the disk that is full. The build then checks the
run folder's disk itself, so the user is told the cause rather than that nothing came out.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from builder.errors import describe_os_error
from builder.run.folder import STATE

PROBE_BYTES = 1 << 20  # less room than this and no step can write a batch


def full_disk(run_dir: Path) -> str | None:
    """What to tell the user when the disk holding `run_dir` cannot take another MiB, else None."""
    probe = Path(run_dir) / STATE / ".space-probe"
    try:
        with open(probe, "wb") as f:
            f.write(bytes(PROBE_BYTES))
            f.flush()
            os.fsync(f.fileno())
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            return None
        return (f"the disk holding {run_dir} is full: {describe_os_error(exc)}; the step processes could not "
                f"write the journal or distilabel's cache under {Path(run_dir) / STATE}. Free some space and run "
                f"the same command again: it resumes")
    finally:
        probe.unlink(missing_ok=True)
    return None
