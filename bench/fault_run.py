"""A build against a faulty endpoint: how many calls were retried, recovered and lost, and what
that cost in rows.

Starts `builder simulator serve` (its own process, a real HTTP server) injecting faults at
`--error-rate` (500, 429 with Retry-After, replies held past the client timeout, JSON bodies cut
in half), points every role at it, runs `builder build` through the CLI, and prints the `llm`
section of stats.json next to the server's own fault counts.

    python bench/fault_run.py --tasks 50 --error-rate 0.2
    python bench/fault_run.py --tasks 50 --error-rate 0.2 --max-retries 1   # losses become visible
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

ROLES = ("generator", "human", "agent", "judge")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from builder.app.cli import main; main()", *args]


def wait_healthy(url: str, proc: subprocess.Popen, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the simulator server exited with {proc.returncode}")
        try:
            urllib.request.urlopen(f"{url}/health", timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the simulator server at {url} did not answer within {timeout_s}s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", type=int, default=50)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--error-rate", type=float, default=0.2)
    ap.add_argument("--max-retries", type=int, default=5, help="per role (the builder's default is 5)")
    ap.add_argument("--timeout-s", type=float, default=2.0, help="client timeout per attempt")
    ap.add_argument("--concurrency", type=int, default=8, help="in-flight calls per step and endpoint")
    ap.add_argument("--out", type=Path, default=None, help="run folder (default: a new temporary one)")
    args = ap.parse_args()

    out = args.out or Path(tempfile.mkdtemp(prefix="fault-run-")) / "run"
    out.parent.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        cli("simulator", "serve", "--port", str(port), "--error-rate", str(args.error_rate), "--seed", str(args.seed),
            "--retry-after-s", "0.5", "--slow-s", str(args.timeout_s * 5)),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_healthy(url, server)
        role = {"backend": "openai:simulator", "base_url": f"{url}/v1", "timeout_s": args.timeout_s,
                "max_retries": args.max_retries, "concurrency": args.concurrency}
        config = {"domain": "retail", "tasks": args.tasks, "seed": args.seed,
                  "roles": {**{r: role for r in ROLES}, "reviewers": [role] * 3}}
        config_path = out.parent / "build.yaml"
        config_path.write_text(yaml.safe_dump(config, sort_keys=False))
        started = time.monotonic()
        with open(out.parent / "build.log", "w") as log:
            result = subprocess.run(cli("build", "--config", str(config_path), "--out", str(out)),
                                    stdout=log, stderr=subprocess.STDOUT)
        seconds = time.monotonic() - started
        faults = json.loads(urllib.request.urlopen(f"{url}/stats", timeout=5).read())
    finally:
        server.terminate()
        server.wait(timeout=10)
    if result.returncode != 0:
        raise SystemExit(f"the build failed ({result.returncode}); see {out.parent / 'build.log'}")

    stats = json.loads((out / "stats.json").read_text())
    llm, lost = stats["llm"], stats["llm"]["lost"]
    injected = sum(faults["faults"].values())
    print(f"fault build: {args.tasks} tasks, error rate {args.error_rate:g}, max_retries {args.max_retries}, "
          f"timeout {args.timeout_s:g}s: {seconds:.1f} s")
    print(f"  server: {faults['requests']} requests, {injected} faults injected {faults['faults']}")
    print(f"  calls: {llm['calls']} answered, {llm['retries']} retries, {llm['recovered_calls']} recovered "
          f"after retrying, {llm['failed_calls']} gave up")
    print(f"  lost to failed calls: {lost['candidates']} blueprint candidates, {lost['attempts']} conversation "
          f"attempts, {lost['tasks']} tasks (of {stats['funnel']['contexts']} contexts)")
    print(f"  kept rows: {stats['kept_rows']}; every injected fault accounted for: "
          f"{llm['retries'] + llm['failed_calls'] == injected}")
    print(f"  run folder: {out}")


if __name__ == "__main__":
    main()
