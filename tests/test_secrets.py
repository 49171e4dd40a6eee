"""Secrets stay in the environment: an API key and an HF token planted there appear in no file of
the run folder (config, Parquet, journal, distilabel's logs and cache, the dataset and its card),
in no release folder, and in nothing the CLI prints."""

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tests.build_runs import run_cli


def leaks(folder: Path, secrets: tuple[str, ...]) -> list[str]:
    """Files under `folder` holding a secret: in their bytes, or in any cell of a Parquet file
    (whose pages may be compressed, hiding a string from a byte search)."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        contents = [path.read_bytes()]
        if path.suffix == ".parquet":
            contents.append(str(pq.read_table(path).to_pylist()).encode())
        found += [f"{path.relative_to(folder)} holds {s[:14]}..." for s in secrets if any(s.encode() in c for c in contents)]
    return found


def test_the_leak_detector_sees_plain_and_compressed_secrets(tmp_path):
    secret = "sk-detector-check-0123456789"
    (tmp_path / ".state").mkdir()
    (tmp_path / ".state" / "log.txt").write_text(f"key={secret}")
    pq.write_table(pa.table({"x": [secret * 50] * 100}), tmp_path / "t.parquet", compression="zstd")
    assert len(leaks(tmp_path, (secret,))) == 2


def test_planted_secrets_appear_nowhere_in_the_run_folder_or_output(faulty_run):
    run = faulty_run.run
    assert (run / ".state" / "journal.sqlite").exists() and (run / "dataset").is_dir()
    assert "api_key_env: BUILDER_TEST_API_KEY" in (run / "config.yaml").read_text()  # the name, never the value
    assert leaks(run, faulty_run.secrets) == []
    assert not [s for s in faulty_run.secrets if s in faulty_run.output]


def test_planted_secrets_appear_nowhere_in_a_release(faulty_run, tmp_path):
    release = tmp_path / "release"
    result = run_cli("publish", str(faulty_run.run), "--version", "1.0.0", "--to-dir", str(release),
                     env={"HF_TOKEN": faulty_run.secrets[1], "BUILDER_TEST_API_KEY": faulty_run.secrets[0]})
    assert result.returncode == 0, result.stderr[-2000:]
    assert (release / "README.md").exists()
    assert leaks(release, faulty_run.secrets) == []
    assert not [s for s in faulty_run.secrets if s in result.stdout + result.stderr]
