"""The run folder's fixed layout, and the rule that one folder holds one configuration."""

from __future__ import annotations

import os
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
    path = run_dir / CONFIG
    if path.exists():
        existing = read_config(run_dir)
        if existing.fingerprint() != config.fingerprint() and not _extends(run_dir, existing, config):
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
