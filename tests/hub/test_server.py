"""The local Hub server against the real huggingface_hub and datasets clients (in subprocesses)."""

import json

import httpx

from tests.hub.fixtures import OTHER_TOKEN, TOKEN, hub_env, hub_server, run_python  # noqa: F401
from tests.hub.store import Store

SNAPSHOTS = r'''
import json, os, tempfile
import pyarrow as pa, pyarrow.parquet as pq
from huggingface_hub import CommitOperationAdd, HfApi, HfFileSystem, hf_hub_download
from huggingface_hub.errors import HfHubHTTPError
import datasets

api, repo, out = HfApi(), "alice/snapshots", {}
api.create_repo(repo, repo_type="dataset")
card = b"---\nconfigs:\n- config_name: default\n  data_files: data/*.parquet\n---\n# test\n"
for tag, values in (("v1", [1, 2, 3]), ("v2", [4, 5])):
    part = os.path.join(tempfile.mkdtemp(), "part.parquet")
    pq.write_table(pa.table({"a": values}), part)
    ops = [CommitOperationAdd("data/train.parquet", part)]
    if tag == "v1":
        ops.append(CommitOperationAdd("README.md", card))
    api.create_commit(repo, ops, commit_message=f"release {tag}", repo_type="dataset")
    api.create_tag(repo, tag=tag, repo_type="dataset")
try:
    api.create_tag(repo, tag="v1", repo_type="dataset")
    out["retag"] = "accepted"
except HfHubHTTPError as exc:
    out["retag"] = exc.response.status_code
out["downloaded"], out["loaded"] = {}, {}
for tag in ("v1", "v2"):
    path = hf_hub_download(repo, "data/train.parquet", repo_type="dataset", revision=tag)
    out["downloaded"][tag] = pq.read_table(path)["a"].to_pylist()
    out["loaded"][tag] = [r["a"] for r in datasets.load_dataset(repo, revision=tag, split="train")]
fs = HfFileSystem()
out["ls"] = [(e["name"], e["type"]) for e in fs.ls(f"datasets/{repo}@v1", detail=True)]
with fs.open(f"datasets/{repo}@v1/data/train.parquet", "rb", block_size=4) as f:
    out["magic"] = f.read(4).decode()
info = HfFileSystem(skip_instance_cache=True).info(f"datasets/{repo}@v2/data/train.parquet", expand_info=True)
out["info"] = {"size": info["size"], "lfs": info["lfs"]["sha256"], "last_commit": info["last_commit"].title}
out["tags"] = sorted(t.name for t in api.list_repo_refs(repo, repo_type="dataset").tags)
out["commits"] = [c.title for c in api.list_repo_commits(repo, repo_type="dataset")]
print(json.dumps(out))
'''


def test_commits_are_snapshots_tags_keep_serving_and_parquet_goes_through_lfs(hub_server, tmp_path):
    hub = hub_server
    start = len(hub.app.requests)
    out = run_python(SNAPSHOTS, hub_env(hub, tmp_path / "home"))
    assert out["retag"] == 409
    assert out["downloaded"] == {"v1": [1, 2, 3], "v2": [4, 5]}
    assert out["loaded"] == {"v1": [1, 2, 3], "v2": [4, 5]}
    assert out["ls"] == [["datasets/alice/snapshots@v1/.gitattributes", "file"],
                         ["datasets/alice/snapshots@v1/README.md", "file"],
                         ["datasets/alice/snapshots@v1/data", "directory"]]
    assert out["magic"] == "PAR1"
    assert out["tags"] == ["v1", "v2"]
    assert out["commits"] == ["release v2", "release v1", "initial commit"]

    repo = hub.store.repo("dataset", "alice/snapshots")
    v1, v2 = repo.resolve("v1").files, repo.resolve("v2").files
    assert v1["data/train.parquet"].lfs and v2["data/train.parquet"].lfs
    assert v1["data/train.parquet"].lfs.oid != v2["data/train.parquet"].lfs.oid
    assert v1["README.md"].lfs is None and v1["README.md"] == v2["README.md"]
    assert out["info"] == {"size": v2["data/train.parquet"].size, "lfs": v2["data/train.parquet"].lfs.oid,
                           "last_commit": "release v2"}
    calls = set(hub.app.requests[start:])
    # the LFS upload protocol ran, and downloads of LFS files went through the CDN redirect
    assert {"POST preupload", "POST lfs_batch", "PUT lfs_upload", "POST lfs_verify", "POST commit",
            "HEAD resolve", "GET cdn_file", "POST paths_info"} <= calls

    reopened = Store(hub.store.root)  # a restarted server finds the same history
    assert reopened.repo("dataset", "alice/snapshots") == repo


PRIVATE = r'''
import json, os
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError
out = {}
HfApi(token=os.environ["OWNER"]).create_repo("acme/secret", repo_type="dataset", private=True)
for who, token in (("owner", os.environ["OWNER"]), ("other", os.environ["OTHER"]), ("anonymous", False)):
    try:
        out[who] = HfApi(token=token).dataset_info("acme/secret").private
    except RepositoryNotFoundError:
        out[who] = "not found"
try:
    HfApi(token="hf_not_a_token").whoami()
except HfHubHTTPError as exc:
    out["bad_token"] = exc.response.status_code
print(json.dumps(out))
'''


def test_private_repos_are_invisible_outside_their_namespace(hub_server, tmp_path):
    env = hub_env(hub_server, tmp_path / "home", token=None, OWNER=TOKEN, OTHER=OTHER_TOKEN)
    out = run_python(PRIVATE, env)
    assert out == {"owner": True, "other": "not found", "anonymous": "not found", "bad_token": 401}


def test_refusals_a_client_relies_on(hub_server):
    """Raw HTTP for what the clients only meet on error paths: stale parent, missing LFS object, 404 kinds."""
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=hub_server.endpoint, headers=auth) as http:
        assert http.post("/api/repos/create", json={"name": "raw", "type": "dataset"}).status_code == 200
        head = http.get("/api/datasets/alice/raw/refs").json()["branches"][0]["targetCommit"]

        def commit(*lines):
            body = "\n".join(json.dumps(x) for x in [{"key": "header", "value": {"summary": "s"}}, *lines])
            return http.post("/api/datasets/alice/raw/commit/main", content=body,
                             headers={"Content-Type": "application/x-ndjson"})

        missing = {"key": "lfsFile", "value": {"path": "x.parquet", "algo": "sha256", "oid": "0" * 64, "size": 3}}
        assert commit(missing).status_code == 422
        ok = commit({"key": "file", "value": {"path": "a.txt", "content": "aGk=", "encoding": "base64"}})
        assert ok.status_code == 200
        stale = {"key": "header", "value": {"summary": "s", "parentCommit": head}}
        body = json.dumps(stale) + "\n"
        assert http.post("/api/datasets/alice/raw/commit/main", content=body).status_code == 412

        gone = http.head("/datasets/alice/raw/resolve/main/nope.txt")
        assert gone.status_code == 404 and gone.headers["X-Error-Code"] == "EntryNotFound"
        assert gone.headers["X-Repo-Commit"] == ok.json()["commitOid"]
        assert http.get("/datasets/alice/raw/resolve/v9/a.txt").headers["X-Error-Code"] == "RevisionNotFound"
        assert http.get("/datasets/alice/raw/resolve/main/a.txt").content == b"hi"
        ranged = http.get("/datasets/alice/raw/resolve/main/a.txt", headers={"Range": "bytes=1-1"})
        assert ranged.status_code == 206 and ranged.content == b"i"
    anonymous = httpx.post(f"{hub_server.endpoint}/api/repos/create", json={"name": "x", "type": "dataset"})
    assert anonymous.status_code == 401
