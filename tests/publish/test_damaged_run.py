"""A damaged run folder (a file cut short, a flipped bit, broken JSON or YAML, a broken journal)
is named with the fix by every command that reads it, never a traceback: exit 2, nothing written."""

import json
import sqlite3
import zlib

import pytest

from tests.build_runs import run_cli
from tests.export.records import data_path


def flip_a_bit(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    path.write_bytes(data)


def cut_short(path):
    path.write_bytes(path.read_bytes()[:100])


def readers(run, tmp_path):
    """Every command that reads a finished run: what each is called with."""
    return {
        "stats": ("stats", str(run)),
        "publish": ("publish", str(run), "--version", "1.0.0", "--to-dir", str(tmp_path / "release")),
        "model-card": ("model-card", "--dataset", "acme/x", "--version", "1.0.0", "--base-model", "org/base",
                       "--run", str(run), "--out", str(tmp_path / "card.md")),
        "build": ("build", "--config", str(tmp_path / "build.yaml"), "--out", str(run)),
    }


DAMAGE = {  # what is damaged -> (how, the commands that read it, what they say)
    "stats.json": (lambda run: (run / "stats.json").write_text('{"funnel": {'), ("stats", "publish", "model-card"),
                   "stats.json is damaged (not valid JSON"),
    "config.yaml": (lambda run: (run / "config.yaml").write_text("domain: retail\ntasks: [6\n"),
                    ("publish", "model-card", "build"), "config.yaml is not valid YAML"),
    "data file cut short": (lambda run: cut_short(data_path(run / "dataset", "trajectories")), ("publish", "model-card"),
                            "is damaged: its content does not match the digest in its name"),
    "data file with a flipped bit": (lambda run: flip_a_bit(data_path(run / "dataset", "messages")),
                                     ("publish", "model-card"), "is damaged: its content does not match the digest"),
}


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_a_damaged_run_is_named_with_the_fix(run_copy, tmp_path, case):
    (tmp_path / "build.yaml").write_text((run_copy / "config.yaml").read_text())
    damage, commands, says = DAMAGE[case]
    damage(run_copy)
    calls = readers(run_copy, tmp_path)
    for command in commands:
        result = run_cli(*calls[command])
        err = " ".join(result.stderr.split())
        assert result.returncode == 2 and "Traceback" not in err, f"{command}: {result.stderr[-2000:]}"
        assert says in err, f"{command}: {err}"
        assert case == "config.yaml" or "builder build --config" in err  # how to get the file rewritten
    assert not (tmp_path / "release").exists() and not (tmp_path / "card.md").exists()


def test_a_damaged_journal_record_is_named_and_the_fix_works(run_copy, runs):
    journal = run_copy / ".state" / "journal.sqlite"
    with sqlite3.connect(journal) as con:
        (task,) = con.execute("SELECT task_id FROM checkpoints ORDER BY task_id LIMIT 1").fetchone()
        con.execute("UPDATE checkpoints SET record = ? WHERE task_id = ?", (zlib.compress(b'{"task_id": '), task))
        con.execute("DELETE FROM meta")  # as if the build had been interrupted: the chains run again
    build = ("build", "--config", str(run_copy / "config.yaml"), "--out", str(run_copy))
    result = run_cli(*build)
    err = " ".join(result.stderr.split())
    assert result.returncode == 1 and "Traceback" not in err, result.stderr[-2000:]
    fix = f"DELETE FROM checkpoints WHERE task_id = '{task}'; DELETE FROM done WHERE task_id = '{task}'"
    assert f"the run's journal {journal} holds a damaged record for task {task}" in err and fix in err
    with sqlite3.connect(journal) as con:  # the fix the message gives: the task is made again
        con.executescript(fix)
    result = run_cli(*build)
    assert result.returncode == 0, result.stderr[-2000:]
    got, want = (json.loads((run / "stats.json").read_text()) for run in (run_copy, runs["a"]))
    assert got["funnel"] == want["funnel"]


def test_a_journal_that_is_not_a_database_is_named(run_copy):
    journal = run_copy / ".state" / "journal.sqlite"
    for leftover in journal.parent.glob("journal.sqlite-*"):
        leftover.unlink()
    journal.write_bytes(b"not a database" * 100)
    result = run_cli("build", "--config", str(run_copy / "config.yaml"), "--out", str(run_copy))
    err = " ".join(result.stderr.split())
    assert result.returncode == 2 and "Traceback" not in err, result.stderr[-2000:]
    assert f"the run's journal {journal} is damaged (file is not a database)" in err
