"""What a build shows while it runs: per stage, rows done of a known total and rows per second,
and a rough estimate of the time left for the whole build.

It reads only the run's journal (`Journal.counts()`: stage -> tasks finished), so it survives
step restarts and shows resumed work as done. A stage's total is shown only where it is known:
round 0 generates for every task and every generated candidate is checked, so `generate.r0`
and every `check.rK` whose generation total is known have one; how many candidates reach a
review, a later round, the recombination or a conversation depends on verdicts the counts do
not hold, so those totals stay unknown (`?`, no filled bar) until the pipeline has finished.

The time left is an estimate of the rows every stage still has to do, at the rate rows have
been finishing: an unknown total is expected at the ratio its stage has shown to the stage
that feeds it (`parent`), or, before it has any row, at a share on the high side. It starts
pessimistic and settles as the rounds finish.

On a terminal the stages are live bars; off one (a log file, CI), one plain line is printed
every 15 seconds (`BUILDER_PROGRESS_EVERY_S`), so a long build is never silent.
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import Progress, ProgressColumn, TextColumn
from rich.text import Text

from builder.config import BuildConfig
from builder.run.journal import Journal

POLL_S = 0.5
LOG_EVERY_ENV = "BUILDER_PROGRESS_EVERY_S"  # seconds between plain progress lines (default 15)


def log_every_s() -> float:
    try:
        return max(float(os.environ.get(LOG_EVERY_ENV, "15")), POLL_S)
    except ValueError:
        return 15.0


@dataclass
class Stage:
    key: str
    done: int = 0
    total: int | None = None  # None: not known yet
    rate: float | None = None  # rows per second while it ran in this invocation

    @property
    def shown_total(self) -> str:
        return "?" if self.total is None else f"{self.total:,}"


def known_totals(keys: list[str], counts: dict[str, int], config: BuildConfig, finished: bool) -> dict[str, int | None]:
    """The totals that the counts determine (see the module docstring); all of them once finished."""
    if finished:
        return {k: counts.get(k, 0) for k in keys}
    totals: dict[str, int | None] = {k: None for k in keys}
    if "generate.r0" in totals:
        totals["generate.r0"] = config.tasks
    for key in keys:
        match = re.fullmatch(r"check\.r(\d+)", key)
        if match:
            totals[key] = totals.get(f"generate.r{match[1]}")
    return totals


def parent(key: str, keys: list[str]) -> tuple[str | None, float]:
    """The stage whose rows feed `key`, and the share of them it is expected to take before it
    has shown its own (a guess on the high side: the estimate starts pessimistic)."""
    if key not in keys or keys.index(key) == 0:
        return None, 1.0
    round_ = re.fullmatch(r"(generate|check|review)\.r(\d+)", key)
    if round_:
        kind, r = round_[1], int(round_[2])
        if kind == "generate":  # the candidates that failed the round before: its checks or its review
            return (f"check.r{r - 1}" if f"check.r{r - 1}" in keys else None), 1.0
        return f"{'generate' if kind == 'check' else 'check'}.r{r}", 1.0
    if key == "interplay.a1" and "generate.r0" in keys:  # every validated task, recombined ones too
        return "generate.r0", 1.5
    return keys[keys.index(key) - 1], 1.0


def expected_totals(keys: list[str], counts: dict[str, int], totals: dict[str, int | None]) -> dict[str, float]:
    """Every stage's total, known or estimated from its ratio to the stage that feeds it."""
    expected: dict[str, float] = {}
    for key in keys:
        done = counts.get(key, 0)
        feeder, prior = parent(key, keys)
        if totals[key] is not None:
            expected[key] = float(totals[key])
        elif feeder is None:
            expected[key] = float(done)
        else:
            fed = counts.get(feeder, 0)
            ratio = done / fed if done and fed else prior
            expected[key] = max(float(done), expected[feeder] * ratio)
    return expected


@dataclass
class Tracker:
    """Counts over time: per-stage rates and the build's estimated time left."""

    keys: list[str]
    config: BuildConfig
    started: float = field(default_factory=time.monotonic)
    baseline: dict[str, int] = field(default_factory=dict)  # rows found done at start (resumed)
    first_row: dict[str, float] = field(default_factory=dict)  # when this invocation made a stage's first row
    last_row: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def start(self, counts: dict[str, int]) -> None:
        """Before the pipeline runs: what the journal already holds is resumed, not made now."""
        self.started = time.monotonic()
        self.baseline = {k: counts.get(k, 0) for k in self.keys}
        self.counts = dict(counts)

    def update(self, counts: dict[str, int], now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        for key in self.keys:
            if counts.get(key, 0) > self.counts.get(key, self.baseline.get(key, 0)):
                self.first_row.setdefault(key, now)
                self.last_row[key] = now
        self.counts = dict(counts)

    def stages(self, finished: bool = False) -> list[Stage]:
        totals = known_totals(self.keys, self.counts, self.config, finished)
        out = []
        for key in self.keys:
            new = self.counts.get(key, 0) - self.baseline.get(key, 0)
            feeder, _ = parent(key, self.keys)
            # rows of a stage finish in bursts (a batch at a time): its clock starts when its
            # first input could have arrived, not at its own first row
            began = self.first_row.get(feeder, self.started) if feeder else self.started
            rate = None
            if new > 0 and self.last_row.get(key, began) > began:
                rate = new / (self.last_row[key] - began)
            out.append(Stage(key, self.counts.get(key, 0), totals[key], rate))
        return out

    def elapsed(self, now: float | None = None) -> float:
        return (time.monotonic() if now is None else now) - self.started

    def seconds_left(self, now: float | None = None) -> float | None:
        """Rows still expected over the rows finished per second since the first one (the
        pipeline's start-up is not work to come); None until there is a rate."""
        now = time.monotonic() if now is None else now
        made = sum(self.counts.get(k, 0) - self.baseline.get(k, 0) for k in self.keys)
        elapsed = now - min(self.first_row.values(), default=now)
        if made <= 0 or elapsed <= 0:
            return None
        totals = known_totals(self.keys, self.counts, self.config, finished=False)
        expected = expected_totals(self.keys, self.counts, totals)
        remaining = sum(max(expected[k] - self.counts.get(k, 0), 0.0) for k in self.keys)
        return remaining / (made / elapsed)


def clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def time_left(seconds: float | None) -> str:
    if seconds is None:
        return "estimating time left"
    if seconds < 60:
        return f"about {max(5, round(seconds / 5) * 5)} s left"
    return f"about {round(seconds / 60)} min left"


def log_line(tracker: Tracker, finished: bool = False) -> str:
    """One plain progress line: the stages that have started, and the time left."""
    parts = [f"{s.key} {s.done:,}/{s.shown_total}" for s in tracker.stages(finished) if s.done or s.total]
    tail = "pipeline finished" if finished else time_left(tracker.seconds_left())
    return f"[{clock(tracker.elapsed())}] " + " · ".join(parts) + f" · {tail}"


class KnownBar(ProgressColumn):
    """A bar only where the total is known, and one whose unfilled part is drawn with another
    character than its filled part: rich's bar tells them apart by colour alone and pulses for
    an unknown total, so in a still frame without colour (a log, a screenshot) every bar looked
    full, which is what it must not say."""

    def __init__(self, width: int = 24):  # name, bar, count and time left fit 80 columns
        super().__init__()
        self.width = width

    def render(self, task) -> Text:
        if task.total is None:
            return Text(" " * self.width)
        filled = round(self.width * min(task.completed / task.total, 1.0)) if task.total else self.width
        style = "green" if task.finished else "magenta"
        return Text.assemble(("━" * filled, style), ("─" * (self.width - filled), "bright_black"))


def _rate(stage: Stage) -> str:
    return "" if stage.rate is None else f"{stage.rate:,.1f} rows/s"


class BuildProgress:
    """`with BuildProgress(run_dir, config, console): run the pipeline` shows the progress."""

    def __init__(self, run_dir: Path, config: BuildConfig, console: Console):
        from steps.chain import stage_keys

        self.console = console
        self.journal = Journal(Path(run_dir))
        self.tracker = Tracker(stage_keys(config), config)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="build-progress", daemon=True)

    def __enter__(self) -> "BuildProgress":
        from datasets.utils.tqdm import are_progress_bars_disabled, disable_progress_bars

        # distilabel turns the pipeline's output into a Dataset at the end, and datasets'
        # "Generating train split" bar would land in the middle of ours
        self._bars_were_on = not are_progress_bars_disabled()
        disable_progress_bars()
        self.tracker.start(self.journal.counts())
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        from datasets.utils.tqdm import enable_progress_bars

        self._stop.set()
        self._thread.join(timeout=10)
        self.journal.close()
        if self._bars_were_on:
            enable_progress_bars()

    def _watch(self) -> None:
        if self.console.is_terminal:
            self._live(self.journal)
        else:
            self._log(self.journal)

    def _live(self, journal: Journal) -> None:
        tracker = self.tracker
        width = max(len(k) for k in tracker.keys)
        with Progress(
            TextColumn(f"{{task.description:<{width}}}"), KnownBar(),
            TextColumn("{task.fields[count]:>11}"), TextColumn("{task.fields[rate]:>14}"),
            console=self.console, transient=False,
        ) as progress:
            overall = progress.add_task("build", total=None, count="", rate="")
            bars = {k: progress.add_task(k, total=None, count="", rate="") for k in tracker.keys}

            def draw(finished: bool) -> None:
                tracker.update(journal.counts())
                for stage in tracker.stages(finished):
                    progress.update(bars[stage.key], completed=stage.done, total=stage.total,
                                    count=f"{stage.done:,}/{stage.shown_total}", rate=_rate(stage))
                tail = "done" if finished else time_left(tracker.seconds_left())
                progress.update(overall, count=clock(tracker.elapsed()), rate=tail,
                                total=1 if finished else None, completed=1 if finished else 0)

            while not self._stop.wait(POLL_S):
                draw(False)
            draw(True)

    def _log(self, journal: Journal) -> None:
        tracker, say, every = self.tracker, self.console.print, log_every_s()
        last = time.monotonic()
        while not self._stop.wait(POLL_S):
            tracker.update(journal.counts())
            if time.monotonic() - last >= every:
                say(log_line(tracker), markup=False, highlight=False, soft_wrap=True)
                last = time.monotonic()
        tracker.update(journal.counts())
        say(log_line(tracker, finished=True), markup=False, highlight=False, soft_wrap=True)
