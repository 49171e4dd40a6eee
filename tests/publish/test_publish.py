"""`builder publish` against the local Hub: versions load with `datasets`, tags never move, the token never leaks."""

import json
from pathlib import Path

import pytest

from builder.errors import UserError
from builder.export.dataset import split_of
from builder.publish.contents import ReleaseFile
from builder.publish.hub import _stale_data_files
from builder.publish.publisher import publish_run
from tests.hub.fixtures import TOKEN, builder, hub_env, run_python

REPO = "acme/retail-tools"


@pytest.fixture(scope="module")
def published(runs, hub_server, tmp_path_factory) -> dict:
    """Run a as v1.0.0, then run b as v1.0.1, through the CLI; every CLI output is kept for the leak check."""
    home = tmp_path_factory.mktemp("hf-home")
    env = hub_env(hub_server, home)
    outputs = []
    for run, version, extra in (("a", "1.0.0", ()), ("b", "1.0.1", ("--message", "Second release"))):
        result = builder("publish", str(runs[run]), "--repo", REPO, "--version", version, *extra, env=env)
        assert result.returncode == 0, result.stderr
        outputs.append(result)
    return {"env": env, "home": home, "outputs": outputs}


LOAD = r'''
import json, sys, datasets
repo, runs, cache = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
out = {}
for tag, run in runs.items():
    for config in ("trajectories", "messages", "blueprints"):
        hub = datasets.load_dataset(repo, config, revision=tag, split="train").to_list()
        # each local folder gets its own cache: datasets' cache key for local folders can collide
        local = datasets.load_dataset(f"{run}/dataset", config, split="train", cache_dir=f"{cache}/{tag}").to_list()
        out[f"{tag}/{config}"] = {"rows": len(hub), "same": hub == local, "ids": [r["id"] for r in hub]}
print(json.dumps(out))
'''


def test_each_version_loads_with_datasets_and_holds_exactly_its_runs_rows(published, runs, tmp_path):
    versions = json.dumps({"v1.0.0": str(runs["a"]), "v1.0.1": str(runs["b"])})
    out = run_python(LOAD, published["env"], REPO, versions, str(tmp_path))
    for key, got in out.items():
        assert got["same"], f"{key}: the Hub's rows differ from the run's dataset"
        assert got["rows"] > 0
    assert out["v1.0.0/trajectories"]["ids"] != out["v1.0.1/trajectories"]["ids"]
    assert out["v1.0.0/trajectories"]["ids"] == out["v1.0.0/messages"]["ids"]


def test_a_release_is_one_commit_and_one_tag_with_the_card_and_the_parquet_files(published, hub_server):
    repo = hub_server.store.repo("dataset", REPO)
    history = [c.title for c in repo.history(repo.resolve("main"))]
    assert history == ["Second release", "Release v1.0.0", "initial commit"]
    assert repo.tags["v1.0.1"] == repo.branches["main"]
    assert repo.commits[repo.tags["v1.0.0"]].title == "Release v1.0.0"
    for tag in ("v1.0.0", "v1.0.1"):
        files = repo.resolve(tag).files
        data = sorted(p for p in files if p.endswith(".parquet"))
        assert sorted(set(files) - set(data)) == [".gitattributes", "README.md"]
        assert [(p.split("/")[0], split_of(p.split("/")[1])) for p in data] == [
            ("blueprints", "train"), ("messages", "train"), ("trajectories", "train")]
        assert all(e.lfs is not None for p, e in files.items() if p.endswith(".parquet"))
        card = hub_server.store.blob_path(files["README.md"]).read_text()
        assert card.startswith("---\n") and REPO in card and f'revision="{tag}"' in card
    trajectories = {tag: [p for p in repo.resolve(tag).files if p.startswith("trajectories/")] for tag in ("v1.0.0", "v1.0.1")}
    assert trajectories["v1.0.0"] != trajectories["v1.0.1"]  # other rows, another file: the old one was deleted
    out = published["outputs"][1].stdout
    assert f"Published {REPO} v1.0.1" in out and 'revision="v1.0.1"' in out


def test_an_existing_tag_is_refused_before_anything_is_uploaded(published, runs, hub_server):
    repo = hub_server.store.repo("dataset", REPO)
    commits, seen = dict(repo.commits), len(hub_server.app.requests)
    result = builder("publish", str(runs["b"]), "--repo", REPO, "--version", "1.0.0", env=published["env"])
    published["outputs"].append(result)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{REPO} already has the tag v1.0.0" in result.stderr
    calls = hub_server.app.requests[seen:]
    writes = ("preupload", "lfs_batch", "lfs_upload", "commit", "create_tag")
    assert not any(c.split()[1] in writes for c in calls), calls
    assert repo.commits == commits


def test_to_dir_writes_exactly_what_was_committed(published, runs, hub_server, tmp_path):
    result = publish_run(runs["a"], repo_id=REPO, version="1.0.0", to_dir=tmp_path / "release")
    assert result.hub is None
    written = {p.relative_to(tmp_path / "release").as_posix(): p.read_bytes()
               for p in (tmp_path / "release").rglob("*") if p.is_file()}
    committed = hub_server.store.repo("dataset", REPO).resolve("v1.0.0").files
    assert written == {path: hub_server.store.blob_path(e).read_bytes()
                       for path, e in committed.items() if path != ".gitattributes"}
    with pytest.raises(UserError, match="not an empty folder"):
        publish_run(runs["a"], repo_id=REPO, version="1.0.0", to_dir=tmp_path / "release")


def test_private_releases(published, runs, hub_server):
    result = builder("publish", str(runs["a"]), "--repo", "alice/private-tools", "--version", "0.1.0", "--private",
                     env=published["env"])
    published["outputs"].append(result)
    assert result.returncode == 0, result.stderr
    assert hub_server.store.repo("dataset", "alice/private-tools").private
    # a release meant to be private never goes into an existing public repo
    refused = builder("publish", str(runs["a"]), "--repo", REPO, "--version", "2.0.0", "--private",
                      env=published["env"])
    published["outputs"].append(refused)
    assert refused.returncode == 2 and f"{REPO} exists and is public" in refused.stderr
    assert "v2.0.0" not in hub_server.store.repo("dataset", REPO).tags


def test_an_unreachable_hub_is_a_failure_naming_the_endpoint(published, runs, hub_server):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    result = builder("publish", str(runs["a"]), "--repo", REPO, "--version", "3.0.0",
                     env={**published["env"], "HF_ENDPOINT": dead})
    published["outputs"].append(result)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"publish failed: cannot reach the Hugging Face Hub at {dead} (HF_ENDPOINT)" in result.stderr


def test_the_token_is_never_printed_nor_written(published, runs, hub_server):
    # runs last in this module: every CLI run above appended its output
    assert len(published["outputs"]) >= 5
    for result in published["outputs"]:
        assert TOKEN not in result.stdout and TOKEN not in result.stderr
    roots = [hub_server.store.root, published["home"], runs["a"], runs["b"]]
    leaked = [p for root in roots for p in Path(root).rglob("*") if p.is_file() and TOKEN.encode() in p.read_bytes()]
    assert leaked == []


def test_a_release_replaces_the_shards_of_older_versions_only_in_its_configs():
    existing = [".gitattributes", "README.md", "trajectories/train-00000-of-00002.parquet",
                "trajectories/train-00001-of-00002.parquet", "blueprints/train-00000-of-00001.parquet",
                "extras/notes.parquet", "images/funnel.png"]
    files = [ReleaseFile(path_in_repo="README.md", content=b""),
             ReleaseFile(path_in_repo="trajectories/train-00000-of-00001.parquet", content=b""),
             ReleaseFile(path_in_repo="blueprints/train-00000-of-00001.parquet", content=b"")]
    assert _stale_data_files(existing, files) == ["trajectories/train-00000-of-00002.parquet",
                                                  "trajectories/train-00001-of-00002.parquet"]
