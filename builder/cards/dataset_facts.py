"""What the card says about the published rows, measured on DIR/dataset's Parquet files.

Counts and distributions are DuckDB SQL over the files (streaming: memory does not grow with
the rows); the schema of each config comes from the `datasets` features stored in the Parquet
metadata, so the card shows the types `load_dataset` returns (`json` for `datasets.Json`).
Nothing here trusts stats.json: the card puts the two side by side, and tests compare them.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from builder.cards.training import LongestRow, longest_row
from builder.export import CONFIGS, DEFAULT_CONFIG
from builder.export.dataset import split_of


class ToolCount(BaseModel):
    tool: str
    calls: int
    rows: int  # conversations that call it at least once


class Spread(BaseModel):
    """min / median / mean / max of one per-row number."""

    min: int
    median: float
    mean: float
    max: int


class Column(BaseModel):
    name: str
    type: str


class DatasetFacts(BaseModel):
    rows: dict[str, dict[str, int]]  # config -> split -> rows, configs and splits as on disk
    files: dict[str, dict[str, list[str]]]  # config -> split -> files relative to DIR/dataset
    domains: list[tuple[str, int, int]]  # (domain, blueprints, conversations)
    tools: list[ToolCount]  # every tool offered in the rows, most called first (0 calls included)
    turns: list[tuple[int, int]]  # (user turns, conversations), by turns
    turn_spread: Spread | None
    tool_call_spread: Spread | None
    blueprint_kinds: dict[str, int]  # base / recombined
    schemas: dict[str, list[Column]]
    example: list[dict[str, str]]  # the first conversation's turns (trajectories), by id
    longest_row: LongestRow | None = None  # of the `messages` config, for the training recipe

    def total(self, config: str) -> int:
        return sum(self.rows.get(config, {}).values())


def shards(dataset_dir: Path) -> dict[str, dict[str, list[Path]]]:
    """config -> split -> Parquet files, for the configs present (known configs first)."""
    found: dict[str, dict[str, list[Path]]] = {}
    names = sorted(p.name for p in dataset_dir.iterdir() if p.is_dir()) if dataset_dir.is_dir() else []
    for name in [c for c in CONFIGS if c in names] + [c for c in names if c not in CONFIGS]:
        by_split: dict[str, list[Path]] = {}
        for path in sorted((dataset_dir / name).glob("*.parquet")):
            split = split_of(path.name)
            if split:
                by_split.setdefault(split, []).append(path)
        if by_split:
            found[name] = dict(sorted(by_split.items(), key=lambda kv: (kv[0] != "train", kv[0])))
    return found


def type_name(feature) -> str:
    """A `datasets` feature as a short type: `string`, `list<json>`, `{from: string, ...}`."""
    from datasets import Json, LargeList, List, Value

    if isinstance(feature, Value):
        return feature.dtype
    if isinstance(feature, Json):
        return "json"
    if isinstance(feature, (List, LargeList)):
        return f"list<{type_name(feature.feature)}>"
    if isinstance(feature, dict):
        return "{" + ", ".join(f"{k}: {type_name(v)}" for k, v in feature.items()) + "}"
    return type(feature).__name__


def _schema(path: Path) -> list[Column]:
    import pyarrow.parquet as pq
    from datasets import Features

    features = Features.from_arrow_schema(pq.read_schema(path))
    return [Column(name=k, type=type_name(v)) for k, v in features.items()]


def _spread(con, files: list[str], column: str) -> Spread | None:
    row = con.execute(
        f"SELECT min({column}), median({column}), avg({column}), max({column}) FROM read_parquet(?)", [files]
    ).fetchone()
    if row[0] is None:
        return None
    return Spread(min=row[0], median=round(float(row[1]), 1), mean=round(float(row[2]), 2), max=row[3])


def measure(dataset_dir: Path) -> DatasetFacts:
    """Read the facts of DIR/dataset (every split of every config present)."""
    import duckdb

    from builder.curation.database import exact_file  # file names are not patterns

    dataset_dir = Path(dataset_dir)
    found = shards(dataset_dir)
    files = {name: [exact_file(p) for ps in by_split.values() for p in ps] for name, by_split in found.items()}
    con = duckdb.connect()
    rows = {
        name: {split: con.execute("SELECT count(*) FROM read_parquet(?)", [[exact_file(p) for p in ps]]).fetchone()[0]
               for split, ps in by_split.items()}
        for name, by_split in found.items()
    }
    traj, bps = files.get(DEFAULT_CONFIG), files.get("blueprints")

    per_domain: dict[str, list[int]] = {}
    if bps:
        for domain, n in con.execute("SELECT domain, count(*) FROM read_parquet(?) GROUP BY 1", [bps]).fetchall():
            per_domain.setdefault(domain, [0, 0])[0] = n
    tools: list[ToolCount] = []
    turns: list[tuple[int, int]] = []
    example: list[dict[str, str]] = []
    if traj:
        for domain, n in con.execute("SELECT domain, count(*) FROM read_parquet(?) GROUP BY 1", [traj]).fetchall():
            per_domain.setdefault(domain, [0, 0])[1] = n
        tools = [ToolCount(tool=t, calls=c, rows=r) for t, c, r in con.execute(
            """
            WITH offered AS (
                SELECT DISTINCT unnest(json_extract_string(tools, '$[*].name')) AS tool
                FROM (SELECT DISTINCT tools FROM read_parquet($files))
            ), called AS (
                SELECT json_extract_string(turn.value, '$.name') AS tool, count(*) AS calls, count(DISTINCT id) AS rows
                FROM (SELECT id, unnest(conversations) AS turn FROM read_parquet($files))
                WHERE turn."from" = 'function_call'
                GROUP BY 1
            )
            SELECT tool, coalesce(calls, 0), coalesce(rows, 0)
            FROM offered FULL OUTER JOIN called USING (tool)
            ORDER BY 2 DESC, 1
            """,
            {"files": traj},
        ).fetchall()]
        turns = con.execute("SELECT num_turns, count(*) FROM read_parquet(?) GROUP BY 1 ORDER BY 1", [traj]).fetchall()
        first = con.execute("SELECT conversations FROM read_parquet(?) ORDER BY id LIMIT 1", [traj]).fetchone()
        example = [{"from": t["from"], "value": t["value"]} for t in first[0]]
    kinds = dict(con.execute("SELECT kind, count(*) FROM read_parquet(?) GROUP BY 1 ORDER BY 1", [bps]).fetchall()) if bps else {}
    return DatasetFacts(
        rows=rows,
        files={name: {split: [p.relative_to(dataset_dir).as_posix() for p in ps] for split, ps in by_split.items()}
               for name, by_split in found.items()},
        domains=[(d, b, c) for d, (b, c) in sorted(per_domain.items())],
        tools=tools,
        turns=turns,
        turn_spread=_spread(con, traj, "num_turns") if traj else None,
        tool_call_spread=_spread(con, traj, "num_tool_calls") if traj else None,
        blueprint_kinds=kinds,
        schemas={name: _schema(next(iter(by_split.values()))[0]) for name, by_split in found.items()},
        example=example,
        longest_row=longest_row([p for ps in found["messages"].values() for p in ps]) if found.get("messages") else None,
    )
