"""The files of a release, the same whether committed to the Hub or written with `--to-dir`.

    README.md                                   the dataset card, rendered for this repo and version
    <config>/<split>-<digest>.parquet           DIR/dataset's Parquet files, byte for byte

The card's `configs:` metadata is what `load_dataset(repo, config)` resolves, so it is checked
against the files before anything is sent: every file belongs to a config, every config pattern
finds a file.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
from pathlib import Path

import yaml
from pydantic import BaseModel

from builder.cards.dataset_card import render_dataset_card
from builder.errors import UserError, file_error
from builder.publish.errors import PublishFailure
from builder.publish.release import Release
from builder.publish.run_check import RunDataset
from builder.run.folder import refuse_inside_run

CARD = "README.md"


class ReleaseFile(BaseModel):
    path_in_repo: str
    source: Path | None = None  # a file of the run folder, or
    content: bytes | None = None  # text made for the release (the card)


def card_patterns(card: str) -> dict[str, list[str]]:
    """config -> data file patterns of the card's YAML front matter."""
    parts = card.split("---\n", 2)
    meta = yaml.safe_load(parts[1]) if card.startswith("---\n") and len(parts) == 3 else None
    out: dict[str, list[str]] = {}
    for entry in (meta or {}).get("configs") or []:
        data_files = entry.get("data_files", [])
        items = [data_files] if isinstance(data_files, (str, dict)) else data_files
        out[entry["config_name"]] = [i["path"] if isinstance(i, dict) else i for i in items]
    return out


def check_card(card: str, data_paths: list[str]) -> None:
    patterns = card_patterns(card)
    if not patterns:
        raise PublishFailure("the rendered dataset card has no `configs:` metadata, so the Hub could not load it")
    unmatched = [p for p in data_paths if not any(fnmatch.fnmatch(p, g) for gs in patterns.values() for g in gs)]
    empty = [f"{name}: {g}" for name, gs in patterns.items() for g in gs if not fnmatch.filter(data_paths, g)]
    if unmatched or empty:
        raise PublishFailure(f"the dataset card's configs do not match the data files (files in no config: "
                             f"{unmatched or 'none'}; patterns with no file: {empty or 'none'})")


def release_files(run: RunDataset, release: Release) -> list[ReleaseFile]:
    data = [
        ReleaseFile(path_in_repo=path.relative_to(run.dataset_dir).as_posix(), source=path)
        for paths in run.files.values() for path in paths
    ]
    card = render_dataset_card(run.run_dir, repo_id=release.repo_id, version=release.version)
    check_card(card, [f.path_in_repo for f in data])
    return [ReleaseFile(path_in_repo=CARD, content=card.encode()), *data]


def write_to_dir(files: list[ReleaseFile], dest: Path) -> None:
    """Write the release under `dest`, which must be new or empty so that it holds nothing else.

    The files are written to a folder beside it and moved into place whole: a failure (a full
    disk) leaves no partial release that looks finished (data files are named by their digest),
    and the same command can simply be run again.
    """
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise UserError(f"--to-dir {dest} exists and is not an empty folder; choose a new folder")
    refuse_inside_run(dest, "--to-dir")
    staging = dest.absolute().parent / f".{dest.name}.partial"
    try:
        staging.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(staging, ignore_errors=True)  # a killed earlier attempt's
        staging.mkdir()
    except OSError as exc:
        raise file_error(exc, f"cannot write the release to --to-dir {dest}", PublishFailure) from None
    try:
        for f in files:
            target = staging / f.path_in_repo
            target.parent.mkdir(parents=True, exist_ok=True)
            if f.source is not None:
                shutil.copyfile(f.source, target)
            else:
                target.write_bytes(f.content)
        os.replace(staging, dest)  # an empty folder at `dest` is replaced
    except OSError as exc:
        raise file_error(exc, f"writing the release to {dest} failed, nothing was left there",
                         PublishFailure) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
