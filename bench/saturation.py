"""Benchmark: how busy does a build keep a slow endpoint?

Starts `builder simulator serve --latency-ms L` in its own process, points every role at it
(`backend: openai:simulator`, `concurrency: C` on each role: one endpoint, so one limit), runs
`builder build` of N tasks as a user would, and samples the server's `/stats` every 50 ms.

With L seconds per call and at most C calls in flight, the best possible rate is C / L calls per
second. The ratio printed is the achieved rate over that ideal, measured from the first call the
server sees to the last reply (start-up is reported on its own line: "time to first call", from
the moment `builder build` was started); the server's maximum in flight must not exceed C.

No schedule beats two bounds, both printed: all the calls at C / L, and the task whose calls
run one after another longest (a conversation waits for each reply). With a few hundred tasks
the second can be the larger, whatever the engine does; the ratio near 1 is reachable only
when the build is long against its longest chain.

It also prints the CPU each call cost the build's processes and the server: on a small machine
the two share the cores, and CPU is the other ceiling.

    python bench/saturation.py [--latency-ms 200] [--concurrency 64] [--tasks 200] [--timeline]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
ROLES = ("generator", "human", "agent", "judge")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return json.loads(resp.read())


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a live process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _serial_calls(run: Path) -> Iterator[int]:
    """Each task's calls one after another: a chain waits for each of its calls, except the
    reviewers of a round, who are asked at once (so only the busiest reviewer counts)."""
    from builder.records import TaskRecord
    from builder.run.journal import Journal

    journal = Journal(run)
    try:
        for text in journal.records():
            usage = TaskRecord.model_validate_json(text).usage
            reviewers = [u["calls"] for role, u in usage.items() if role.startswith("reviewer")]
            yield sum(u["calls"] for role, u in usage.items() if not role.startswith("reviewer")) + max(reviewers, default=0)
    finally:
        journal.close()


def _builder(*args: str) -> list[str]:
    return [sys.executable, "-c", "from builder.app.cli import main; main()", *args]


class Sampler(threading.Thread):
    """Polls the server's /stats: (seconds since the build started, requests, completed, in flight)."""

    def __init__(self, url: str, started: float, every_s: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.url, self.started, self.every_s = url, started, every_s
        self.samples: list[tuple[float, int, int, int]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            s = _get(self.url)
            self.samples.append((time.monotonic() - self.started, s["requests"], s["completed"], s["in_flight"]))
            self.stop.wait(self.every_s)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--latency-ms", type=float, default=200.0)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--tasks", type=int, default=200)
    ap.add_argument("--domain", default="retail")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeline", action="store_true", help="print calls in flight per second of the build")
    ap.add_argument("--keep", help="run folder to keep (default: a temporary one)")
    args = ap.parse_args()

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    port = _free_port()
    server = subprocess.Popen(
        _builder("simulator", "serve", "--port", str(port), "--latency-ms", str(args.latency_ms)),
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _get(f"{base}/health")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the simulator server did not start")
                time.sleep(0.1)
        with tempfile.TemporaryDirectory(prefix="saturation-") as tmp:
            out = Path(args.keep) if args.keep else Path(tmp) / "run"
            role = {"backend": "openai:simulator", "base_url": f"{base}/v1", "concurrency": args.concurrency,
                    "timeout_s": 60 + 10 * args.latency_ms / 1000}
            roles = {**{name: dict(role) for name in ROLES}, "reviewers": [dict(role) for _ in range(3)]}
            config = Path(tmp) / "build.yaml"
            config.write_text(yaml.safe_dump({"domain": args.domain, "tasks": args.tasks, "seed": args.seed,
                                              "roles": roles}, sort_keys=False))
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.monotonic()
            sampler = Sampler(f"{base}/stats", started)
            sampler.start()
            build = subprocess.run(_builder("build", "--config", str(config), "--out", str(out)), env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            wall = time.monotonic() - started
            sampler.stop.set()
            sampler.join()
            final = _get(f"{base}/stats")
            server_cpu = _cpu_seconds(server.pid)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the build's whole process tree, waited for
            build_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
            if build.returncode != 0:
                print(build.stdout[-3000:])
                raise SystemExit(f"the build failed (exit {build.returncode})")
            longest = max(_serial_calls(out))
    finally:
        server.terminate()
        server.wait(10)

    samples = sampler.samples
    calls = final["completed"]
    first = next(t for t, req, _, _ in samples if req > 0)
    last = next(t for t, _, done, _ in samples if done >= calls)
    window = [s for s in samples if first <= s[0] <= last]
    llm_s = last - first
    ideal = args.concurrency / (args.latency_ms / 1000)
    mean_in_flight = sum(s[3] for s in window) / len(window)
    print(f"tasks {args.tasks}, C={args.concurrency}, L={args.latency_ms:g} ms, ideal {ideal:.0f} calls/s")
    print(f"calls                {calls}")
    print(f"build wall time      {wall:.1f} s")
    print(f"time to first call   {first:.2f} s")
    print(f"LLM phase            {llm_s:.1f} s (first call to last reply)")
    print(f"calls/s              {calls / llm_s:.1f}")
    print(f"ratio to C/L         {calls / llm_s / ideal:.3f}")
    print(f"in flight            mean {mean_in_flight:.1f}, max {final['max_in_flight']} (limit {args.concurrency})")
    bound = max(calls / ideal, longest * args.latency_ms / 1000)
    print(f"longest chain        {longest} calls one after another = {longest * args.latency_ms / 1000:.1f} s at L; "
          f"all calls at C/L take {calls / ideal:.1f} s")
    print(f"best possible ratio  {calls / ideal / bound:.3f} (the LLM phase cannot be shorter than either)")
    print(f"CPU per call         build {1000 * build_cpu / calls:.2f} ms, server {1000 * server_cpu / calls:.2f} ms "
          f"(whole build {build_cpu:.1f} s, server {server_cpu:.1f} s; {os.cpu_count()} CPUs)")
    if args.timeline:
        print("second  in-flight (mean of the samples in that second)")
        for sec in range(int(samples[-1][0]) + 1):
            inside = [s[3] for s in samples if sec <= s[0] < sec + 1]
            if inside:
                mean = sum(inside) / len(inside)
                print(f"{sec:5d}  {mean:6.1f} {'#' * round(mean * 60 / args.concurrency)}")


if __name__ == "__main__":
    main()
