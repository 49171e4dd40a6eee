"""Paths are data, never patterns: a run folder and a release folder whose names hold glob
characters, next to folders those patterns would match, build and publish their own rows only."""

import json
import shutil

from tests.build_runs import run_cli
from tests.publish.conftest import BUILDS


def test_a_run_named_like_a_pattern_curates_and_publishes_only_its_own_rows(runs, tmp_path):
    shutil.copytree(runs["b"], tmp_path / "run")  # what `ru*` would also match: another run's rows
    mine = shutil.copytree(runs["a"], tmp_path / "ru*")
    result = run_cli("build", "--domain", "retail", *BUILDS["a"], "--out", str(mine))  # resumes: curates again
    assert result.returncode == 0, result.stderr[-3000:]
    got, want = (json.loads((d / "stats.json").read_text()) for d in (mine, runs["a"]))
    assert got["funnel"]["curation"] == want["funnel"]["curation"] and got["kept_rows"] == want["kept_rows"] > 0
    shutil.copytree(tmp_path / "run", tmp_path / "rel[1]")  # a release folder next to a non-empty match
    release = tmp_path / "rel[1] *?"
    result = run_cli("publish", str(mine), "--version", "1.0.0", "--to-dir", str(release))
    assert result.returncode == 0, result.stderr[-3000:]
    plain = tmp_path / "plain"
    assert run_cli("publish", str(runs["a"]), "--version", "1.0.0", "--to-dir", str(plain)).returncode == 0
    assert files(release) == files(plain)  # data files are named by their content digest


def files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
