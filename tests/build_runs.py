"""Running the real `builder` CLI from tests, and build configs whose roles talk HTTP."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
ROLES = ("generator", "human", "agent", "judge")
SCRIPT = Path(sys.executable).with_name("builder")  # the console script `pip install -e .` installed


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """`builder ARGS...` in a fresh process: the installed console script, as a user runs it."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([str(SCRIPT), *args], cwd=ROOT,
                          env=full_env, capture_output=True, text=True, timeout=timeout)


def full_disk_env(marker: str) -> dict[str, str]:
    """The environment of a `run_cli` process whose disk fills up while copying a file to a path
    containing `marker` (see tests/inject/sitecustomize.py)."""
    return {"PYTHONPATH": f"{ROOT / 'tests' / 'inject'}{os.pathsep}{ROOT}", "BUILDER_TEST_FULL_DISK": marker}


@contextmanager
def read_only(folder: Path):
    """`folder` made unwritable: by its mode, or for root (whom modes do not stop) immutable."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        folder.chmod(0o555)
        undo = lambda: folder.chmod(0o755)  # noqa: E731
    elif shutil.which("chattr") and subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0:
        undo = lambda: subprocess.run(["chattr", "-i", str(folder)], check=True)  # noqa: E731
    else:
        pytest.skip("running as root without chattr: no folder can be made unwritable")
    try:
        yield folder
    finally:
        undo()


def run_main(*args: str) -> tuple[int, str, str]:
    """`builder ARGS...` in this process through `builder.app.cli:main` (same exit mapping, faster).

    Returns (exit code, stdout, stderr) with the console's line wrapping undone.
    """
    from builder.app.cli import main

    out, err = io.StringIO(), io.StringIO()
    argv, sys.argv = sys.argv, ["builder", *args]
    try:
        with redirect_stdout(out), redirect_stderr(err):
            main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.argv = argv
    return code, unwrap(out.getvalue()), unwrap(err.getvalue())


def unwrap(text: str) -> str:
    """Console output with runs of whitespace (rich's line wrapping) made single spaces."""
    return " ".join(text.split())


def http_roles(base_url: str, reviewers: int = 3, **settings: Any) -> dict[str, Any]:
    """Every role on one OpenAI-compatible endpoint (model `simulator`: the simulator server)."""
    role = {"backend": "openai:simulator", "base_url": base_url, **settings}
    return {**{name: dict(role) for name in ROLES}, "reviewers": [dict(role) for _ in range(reviewers)]}


def write_config(path: Path, **config: Any) -> Path:
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


class FaultyBuild(NamedTuple):
    run: Path  # the run folder
    injected: dict[str, int]  # fault kind -> faults the server injected
    output: str  # the CLI's stdout and stderr
    secrets: tuple[str, ...]  # values planted in the build's environment (API key, HF_TOKEN)


FAULTY_TASKS = 4


def faulty_build(tmp: Path) -> FaultyBuild:
    """A small phase-2 build whose every role talks HTTP to a simulator server that injects 20%
    faults (500, 429, replies past the timeout, cut bodies), with an API key and an HF token
    planted in its environment, and credentials where users also put them: in the endpoint's URL
    and in `extra_body`. The run that both fault handling and secret hygiene are judged on."""
    from builder.simulator.server import FaultConfig, SimulatorServer

    secrets = tuple(prefix + os.urandom(12).hex() for prefix in ("sk-planted-", "hf_planted", "urlpass", "bodykey"))
    env = {"BUILDER_TEST_API_KEY": secrets[0], "HF_TOKEN": secrets[1]}
    # The server draws each request's fault from its seed, the row, the retry and the conversation
    # (not the planted secrets nor its port, which change from run to run), so this seed gives
    # every run the same faults: every kind at least once, and attempts lost to the endpoint.
    with SimulatorServer(faults=FaultConfig(error_rate=0.2, retry_after_s=0.05, slow_s=6.0), seed=1) as srv:
        url = srv.base_url.replace("://", f"://builder:{secrets[2]}@", 1)
        # max_retries=1 so that a few calls give up (about 4%): both recovery and loss are exercised;
        # a timeout well above a loaded machine's slowest honest reply, so only `slow` faults time out
        roles = http_roles(url, api_key_env="BUILDER_TEST_API_KEY", timeout_s=2.5, max_retries=1,
                           retry_base_s=0.01, retry_max_s=0.05, extra_body={"api_key": secrets[3]})
        config = write_config(tmp / "build.yaml", domain="retail", tasks=FAULTY_TASKS, seed=2, roles=roles,
                              blueprints={"feedback_rounds": 1, "recombine_share": 0}, interplay={"attempts": 2})
        result = run_cli("build", "--config", str(config), "--out", str(tmp / "run"), env=env)
        injected = dict(srv.stats.faults)
    assert result.returncode == 0, result.stderr[-3000:]
    return FaultyBuild(tmp / "run", injected, result.stdout + result.stderr, secrets)
