"""The Hub side of a release: token check, tag check, one commit, one tag.

Order matters: everything that can refuse (no or bad token, an existing tag, a public repo for a
`--private` release) is asked before a byte is uploaded, and the commit names the head it was
prepared against (`parent_commit`), so a concurrent push fails the release instead of mixing
into it. The commit replaces the data files of the configs it publishes: an older version's files
(named by their content, see `builder.export.dataset`) are deleted, not left beside the new.

The token is whatever huggingface_hub finds (HF_TOKEN, else the `hf auth login` file); it is
handed to the client and never printed, logged or written. huggingface_hub reads HF_ENDPOINT
when it is imported, so it is imported here, late, by the process that publishes.
"""

from __future__ import annotations

import importlib
import os
from contextlib import contextmanager
from typing import Callable, Iterator

from pydantic import BaseModel

from builder.errors import UserError
from builder.export import CONFIGS
from builder.publish.contents import ReleaseFile
from builder.publish.errors import PublishFailure
from builder.publish.release import Release

REPO_TYPE = "dataset"


class Published(BaseModel):
    repo_id: str
    tag: str
    commit: str
    url: str


def endpoint() -> str:
    from huggingface_hub import constants

    return constants.ENDPOINT


def _transport_errors() -> tuple[type[BaseException], ...]:
    """Network failures: huggingface_hub 1.x speaks httpx, 2.x httpx2."""
    from huggingface_hub.errors import OfflineModeIsEnabled

    found: list[type[BaseException]] = [OfflineModeIsEnabled]
    for name in ("httpx2", "httpx"):
        try:
            found.append(importlib.import_module(name).RequestError)
        except ImportError:
            pass
    return tuple(found)


@contextmanager
def hub_errors(action: str, repo_id: str) -> Iterator[None]:
    """Turn the client's exceptions into the CLI's: bad token or rights -> UserError, the rest -> PublishFailure."""
    from huggingface_hub.errors import HfHubHTTPError

    where = endpoint()
    source = "HF_ENDPOINT" if os.environ.get("HF_ENDPOINT") else "the default endpoint; set HF_ENDPOINT to use another"
    try:
        yield
    except _transport_errors() as exc:
        raise PublishFailure(f"cannot reach the Hugging Face Hub at {where} ({source}) while {action}: "
                             f"{type(exc).__name__}: {exc}") from exc
    except HfHubHTTPError as exc:
        status = exc.response.status_code if exc.response is not None else None
        detail = (exc.server_message or str(exc).splitlines()[0]).strip()
        if status == 401:
            raise UserError(f"the Hub at {where} refused the token while {action} ({detail}); set HF_TOKEN to a "
                            f"valid write token or run `hf auth login`") from exc
        if status == 403:
            raise UserError(f"the token may not write to {repo_id} on {where} ({detail}); use a token with write "
                            f"access to that namespace, or another --repo") from exc
        raise PublishFailure(f"the Hub at {where} answered {status} while {action} on {repo_id}: {detail}") from exc


def _client():
    from huggingface_hub import HfApi, get_token

    token = get_token()
    if not token:
        raise UserError("no Hugging Face token: set HF_TOKEN to a write token, or run `hf auth login`")
    return HfApi(token=token)


def _stale_data_files(existing: list[str], files: list[ReleaseFile]) -> list[str]:
    """Data files of the published configs that this release does not have (older shards)."""
    keep = {f.path_in_repo for f in files}
    managed = set(CONFIGS) | {f.path_in_repo.split("/")[0] for f in files if "/" in f.path_in_repo}
    return [p for p in existing if "/" in p and p.split("/")[0] in managed and p.endswith(".parquet") and p not in keep]


def publish_to_hub(
    files: list[ReleaseFile], release: Release, *, private: bool, message: str, description: str,
    log: Callable[[str], None],
) -> Published:
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete
    from huggingface_hub.errors import RepositoryNotFoundError

    repo = release.repo_id
    api = _client()
    with hub_errors("checking the token", repo):
        api.whoami()
    with hub_errors("reading the repo's tags", repo):
        try:
            refs = api.list_repo_refs(repo, repo_type=REPO_TYPE)
        except RepositoryNotFoundError:
            refs = None
    if refs is not None and any(t.name == release.tag for t in refs.tags):
        raise UserError(f"{repo} already has the tag {release.tag}: a published version never changes; "
                        f"publish a new --version")
    if refs is None:
        with hub_errors("creating the repo", repo):
            api.create_repo(repo, repo_type=REPO_TYPE, private=private, exist_ok=True)
            refs = api.list_repo_refs(repo, repo_type=REPO_TYPE)
        log(f"Created {'private ' if private else ''}dataset repo {repo}")
    elif private:
        with hub_errors("reading the repo's visibility", repo):
            is_private = api.dataset_info(repo).private
        if not is_private:
            raise UserError(f"--private was given but {repo} exists and is public; make it private on the Hub "
                            f"first, or publish without --private")
    head = next((b.target_commit for b in refs.branches if b.name == "main"), None)
    operations: list = [
        CommitOperationAdd(path_in_repo=f.path_in_repo,
                           path_or_fileobj=str(f.source) if f.source is not None else f.content)
        for f in files
    ]
    if head is not None:
        with hub_errors("listing the repo's files", repo):
            existing = api.list_repo_files(repo, repo_type=REPO_TYPE, revision=head)
        operations += [CommitOperationDelete(path_in_repo=p) for p in _stale_data_files(existing, files)]
    with hub_errors("committing the release", repo):
        commit = api.create_commit(repo, operations, commit_message=message, commit_description=description,
                                   repo_type=REPO_TYPE, parent_commit=head)
    log(f"Committed {commit.oid[:10]} to {repo}")
    with hub_errors(f"tagging commit {commit.oid[:10]} as {release.tag} (the files are committed on main; "
                    f"publishing the same version again will tag it)", repo):
        api.create_tag(repo, tag=release.tag, revision=commit.oid, tag_message=message, repo_type=REPO_TYPE)
    return Published(repo_id=repo, tag=release.tag, commit=commit.oid,
                     url=f"{endpoint()}/datasets/{repo}/tree/{release.tag}")
