"""Conversation filters and per-domain balancing."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.curation.runs import attempt, kept, removed, run, sentence, task


def rows_task():
    return [task("t1", sentence(1), attempts=[
        attempt(1, user_turns=1),
        attempt(2, user_turns=3),
        attempt(3, user_turns=9, tool_errors=4),  # too many turns *and* errors: counted once, as turns
        attempt(4, user_turns=3, tool_errors=2),
        attempt(5, user_turns=3, text="x" * 500),
    ])]


@pytest.mark.parametrize("settings, kept_attempts, reasons", [
    ({}, [1, 2, 3, 4, 5], {}),
    ({"min_user_turns": 2}, [2, 3, 4, 5], {"too_few_user_turns": 1}),
    ({"max_user_turns": 3}, [1, 2, 4, 5], {"too_many_user_turns": 1}),
    ({"max_tool_errors": 1}, [1, 2, 5], {"too_many_tool_errors": 2}),
    ({"max_chars": 400}, [1, 2, 3, 4], {"too_long": 1}),
    ({"min_user_turns": 2, "max_user_turns": 5, "max_tool_errors": 1, "max_chars": 400}, [2],
     {"too_few_user_turns": 1, "too_many_user_turns": 1, "too_many_tool_errors": 1, "too_long": 1}),
])
def test_filters_remove_exactly_the_rows_out_of_range(tmp_path, settings, kept_attempts, reasons):
    run_dir, result = run(tmp_path, rows_task(), **settings)
    assert kept(run_dir) == [("t1", a) for a in kept_attempts]
    assert result.trajectories["filters"].removed == reasons
    assert all(stage == "filters" for stage, _, _ in removed(run_dir).values())


def test_boundaries_are_inclusive(tmp_path):
    run_dir, _ = run(tmp_path, rows_task(), min_user_turns=3, max_user_turns=3, max_tool_errors=2)
    assert kept(run_dir) == [("t1", 2), ("t1", 4), ("t1", 5)]


def balanced_records():
    return ([task(f"a{i}", sentence(i), domain="retail") for i in range(6)]
            + [task(f"b{i}", sentence(100 + i), domain="airline") for i in range(2)]
            + [task("c0", sentence(200), domain="telecom", attempts=[attempt(1), attempt(2), attempt(3)])])


def per_domain(run_dir):
    return Counter(t[0] for t, _ in kept(run_dir))


def test_no_balancing_by_default(tmp_path):
    run_dir, result = run(tmp_path, balanced_records())
    assert per_domain(run_dir) == {"a": 6, "b": 2, "c": 3}
    assert result.trajectories["balance"].removed == {}


def test_domain_cap_limits_every_domain(tmp_path):
    run_dir, result = run(tmp_path, balanced_records(), domain_cap=3)
    assert per_domain(run_dir) == {"a": 3, "b": 2, "c": 3}
    assert result.trajectories["balance"].removed == {"domain_cap": 3}
    assert {reason for _, reason, _ in removed(run_dir).values()} == {"domain_cap"}


def test_smallest_cuts_every_domain_to_the_smallest(tmp_path):
    run_dir, _ = run(tmp_path, balanced_records(), domain_cap="smallest")
    assert per_domain(run_dir) == {"a": 2, "b": 2, "c": 2}


def test_which_rows_survive_the_cap_is_seeded_and_not_by_id(tmp_path):
    def survivors(seed):
        run_dir, _ = run(tmp_path, balanced_records(), seed=seed, domain_cap=3)
        return [t for t, _ in kept(run_dir) if t.startswith("a")]

    picks = [survivors(seed) for seed in range(3)]
    assert survivors(0) == picks[0]
    assert len({tuple(p) for p in picks}) > 1
    assert any(p != ["a0", "a1", "a2"] for p in picks)
