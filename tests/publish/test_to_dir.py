"""`publish --to-dir` writes a release whole or not at all: a disk that fills up mid-copy leaves
nothing that looks like a release, and the same command then works; an unwritable folder is
refused with the folder named."""

from pathlib import Path

from tests.build_runs import full_disk_env, read_only, run_cli


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_full_disk_leaves_no_partial_release_and_the_retry_works(runs, tmp_path):
    release = tmp_path / "releases" / "v1"
    args = ("publish", str(runs["a"]), "--version", "1.0.0", "--to-dir", str(release))
    result = run_cli(*args, env=full_disk_env("trajectories/"))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    err = " ".join(result.stderr.split())
    assert f"writing the release to {release} failed, nothing was left there" in err
    assert "No space left on device (ENOSPC)" in err and "trajectories/train-" in err
    assert list((tmp_path / "releases").iterdir()) == []  # neither the release nor the folder it was written in
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    clean = tmp_path / "clean"
    assert run_cli("publish", str(runs["a"]), "--version", "1.0.0", "--to-dir", str(clean)).returncode == 0
    assert files(release) == files(clean)


def test_an_unwritable_folder_is_refused_naming_it(runs, tmp_path):
    with read_only(tmp_path / "ro") as folder:
        result = run_cli("publish", str(runs["a"]), "--version", "1.0.0", "--to-dir", str(folder / "v1"))
    assert result.returncode == 2, result.stderr
    err = " ".join(result.stderr.split())
    assert "Traceback" not in err and f"cannot write the release to --to-dir {folder / 'v1'}" in err
    assert "(EACCES)" in err or "(EPERM)" in err
