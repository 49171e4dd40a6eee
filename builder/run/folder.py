"""The run folder's fixed layout, and the rule that one folder holds one configuration."""

from __future__ import annotations

import fcntl
import os
import socket
from pathlib import Path

import yaml

from builder.config import BuildConfig, parse_config
from builder.errors import UserError

CONFIG = "config.yaml"
BLUEPRINTS = "blueprints.parquet"
TRAJECTORIES = "trajectories.parquet"
DATASET = "dataset"
STATS = "stats.json"


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a kill never leaves half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def read_config(run_dir: Path) -> BuildConfig:
    path = Path(run_dir) / CONFIG
    if not path.exists():
        raise UserError(f"{run_dir} is not a run folder: {CONFIG} is missing")
    return parse_config(yaml.safe_load(path.read_text()) or {}, str(path))


def _differences(a: dict, b: dict, prefix: str = "") -> list[str]:
    out = []
    for key in sorted(set(a) | set(b)):
        va, vb = a.get(key), b.get(key)
        if isinstance(va, dict) and isinstance(vb, dict):
            out += _differences(va, vb, f"{prefix}{key}.")
        elif va != vb:
            out.append(f"{prefix}{key} ({va!r} in the folder, {vb!r} now)")
    return out


def prepare_run(run_dir: Path, config: BuildConfig) -> bool:
    """Create the folder, or accept it for resuming if it holds the same config.

    Returns True when resuming. Refuses to mix two configurations in one folder, because the
    journal's results would then describe a run nobody asked for.
    """
    run_dir = Path(run_dir)
    path = run_dir / CONFIG
    if path.exists():
        existing = read_config(run_dir)
        if existing.fingerprint() != config.fingerprint():
            diffs = _differences(
                existing.model_dump(mode="json", exclude={"batch_size"}),
                config.model_dump(mode="json", exclude={"batch_size"}),
            )
            raise UserError(
                f"{run_dir} holds a run made with a different config; differs in: {'; '.join(diffs)}. "
                f"Use a new --out folder, or resume that run with `builder build --config {path} --out {run_dir}`."
            )
        return True
    if run_dir.exists() and any(run_dir.iterdir()):
        raise UserError(f"{run_dir} exists and is not a run folder (no {CONFIG}); choose an empty or new --out folder")
    run_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(path, config.to_yaml())
    return False


LOCK = ".state/lock"


def lock_run(run_dir: Path) -> int:
    """Take the run folder for this process, or refuse: two builds in one folder would race on
    its state. Returns the lock's file descriptor; the lock lasts until this process and its
    children have closed it, so it is released even when the build is killed.

    The folder must exist (a new run: right after `prepare_run` created it).
    """
    path = Path(run_dir) / LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 200).decode(errors="replace").strip() or "another process"
        os.close(fd)
        raise UserError(
            f"{run_dir} is being built by {holder}; wait for that build to end (or stop it), "
            "then run the command again to resume"
        ) from None
    os.ftruncate(fd, 0)
    os.write(fd, f"pid {os.getpid()} on host {socket.gethostname()}".encode())
    return fd
