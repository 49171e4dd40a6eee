"""Benchmark: does a build's cost grow linearly, its memory stay flat, its state stay small?

Runs `builder build` (every role on the in-process simulator) for each task count given, while
sampling the resident memory of the whole process tree (the build and every process it started)
every 0.2 s. Prints per build: wall time, time per task (whole build, and after the first
finished stage, which leaves out the fixed start-up), peak RSS of the tree, and the run's hidden
state (`DIR/.state`) against its Parquet outputs (`blueprints.parquet`, `trajectories.parquet`,
`dataset/`). Goals: 100 -> 1,000 tasks, time per task within 1.3x and peak memory within 1.5x;
hidden state at most 5x the outputs.

    python bench/scale.py [--tasks 100 1000] [--domain retail]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    try:
        family = [proc, *proc.children(recursive=True)]
    except psutil.Error:  # the build has just ended
        return 0
    for p in family:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def first_row_time(run: Path) -> float | None:
    journal = run / ".state" / "journal.sqlite"
    try:
        return sqlite3.connect(journal).execute("SELECT 1 FROM done LIMIT 1").fetchone() is not None
    except sqlite3.Error:
        return None


def build(tasks: int, domain: str, tmp: Path) -> dict[str, float]:
    out = tmp / f"run-{tasks}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-c", "from builder.app.cli import main; main()", "build", "--domain", domain,
                             "--tasks", str(tasks), "--out", str(out)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak, first = 0, None
    ps = psutil.Process(proc.pid)
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, first
        while not stop.wait(0.2):
            peak = max(peak, tree_rss(ps))
            if first is None and first_row_time(out):
                first = time.monotonic() - started

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.monotonic() - started
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"build of {tasks} tasks failed: {err[-2000:]}")
    outputs = sum(size(out / name) for name in ("blueprints.parquet", "trajectories.parquet", "dataset"))
    return {"tasks": tasks, "wall": wall, "first": first or 0.0, "peak": peak, "state": size(out / ".state"),
            "outputs": outputs}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", type=int, nargs="+", default=[100, 1000])
    ap.add_argument("--domain", default="retail")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="scale-") as tmp:
        results = [build(n, args.domain, Path(tmp)) for n in args.tasks]
    print(f"{'tasks':>6} {'wall s':>7} {'s/task':>7} {'s/task*':>8} {'peak RSS MB':>12} {'state MB':>9} "
          f"{'outputs MB':>11} {'state/out':>9}")
    for r in results:
        print(f"{r['tasks']:>6} {r['wall']:>7.1f} {r['wall'] / r['tasks']:>7.3f} "
              f"{(r['wall'] - r['first']) / r['tasks']:>8.3f} {r['peak'] / 1e6:>12.0f} {r['state'] / 1e6:>9.1f} "
              f"{r['outputs'] / 1e6:>11.2f} {r['state'] / r['outputs']:>9.2f}")
    print("s/task* leaves out the start-up (the time before the first stage finished)")
    if len(results) > 1:
        a, b = results[0], results[-1]
        per = lambda r: (r["wall"] - r["first"]) / r["tasks"]  # noqa: E731
        print(f"{a['tasks']} -> {b['tasks']} tasks: time per task x{per(b) / per(a):.2f} "
              f"(whole build x{(b['wall'] / b['tasks']) / (a['wall'] / a['tasks']):.2f}), "
              f"peak RSS x{b['peak'] / a['peak']:.2f}")


if __name__ == "__main__":
    main()
