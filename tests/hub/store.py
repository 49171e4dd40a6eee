"""The test Hub's storage: repositories as chains of immutable commit snapshots over a blob store.

A commit holds the complete file table of its tree (path -> entry), never a diff, so any commit a
tag or an old client still points at keeps serving exactly the files it had. File contents live
once on disk, addressed by hash: regular (git) files by their git blob id, LFS objects by their
sha256, which is how the Hub tells them apart and what its API reports (`oid`, `lfs.oid`).

The metadata is a pydantic document saved to `state.json` after every change, so a server
restarted on the same folder finds its repositories again. One server process owns a folder.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
from datetime import datetime, timezone
from pathlib import Path

from pydantic import BaseModel, Field

LFS_THRESHOLD = 10 * 1024 * 1024  # the Hub stores files of 10 MB and more in LFS, whatever .gitattributes says
LFS_POINTER = "version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {size}\n"

# What the Hub writes into the first commit of a new repository (abridged): binary data formats go to LFS.
DEFAULT_GITATTRIBUTES = """\
*.arrow filter=lfs diff=lfs merge=lfs -text
*.bin filter=lfs diff=lfs merge=lfs -text
*.gz filter=lfs diff=lfs merge=lfs -text
*.parquet filter=lfs diff=lfs merge=lfs -text
*.safetensors filter=lfs diff=lfs merge=lfs -text
*.zip filter=lfs diff=lfs merge=lfs -text
*.zst filter=lfs diff=lfs merge=lfs -text
"""


def git_blob_id(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class StoreError(Exception):
    """A request the Hub would refuse; `code` is the HTTP status, `error_code` its X-Error-Code."""

    def __init__(self, status: int, message: str, error_code: str | None = None):
        super().__init__(message)
        self.status = status
        self.error_code = error_code


class LfsInfo(BaseModel):
    oid: str  # sha256 of the content
    size: int
    pointer_size: int


class FileEntry(BaseModel):
    path: str
    size: int
    oid: str  # git blob id: of the content, or of the LFS pointer for an LFS file
    lfs: LfsInfo | None = None


class Commit(BaseModel):
    oid: str
    parent: str | None
    title: str
    description: str = ""
    date: str
    author: str
    files: dict[str, FileEntry]


class Repo(BaseModel):
    type: str  # model | dataset | space
    id: str
    private: bool
    created_at: str
    commits: dict[str, Commit] = Field(default_factory=dict)
    branches: dict[str, str] = Field(default_factory=dict)  # name -> commit oid
    tags: dict[str, str] = Field(default_factory=dict)

    def resolve(self, revision: str) -> Commit:
        """A branch, a tag (bare or `refs/heads/...`, `refs/tags/...`) or a full commit id."""
        for prefix, refs in (("refs/heads/", self.branches), ("refs/tags/", self.tags)):
            if revision.startswith(prefix) and revision[len(prefix):] in refs:
                return self.commits[refs[revision[len(prefix):]]]
        oid = self.branches.get(revision) or self.tags.get(revision)
        if oid is None and revision in self.commits:
            oid = revision
        if oid is None:
            raise StoreError(404, f"Invalid rev id: {revision}", "RevisionNotFound")
        return self.commits[oid]

    def history(self, commit: Commit) -> list[Commit]:
        out = [commit]
        while out[-1].parent is not None:
            out.append(self.commits[out[-1].parent])
        return out

    def last_commits(self, commit: Commit) -> dict[str, Commit]:
        """For each path of `commit`, the newest commit that changed it (the Hub's `lastCommit`)."""
        out: dict[str, Commit] = {}
        chain = self.history(commit)
        for path, entry in commit.files.items():
            last = commit
            for older in chain[1:]:
                if older.files.get(path) != entry:
                    break
                last = older
            out[path] = last
        return out


class Addition(BaseModel):
    """One file of a commit: inline content (regular) or an already uploaded LFS object."""

    path: str
    content: bytes | None = None
    lfs_oid: str | None = None


class State(BaseModel):
    repos: dict[str, Repo] = Field(default_factory=dict)  # "<type>/<id>" -> repo


class Store:
    """Repositories, commits, refs and blobs under one folder."""

    def __init__(self, root: Path):
        self.root = Path(root)
        (self.root / "git").mkdir(parents=True, exist_ok=True)
        (self.root / "lfs").mkdir(parents=True, exist_ok=True)
        (self.root / "incoming").mkdir(parents=True, exist_ok=True)
        state = self.root / "state.json"
        self.state = State.model_validate_json(state.read_text()) if state.exists() else State()

    def save(self) -> None:
        tmp = self.root / ".state.json.tmp"
        tmp.write_text(self.state.model_dump_json(indent=1))
        os.replace(tmp, self.root / "state.json")

    # --- blobs -----------------------------------------------------------------------------

    def git_path(self, oid: str) -> Path:
        return self.root / "git" / oid

    def lfs_path(self, sha256: str) -> Path:
        return self.root / "lfs" / sha256

    def has_lfs(self, sha256: str, size: int | None = None) -> bool:
        path = self.lfs_path(sha256)
        return path.exists() and (size is None or path.stat().st_size == size)

    def incoming(self, name: str) -> Path:
        return self.root / "incoming" / name

    def accept_lfs(self, tmp: Path, sha256: str, size: int | None) -> None:
        """Move an uploaded file into the LFS store if it is what was announced."""
        digest = hashlib.sha256()
        with tmp.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        actual = tmp.stat().st_size
        if digest.hexdigest() != sha256 or (size is not None and actual != size):
            tmp.unlink()
            raise StoreError(400, f"uploaded content does not match oid {sha256} / size {size} (got {actual} bytes)")
        os.replace(tmp, self.lfs_path(sha256))

    def blob_path(self, entry: FileEntry) -> Path:
        return self.lfs_path(entry.lfs.oid) if entry.lfs else self.git_path(entry.oid)

    # --- repositories ----------------------------------------------------------------------

    def repo(self, repo_type: str, repo_id: str) -> Repo:
        repo = self.state.repos.get(f"{repo_type}/{repo_id}")
        if repo is None:
            raise StoreError(404, "Repository not found", "RepoNotFound")
        return repo

    def create_repo(self, repo_type: str, repo_id: str, private: bool, author: str) -> Repo:
        key = f"{repo_type}/{repo_id}"
        if key in self.state.repos:
            raise StoreError(409, f"You already created this {repo_type} repo")
        repo = Repo(type=repo_type, id=repo_id, private=private, created_at=now())
        self.state.repos[key] = repo
        self.commit(repo, "main", [Addition(path=".gitattributes", content=DEFAULT_GITATTRIBUTES.encode())],
                    title="initial commit", author=author)
        return repo

    def upload_mode(self, commit: Commit, path: str, size: int, sample: bytes) -> str:
        """`lfs` for paths .gitattributes sends to LFS, for big files and for binary samples."""
        if size >= LFS_THRESHOLD or b"\0" in sample:
            return "lfs"
        attributes = commit.files.get(".gitattributes")
        if attributes is not None:
            for line in self.git_path(attributes.oid).read_text().splitlines():
                pattern, *attrs = line.split()
                name = path.rsplit("/", 1)[-1]
                if "filter=lfs" in attrs and (fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(name, pattern)):
                    return "lfs"
        return "regular"

    def commit(
        self, repo: Repo, branch: str, additions: list[Addition], *, deletions: list[str] = (),
        title: str, description: str = "", author: str, parent: str | None = None,
    ) -> Commit:
        """A new snapshot: the branch head's files, minus deletions (files or folders), plus additions."""
        head_oid = repo.branches.get(branch)
        if head_oid is None and repo.commits:
            raise StoreError(404, f"Invalid rev id: {branch}", "RevisionNotFound")
        if parent is not None and parent != head_oid:
            raise StoreError(412, f"A commit has happened since. Please refresh and try again. "
                                  f"(parent {parent}, head {head_oid})")
        files = dict(repo.commits[head_oid].files) if head_oid else {}
        for path in deletions:
            folder = path.rstrip("/") + "/"
            gone = [p for p in files if p == path or p.startswith(folder)]
            if not gone:
                raise StoreError(404, f"A file with this name doesn't exist: {path}", "EntryNotFound")
            for p in gone:
                del files[p]
        for add in additions:
            if add.lfs_oid is not None:
                if not self.has_lfs(add.lfs_oid):
                    raise StoreError(422, f"LFS file {add.path} ({add.lfs_oid}) was not uploaded before the commit")
                size = self.lfs_path(add.lfs_oid).stat().st_size
                pointer = LFS_POINTER.format(oid=add.lfs_oid, size=size).encode()
                files[add.path] = FileEntry(path=add.path, size=size, oid=git_blob_id(pointer),
                                            lfs=LfsInfo(oid=add.lfs_oid, size=size, pointer_size=len(pointer)))
            else:
                oid = git_blob_id(add.content)
                blob = self.git_path(oid)
                if not blob.exists():
                    blob.write_bytes(add.content)
                files[add.path] = FileEntry(path=add.path, size=len(add.content), oid=oid)
        date = now()
        tree = "\n".join(f"{p} {e.oid}" for p, e in sorted(files.items()))
        seed = f"{head_oid}\n{tree}\n{title}\n{description}\n{date}\n{len(repo.commits)}"
        commit = Commit(oid=hashlib.sha1(seed.encode()).hexdigest(), parent=head_oid, title=title,
                        description=description, date=date, author=author, files=files)
        repo.commits[commit.oid] = commit
        repo.branches[branch] = commit.oid
        self.save()
        return commit

    def create_tag(self, repo: Repo, revision: str, tag: str) -> None:
        commit = repo.resolve(revision)
        if tag in repo.tags:
            raise StoreError(409, f"Tag reference refs/tags/{tag} already exists")
        repo.tags[tag] = commit.oid
        self.save()

    def delete_tag(self, repo: Repo, tag: str) -> None:
        if repo.tags.pop(tag, None) is None:
            raise StoreError(404, f"Invalid rev id: {tag}", "RevisionNotFound")
        self.save()
