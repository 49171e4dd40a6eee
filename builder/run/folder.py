"""The run folder's fixed layout, and the rule that one folder holds one configuration.

config.yaml holds the config with its credentials hidden (`BuildConfig.to_yaml`). The build
hands the roles as given, credentials included, to its step processes in the environment
variable ROLES_ENV, as it hands them API keys; `read_config` puts them back when they belong to
the folder's config.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from pathlib import Path
from typing import Any

from builder.config import BuildConfig, load_config_file, parse_config
from builder.errors import UserError, file_error
from builder.llm.config import RolesConfig
from builder.redact import redact_data
from builder.run.journal_check import check_journal

CONFIG = "config.yaml"
BLUEPRINTS = "blueprints.parquet"
TRAJECTORIES = "trajectories.parquet"
DATASET = "dataset"
STATS = "stats.json"
STATE = ".state"  # the journal, distilabel's cache, the curated selection
ROLES_ENV = "BUILDER_RUN_ROLES"


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a kill never leaves half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def resume_hint(run_dir: Path) -> str:
    return f"`builder build --config {Path(run_dir) / CONFIG} --out {run_dir}`"


def read_config(run_dir: Path, roles_json: str | None = None) -> BuildConfig:
    """The run's config, with the credentials of `roles_json` (by default the build's
    environment variable ROLES_ENV) put back."""
    path = Path(run_dir) / CONFIG
    if not path.exists():
        raise UserError(f"{run_dir} is not a run folder: {CONFIG} is missing")
    config = parse_config(load_config_file(path, "the run's config"), str(path))
    return with_roles(config, roles_json if roles_json is not None else os.environ.get(ROLES_ENV))


def with_roles(config: BuildConfig, given: str | None) -> BuildConfig:
    """`config` with the roles `given` as JSON (credentials shown) when they are its own roles."""
    if given:
        with_secrets = config.model_copy(update={"roles": RolesConfig.model_validate_json(given)})
        if with_secrets.fingerprint() == config.fingerprint():  # the same roles, credentials shown
            return with_secrets
    return config


def read_stats(run_dir: Path) -> dict[str, Any]:
    """The run's stats.json, or a `UserError` saying how to get it (re)written."""
    path = Path(run_dir) / STATS
    if not (Path(run_dir) / CONFIG).exists():
        raise UserError(f"{run_dir} is not a run folder ({CONFIG} is missing): pass the --out folder of a "
                        f"`builder build`")
    if not path.exists():
        raise UserError(f"{run_dir} has no {STATS}: the build did not finish; finish it with {resume_hint(run_dir)}")
    try:
        stats = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        stats, problem = None, f"not valid JSON: {exc}"
    else:
        problem = None if isinstance(stats, dict) and isinstance(stats.get("funnel"), dict) else "it has no funnel"
    if problem:
        raise UserError(f"{path} is damaged ({problem}); build the run again to rewrite it: {resume_hint(run_dir)}")
    return stats


def enclosing_run(path: Path) -> Path | None:
    """The run whose dataset/ or .state/ holds `path` (or is `path`), if any."""
    resolved = Path(path).resolve()
    for folder in (resolved, *resolved.parents):
        if folder.name in (DATASET, STATE) and (folder.parent / CONFIG).is_file():
            return folder.parent
    return None


def refuse_inside_run(path: Path, option: str) -> None:
    """Building or curating a run again rewrites its dataset/ and .state/, deleting whatever else
    is there: refuse them as an output before anything is written."""
    run = enclosing_run(path)
    if run is not None:
        raise UserError(f"{option} {path} lies inside the run folder {run}, whose dataset/ and .state/ are "
                        f"rewritten when it is built or curated again, deleting it; choose a folder outside them")


def _differences(a: dict, b: dict, prefix: str = "") -> list[str]:
    out = []
    for key in sorted(set(a) | set(b)):
        va, vb = a.get(key), b.get(key)
        if isinstance(va, dict) and isinstance(vb, dict):
            out += _differences(va, vb, f"{prefix}{key}.")
        elif va != vb:
            out.append(f"{prefix}{key} ({va!r} in the folder, {vb!r} now)")
    return out


def _extends(run_dir: Path, existing: BuildConfig, config: BuildConfig) -> bool:
    """Whether `config` is the folder's phase-1 run taken on to phase 2 (see `prepare_run`)."""
    if existing.phase == config.phase or existing.model_copy(update={"phase": config.phase}).fingerprint() \
            != config.fingerprint():
        return False
    if existing.phase < config.phase:
        return True
    raise UserError(
        f"{run_dir} holds a phase-{existing.phase} run: building phase {config.phase} in it would rewrite its "
        f"outputs without the conversations. Its blueprints are in {run_dir / BLUEPRINTS}; for a phase-1 run "
        "of its own, use a new --out folder."
    )


def prepare_run(run_dir: Path, config: BuildConfig) -> bool:
    """Create the folder, or accept it for resuming if it holds the same config.

    Returns True when resuming. Refuses to mix two configurations in one folder, because the
    journal's results would then describe a run nobody asked for. The one difference accepted
    is phase 1 -> 2: a phase-1 run is the first half of the same phase-2 run (its blueprints are
    what phase 2 starts from), so it is extended in place. The reverse is refused: a phase-1
    build of a phase-2 folder would rewrite its outputs without the conversations.
    """
    run_dir = Path(run_dir)
    refuse_inside_run(run_dir, "--out")
    os.environ[ROLES_ENV] = config.roles.model_dump_json()  # for the steps: config.yaml hides credentials
    path = run_dir / CONFIG
    if path.exists():
        existing = read_config(run_dir)
        if existing.fingerprint() != config.fingerprint() and not _extends(run_dir, existing, config):
            diffs = _differences(*(redact_data(c.model_dump(mode="json", exclude={"batch_size"}))
                                   for c in (existing, config)))
            raise UserError(
                f"{run_dir} holds a run made with a different config; differs in: {'; '.join(diffs)}. "
                f"Use a new --out folder, or resume that run with {resume_hint(run_dir)}."
            )
        check_journal(run_dir)
        return True
    if run_dir.exists() and not run_dir.is_dir():
        raise UserError(f"--out {run_dir} is a file, not a folder; choose an empty or new --out folder")
    if run_dir.exists() and any(run_dir.iterdir()):
        raise UserError(f"{run_dir} exists and is not a run folder (no {CONFIG}); choose an empty or new --out folder")
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(path, config.to_yaml())
    except OSError as exc:  # under a file, read-only, a full disk
        raise file_error(exc, f"cannot create the run folder --out {run_dir}") from None
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
