"""A local server that speaks the part of the Hugging Face Hub's HTTP API that publishing and
loading a dataset use, so the real `huggingface_hub` and `datasets` code can be tested offline.

Covered (the paths are the Hub's; `{t}` is models/datasets/spaces, a model repo has no prefix):

    GET  /api/whoami-v2                               token check
    POST /api/repos/create                            name, organization, type, visibility/private
    POST /api/validate-yaml                           the README front matter create_commit checks
    GET  /api/{t}/{repo}[/revision/{rev}]             repo info (sha, siblings, cardData)
    POST /api/{t}/{repo}/preupload/{rev}              regular or lfs, per .gitattributes / size / binary
    POST /{t}/{repo}.git/info/lfs/objects/batch       LFS batch API ("basic" transfer)
    PUT  {cdn}/lfs-upload/{oid}?ticket=               the upload (a second origin, like S3)
    POST /{t}/{repo}.git/info/lfs/objects/verify
    POST /api/{t}/{repo}/commit/{rev}                 NDJSON: header, file, lfsFile, deletedFile/Folder
    POST|DELETE /api/{t}/{repo}/tag/{rev|tag}         an existing tag is refused with 409
    GET  /api/{t}/{repo}/refs | commits/{rev} | tree/{rev}[/{path}]
    POST /api/{t}/{repo}/paths-info/{rev}             form-encoded `paths` (HfFileSystem.info)
    HEAD|GET /{t}/{repo}/resolve/{rev}/{path}         X-Repo-Commit, ETag, Content-Length, Range;
                                                      LFS files: 302 to {cdn}/cdn/{sha256} with
                                                      X-Linked-Etag and X-Linked-Size

The server listens on two ports: the Hub endpoint, and a "CDN" origin for LFS uploads and
downloads. A second origin matters: huggingface_hub stops following a HEAD redirect at a foreign
host and reads the file's metadata from the redirect itself, exactly as with the real Hub's CDN.

Tokens are given at start (token -> user, orgs, role). Private repos are invisible (404/401
RepoNotFound) to anyone outside their namespace; writes need a write token in the namespace.
All handlers run on one event loop and mutate state without awaiting in between, so no lock.

Run by hand: `python -m tests.hub.server --storage /tmp/hub --token hf_test:alice:org`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import re
import secrets
import socket
import threading
import time
from pathlib import Path
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qs, unquote

import uvicorn
import yaml
from pydantic import BaseModel, Field
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from tests.hub.store import Addition, Commit, FileEntry, Repo, Store, StoreError

TYPES = {"models": "model", "datasets": "dataset", "spaces": "space"}
PREFIX = {"model": "", "dataset": "datasets/", "space": "spaces/"}


class User(BaseModel):
    name: str
    orgs: list[str] = Field(default_factory=list)
    role: str = "write"  # or "read"

    def owns(self, repo_id: str) -> bool:
        return repo_id.split("/")[0] in (self.name, *self.orgs)


def error(exc: StoreError) -> JSONResponse:
    headers = {"X-Error-Message": str(exc)}
    if exc.error_code:
        headers["X-Error-Code"] = exc.error_code
    return JSONResponse({"error": str(exc)}, status_code=exc.status, headers=headers)


def entry_json(entry: FileEntry, last: Commit | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "file", "oid": entry.oid, "size": entry.size, "path": entry.path}
    if entry.lfs:
        out["lfs"] = {"oid": entry.lfs.oid, "size": entry.lfs.size, "pointerSize": entry.lfs.pointer_size}
    if last is not None:
        out["lastCommit"] = {"id": last.oid, "title": last.title, "date": last.date}
    return out


def folder_json(path: str, files: list[FileEntry]) -> dict[str, Any]:
    oid = hashlib.sha1("\n".join(f"{e.path} {e.oid}" for e in sorted(files, key=lambda e: e.path)).encode()).hexdigest()
    return {"type": "directory", "oid": oid, "size": 0, "path": path}


def card_data(store: Store, commit: Commit) -> dict[str, Any] | None:
    readme = commit.files.get("README.md")
    if readme is None:
        return None
    match = re.match(r"^---\s*\n(.*?)\n---\s*(\n|$)", store.blob_path(readme).read_text(), re.S)
    data = yaml.safe_load(match.group(1)) if match else None
    return data if isinstance(data, dict) else None


class HubApp:
    """The request handlers over a `Store`; `cdn` is the base URL of the LFS origin."""

    def __init__(self, store: Store, tokens: dict[str, User]):
        self.store = store
        self.tokens = tokens
        self.cdn = ""
        self.tickets: dict[str, tuple[str, int]] = {}  # upload ticket -> (sha256, size)
        self.requests: list[str] = []  # "METHOD route" of every request, for tests to see which paths ran
        rp = r"(?P<ns>[^/]+)/(?P<name>[^/]+)"
        api = rf"/api/(?P<t>models|datasets|spaces)/{rp}"
        git = rf"/(?:(?P<t>datasets|spaces)/)?{rp}"
        self.routes: list[tuple[str, re.Pattern, Callable[..., Awaitable[Response]]]] = [
            (m, re.compile(f"^{p}$"), h) for m, p, h in [
                ("GET", r"/api/whoami-v2", self.whoami),
                ("POST", r"/api/repos/create", self.create_repo),
                ("POST", r"/api/validate-yaml", self.validate_yaml),
                ("GET", api, self.repo_info),
                ("GET", rf"{api}/revision/(?P<rev>.+)", self.repo_info),
                ("POST", rf"{api}/preupload/(?P<rev>[^/]+)", self.preupload),
                ("POST", rf"{api}/commit/(?P<rev>[^/]+)", self.commit),
                ("POST", rf"{api}/tag/(?P<rev>[^/]+)", self.create_tag),
                ("DELETE", rf"{api}/tag/(?P<tag>[^/]+)", self.delete_tag),
                ("GET", rf"{api}/refs", self.refs),
                ("GET", rf"{api}/commits/(?P<rev>[^/]+)", self.commits),
                ("GET", rf"{api}/tree/(?P<rev>[^/]+)(?:/(?P<path>.*))?", self.tree),
                ("POST", rf"{api}/paths-info/(?P<rev>[^/]+)", self.paths_info),
                ("POST", rf"{git}\.git/info/lfs/objects/batch", self.lfs_batch),
                ("POST", rf"{git}\.git/info/lfs/objects/verify", self.lfs_verify),
                ("PUT", r"/lfs-upload/(?P<oid>[0-9a-f]{64})", self.lfs_upload),
                ("GET", r"/cdn/(?P<oid>[0-9a-f]{64})", self.cdn_file),
                ("GET", rf"{git}/resolve/(?P<rev>[^/]+)/(?P<path>.+)", self.resolve),
            ]
        ]

    async def dispatch(self, request: Request) -> Response:
        # Match on the raw (still percent-encoded) path: a revision like refs%2Fconvert%2Fparquet
        # holds slashes that must not split it.
        raw = request.scope["raw_path"].decode()
        method = "GET" if request.method == "HEAD" else request.method
        for m, pattern, handler in self.routes:
            match = pattern.match(raw)
            if m == method and match:
                self.requests.append(f"{request.method} {handler.__name__}")
                args = {k: unquote(v) for k, v in match.groupdict().items() if v is not None}
                try:
                    return await handler(request, **args)
                except StoreError as exc:
                    return error(exc)
        return error(StoreError(404, f"no such endpoint: {request.method} {raw}"))

    # --- access ----------------------------------------------------------------------------

    def user(self, request: Request, required: bool = False) -> User | None:
        auth = request.headers.get("authorization", "")
        if not auth.lower().startswith("bearer "):
            if required:
                raise StoreError(401, "Invalid username or password.")
            return None
        user = self.tokens.get(auth[7:].strip())
        if user is None:
            raise StoreError(401, "Invalid credentials in Authorization header")
        return user

    def readable(self, request: Request, t: str, ns: str, name: str) -> Repo:
        user = self.user(request)
        try:
            repo = self.store.repo(TYPES.get(t, t or "model"), f"{ns}/{name}")
        except StoreError:
            repo = None
        if repo is None or (repo.private and (user is None or not user.owns(repo.id))):
            raise StoreError(401 if user is None else 404, "Repository Not Found", "RepoNotFound")
        return repo

    def writable(self, request: Request, t: str, ns: str, name: str) -> tuple[Repo, User]:
        user = self.user(request, required=True)
        repo = self.readable(request, t, ns, name)
        if not user.owns(repo.id) or user.role != "write":
            raise StoreError(403, f"You don't have the rights to write to {repo.id}")
        return repo, user

    # --- account and repositories ------------------------------------------------------------

    async def whoami(self, request: Request) -> Response:
        user = self.user(request, required=True)
        return JSONResponse({
            "type": "user", "id": hashlib.sha1(user.name.encode()).hexdigest()[:24], "name": user.name,
            "fullname": user.name, "isPro": False, "canPay": False,
            "orgs": [{"type": "org", "name": o, "fullname": o} for o in user.orgs],
            "auth": {"type": "access_token", "accessToken": {"displayName": "test", "role": user.role}},
        })

    async def create_repo(self, request: Request) -> Response:
        user = self.user(request, required=True)
        body = await request.json()
        repo_type = body.get("type") or "model"
        repo_id = f"{body.get('organization') or user.name}/{body['name']}"
        if not user.owns(repo_id) or user.role != "write":
            raise StoreError(403, f"You don't have the rights to create a repo under {repo_id.split('/')[0]}")
        private = body.get("visibility", "private" if body.get("private") else "public") == "private"
        url = f"{str(request.base_url).rstrip('/')}/{PREFIX[repo_type]}{repo_id}"
        try:
            self.store.create_repo(repo_type, repo_id, private, author=user.name)
        except StoreError as exc:
            return JSONResponse({"error": str(exc), "url": url}, status_code=exc.status)
        return JSONResponse({"url": url, "name": repo_id, "id": repo_id})

    async def validate_yaml(self, request: Request) -> Response:
        content = (await request.json()).get("content", "")
        match = re.match(r"^---\s*\n(.*?)\n---\s*(\n|$)", content, re.S)
        try:
            data = yaml.safe_load(match.group(1)) if match else {}
        except yaml.YAMLError as exc:
            return JSONResponse({"errors": [{"message": f"Invalid YAML: {exc}"}], "warnings": []}, status_code=400)
        if not isinstance(data, dict):
            return JSONResponse({"errors": [{"message": "metadata must be a mapping"}], "warnings": []},
                                status_code=400)
        warnings = [] if data else [{"message": "empty or missing yaml metadata in repo card"}]
        return JSONResponse({"errors": [], "warnings": warnings})

    async def repo_info(self, request: Request, t: str, ns: str, name: str, rev: str = "main") -> Response:
        repo = self.readable(request, t, ns, name)
        commit = repo.resolve(rev)
        return JSONResponse({
            "id": repo.id, "author": ns, "sha": commit.oid, "private": repo.private, "gated": False,
            "disabled": False, "downloads": 0, "likes": 0, "tags": [], "createdAt": repo.created_at,
            "lastModified": commit.date, "cardData": card_data(self.store, commit),
            "siblings": [{"rfilename": p} for p in sorted(commit.files)],
        })

    # --- upload and commit -----------------------------------------------------------------

    async def preupload(self, request: Request, t: str, ns: str, name: str, rev: str) -> Response:
        repo, _ = self.writable(request, t, ns, name)
        commit = repo.resolve(rev)
        out = []
        for f in (await request.json())["files"]:
            mode = self.store.upload_mode(commit, f["path"], f["size"], base64.b64decode(f["sample"]))
            existing = commit.files.get(f["path"])
            oid = None if existing is None else (existing.lfs.oid if existing.lfs else existing.oid)
            out.append({"path": f["path"], "uploadMode": mode, "shouldIgnore": False, "oid": oid})
        return JSONResponse({"files": out, "commitOid": commit.oid})

    async def lfs_batch(self, request: Request, ns: str, name: str, t: str = "") -> Response:
        repo, _ = self.writable(request, t, ns, name)
        body = await request.json()
        if body.get("operation") != "upload" or "basic" not in body.get("transfers", ["basic"]):
            raise StoreError(400, "only the 'upload' operation with the 'basic' transfer is supported")
        hub = str(request.base_url).rstrip("/")
        objects = []
        for obj in body["objects"]:
            item: dict[str, Any] = {"oid": obj["oid"], "size": obj["size"], "authenticated": True}
            if not self.store.has_lfs(obj["oid"], obj["size"]):
                ticket = secrets.token_urlsafe(16)
                self.tickets[ticket] = (obj["oid"], obj["size"])
                item["actions"] = {
                    "upload": {"href": f"{self.cdn}/lfs-upload/{obj['oid']}?ticket={ticket}", "expires_in": 3600},
                    "verify": {"href": f"{hub}/{PREFIX[repo.type]}{repo.id}.git/info/lfs/objects/verify"},
                }
            objects.append(item)
        return JSONResponse({"transfer": "basic", "objects": objects, "hash_algo": "sha256"},
                            media_type="application/vnd.git-lfs+json")

    async def lfs_upload(self, request: Request, oid: str) -> Response:
        ticket = self.tickets.pop(request.query_params.get("ticket", ""), None)
        if ticket is None or ticket[0] != oid:
            raise StoreError(403, "upload URL is not signed for this object")
        tmp = self.store.incoming(f"{oid}.{secrets.token_hex(4)}")
        with tmp.open("wb") as f:
            async for chunk in request.stream():
                f.write(chunk)
        self.store.accept_lfs(tmp, oid, ticket[1])
        return Response(status_code=200, headers={"ETag": f'"{oid}"'})

    async def lfs_verify(self, request: Request, ns: str, name: str, t: str = "") -> Response:
        self.writable(request, t, ns, name)
        body = await request.json()
        if not self.store.has_lfs(body["oid"], body["size"]):
            raise StoreError(404, f"LFS object {body['oid']} of size {body['size']} was not uploaded")
        return JSONResponse({"success": True})

    async def commit(self, request: Request, t: str, ns: str, name: str, rev: str) -> Response:
        repo, user = self.writable(request, t, ns, name)
        if rev not in repo.branches:
            status = 400 if rev in repo.tags else 404
            raise StoreError(status, f"Invalid rev id: {rev} is not a branch", "RevisionNotFound")
        header: dict[str, Any] = {}
        additions: list[Addition] = []
        deletions: list[str] = []
        for line in (await request.body()).decode().splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            key, value = item["key"], item["value"]
            if key == "header":
                header = value
            elif key == "file":
                if value.get("encoding", "base64") != "base64":
                    raise StoreError(400, f"unsupported encoding {value.get('encoding')!r} for {value['path']}")
                additions.append(Addition(path=value["path"], content=base64.b64decode(value["content"])))
            elif key == "lfsFile":
                if not self.store.has_lfs(value["oid"], value.get("size")):
                    raise StoreError(422, f"Your push was rejected because an LFS pointer pointed to a file that "
                                          f"does not exist: {value['path']} ({value['oid']})")
                additions.append(Addition(path=value["path"], lfs_oid=value["oid"]))
            elif key in ("deletedFile", "deletedFolder"):
                deletions.append(value["path"])
            else:
                raise StoreError(400, f"unknown commit operation {key!r}")
        if not header.get("summary"):
            raise StoreError(400, "the commit has no header with a summary")
        commit = self.store.commit(repo, rev, additions, deletions=deletions, title=header["summary"],
                                   description=header.get("description", ""), author=user.name,
                                   parent=header.get("parentCommit"))
        hub = str(request.base_url).rstrip("/")
        return JSONResponse({"success": True, "commitOid": commit.oid, "pullRequestUrl": None,
                             "commitUrl": f"{hub}/{PREFIX[repo.type]}{repo.id}/commit/{commit.oid}"})

    # --- refs --------------------------------------------------------------------------------

    async def create_tag(self, request: Request, t: str, ns: str, name: str, rev: str) -> Response:
        repo, _ = self.writable(request, t, ns, name)
        body = await request.json()
        self.store.create_tag(repo, rev, body["tag"])
        return JSONResponse({"success": True})

    async def delete_tag(self, request: Request, t: str, ns: str, name: str, tag: str) -> Response:
        repo, _ = self.writable(request, t, ns, name)
        self.store.delete_tag(repo, tag)
        return JSONResponse({"success": True})

    async def refs(self, request: Request, t: str, ns: str, name: str) -> Response:
        repo = self.readable(request, t, ns, name)

        def refs(kind: str, names: dict[str, str]) -> list[dict[str, str]]:
            return [{"name": n, "ref": f"refs/{kind}/{n}", "targetCommit": oid} for n, oid in sorted(names.items())]

        out = {"branches": refs("heads", repo.branches), "tags": refs("tags", repo.tags), "converts": []}
        if request.query_params.get("include_prs"):
            out["pullRequests"] = []
        return JSONResponse(out)

    async def commits(self, request: Request, t: str, ns: str, name: str, rev: str) -> Response:
        repo = self.readable(request, t, ns, name)
        return JSONResponse([
            {"id": c.oid, "title": c.title, "message": c.description, "date": c.date,
             "authors": [{"user": c.author}]}
            for c in repo.history(repo.resolve(rev))
        ])

    # --- reading -----------------------------------------------------------------------------

    def listing(self, repo: Repo, commit: Commit, path: str, recursive: bool, expand: bool) -> list[dict[str, Any]]:
        """The tree API's entries under `path`: files and folders, one level or all."""
        prefix = f"{path.strip('/')}/" if path.strip("/") else ""
        last = repo.last_commits(commit) if expand else {}
        under = [e for p, e in commit.files.items() if p.startswith(prefix)]
        if prefix and not under:
            if path.strip("/") in commit.files:
                raise StoreError(400, f"{path} is a file, not a directory")
            raise StoreError(404, f"Entry not found: {path}", "EntryNotFound")
        folders: dict[str, list[FileEntry]] = {}
        files = []
        for e in under:
            parts = e.path[len(prefix):].split("/")
            for depth in range(1, len(parts) if recursive else min(2, len(parts))):
                folders.setdefault(prefix + "/".join(parts[:depth]), []).append(e)
            if recursive or len(parts) == 1:
                files.append(entry_json(e, last.get(e.path)))
        return sorted([folder_json(p, fs) for p, fs in folders.items()] + files, key=lambda d: d["path"])

    async def tree(self, request: Request, t: str, ns: str, name: str, rev: str, path: str = "") -> Response:
        repo = self.readable(request, t, ns, name)
        q = request.query_params
        flag = lambda key: q.get(key, "").lower() in ("1", "true")  # noqa: E731
        return JSONResponse(self.listing(repo, repo.resolve(rev), path, flag("recursive"), flag("expand")))

    async def paths_info(self, request: Request, t: str, ns: str, name: str, rev: str) -> Response:
        repo = self.readable(request, t, ns, name)
        commit = repo.resolve(rev)
        form = parse_qs((await request.body()).decode())
        expand = form.get("expand", ["False"])[0].lower() in ("1", "true")
        last = repo.last_commits(commit) if expand else {}
        out = []
        for path in form.get("paths", []):
            path = path.strip("/")
            if path in commit.files:
                out.append(entry_json(commit.files[path], last.get(path)))
            else:
                inside = [e for p, e in commit.files.items() if p.startswith(path + "/")]
                if inside:
                    out.append(folder_json(path, inside))
        return JSONResponse(out)

    async def resolve(self, request: Request, ns: str, name: str, rev: str, path: str, t: str = "") -> Response:
        repo = self.readable(request, t, ns, name)
        commit = repo.resolve(rev)
        entry = commit.files.get(path)
        headers = {"X-Repo-Commit": commit.oid}
        if entry is None:
            exc = StoreError(404, "Entry not found", "EntryNotFound")
            response = error(exc)
            response.headers.update(headers)
            return response
        headers["ETag"] = f'"{entry.oid}"'
        if entry.lfs:
            headers.update({"Location": f"{self.cdn}/cdn/{entry.lfs.oid}", "X-Linked-Etag": f'"{entry.lfs.oid}"',
                            "X-Linked-Size": str(entry.lfs.size), "Content-Length": "0"})
            return Response(status_code=302, headers=headers)
        return FileResponse(self.store.blob_path(entry), headers=headers, media_type="application/octet-stream")

    async def cdn_file(self, request: Request, oid: str) -> Response:
        if not self.store.has_lfs(oid):
            raise StoreError(404, "NoSuchKey")
        return FileResponse(self.store.lfs_path(oid), headers={"ETag": f'"{oid}"'},
                            media_type="application/octet-stream")


def make_app(hub: HubApp) -> Starlette:
    methods = ["GET", "HEAD", "POST", "PUT", "DELETE"]
    return Starlette(routes=[Route("/{path:path}", hub.dispatch, methods=methods)])


def bind() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class HubServer:
    """The app on two free ports (Hub endpoint and CDN origin), served by uvicorn in a thread."""

    def __init__(self, storage: Path, tokens: dict[str, User]):
        self.hub_socket, self.cdn_socket = bind(), bind()
        self.endpoint = f"http://127.0.0.1:{self.hub_socket.getsockname()[1]}"
        self.app = HubApp(Store(storage), tokens)
        self.app.cdn = f"http://127.0.0.1:{self.cdn_socket.getsockname()[1]}"
        config = uvicorn.Config(make_app(self.app), log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._run, daemon=True, name="test-hub")

    @property
    def store(self) -> Store:
        return self.app.store

    def _run(self) -> None:
        asyncio.run(self.server.serve(sockets=[self.hub_socket, self.cdn_socket]))

    def __enter__(self) -> HubServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test Hub server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def parse_token(spec: str) -> tuple[str, User]:
    """`TOKEN:USER[:ORG,ORG...][:read]`."""
    token, user, *rest = spec.split(":")
    orgs = rest[0].split(",") if rest and rest[0] else []
    return token, User(name=user, orgs=orgs, role=rest[1] if len(rest) > 1 else "write")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--storage", type=Path, required=True)
    parser.add_argument("--token", action="append", default=[], help="TOKEN:USER[:ORG,...][:read]")
    args = parser.parse_args()
    with HubServer(args.storage, dict(parse_token(t) for t in args.token)) as hub:
        print(f"HF_ENDPOINT={hub.endpoint} (LFS origin {hub.app.cdn})", flush=True)
        try:
            hub.thread.join()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
