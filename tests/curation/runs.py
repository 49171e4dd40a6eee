"""Small seeded run folders for curation tests: task records written by the real writer
(`builder.app.outputs.write_outputs`), so the Parquet files are exactly what a build leaves."""

from __future__ import annotations

import itertools
import random
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from builder.config import BuildConfig
from builder.curation.result import CurationResult
from builder.curation.run import curate
from builder.curation.selection import FOLDER, read_selection
from builder.llm.types import Message
from builder.records import Action, Attempt, Blueprint, Context, RoundRecord, TaskRecord
from builder.app.outputs import write_outputs

WORDS = [f"w{i}" for i in range(500)]
_UNIQUE = itertools.count()


def sentence(seed: int, words: int = 40) -> str:
    """A seeded instruction of distinct-looking words: unrelated seeds share almost no n-grams."""
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(words)) + "."


def attempt(n: int, passed: bool = True, text: str | None = None, user_turns: int = 2, tool_errors: int = 0) -> Attempt:
    """An attempt whose messages are unique unless `text` is shared."""
    body = text if text is not None else f"conversation {n}, number {next(_UNIQUE)}"
    return Attempt(
        attempt=n, passed=passed, user_turns=user_turns, tool_errors=tool_errors,
        messages=[Message(role="user", content=body), Message(role="assistant", content="done")],
    )


def task(task_id: str, instruction: str, *, attempts: list[Attempt] | None = None, user: str = "u1",
         actions: list[tuple[str, dict[str, Any]]] | None = None, status: str = "validated",
         family: str | None = None, kind: str = "base", parents: list[str] | None = None,
         domain: str = "toy") -> TaskRecord:
    bp = Blueprint(
        instruction=instruction,
        actions=[Action(name=name, arguments=args) for name, args in (actions or [("lookup", {"id": task_id})])],
    )
    return TaskRecord(
        task_id=task_id, domain=domain, seed=0, kind=kind, family=family, parents=parents or [],
        context=Context(user_id=user, records={}, chain=[], scenarios=[], persona="p"),
        rounds=[RoundRecord(round=0, blueprint=bp, passed=status == "validated", stage_reached="review")],
        status=status, attempts=[attempt(1)] if attempts is None else attempts,
    )


def run(tmp_path: Path, records: list[TaskRecord], seed: int = 0, **curation: Any) -> tuple[Path, CurationResult]:
    """Write the records as a run folder, curate it with `curation` settings; (run_dir, result)."""
    run_dir = tmp_path / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    write_outputs(run_dir, records)
    config = BuildConfig(domain="toy", seed=seed, curation=curation)
    return run_dir, curate(run_dir, config)


def kept(run_dir: Path) -> list[tuple[str, int]]:
    return sorted(read_selection(run_dir).trajectories)


def kept_tasks(run_dir: Path) -> list[str]:
    return sorted(read_selection(run_dir).blueprints)


def removed(run_dir: Path, table: str = "trajectories") -> dict[Any, tuple[str, str, str | None]]:
    """Row key -> (stage, reason, duplicate_of) of the removed rows (task id for blueprints)."""
    rows = pq.read_table(run_dir / FOLDER / f"removed_{table}.parquet").to_pylist()
    key = (lambda r: (r["task_id"], r["attempt"])) if table == "trajectories" else (lambda r: r["task_id"])
    return {key(r): (r["stage"], r["reason"], r["duplicate_of"]) for r in rows}
