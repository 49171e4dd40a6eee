"""A disk that fills up during a build is named as the cause (not "no output"), and once there is
room the same command resumes and finishes. Needs a small tmpfs, so root (skipped otherwise)."""

import json
import subprocess
from pathlib import Path

import pytest

from tests.build_runs import run_cli


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_is_named_and_the_same_command_resumes_once_there_is_room(small_disk: Path, tmp_path):
    args = ("build", "--domain", "retail", "--tasks", "3", "--out")
    build = (*args, str(small_disk / "run"))
    result = run_cli(*build)
    err = " ".join(result.stderr.split())
    assert result.returncode == 1, result.stderr[-2000:]
    assert f"build failed: the disk holding {small_disk / 'run'} is full: No space left on device (ENOSPC)" in err
    assert "run the same command again: it resumes" in err
    subprocess.run(["mount", "-o", "remount,size=200m", str(small_disk)], check=True)
    result = run_cli(*build)
    assert result.returncode == 0, result.stderr[-2000:]
    assert run_cli(*args, str(tmp_path / "clean")).returncode == 0  # a build that never ran out of room
    got, want = (json.loads((run / "stats.json").read_text()) for run in (small_disk / "run", tmp_path / "clean"))
    assert got["funnel"] == want["funnel"] and got["kept_rows"] == want["kept_rows"]
