"""Starting, or attaching to, the Ray cluster a `--ray` build runs its steps on.

distilabel's `RayPipeline` would call `ray.init` itself, but with a head-node URL it also asks
Ray to pip-install the pipeline's requirements into a fresh environment on every node, which
fails offline and is slow everywhere: the builder must already be installed on the nodes. So
the builder connects first (distilabel then reuses the connection) and controls the options:

- no address: a local cluster for this build only, shut down when the build ends; no
  dashboard, and the workers' output is not echoed into the CLI's (distilabel forwards the
  steps' log records to the build's own log);
- an address (`auto`, `HOST:PORT`, `ray://HOST:10001`): an existing cluster, left running;
- a Ray session that is already open in this process (a notebook, `ray job submit`): used as
  it is and left open.

Every build gets its own Ray namespace: distilabel names its actors after the pipeline, so two
builds of the same domain on one cluster would otherwise collide.

Steps become Ray actors on any node of the cluster; they reach the run folder only through the
run's journal service on this node (`builder.run.journal_service`). A node that dies takes its
actors with it and distilabel would wait for their batches forever: `lost_work` lets the build
notice and stop (see the README's "Scaling out on Ray").
"""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from builder.errors import BuildFailure, UserError


@dataclass(frozen=True)
class RayOptions:
    """How a build runs on Ray. `address` None starts a local cluster for the build."""

    address: str | None = None

    def check(self) -> None:
        """Fail before the run folder is touched: Ray missing, or nothing at the address."""
        _import_ray()
        if self.address is not None:
            try:
                _check_reachable(self.address)
            except ConnectionError as exc:
                raise _unreachable(self.address, exc) from None


@contextmanager
def ray_session(options: RayOptions) -> Iterator[None]:
    """Hold a Ray connection for the duration of a pipeline run."""
    ray = _import_ray()
    if ray.is_initialized():
        with _actor_deaths_left_to_the_build(ray):
            yield
        return
    namespace = f"builder-{uuid.uuid4().hex[:12]}"
    if options.address is None:
        try:
            ray.init(namespace=namespace, include_dashboard=False, log_to_driver=False)
        except Exception as exc:  # ports, shared memory, a half-dead earlier session...
            raise BuildFailure(f"could not start a local Ray cluster: {type(exc).__name__}: {exc}") from exc
    else:
        try:
            _check_reachable(options.address)
            ray.init(address=options.address, namespace=namespace, log_to_driver=False)
        except (ConnectionError, ValueError) as exc:
            raise _unreachable(options.address, exc) from None
    try:
        with _actor_deaths_left_to_the_build(ray):
            yield
    finally:
        with _CONNECTION:  # the build's actors end with the connection: not a loss
            ray.shutdown()


@contextmanager
def _actor_deaths_left_to_the_build(ray) -> Iterator[None]:
    """distilabel's queue threads die with a traceback when an actor they wait on is lost with
    its node; the build says why and how to resume (`lost_work`), so those tracebacks are not
    printed. Any other error of a thread still is."""
    before = threading.excepthook

    def hook(args: threading.ExceptHookArgs) -> None:
        if not isinstance(args.exc_value, ray.exceptions.RayActorError):
            before(args)

    threading.excepthook = hook
    try:
        yield
    finally:
        threading.excepthook = before


def _unreachable(address: str, exc: Exception) -> UserError:
    return UserError(
        f"cannot connect to the Ray cluster at --ray-address {address}: {exc}. "
        "Start one with `ray start --head` (then use its address, or 'auto'), "
        "or drop --ray-address to start a local cluster for this build"
    )


def _import_ray():
    try:
        import ray
    except ImportError:
        raise UserError("--ray needs Ray, which is not installed: pip install 'builder[ray]' (or drop --ray)") from None
    return ray


def _check_reachable(address: str, timeout_s: float = 5.0) -> None:
    """Fail fast on a HOST:PORT nobody listens on (Ray itself retries for minutes)."""
    host, sep, port = address.removeprefix("ray://").rpartition(":")
    if not sep or not port.isdigit():
        return  # 'auto', 'local' and the like: Ray resolves and reports those itself, quickly
    try:
        socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout_s).close()
    except OSError as exc:
        raise ConnectionError(f"nothing answers at {host}:{port} ({exc.strerror or exc})") from None


def cluster_cpus() -> int:
    """The CPUs of the cluster this process is connected to: one `tasks` replica each."""
    import ray

    return max(1, int(ray.cluster_resources().get("CPU", 1)))


_CONNECTION = threading.Lock()  # held while Ray disconnects, which ends the build's actors

# how an actor of the build ends by design, as its death cause says: its step ran to its end and
# distilabel dropped its handle, or the build or distilabel ended it (`ray.kill`, a queue's shutdown)
_ENDED_BY_DESIGN = ("reason: OUT_OF_SCOPE", "reason: REF_DELETED", "reason: RAY_KILL", "INTENDED_USER_EXIT")


def lost_work() -> str | None:
    """Why some of this build's work can no longer end, if it cannot: an actor of the build
    lost with its node, or killed (the OOM killer, a crash). distilabel would wait for its
    batches forever. None when not connected, or when nothing was lost.

    Ray's actor table (`ray._private.state.actors`, read from the cluster's control store) is
    the one place that says where each actor is and how it died without the dashboard, which a
    build's own cluster runs without. A build's actors are its job's; nodes the build does not
    use may come and go (an autoscaler's) without stopping it.
    """
    import ray
    from ray._private import state

    with _CONNECTION:
        if not ray.is_initialized():
            return None
        alive = {node["NodeID"]: node["Alive"] for node in ray.nodes()}
        ours = [actor for actor in state.actors(job_id=ray.get_runtime_context().job_id).values() if not (
            actor["State"] == "DEAD" and any(mark in str(actor.get("DeathCause")) for mark in _ENDED_BY_DESIGN))]
    lost = sorted({node for a in ours if (node := a["Address"]["NodeID"]) and not alive.get(node, True)})
    if lost:
        return (f"a node of the Ray cluster was lost (node {', '.join(n[:12] for n in lost)}) with some of the "
                "build's actors; finished work is kept: run the same command to resume")
    dead = sorted(a["Name"] or a["ActorClassName"] for a in ours if a["State"] == "DEAD")
    if dead:
        return (f"the Ray actor {', '.join(dead)} of the build died (its process was killed or crashed; its "
                "node's raylet log says why); finished work is kept: run the same command to resume")
    return None
