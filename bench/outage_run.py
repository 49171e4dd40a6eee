"""A build whose endpoint dies mid-build: what the outage costs, waiting it out or stopping.

Starts `builder simulator serve` (its own process, on a fixed port), runs a healthy reference
build, then the same build twice more with the server killed once `--kill-after` blueprints are
reviewed:
- `wait`: the server comes back after `--down-s` seconds, within `outage_wait_s`; the build
  should finish (exit 0) as if nothing happened;
- `stop`: `outage_wait_s` is 0; the build should stop (exit 1) naming the endpoint, and the same
  command, with the server back, should finish it.
Prints the time each took, the requests the server answered, and whether each dataset equals
the reference (blueprints.parquet and trajectories.parquet without timings, and the funnel).

    python bench/outage_run.py --tasks 10
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pandas as pd
import yaml

from fault_run import cli, free_port, wait_healthy

ROLES = ("generator", "human", "agent", "judge")


class Server:
    def __init__(self, port: int, latency_ms: float) -> None:
        self.port, self.latency_ms, self.proc = port, latency_ms, None
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        assert self.proc is None or self.proc.poll() is not None, "the server is already running"
        self.proc = subprocess.Popen(cli("simulator", "serve", "--port", str(self.port), "--latency-ms",
                                         str(self.latency_ms)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_healthy(self.url, self.proc)

    def requests(self) -> int:
        return json.loads(urllib.request.urlopen(f"{self.url}/stats", timeout=5).read())["requests"]

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def reviewed(run: Path) -> int:
    try:
        with sqlite3.connect(run / ".state" / "journal.sqlite") as db:
            return db.execute("SELECT COUNT(*) FROM results WHERE stage = 'review.r0'").fetchone()[0]
    except sqlite3.Error:
        return 0


def same_dataset(a: Path, b: Path) -> bool:
    for name in ("blueprints.parquet", "trajectories.parquet"):
        x = pd.read_parquet(a / name).drop(columns=["seconds"], errors="ignore")
        y = pd.read_parquet(b / name).drop(columns=["seconds"], errors="ignore")
        if not x.equals(y):
            return False
    return json.loads((a / "stats.json").read_text())["funnel"] == json.loads((b / "stats.json").read_text())["funnel"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", type=int, default=10)
    ap.add_argument("--kill-after", type=int, default=2, help="kill the server once this many blueprints are reviewed")
    ap.add_argument("--down-s", type=float, default=5.0, help="how long the server stays down in the `wait` run")
    ap.add_argument("--latency-ms", type=float, default=20.0)
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="outage-run-"))
    server = Server(free_port(), args.latency_ms)
    role = {"backend": "openai:simulator", "base_url": f"{server.url}/v1", "retry_base_s": 0.1, "retry_max_s": 1.0}

    def config(name: str, outage_wait_s: float) -> Path:
        path = tmp / f"{name}.yaml"
        roles = {**{r: {**role, "outage_wait_s": outage_wait_s} for r in ROLES},
                 "reviewers": [{**role, "outage_wait_s": outage_wait_s}] * 3}
        path.write_text(yaml.safe_dump({"domain": "retail", "tasks": args.tasks, "seed": 0, "batch_size": 4,
                                        "roles": roles}, sort_keys=False))
        return path

    def build(cfg: Path, out: Path, kill: bool = False, back_after: float | None = None):
        """Run a build; optionally kill the server mid-build (and restart it `back_after` s later)."""
        started, before, killed = time.monotonic(), server.requests(), None
        with open(tmp / f"{out.name}.log", "a") as log:
            proc = subprocess.Popen(cli("build", "--config", str(cfg), "--out", str(out)), stdout=log, stderr=log)
            restart = None
            if kill:
                while reviewed(out) < args.kill_after and proc.poll() is None:
                    time.sleep(0.02)
                server.kill()
                killed, before = time.monotonic(), 0
                if back_after is not None:
                    restart = threading.Timer(back_after, server.start)
                    restart.start()
            code = proc.wait()
            if restart is not None:
                restart.join()
        ended = time.monotonic()
        served = server.requests() - before if server.proc.poll() is None else None
        return code, ended - started, served, None if killed is None else ended - killed

    try:
        server.start()
        code, seconds, served, _ = build(config("healthy", 120), tmp / "healthy")
        print(f"healthy: exit {code}, {seconds:.1f} s, {served} requests")

        code, seconds, served, after = build(config("wait", 120), tmp / "wait", kill=True, back_after=args.down_s)
        print(f"wait (server down {args.down_s:g} s, outage_wait_s 120): exit {code}, {seconds:.1f} s "
              f"({after:.1f} s after the kill), {served} requests after the restart; "
              f"same dataset: {code == 0 and same_dataset(tmp / 'healthy', tmp / 'wait')}")

        stop = config("stop", 0)  # the server is back from the `wait` run
        code, seconds, _, after = build(stop, tmp / "stop", kill=True)
        said = " ".join((tmp / "stop.log").read_text().split())
        print(f"stop (outage_wait_s 0): exit {code}, {seconds:.1f} s ({after:.1f} s after the kill)\n"
              f"  {said[said.find('build failed'):]}")
        server.start()
        code, seconds, served, _ = build(stop, tmp / "stop")
        print(f"  resumed: exit {code}, {seconds:.1f} s, {served} requests; "
              f"same dataset: {code == 0 and same_dataset(tmp / 'healthy', tmp / 'stop')}")
        print(f"  run folders and logs: {tmp}")
    finally:
        server.kill()


if __name__ == "__main__":
    sys.exit(main())
