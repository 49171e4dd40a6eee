"""What a release is called: the Hub repo it goes to and its semantic version (tag `vX.Y.Z`).

Checked before anything is read or sent, so a typo costs nothing. The repo id rules are the
Hub's (huggingface_hub's `validate_repo_id`), restated here so that checking the arguments does
not import huggingface_hub, whose endpoint is fixed at import time.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from builder.errors import UserError

SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")
REPO_PART = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")


class Release(BaseModel):
    repo_id: str | None  # None only for `--to-dir` without `--repo`
    version: str

    @property
    def tag(self) -> str:
        return f"v{self.version}"


def check_version(version: str) -> str:
    """X.Y.Z, numbers without leading zeros; a leading `v` is refused rather than guessed at."""
    if not SEMVER.fullmatch(version):
        bare = version[1:] if version[:1] in "vV" and SEMVER.fullmatch(version[1:]) else None
        hint = f" (without the v: --version {bare})" if bare else ""
        raise UserError(f"--version {version!r} is not a semantic version X.Y.Z such as 1.0.0{hint}")
    return version


def check_repo_id(repo_id: str) -> str:
    """ORG/NAME as the Hub accepts it: letters, digits, `-`, `_`, `.`; at most 96 characters."""
    parts = repo_id.split("/")
    problem = None
    if len(parts) != 2:
        problem = "must be ORG/NAME (a namespace and a dataset name)"
    elif len(repo_id) > 96:
        problem = "is longer than 96 characters"
    elif not all(REPO_PART.fullmatch(p) for p in parts):
        problem = "may only hold letters, digits, '-', '_' and '.', and must start and end with a letter or digit"
    elif "--" in repo_id or ".." in repo_id:
        problem = "may not contain '--' or '..'"
    if problem:
        raise UserError(f"--repo {repo_id!r} {problem}, e.g. --repo my-org/retail-tool-use")
    return repo_id


def make_release(repo_id: str | None, version: str) -> Release:
    return Release(repo_id=check_repo_id(repo_id) if repo_id is not None else None, version=check_version(version))
