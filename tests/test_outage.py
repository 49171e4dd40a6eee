"""An endpoint outage loses nothing: a build against `builder simulator serve` whose server is
killed mid-build stops (exit 1, naming the endpoint, its roles and what to do) without recording
a fate for the rows it could not serve; with the server back, the same command finishes the
dataset that a build which saw no outage gives."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import zlib
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from tests.build_runs import ROOT, http_roles, run_cli, unwrap, write_config
from tests.test_cli_errors import closed_port

PARQUETS = ("blueprints.parquet", "trajectories.parquet", "dataset/blueprints", "dataset/messages",
            "dataset/trajectories")


class Server:
    """`builder simulator serve` in its own process, on a fixed port so that it can come back."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}/v1"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Server":
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from builder.app.cli import main; main()", "simulator", "serve",
             "--port", str(self.port), "--latency-ms", "100"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=1).read()
                return self
            except OSError:
                assert self.proc.poll() is None and time.monotonic() < deadline, "the simulator server did not start"
                time.sleep(0.05)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def journal_counts(run: Path) -> dict[str, int]:
    try:
        with sqlite3.connect(run / ".state" / "journal.sqlite") as db:
            return dict(db.execute("SELECT stage, COUNT(*) FROM done GROUP BY stage").fetchall())
    except sqlite3.Error:  # not created yet
        return {}


def journal_text(run: Path) -> str:
    with sqlite3.connect(run / ".state" / "journal.sqlite") as db:
        return "\n".join(zlib.decompress(r).decode() for (r,) in db.execute("SELECT record FROM checkpoints"))


def build_cmd(config: Path, out: Path) -> list[str]:
    return [sys.executable, "-c", "from builder.app.cli import main; main()", "build", "--config", str(config),
            "--out", str(out)]


def calls_and_tokens(stats: dict) -> dict[str, tuple[int, int, int]]:
    """Usage per role without retry counts, which depend on timing."""
    return {role: (u["calls"], u["prompt_tokens"], u["completion_tokens"]) for role, u in stats["usage"].items()}


@pytest.fixture
def server():
    srv = Server(closed_port())
    yield srv
    srv.kill()


def test_a_killed_endpoint_stops_the_build_and_the_same_command_finishes_the_same_dataset(server, tmp_path):
    roles = http_roles(server.base_url, max_retries=2, retry_base_s=0.01, retry_max_s=0.05, outage_wait_s=0)
    config = write_config(tmp_path / "build.yaml", domain="retail", tasks=4, seed=2, batch_size=2, roles=roles,
                          blueprints={"feedback_rounds": 0, "recombine_share": 0}, interplay={"attempts": 1})
    server.start()
    healthy = tmp_path / "healthy"
    result = run_cli("build", "--config", str(config), "--out", str(healthy))
    assert result.returncode == 0, result.stderr[-3000:]

    # the same build; the server dies once the first blueprint is written, the rest still to do
    run = tmp_path / "outage"
    build = subprocess.Popen(build_cmd(config, run), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 120
    while journal_counts(run).get("generate.r0", 0) == 0:
        assert build.poll() is None and time.monotonic() < deadline, "the build ended before the outage"
        time.sleep(0.02)
    server.kill()
    _, stderr = build.communicate(timeout=120)
    err = unwrap(stderr)
    assert build.returncode == 1, err[-3000:]
    assert "Traceback" not in err
    assert f"endpoint {server.base_url}#simulator" in err and "ConnectionRefusedError" in err
    assert "roles generator, reviewer_0, reviewer_1, reviewer_2, human, agent, judge" in err
    assert "Run the same command to resume once it is back" in err
    assert "llm_failure" not in journal_text(run), "a transient outage became a row's final fate"
    assert sum(journal_counts(run).values()) < sum(journal_counts(healthy).values()), "the outage cost nothing"
    assert not (run / "stats.json").exists()

    server.start()
    resumed = run_cli("build", "--config", str(config), "--out", str(run))
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    for name in PARQUETS:
        a, b = pd.read_parquet(healthy / name), pd.read_parquet(run / name)
        pd.testing.assert_frame_equal(a.drop(columns=["seconds"], errors="ignore"),
                                      b.drop(columns=["seconds"], errors="ignore"), obj=name)
    sa = json.loads((healthy / "stats.json").read_text())
    sb = json.loads((run / "stats.json").read_text())
    assert sa["funnel"] == sb["funnel"] and sa["kept_rows"] == sb["kept_rows"] > 0
    assert calls_and_tokens(sa) == calls_and_tokens(sb)
    assert sb["llm"]["failed_calls"] == 0 and sb["llm"]["lost"] == {"candidates": 0, "attempts": 0, "tasks": 0}
