"""A run's funnel on the terminal: `builder stats DIR` and the end of `builder build`.

The rows are the dataset card's (`builder.cards.funnel`), so the terminal and the card never
disagree. Keys it does not know are left alone: a stats.json with more sections or more usage
fields per role (a newer builder's) still prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from builder.cards.funnel import curation_rows, funnel_rows
from builder.run.folder import BLUEPRINTS, CONFIG, DATASET, STATS


def _n(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _table(title: str, *columns: str, right: tuple[str, ...] = ()) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD, pad_edge=False)
    for column in columns:
        table.add_column(column, justify="right" if column in right else "left",
                         no_wrap=column in right, overflow="fold")
    return table


def kept(stats: dict[str, Any]) -> dict[str, dict[str, int]]:
    """table -> split -> rows kept by curation; {} for a run that was not curated (phase 1)."""
    return stats.get("funnel", {}).get("curation", {}).get("kept", {}) or {}


def funnel_table(stats: dict[str, Any]) -> Table:
    f = stats["funnel"]
    published = sum(kept(stats).get("trajectories", {}).values()) if f.get("curation") else None
    table = _table("Funnel", "stage", "in", "out", "notes", right=("in", "out"))
    for row in funnel_rows(stats, published if f.get("conversations") else None):
        table.add_row(row.stage, "–" if row.into is None else _n(row.into), _n(row.out), row.note)
    return table


def curation_table(stats: dict[str, Any]) -> Table | None:
    rows = curation_rows(stats)
    if not rows:
        return None
    table = _table("Curation", "table", "stage", "in", "out", "removed", right=("in", "out"))
    for r in rows:
        table.add_row(r.table, r.stage, _n(r.into), _n(r.out), r.removed)
    return table


def reasons_table(stats: dict[str, Any]) -> Table | None:
    """Why candidates and attempts failed: one count per reason given (a row can give several)."""
    blueprint = stats.get("rejection_reasons") or {}
    conversation = (stats["funnel"].get("conversations") or {}).get("failure_reasons") or {}
    if not blueprint and not conversation:
        return None
    table = _table("Why candidates failed", "of", "stage/reason", "times given", right=("times given",))
    for where, reasons in (("blueprints", blueprint), ("conversations", conversation)):
        for reason, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])):
            table.add_row(where, reason, _n(n))
    return table


def usage_table(stats: dict[str, Any]) -> Table | None:
    usage = stats.get("usage") or {}
    if not usage:
        return None
    table = _table("Token usage", "role", "calls", "prompt tokens", "completion tokens",
                   right=("calls", "prompt tokens", "completion tokens"))
    for role, u in usage.items():
        table.add_row(role, _n(u.get("calls", 0)), _n(u.get("prompt_tokens", 0)), _n(u.get("completion_tokens", 0)))
    return table


def kept_line(stats: dict[str, Any]) -> str:
    """"Kept: 19 conversations (train 17, test 2), 20 blueprints (train 20)"."""
    if "curation" not in stats.get("funnel", {}):  # phase 1: nothing is curated yet
        return f"Kept: {_n(stats.get('kept_rows', 0))} validated blueprints (curated with the conversations, in phase 2)"
    parts = []
    for table, unit in (("trajectories", "conversations"), ("blueprints", "blueprints")):
        splits = kept(stats).get(table)
        if splits is not None:
            by_split = ", ".join(f"{split} {_n(n)}" for split, n in splits.items())
            parts.append(f"{_n(sum(splits.values()))} {unit}" + (f" ({by_split})" if by_split else ""))
    return "Kept: " + ", ".join(parts)


def llm_line(stats: dict[str, Any]) -> str | None:
    llm = stats.get("llm") or {}
    if not (llm.get("retries") or llm.get("failed_calls")):
        return None
    lost = llm.get("lost", {})
    return (f"LLM calls: {_n(llm.get('retries', 0))} retries, {_n(llm.get('recovered_calls', 0))} calls recovered, "
            f"{_n(llm.get('failed_calls', 0))} gave up; lost to failed calls: {_n(lost.get('tasks', 0))} tasks, "
            f"{_n(lost.get('attempts', 0))} attempts")


def header(stats: dict[str, Any]) -> str:
    parts = [f"{stats.get('domain')}", f"seed {stats.get('seed')}", f"{_n(stats.get('tasks'))} tasks",
             f"config {stats.get('config_fingerprint')}"]
    if stats.get("seconds") is not None:
        parts.append(f"built in {stats['seconds']:.1f} s")
    if stats.get("simulated"):
        parts.append("simulated")
    return " · ".join(parts)


def _say(console: Console, line: str) -> None:
    console.print(line, markup=False, highlight=False)


def print_stats(console: Console, run_dir: Path, stats: dict[str, Any]) -> None:
    """`builder stats DIR`: everything stats.json holds that a person reads, as tables."""
    _say(console, f"{run_dir}: {header(stats)}")
    for table in (funnel_table(stats), curation_table(stats), reasons_table(stats), usage_table(stats)):
        if table is not None:
            console.print()
            console.print(table)
    for line in (kept_line(stats), llm_line(stats)):
        if line:
            _say(console, line)
    if stats.get("tokens_per_kept_row"):
        estimated = " (estimated from text length: the simulator counts no real tokens)" if stats.get("simulated") else ""
        _say(console, f"Tokens: {_n(stats.get('tokens_total', 0))} in all, {_n(round(stats['tokens_per_kept_row']))} "
                      f"per kept row{estimated}")
    _say(console, f"Every figure: {run_dir / STATS} (or `builder stats {run_dir} --json`)")


def print_summary(console: Console, run_dir: Path, stats: dict[str, Any], phase: int) -> None:
    """The end of `builder build`: the funnel, what was kept and where it is, what to do next."""
    console.print()
    console.print(funnel_table(stats))
    cur = curation_table(stats)
    if cur is not None:
        console.print(cur)
    f = stats["funnel"]
    if phase < 2:
        _say(console, f"Blueprints: {run_dir / BLUEPRINTS} ({_n(f['blueprints_validated'] + f['recombination']['validated'])} "
                      "validated, and every rejected candidate with its reasons)")
        _say(console, "Add the conversations to this run (phase 2): "
                      f"builder build --config {run_dir / CONFIG} --phase 2 --out {run_dir}")
    else:
        _say(console, kept_line(stats))
        dataset = run_dir / DATASET
        _say(console, f"Dataset: {dataset} (card: {dataset / 'README.md'})")
        _say(console, f'Load it: datasets.load_dataset("{dataset}", "trajectories")  (or "messages", "blueprints")')
    llm = llm_line(stats)
    if llm:
        _say(console, llm)
    _say(console, f"Built in {stats['seconds']:.1f} s. More: builder stats {run_dir}")
