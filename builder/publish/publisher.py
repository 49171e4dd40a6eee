"""`builder publish`: check the run, assemble the release, then write it to a folder or the Hub."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from pydantic import BaseModel

from builder.errors import UserError
from builder.publish.contents import release_files, write_to_dir
from builder.publish.hub import Published, publish_to_hub
from builder.publish.release import make_release
from builder.publish.run_check import check_run


class PublishResult(BaseModel):
    rows: dict[str, dict[str, int]]  # config -> split -> rows released
    files: list[str]  # paths in the repo (or under --to-dir)
    hub: Published | None = None  # None for --to-dir


def publish_run(
    run_dir: Path, *, repo_id: str | None, version: str, private: bool = False, message: str | None = None,
    to_dir: Path | None = None, log: Callable[[str], None] = lambda _: None,
) -> PublishResult:
    """Publish RUN_DIR's dataset as `repo_id` version `version` (or write it to `to_dir`).

    Every refusal (bad arguments, an unfinished or inconsistent run, an existing tag) happens
    before anything is uploaded or written.
    """
    if repo_id is None and to_dir is None:
        raise UserError("--repo ORG/NAME is required (or --to-dir PATH to write the release locally)")
    release = make_release(repo_id, version)
    run = check_run(run_dir)
    files = release_files(run, release)
    rows = ", ".join(f"{name} {sum(splits.values())}" for name, splits in run.rows.items())
    log(f"Release {release.tag} of {run_dir}: {len(files)} files; rows: {rows}")
    result = PublishResult(rows=run.rows, files=[f.path_in_repo for f in files])
    if to_dir is not None:
        write_to_dir(files, to_dir)
        return result
    description = f"Dataset release {release.tag} built by `builder` ({rows} rows)."
    result.hub = publish_to_hub(files, release, private=private, message=message or f"Release {release.tag}",
                                description=description, log=log)
    return result
