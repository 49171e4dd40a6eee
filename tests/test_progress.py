"""The build's progress: which totals are known, rates, the time left, no full bar for an unknown total."""

from __future__ import annotations

import io

from rich.console import Console
from rich.progress import Progress

from builder.config import BuildConfig
from builder.app.progress import KnownBar, Tracker, expected_totals, known_totals, log_line, time_left
from steps.chain import stage_keys

CONFIG = BuildConfig(tasks=20)
KEYS = stage_keys(CONFIG)
# the counts of a real 20-task build (tests/build_runs would take a minute to make them)
FINAL = {"generate.r0": 20, "check.r0": 20, "review.r0": 9, "generate.r1": 12, "check.r1": 12, "review.r1": 8,
         "generate.r2": 7, "check.r2": 7, "review.r2": 3, "merge": 4, "check.recombined": 4,
         "review.recombined": 4, "interplay.a1": 20, "interplay.a2": 6, "interplay.a3": 2}


def test_only_round_0_totals_are_known_while_it_runs_and_every_total_at_the_end():
    midway = {"generate.r0": 20, "check.r0": 14, "review.r0": 5}
    totals = known_totals(KEYS, midway, CONFIG, finished=False)
    assert totals["generate.r0"] == 20 and totals["check.r0"] == 20  # every task, every candidate
    # how many reach review or round 1 depends on verdicts the counts do not hold
    assert all(totals[k] is None for k in KEYS if k not in ("generate.r0", "check.r0"))
    assert known_totals(KEYS, FINAL, CONFIG, finished=True) == FINAL


def test_expected_totals_are_at_least_what_is_done_and_exactly_the_known_ones():
    midway = {"generate.r0": 20, "check.r0": 20, "review.r0": 9, "generate.r1": 6}
    expected = expected_totals(KEYS, midway, known_totals(KEYS, midway, CONFIG, finished=False))
    assert expected["generate.r0"] == expected["check.r0"] == 20
    assert all(expected[k] >= midway.get(k, 0) for k in KEYS)
    assert expected["check.r1"] == expected["generate.r1"]  # every candidate of a round is checked
    assert expected["interplay.a1"] > 0  # phase 2 is expected before it starts


def test_an_unknown_total_draws_no_bar():
    progress = Progress()
    unknown = progress.add_task("unknown", total=None, completed=7)
    known, half = progress.add_task("known", total=4, completed=4), progress.add_task("half", total=4, completed=2)
    bar = KnownBar(width=10)

    def drawn(task_id) -> str:
        console = Console(width=40, record=True, file=io.StringIO(), color_system=None)
        console.print(bar.render(progress.tasks[task_id]))
        return console.export_text()

    assert drawn(unknown).strip() == ""  # rich's pulse would look full in a still frame
    assert drawn(known).strip() == "━" * 10
    assert drawn(half).strip() == "━" * 5 + "─" * 5  # told apart without colour


def test_rates_start_when_a_stage_could_have_started_and_resumed_rows_do_not_count():
    tracker = Tracker(KEYS, CONFIG)
    tracker.start({"generate.r0": 10})  # resumed: 10 rows from an earlier invocation
    t0 = tracker.started
    tracker.update({"generate.r0": 20}, now=t0 + 5)
    tracker.update({"generate.r0": 20, "check.r0": 20}, now=t0 + 6)
    stages = {s.key: s for s in tracker.stages()}
    assert stages["generate.r0"].rate == 10 / 5  # 10 new rows in 5 s, not 20
    assert stages["check.r0"].rate == 20 / 1  # its rows could arrive from t0+5
    assert stages["review.r0"].rate is None and stages["review.r0"].total is None


def test_time_left_shrinks_as_the_build_goes_on():
    tracker = Tracker(KEYS, CONFIG)
    tracker.start({})
    t0 = tracker.started
    assert tracker.seconds_left(now=t0 + 1) is None and time_left(None) == "estimating time left"
    tracker.update({"generate.r0": 10}, now=t0 + 3)  # the first rows, after the pipeline's start-up
    tracker.update({"generate.r0": 20, "check.r0": 20}, now=t0 + 5)
    early = tracker.seconds_left(now=t0 + 5)
    expected = sum(expected_totals(KEYS, tracker.counts, known_totals(KEYS, tracker.counts, CONFIG, False)).values())
    assert early == (expected - 40) / (40 / 2)  # rows still expected at 40 rows in the 2 s since the first
    late_counts = {k: v for k, v in FINAL.items() if not k.startswith("interplay")}
    tracker.update(late_counts, now=t0 + 20)
    late = tracker.seconds_left(now=t0 + 20)
    assert early > late > 0
    tracker.update(FINAL, now=t0 + 30)
    line = log_line(tracker, finished=True)
    assert "review.r0 9/9" in line and "interplay.a3 2/2" in line and line.endswith("pipeline finished")
