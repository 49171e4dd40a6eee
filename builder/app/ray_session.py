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

Steps become Ray actors that need the run folder (config, SQLite journal) at the same path and
the API-key variables in their environment, which holds on one machine; see the README's
"Scaling out on Ray" for what a multi-node cluster needs.
"""

from __future__ import annotations

import socket
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
        yield
    finally:
        ray.shutdown()


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
