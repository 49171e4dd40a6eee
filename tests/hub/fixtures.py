"""Fixtures for tests that talk to the local Hub server (`tests.hub.server`).

huggingface_hub and datasets read HF_ENDPOINT when imported, and this pytest process may have
imported them already, so the client side always runs in a subprocess with `hub_env`.
Import the fixture into a conftest or test module: `from tests.hub.fixtures import hub_server`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.hub.server import HubServer, User

ROOT = Path(__file__).resolve().parents[2]
USER, ORG = "alice", "acme"
TOKEN = "hf_FakeTestToken_4f9c2b7e1d"  # planted in HF_TOKEN; tests assert it leaks nowhere
OTHER_TOKEN = "hf_OtherUserToken_0a8e"  # bob: no rights on alice's or acme's repos


@pytest.fixture(scope="session")
def hub_server(tmp_path_factory) -> Iterator[HubServer]:
    tokens = {TOKEN: User(name=USER, orgs=[ORG]), OTHER_TOKEN: User(name="bob")}
    with HubServer(tmp_path_factory.mktemp("hub") / "storage", tokens) as hub:
        yield hub


def hub_env(hub: HubServer, home: Path, token: str | None = TOKEN, **extra: str) -> dict[str, str]:
    """The environment of a client process: this Hub, no Xet, a private HF_HOME (cache, no stored login)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env.update({
        "HF_ENDPOINT": hub.endpoint, "HF_HUB_DISABLE_XET": "1", "HF_HOME": str(home),
        "HF_HUB_DISABLE_PROGRESS_BARS": "1", "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_DATASETS_DISABLE_PROGRESS_BARS": "1", "PYTHONPATH": str(ROOT),
    })
    if token is not None:
        env["HF_TOKEN"] = token
    env.update(extra)
    return env


def run_python(code: str, env: dict[str, str], *args: str, timeout: float = 120) -> Any:
    """Run `code` (with `args` in sys.argv[1:]) in a fresh interpreter; it prints JSON as its last stdout line."""
    result = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True,
                            timeout=timeout, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def builder(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    """The `builder` CLI in a subprocess (with `env`), as a user runs it; a wide terminal keeps lines whole."""
    return subprocess.run([sys.executable, "-c", "from builder.app.cli import main; main()", *args],
                          env={**env, "COLUMNS": "1000"}, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
