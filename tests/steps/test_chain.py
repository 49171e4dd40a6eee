"""Each task's chain of stages: resume at stage granularity, families, lazy sampling."""

from __future__ import annotations

import itertools
import json

import pytest

from builder.config import BuildConfig
from builder.llm.usage import get_ledger
from builder.run.folder import prepare_run
from builder.run.journal import Journal
from steps.chain import run_shard, stage_keys
from steps.contexts import units

TOY_SPEC = "tests.domains.framework.toy:build_toy"


class Killed(BaseException):
    """Stands for SIGKILL: no stage catches it."""


def config(**kw) -> BuildConfig:
    return BuildConfig(**{"domain": TOY_SPEC, "tasks": 12, "seed": 4, "blueprints": {"recombine_share": 0.4},
                          "interplay": {"attempts": 2}, **kw})


def records(run) -> list[dict]:
    journal = Journal(run)
    try:
        out = [json.loads(r) for r in journal.records()]
    finally:
        journal.close()
    for rec in out:  # wall-clock durations are the only values that may differ
        for att in rec["attempts"]:
            att.pop("seconds")
    return out


@pytest.mark.parametrize("kill_after", [1, 17, 40])
def test_a_chain_killed_at_any_stage_resumes_to_the_uninterrupted_records(tmp_path, monkeypatch, kill_after):
    cfg = config()
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    for run in (clean, killed):
        prepare_run(run, cfg)
    run_shard(clean, 0, cfg.tasks)

    real_put, puts = Journal.put, itertools.count(1)

    def put(self, stage, task_id, record):
        if next(puts) > kill_after:
            raise Killed
        real_put(self, stage, task_id, record)

    monkeypatch.setattr(Journal, "put", put)
    with pytest.raises(BaseExceptionGroup):
        run_shard(killed, 0, cfg.tasks)
    monkeypatch.setattr(Journal, "put", real_put)
    get_ledger().reset()  # a killed process takes its unbooked usage with it
    journal = Journal(killed)
    assert sum(journal.counts().values()) == kill_after  # what finished before the kill is kept
    journal.close()
    run_shard(killed, 0, cfg.tasks)
    assert records(killed) == records(clean)
    assert any(r["kind"] == "recombined" for r in records(clean)), "the test should cover a recombined task"


def test_a_finished_chain_is_not_run_again(tmp_path):
    cfg = config()
    prepare_run(tmp_path / "run", cfg)
    run_shard(tmp_path / "run", 0, cfg.tasks)
    journal = Journal(tmp_path / "run")
    before = journal.counts()
    journal.close()
    run_shard(tmp_path / "run", 0, cfg.tasks)
    journal = Journal(tmp_path / "run")
    assert journal.counts() == before and set(before) <= set(stage_keys(cfg))
    journal.close()


def test_units_cover_every_task_once_with_families_first():
    cfg = config(tasks=50)
    plan = list(units(cfg))
    assert [i for u in plan for i in u.indexes] == list(range(50))
    families = [u for u in plan if u.family is not None]
    assert families and all(2 <= u.size <= 3 for u in families)
    assert plan[:len(families)] == families and [u.family for u in families] == list(range(len(families)))


def test_units_are_drawn_lazily_whatever_the_number_of_tasks():
    huge = config(tasks=10**12)  # nothing proportional to the task count may be built up front
    first = list(itertools.islice(units(huge), 1000))
    assert first[0].first == 0 and first[-1].first + first[-1].size < 4000



def test_units_from_an_index_on_skip_the_single_tasks_before_it():
    cfg = config(tasks=50)
    plan = list(units(cfg))
    for start in (0, 3, 10, 30, 49):
        assert list(units(cfg, start)) == [u for u in plan if u.first + u.size > start]


def test_processes_sharing_a_range_run_each_unit_once_and_give_one_process_records(tmp_path):
    """Replicas claim units from the journal: together they run every unit exactly once, whichever
    takes which, and the records are those of one process running the whole range."""
    import multiprocessing

    cfg = config()
    alone, shared = tmp_path / "alone", tmp_path / "shared"
    for run in (alone, shared):
        prepare_run(run, cfg)
    assert run_shard(alone, 0, cfg.tasks) == cfg.tasks

    # two processes, as the build's replicas are (each has its own usage ledger and journal connection)
    fork = multiprocessing.get_context("fork")
    counts = fork.Queue()
    replicas = [fork.Process(target=lambda: counts.put(run_shard(shared, 0, cfg.tasks, 2, "build-1")))
                for _ in range(2)]
    for p in replicas:
        p.start()
    for p in replicas:
        p.join(60)
    assert [p.exitcode for p in replicas] == [0, 0]
    ran = [counts.get(timeout=5) for _ in replicas]
    assert len(ran) == 2 and sum(ran) == cfg.tasks, ran  # both replicas ran, and shared the units
    assert records(shared) == records(alone)

    # a later build (another invocation) claims afresh: its replicas see every unit again
    assert run_shard(shared, 0, cfg.tasks, 2, "build-2") == cfg.tasks
