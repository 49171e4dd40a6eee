"""`builder build --ray-address` on a Ray cluster of two nodes gives the local build's dataset,
and so does a build that lost a node midway, once run again.

Opt-in (`pytest -m ray`): the two nodes are `ray.cluster_utils.Cluster` nodes on this machine
(a head with 1 CPU, a worker with 2), so the build's `tasks` replicas (one CPU each) must use
both; the CLI attaches to it as to any cluster. The worker node's processes cannot see the
folder the runs are in (tests/inject/sitecustomize.py), as a second machine would not: only
the build's own node may touch the run folder. About 1.5 minutes on two cores.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from tests.build_runs import ROOT, SCRIPT, run_cli
from tests.test_build_ray import dataset_rows, rows

pytestmark = pytest.mark.ray

ARGS = ("build", "--domain", "retail", "--tasks", "30", "--seed", "3")
LOST = "a node of the Ray cluster was lost"


class TwoNodes:
    """A head node (1 CPU) and a worker node (2 CPUs) that cannot see `hidden`; `replace_worker`
    gives a fresh worker. Both run this checkout's code."""

    def __init__(self, hidden: Path) -> None:
        from ray.cluster_utils import Cluster

        self.worker_env = {"PYTHONPATH": f"{ROOT / 'tests' / 'inject'}{os.pathsep}{ROOT}",
                           "BUILDER_TEST_NO_ACCESS": str(hidden)}
        self.cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "env_vars": {"PYTHONPATH": str(ROOT)}})
        self.worker = self.cluster.add_node(num_cpus=2, env_vars=self.worker_env)
        self.cluster.wait_for_nodes()
        self.address = self.cluster.address
        self.session = Path(self.cluster.head_node.get_session_dir_path()).name

    def replace_worker(self) -> None:
        self.cluster.remove_node(self.worker)
        self.worker = self.cluster.add_node(num_cpus=2, env_vars=self.worker_env)
        self.cluster.wait_for_nodes()

    @contextmanager
    def connected(self) -> Iterator[None]:
        import ray

        ray.init(address=self.address, log_to_driver=False)
        try:
            yield
        finally:
            ray.shutdown()

    def actors(self) -> list[dict]:
        """Every actor the cluster has had (Ray keeps the dead ones' records): name, node, state."""
        from ray._private import state

        with self.connected():
            return list(state.actors().values())

    def on_worker(self, probe, *args):
        """`probe(*args)` run as a task on the worker node."""
        import ray
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        with self.connected():
            where = NodeAffinitySchedulingStrategy(self.worker.node_id, soft=False)
            return ray.get(ray.remote(probe).options(num_cpus=0, scheduling_strategy=where).remote(*args))


def _sees(path: str) -> tuple[str, bool]:
    import steps.tasks

    try:
        Path(path).read_text()
        return steps.tasks.__file__, True
    except PermissionError:
        return steps.tasks.__file__, False


def processes_of(session: str) -> list[str]:
    """The command lines of the live processes started for the Ray session `session`."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if proc.name.isdigit() and session in cmd:
            found.append(cmd[:200])
    return found


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("runs")


@pytest.fixture(scope="module")
def nodes(runs) -> Iterator[TwoNodes]:
    pytest.importorskip("ray")
    cluster = TwoNodes(hidden=runs)
    try:
        (runs / "probe").write_text("on the build's machine only")
        code, sees = cluster.on_worker(_sees, str(runs / "probe"))
        assert (code, sees) == (str(ROOT / "steps" / "tasks.py"), False), "the worker node must not see the runs"
        yield cluster
    finally:
        cluster.cluster.shutdown()
        deadline = time.time() + 20
        while processes_of(cluster.session) and time.time() < deadline:
            time.sleep(0.2)
        assert processes_of(cluster.session) == [], "a Ray process of the test's cluster outlived it"


@pytest.fixture(scope="module")
def local(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("local") / "run"
    result = run_cli(*ARGS, "--out", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def assert_same_dataset(run: Path, local: Path) -> None:
    import json

    assert dataset_rows(run) == dataset_rows(local) and dataset_rows(local)
    for name in ("blueprints.parquet", "trajectories.parquet"):
        assert rows(run / name, drop=("seconds",)) == rows(local / name, drop=("seconds",))
    a, b = (json.loads((r / "stats.json").read_text()) for r in (local, run))
    assert a["funnel"]["conversations"]["passed_attempts"] > 0
    assert (b["funnel"], b["usage"], b["llm"], b["kept_rows"]) == (a["funnel"], a["usage"], a["llm"], a["kept_rows"])


def test_a_build_on_two_nodes_gives_the_local_dataset(nodes, local, runs):
    out = runs / "two-nodes"
    result = run_cli(*ARGS, "--ray-address", nodes.address, "--out", str(out), timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert_same_dataset(out, local)

    ours = [a for a in nodes.actors() if a["Name"].startswith(("distilabel-builder-retail-tasks-", "builder-journal-"))]
    replicas = {a["Address"]["NodeID"] for a in ours if a["Name"].startswith("distilabel-")}
    journal = {a["Address"]["NodeID"] for a in ours if a["Name"].startswith("builder-journal-")}
    assert len(replicas) == 2, "one replica per CPU of the cluster: some on each node"
    # each endpoint's limit is divided by the number of replicas there really are
    (dump,) = (out / ".state" / "distilabel").rglob("pipeline.yaml")
    (tasks,) = [s["step"] for s in yaml.safe_load(dump.read_text())["pipeline"]["steps"] if s["name"] == "tasks"]
    count = len([a for a in ours if a["Name"].startswith("distilabel-")])
    assert tasks["workers"] == tasks["resources"]["replicas"] == count == 3, "the cluster's 3 CPUs"
    assert journal == {nodes.cluster.head_node.node_id}, "the run's journal stays on the build's node"
    queues = {a["Address"]["NodeID"] for a in nodes.actors() if a["Name"].startswith("distilabel-builder-retail-")
              and a["Name"].endswith("-queue")}
    assert queues == journal, "distilabel's queues too: losing another node loses only steps"


def journal_rows(run: Path) -> int:
    try:
        with sqlite3.connect(run / ".state" / "journal.sqlite", timeout=1) as con:
            return con.execute("SELECT COUNT(*) FROM done").fetchone()[0]
    except sqlite3.Error:
        return 0


def start_build(nodes, out: Path) -> tuple[subprocess.Popen, list[str]]:
    """`builder build` on the cluster, returned once it has stored 10 stages (or ended)."""
    args = [*ARGS, "--ray-address", nodes.address, "--out", str(out)]
    proc = subprocess.Popen([str(SCRIPT), *args], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 300
    while proc.poll() is None and journal_rows(out) < 10 and time.time() < deadline:
        time.sleep(0.1)
    return proc, args


def test_a_build_that_lost_a_node_ends_and_the_same_command_finishes_it(nodes, local, runs):
    nodes.replace_worker()  # a worker whose loss the build sees, whatever the first test left
    out = runs / "lost-node"
    proc, args = start_build(nodes, out)
    assert proc.poll() is None, f"the build ended before the node could be removed: {proc.communicate()[1][-3000:]}"
    nodes.cluster.remove_node(nodes.worker)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 1, stderr[-3000:]
    said = " ".join(stderr.split())
    assert LOST in said and "run the same command to resume" in said and "Traceback" not in said, stderr[-3000:]
    assert not (out / "stats.json").exists(), "the build stopped before its outputs"

    resumed = run_cli(*args, timeout=600)  # on the head node alone now
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "Resuming the run" in resumed.stderr
    assert_same_dataset(out, local)


def test_a_replica_killed_by_the_kernel_ends_the_build_with_how_to_resume(nodes, runs):
    """The OOM killer's SIGKILL of a `tasks` actor's process (its node lives on)."""
    proc, _ = start_build(nodes, runs / "killed-replica")
    replicas = [a for a in nodes.actors() if a["State"] == "ALIVE" and a["Name"].startswith("distilabel-builder-retail-tasks-")]
    assert proc.poll() is None and replicas, "the build ended before a replica could be killed"
    os.kill(replicas[0]["Pid"], signal.SIGKILL)
    _, stderr = proc.communicate(timeout=120)
    said = " ".join(stderr.split())
    assert proc.returncode == 1 and f"the Ray actor {replicas[0]['Name']} of the build died" in said, stderr[-3000:]
    assert "run the same command to resume" in said and "Traceback" not in said
