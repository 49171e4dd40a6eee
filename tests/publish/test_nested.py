"""A run's dataset/ and .state/ are rewritten whenever it is built or curated again: a run or a
release put inside them would be deleted, so both are refused before anything is written."""

import pytest

from tests.build_runs import run_cli


def refused(result, outer) -> str:
    err = " ".join(result.stderr.split())
    assert result.returncode == 2 and "Traceback" not in err, result.stderr
    assert f"lies inside the run folder {outer}" in err
    return err


@pytest.mark.parametrize("inside", ["dataset/inner", ".state/inner", "dataset"])
def test_a_build_inside_another_runs_folders_is_refused(runs, inside):
    out = runs["b"] / inside
    before = sorted(p.name for p in out.parent.iterdir())
    refused(run_cli("build", "--tasks", "2", "--out", str(out)), runs["b"])
    assert sorted(p.name for p in out.parent.iterdir()) == before


@pytest.mark.parametrize("inside", ["dataset/release", ".state/release"])
def test_a_release_inside_a_runs_folders_is_refused(runs, inside):
    for outer in (runs["a"], runs["b"]):  # the run published, and another
        dest = outer / inside
        refused(run_cli("publish", str(runs["a"]), "--version", "1.0.0", "--to-dir", str(dest)), outer)
        assert not dest.exists()
