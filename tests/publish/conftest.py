"""Two small finished simulator runs, built once per session (concurrently), and the local Hub."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hub.fixtures import ROOT, hub_server  # noqa: F401  (fixture used by this package's tests)

# Seeds and sizes chosen so that each run keeps a few verified conversations, and the two differ.
BUILDS = {"a": ("--tasks", "6", "--seed", "1"), "b": ("--tasks", "4", "--seed", "2")}


@pytest.fixture(scope="session")
def runs(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("publish-runs")
    procs = {
        name: subprocess.Popen(
            [sys.executable, "-c", "from builder.app.cli import main; main()", "build", "--domain", "retail", *args,
             "--out", str(root / name)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        for name, args in BUILDS.items()
    }
    for name, proc in procs.items():
        _, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"build {name}: {stderr[-3000:]}"
    return {name: root / name for name in BUILDS}


@pytest.fixture
def run_copy(runs, tmp_path) -> Path:
    """A private copy of run a, for tests that break it."""
    return Path(shutil.copytree(runs["a"], tmp_path / "run"))
