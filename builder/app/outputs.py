"""The run folder's Parquet files: every blueprint candidate and every conversation attempt.

Nested values (actions, reasons, reviews, messages) are stored as JSON strings: their keys
differ from row to row, and Arrow structs would merge them and fill the gaps with nulls.

Both files have a fixed schema, so a run with no attempts (or no recombination, where `family`
is null everywhere) still gives every column its type: readers need not special-case them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import chain
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from builder.records import TaskRecord
from builder.run.folder import BLUEPRINTS, TRAJECTORIES


_TEXT, _INT = pa.string(), pa.int64()
BLUEPRINT_SCHEMA = pa.schema([
    ("task_id", _TEXT), ("domain", _TEXT), ("kind", _TEXT), ("family", _TEXT), ("parents", _TEXT),
    ("user_id", _TEXT), ("round", _INT), ("instruction", _TEXT), ("actions", _TEXT), ("outputs", _TEXT),
    ("raw", _TEXT), ("stage_reached", _TEXT), ("passed", pa.bool_()), ("reasons", _TEXT), ("reviews", _TEXT),
    ("gold_fingerprint", _TEXT), ("state_diff", _TEXT), ("task_status", _TEXT), ("errors", _TEXT),
])
TRAJECTORY_SCHEMA = pa.schema([
    ("task_id", _TEXT), ("domain", _TEXT), ("kind", _TEXT), ("attempt", _INT), ("passed", pa.bool_()),
    ("end_reason", _TEXT), ("reasons", _TEXT), ("messages", _TEXT), ("final_fingerprint", _TEXT),
    ("gold_fingerprint", _TEXT), ("state_diff", _TEXT), ("tool_calls", _INT), ("tool_errors", _INT),
    ("user_turns", _INT), ("usage", _TEXT), ("seconds", pa.float64()), ("blame", _TEXT),
    ("resampled", _INT),
])


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def blueprint_rows(records: list[TaskRecord]) -> list[dict[str, Any]]:
    rows = []
    for rec in records:
        for rnd in rec.rounds:
            bp = rnd.blueprint
            rows.append({
                "task_id": rec.task_id,
                "domain": rec.domain,
                "kind": rec.kind,
                "family": rec.family,
                "parents": _json(rec.parents),
                "user_id": rec.context.user_id,
                "round": rnd.round,
                "instruction": bp.instruction if bp else None,
                "actions": _json([a.model_dump(mode="json") for a in bp.actions]) if bp else None,
                "outputs": _json(bp.outputs) if bp else None,
                "raw": rnd.raw,
                "stage_reached": rnd.stage_reached,
                "passed": rnd.passed,
                "reasons": _json([r.model_dump(mode="json") for r in rnd.reasons]),
                "reviews": _json([r.model_dump(mode="json") for r in rnd.reviews]),
                "gold_fingerprint": rnd.gold_fingerprint,
                "state_diff": _json(rnd.state_diff),
                "task_status": rec.status,
                "errors": _json([e.model_dump(mode="json") for e in rec.errors]),
            })
    return rows


def trajectory_rows(records: list[TaskRecord]) -> list[dict[str, Any]]:
    rows = []
    for rec in records:
        for att in rec.attempts:
            rows.append({
                "task_id": rec.task_id,
                "domain": rec.domain,
                "kind": rec.kind,
                "attempt": att.attempt,
                "passed": att.passed,
                "end_reason": att.end_reason,
                "reasons": _json([r.model_dump(mode="json") for r in att.reasons]),
                "messages": _json([m.model_dump(mode="json", exclude_none=True) for m in att.messages]),
                "final_fingerprint": att.final_fingerprint,
                "gold_fingerprint": rec.gold_fingerprint,
                "state_diff": _json(att.state_diff),
                "tool_calls": att.tool_calls,
                "tool_errors": att.tool_errors,
                "user_turns": att.user_turns,
                "usage": _json(att.usage),
                "seconds": att.seconds,
                "blame": _json(att.blame.model_dump(mode="json")) if att.blame else None,
                "resampled": att.resampled,
            })
    return rows


def write_outputs(run_dir: Path, records: Iterable[TaskRecord], chunk: int = 500) -> None:
    """Write both Parquet files in one pass over the records, `chunk` records at a time (the
    records are streamed from the journal: never all in memory). Each file is written aside and
    renamed into place whole."""
    targets = [(Path(run_dir) / BLUEPRINTS, BLUEPRINT_SCHEMA, blueprint_rows),
               (Path(run_dir) / TRAJECTORIES, TRAJECTORY_SCHEMA, trajectory_rows)]
    tmps = [path.with_name(f".{path.name}.tmp") for path, _, _ in targets]
    writers = [pq.ParquetWriter(tmp, schema) for tmp, (_, schema, _) in zip(tmps, targets)]
    try:
        batch: list[TaskRecord] = []
        for rec in chain(records, [None]):
            if rec is not None:
                batch.append(rec)
            if len(batch) >= chunk or (rec is None and batch):
                for writer, (_, schema, rows) in zip(writers, targets):
                    table = pa.Table.from_pylist(rows(batch), schema=schema)
                    if table.num_rows:
                        writer.write_table(table)
                batch = []
    finally:
        for writer in writers:
            writer.close()
    for tmp, (path, _, _) in zip(tmps, targets):
        tmp.replace(path)
