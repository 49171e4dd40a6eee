"""A build against the simulator's HTTP server injecting 20% faults (500, 429, timeouts, cut bodies).

The build must complete; stats.json must account for every injected fault (retried, or the last
straw of a call that gave up), and every row must keep its fate with a reason, the rows that
LLM failures cost saying so.
"""

import json

import pandas as pd

from builder.simulator.server import FAULT_KINDS
from tests.build_runs import FAULTY_TASKS


def has_llm_failure(reasons_json: str) -> bool:
    return any((r["stage"], r["code"]) == ("llm", "llm_failure") for r in json.loads(reasons_json))


def test_every_injected_fault_is_counted_as_a_retry_or_a_failed_call(faulty_run):
    run, injected = faulty_run.run, faulty_run.injected
    assert all(injected[kind] > 0 for kind in FAULT_KINDS), injected
    llm = json.loads((run / "stats.json").read_text())["llm"]
    assert llm["retries"] + llm["failed_calls"] == sum(injected.values())
    assert 0 < llm["recovered_calls"] <= llm["retries"]
    assert llm["failed_calls"] > 0


def test_every_task_keeps_its_fate_and_llm_losses_say_so(faulty_run):
    run = faulty_run.run
    stats = json.loads((run / "stats.json").read_text())
    assert stats["internal_errors"] == 0
    bp = pd.read_parquet(run / "blueprints.parquet")
    traj = pd.read_parquet(run / "trajectories.parquet")
    assert bp.task_id.nunique() == FAULTY_TASKS and set(bp.task_status) <= {"validated", "rejected"}
    assert all(json.loads(r) for r in bp[~bp.passed].reasons), "a failed candidate without a reason"
    assert all(json.loads(r) for r in traj[~traj.passed].reasons), "a failed attempt without a reason"
    validated = set(bp[bp.task_status == "validated"].task_id)
    assert set(traj.task_id) == validated, "a validated blueprint that never got a conversation"

    ended_by_llm = traj[traj.end_reason == "llm_failure"]
    assert len(ended_by_llm) == stats["llm"]["lost"]["attempts"] > 0
    for reasons in ended_by_llm.reasons:
        failure = next(r for r in json.loads(reasons) if r["code"] == "llm_failure")
        assert "127.0.0.1" in failure["message"] and "retries exhausted" in failure["message"]
    assert stats["funnel"]["conversations"]["end_reasons"]["llm_failure"] == len(ended_by_llm)

    # a task lost to the endpoint: no kept row, and its last candidate or attempt failed on an LLM call
    last_round = bp.sort_values("round").groupby("task_id").last()
    last_attempt = traj.sort_values("attempt").groupby("task_id").last()
    kept = set(traj[traj.passed].task_id)
    lost = [t for t in last_round.index if t not in kept and (
        has_llm_failure(last_round.reasons[t]) if t not in validated else has_llm_failure(last_attempt.reasons[t]))]
    assert stats["llm"]["lost"]["tasks"] == len(lost)
