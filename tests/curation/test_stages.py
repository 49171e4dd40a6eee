"""Candidates, exact duplicates, and the counts of every stage."""

from __future__ import annotations

from tests.curation.runs import attempt, kept, kept_tasks, removed, run, sentence, task


def test_candidates_are_the_passed_attempts_of_validated_tasks(tmp_path):
    records = [
        task("t1", sentence(1), attempts=[attempt(1, passed=False), attempt(2), attempt(3)]),
        task("t2", sentence(2), status="rejected", attempts=[attempt(1)]),
        task("t3", sentence(3), attempts=[attempt(1, passed=False)]),
    ]
    run_dir, result = run(tmp_path, records)
    assert kept(run_dir) == [("t1", 2), ("t1", 3)]
    gone = removed(run_dir)
    assert gone[("t1", 1)][:2] == gone[("t3", 1)][:2] == ("candidates", "attempt_failed")
    assert gone[("t2", 1)][:2] == ("candidates", "task_not_validated")
    c = result.trajectories["candidates"]
    assert (c.rows_in, c.rows_out, c.removed) == (5, 2, {"attempt_failed": 2, "task_not_validated": 1})
    # blueprints: every validated task, with or without a verified conversation
    assert kept_tasks(run_dir) == ["t1", "t3"]
    assert result.blueprints["validated"].removed == {"rejected": 1}
    assert removed(run_dir, "blueprints")["t2"][:2] == ("validated", "rejected")


def test_normalised_instruction_duplicates_keep_the_first_task(tmp_path):
    records = [
        task("t3", "cancel order   W1 please", user="c"),
        task("t1", "Cancel order #W1,  please!", user="a"),
        task("t2", "Cancel order #W2, please!", user="b"),
    ]
    run_dir, result = run(tmp_path, records)
    assert kept_tasks(run_dir) == ["t1", "t2"]
    assert kept(run_dir) == [("t1", 1), ("t2", 1)]
    assert removed(run_dir, "blueprints")["t3"] == ("exact_duplicates", "duplicate_instruction", "t1")
    assert removed(run_dir)[("t3", 1)] == ("exact_duplicates", "duplicate_instruction", "t1")
    assert result.trajectories["exact_duplicates"].removed == {"duplicate_instruction": 1}


def test_a_copy_with_a_verified_conversation_wins_over_an_earlier_one_without(tmp_path):
    records = [
        task("t1", "Same task.", attempts=[attempt(1, passed=False)]),
        task("t2", "same task", attempts=[attempt(1)]),
    ]
    run_dir, _ = run(tmp_path, records)
    assert kept_tasks(run_dir) == ["t2"] and kept(run_dir) == [("t2", 1)]
    assert removed(run_dir, "blueprints")["t1"] == ("exact_duplicates", "duplicate_instruction", "t2")


def test_same_actions_are_duplicates_for_the_same_user_only(tmp_path):
    same = [("cancel_order", {"order_id": "#1", "reason": "x"})]
    records = [
        task("t1", sentence(1), user="alice", actions=same),
        task("t2", sentence(2), user="alice", actions=same),
        task("t3", sentence(3), user="bob", actions=same),
        task("t4", sentence(4), user="alice", actions=[("cancel_order", {"order_id": "#2", "reason": "x"})]),
    ]
    run_dir, result = run(tmp_path, records)
    assert kept_tasks(run_dir) == ["t1", "t3", "t4"]
    assert removed(run_dir, "blueprints")["t2"] == ("exact_duplicates", "duplicate_actions", "t1")
    assert result.blueprints["exact_duplicates"].removed == {"duplicate_actions": 1}


def test_identical_conversations_keep_the_first(tmp_path):
    records = [
        task("t1", sentence(1), attempts=[attempt(1, text="hi"), attempt(2, text="hi"), attempt(3)]),
        task("t2", sentence(2), attempts=[attempt(1, text="hi"), attempt(2, text="other")]),
    ]
    run_dir, result = run(tmp_path, records)
    assert kept(run_dir) == [("t1", 1), ("t1", 3), ("t2", 2)]
    assert removed(run_dir)[("t2", 1)] == ("exact_duplicates", "duplicate_conversation", "t1-a1")
    assert result.trajectories["exact_duplicates"].removed == {"duplicate_conversation": 2}
    assert kept_tasks(run_dir) == ["t1", "t2"]  # a task is not dropped for a conversation


def test_each_exact_rule_can_be_turned_off(tmp_path):
    records = [
        task("t1", "Same.", user="a", actions=[("f", {})], attempts=[attempt(1, text="hi")]),
        task("t2", "same", user="b", actions=[("g", {})], attempts=[attempt(1)]),
        task("t3", sentence(3), user="a", actions=[("f", {})], attempts=[attempt(1)]),
        task("t4", sentence(4), user="c", attempts=[attempt(1, text="hi")]),
    ]
    run_dir, _ = run(tmp_path, records, dedup_instructions=False, dedup_actions=False, dedup_conversations=False,
                     near_dup_threshold=None)
    assert kept_tasks(run_dir) == ["t1", "t2", "t3", "t4"] and len(kept(run_dir)) == 4
    run_dir, _ = run(tmp_path, records)
    assert kept_tasks(run_dir) == ["t1", "t4"] and kept(run_dir) == [("t1", 1)]


def test_counts_add_up_and_match_the_files(tmp_path):
    records = [task(f"t{i}", sentence(i % 7), user=f"u{i % 3}", attempts=[
        attempt(1, passed=i % 2 == 0, user_turns=i % 5), attempt(2, user_turns=1 + i % 4, tool_errors=i % 3)])
        for i in range(30)] + [task("r", sentence(99), status="rejected")]
    run_dir, result = run(tmp_path, records, max_user_turns=3, max_tool_errors=1, test_share=0.3)
    for stages in (result.trajectories, result.blueprints):
        counts = list(stages.values())
        for c in counts:
            assert c.rows_in == c.rows_out + sum(c.removed.values())
        for before, after in zip(counts, counts[1:]):
            assert before.rows_out == after.rows_in
    assert result.trajectories["candidates"].rows_in == 61
    assert result.blueprints["validated"].rows_in == 31
    assert sum(result.kept["trajectories"].values()) == result.trajectories["balance"].rows_out == len(kept(run_dir))
    assert sum(result.kept["blueprints"].values()) == result.blueprints["near_duplicates"].rows_out == len(kept_tasks(run_dir))
    # every attempt and every task has exactly one fate
    assert len(kept(run_dir)) + len(removed(run_dir)) == 61
    assert not set(kept(run_dir)) & set(removed(run_dir))
    assert len(kept_tasks(run_dir)) + len(removed(run_dir, "blueprints")) == 31


def test_a_run_without_conversations_curates_to_empty(tmp_path):
    run_dir, result = run(tmp_path, [task("t1", sentence(1), attempts=[])])
    assert kept(run_dir) == [] and kept_tasks(run_dir) == ["t1"]
    assert result.trajectories["candidates"].rows_in == 0
    assert result.kept == {"trajectories": {}, "blueprints": {"train": 1}}
    assert not (run_dir / ".state" / "curation.work").exists()  # the DuckDB work files are gone
