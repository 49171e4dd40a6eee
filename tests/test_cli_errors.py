"""Bad input through the real CLI: a message naming the problem and the fix, exit 2, no traceback,
and nothing written (or published) on the way out."""

import json
import os
import shutil
import socket
from pathlib import Path

import pytest

from builder.config import parse_config
from builder.run.folder import prepare_run
from tests.build_runs import ROOT, http_roles, read_only, run_cli, run_main, unwrap, write_config


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


@pytest.mark.parametrize("args, message", [
    (("--tasks",), "No such option: --tasks"),
    (("build", "--tasks", "5"), "Missing option '--out'"),
    (("build", "--tasks", "ten", "--out", "x"), "Invalid value for '--tasks'"),
    (("build", "--out"), "Option '--out' requires an argument"),
    (("bild",), "No such command 'bild'"),
    (("stats",), "Missing argument 'run_dir'"),
])
def test_usage_errors_print_usage_and_exit_2(args, message):
    result = run_cli(*args)
    err = user_error(result.returncode, result.stderr)
    assert f"Error: {message}" in err


@pytest.mark.parametrize("args", [(), ("domains",), ("simulator",)])
def test_a_command_group_alone_prints_its_help_and_exits_2(args):
    result = run_cli(*args)  # the help goes where typer's rich help goes (stdout), as with --help
    user_error(result.returncode, result.stderr)
    assert f"Usage: builder {' '.join(args)}".rstrip() in unwrap(result.stdout) and "Commands" in result.stdout


def test_an_out_folder_that_cannot_be_one_is_named(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    cases = {
        tmp_path / "file": "--out {out} is a file, not a folder",
        tmp_path / "file" / "run": "cannot create the run folder --out {out}: Not a directory (ENOTDIR)",
    }
    with read_only(tmp_path / "ro") as folder:
        cases[folder / "run"] = "cannot create the run folder --out {out}: "
        for out, says in cases.items():
            result = run_cli("build", "--tasks", "2", "--out", str(out))
            assert says.format(out=out) in unwrap(user_error(result.returncode, result.stderr))
        assert list(folder.iterdir()) == []


def test_yaml_true_is_not_a_number_and_a_key_is_given_once(tmp_path):
    config = tmp_path / "build.yaml"
    config.write_text("seed: true\nroles:\n  agent: {temperature: true}\n  reviewers: [{max_retries: false}]\n"
                      "interplay: {keep_all_successes: true}\n")
    result = run_cli("build", "--config", str(config), "--out", str(tmp_path / "run"))
    err = user_error(result.returncode, result.stderr)
    assert "seed: expected a number, got true (write the number itself)" in err
    assert "roles.agent.temperature: expected a number, got true" in err
    assert "roles.reviewers.0.max_retries: expected a number, got false" in err
    assert "keep_all_successes" not in err  # a real boolean
    config.write_text("domain: retail\ntasks: 3\ninterplay:\n  attempts: 2\n  attempts: 3\n")
    result = run_cli("build", "--config", str(config), "--out", str(tmp_path / "run"))
    err = unwrap(user_error(result.returncode, result.stderr))
    assert f"config file {config} is not valid YAML: key 'attempts' is given twice (lines 4 and 5); keep one" in err
    assert not (tmp_path / "run").exists()


CUSTOM_DOMAIN = """\
import sys
from domains.retail import build_domain
number = 3
def nothing(): return None
def raises(): raise ValueError("table 'users' is empty")
def exits(): sys.exit(0)
"""


@pytest.mark.parametrize("domain, says", [
    ("mydomains.breaks:build", "importing mydomains.breaks raised RuntimeError: no database at {pkg}/breaks.py:1"),
    ("mydomains.syntax:build", "syntax error in {pkg}/syntax.py, line 1"),
    ("mydomains.custom:number", "mydomains.custom.number is not callable (a int)"),
    ("mydomains.custom:missing", "module mydomains.custom has no 'missing'"),
    ("mydomains.custom:nothing", "mydomains.custom.nothing() returned NoneType, not a Domain"),
    ("mydomains.custom:raises", "mydomains.custom.raises() raised ValueError: table 'users' is empty at {pkg}/custom.py:5"),
    ("mydomains.custom:exits", "mydomains.custom.exits() raised SystemExit (it called sys.exit(0)) at {pkg}/custom.py:6"),
    ("mydomains.absent:build", "No module named 'mydomains.absent' (is the folder holding mydomains on PYTHONPATH?)"),
])
def test_a_broken_custom_domain_is_named_with_what_broke(tmp_path, domain, says):
    pkg = tmp_path / "mydomains"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "breaks.py").write_text("raise RuntimeError('no database')\n")
    (pkg / "syntax.py").write_text("def build(:\n    pass\n")
    (pkg / "custom.py").write_text(CUSTOM_DOMAIN)
    result = run_cli("build", "--domain", domain, "--tasks", "2", "--out", str(tmp_path / "run"),
                     env={"PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"})
    err = unwrap(user_error(result.returncode, result.stderr))
    assert f"cannot load custom domain {domain!r}: {says.format(pkg=pkg)}" in err
    assert not (tmp_path / "run").exists()
