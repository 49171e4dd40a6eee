"""Bad input through the real CLI: a message naming the problem and the fix, exit 2, no traceback,
and nothing written (or published) on the way out."""

import json
import shutil
import socket
from pathlib import Path

import pytest

from builder.config import parse_config
from builder.run.folder import prepare_run
from tests.build_runs import ROOT, http_roles, run_cli, run_main, unwrap, write_config


def user_error(code: int, stderr: str) -> str:
    assert code == 2, stderr
    assert "Traceback" not in stderr
    return stderr


def closed_port() -> int:
    """A localhost port nobody listens on (bound once, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unknown_config_key_is_named_with_the_nearest_known_one(tmp_path):
    config = write_config(tmp_path / "build.yaml", domain="retail", taks=5, interplay={"atempts": 2})
    result = run_cli("build", "--config", str(config), "--out", str(tmp_path / "run"))  # the console script's way
    err = user_error(result.returncode, unwrap(result.stderr))
    assert "taks: unknown field; did you mean 'tasks'?" in err
    assert "interplay.atempts: unknown field; did you mean 'attempts'?" in err
    assert not (tmp_path / "run").exists()


def test_wrong_type_names_the_field_and_the_value(tmp_path):
    config = write_config(tmp_path / "build.yaml", tasks="many", roles={"agent": {"concurrency": "lots"}})
    err = user_error(*run_main("build", "--config", str(config), "--out", str(tmp_path / "run"))[::2])
    assert "tasks: Input should be a valid integer" in err and "(got 'many')" in err
    assert "roles.agent.concurrency: Input should be a valid integer" in err and "(got 'lots')" in err
    assert not (tmp_path / "run").exists()


def test_unknown_domain_lists_the_known_ones(tmp_path):
    err = user_error(*run_main("build", "--domain", "retial", "--out", str(tmp_path / "run"))[::2])
    assert "unknown domain 'retial'" in err and "retail" in err and "builder domains list" in err
    assert not (tmp_path / "run").exists()


def test_unknown_backend_lists_the_known_ones(tmp_path):
    config = write_config(tmp_path / "build.yaml", roles={"reviewers": [{"backend": "simulator"}, {"backend": "gpt4:x"}]})
    err = user_error(*run_main("build", "--config", str(config), "--out", str(tmp_path / "run"))[::2])
    assert "roles.reviewers.1.backend: unknown backend 'gpt4'" in err and "'openai'" in err and "KIND:MODEL" in err


def test_missing_api_key_variable_names_the_variable_and_the_role(tmp_path, monkeypatch):
    monkeypatch.delenv("BUILDER_TEST_NO_SUCH_KEY", raising=False)
    roles = {"agent": {"backend": "openai:gpt-4o-mini", "api_key_env": "BUILDER_TEST_NO_SUCH_KEY"}}
    config = write_config(tmp_path / "build.yaml", roles=roles)
    err = user_error(*run_main("build", "--config", str(config), "--out", str(tmp_path / "run"))[::2])
    assert "role 'agent'" in err and "BUILDER_TEST_NO_SUCH_KEY is not set" in err and "export BUILDER_TEST_NO_SUCH_KEY=" in err
    assert not (tmp_path / "run").exists()


def test_unreachable_endpoint_is_refused_before_the_build_starts(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}/v1"
    config = write_config(tmp_path / "build.yaml", roles=http_roles(url))
    err = user_error(*run_main("build", "--config", str(config), "--out", str(tmp_path / "run"))[::2])
    assert f"cannot reach {url}" in err and "Connection refused" in err
    assert "roles generator, reviewer_0" in err and "Start the server there, or fix base_url" in err
    assert not (tmp_path / "run").exists()


def test_unreachable_ray_cluster_is_refused_at_once(tmp_path):
    address = f"127.0.0.1:{closed_port()}"
    err = user_error(*run_main("build", "--ray-address", address, "--tasks", "2", "--out", str(tmp_path / "run"))[::2])
    try:
        import ray  # noqa: F401
    except ImportError:
        assert "--ray needs Ray, which is not installed: pip install 'builder[ray]'" in err
    else:
        assert f"cannot connect to the Ray cluster at --ray-address {address}" in err and "ray start --head" in err
    assert not (tmp_path / "run").exists()


def test_a_run_folder_of_another_config_is_not_mixed_into(tmp_path):
    run = tmp_path / "run"
    prepare_run(run, parse_config({"domain": "retail", "tasks": 3, "seed": 1}))  # what a build writes first
    before = (run / "config.yaml").read_text()
    err = user_error(*run_main("build", "--domain", "retail", "--tasks", "4", "--seed", "1", "--out", str(run))[::2])
    assert "holds a run made with a different config; differs in: tasks (3 in the folder, 4 now)" in err
    assert "Use a new --out folder, or resume that run with" in err and f"--config {run / 'config.yaml'}" in err
    assert (run / "config.yaml").read_text() == before and sorted(p.name for p in run.iterdir()) == ["config.yaml"]


def copy_of_retail(tmp_path: Path, corrupt) -> str:
    """The built-in retail domain as a custom package `brokendata_N.retail` whose db.json is
    `corrupt(text)`; returns its domain name for --domain."""
    pkg = tmp_path / f"brokendata_{corrupt.__name__}"
    (pkg / "retail" / "data").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    for name in ("__init__.py", "policy.md"):
        shutil.copy(ROOT / "domains" / "retail" / name, pkg / "retail" / name)
    source = (ROOT / "domains" / "retail" / "data" / "db.json").read_text()
    (pkg / "retail" / "data" / "db.json").write_text(corrupt(source))
    return f"{pkg.name}.retail:build_domain"


def wrong_type(text: str) -> str:
    data = json.loads(text)
    user = next(iter(data["users"].values()))
    user["first_name"] = ["not", "a", "name"]
    return json.dumps(data)


def cut_short(text: str) -> str:
    return text[: len(text) // 2]


@pytest.mark.parametrize("corrupt, says", [
    (wrong_type, "/data/db.json: users/{user}: field 'first_name': Input should be a valid string"),
    (cut_short, "cannot read database file {path}"),
])
def test_malformed_domain_data_names_the_file_and_the_record(tmp_path, monkeypatch, corrupt, says):
    monkeypatch.syspath_prepend(str(tmp_path))
    domain = copy_of_retail(tmp_path, corrupt)
    path = tmp_path / domain.split(".")[0] / "retail" / "data" / "db.json"
    user = next(iter(json.loads((ROOT / "domains" / "retail" / "data" / "db.json").read_text())["users"]))
    err = user_error(*run_main("build", "--domain", domain, "--tasks", "2", "--out", str(tmp_path / "run"))[::2])
    assert says.format(user=user, path=path) in err
    assert str(path) in err
    assert not (tmp_path / "run").exists()


def test_publishing_an_unfinished_run_is_refused_and_nothing_is_written(tmp_path):
    run = tmp_path / "run"
    prepare_run(run, parse_config({"domain": "retail", "tasks": 3}))  # a build killed before it finished
    release = tmp_path / "release"
    err = user_error(*run_main("publish", str(run), "--version", "1.0.0", "--to-dir", str(release))[::2])
    assert "did not finish" in err and f"builder build --config {run / 'config.yaml'} --out {run}" in err
    assert not release.exists()


def test_the_old_simulator_section_says_where_the_rates_went(tmp_path):
    config = write_config(tmp_path / "build.yaml", simulator={"user_drift": 0.1})
    result = run_cli("build", "--config", str(config), "--out", str(tmp_path / "run"))
    err = user_error(result.returncode, unwrap(result.stderr))
    assert "simulator: no longer a setting" in err and "roles.ROLE.backend_options" in err
    assert not (tmp_path / "run").exists()
