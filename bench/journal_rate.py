"""Benchmark: does the journal write at a constant rate as it grows?

Writes checkpoints the way a build does (one per finished stage of a task, about ten stages per
task) with a realistic record (a retail task with its rounds and a conversation, about 13 KB of
JSON), and prints the put rate measured around 1k, 10k, 100k and 200k rows, plus the journal's
size per task. The rate must not fall as the journal grows (goal: constant up to 200,000 rows).

    python bench/journal_rate.py [--rows 200000] [--record-kb 13]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from builder.run.journal import Journal, journal_path  # noqa: E402

STAGES = [f"{s}.r{r}" for r in range(3) for s in ("generate", "check", "review")] + ["interplay.a1"]
MARKS = (1_000, 10_000, 100_000, 200_000)


def fake_record(task_id: str, kb: int, rng: random.Random) -> str:
    """JSON shaped like a task record: repetitive keys, varied values (compresses like a real one)."""
    words = ["order", "refund", "exchange", "item", "address", "payment", "user", "pending", "delivered"]
    messages = []
    while sum(len(m["content"]) for m in messages) < kb * 1000:
        messages.append({"role": rng.choice(["user", "assistant", "tool"]),
                         "content": " ".join(rng.choice(words) + str(rng.randrange(10**6)) for _ in range(20))})
    return json.dumps({"task_id": task_id, "status": "validated", "attempts": [{"messages": messages}]})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--record-kb", type=int, default=13)
    args = ap.parse_args()
    rng = random.Random(0)
    records = [fake_record("x", args.record_kb, rng) for _ in range(32)]
    with tempfile.TemporaryDirectory(prefix="journal-") as tmp:
        journal = Journal(Path(tmp))
        window, started, rows = 500, time.perf_counter(), 0
        print(f"record {len(records[0]) / 1000:.1f} KB of JSON; {len(STAGES)} stages per task")
        print("rows      puts/s (over the last 500 puts)")
        while rows < args.rows:
            task = rows // len(STAGES)
            journal.put(STAGES[rows % len(STAGES)], f"task-{task:07d}", records[rows % len(records)])
            rows += 1
            if rows % window == 0 and any(m - window < rows <= m for m in MARKS):
                now = time.perf_counter()
                print(f"{rows:>7,}   {window / (now - started):8.0f}")
            if rows % window == 0:
                started = time.perf_counter()
        journal.close()
        size = sum(p.stat().st_size for p in journal_path(Path(tmp)).parent.iterdir())
        tasks = -(-rows // len(STAGES))
        print(f"journal {size / 1e6:.1f} MB for {tasks:,} tasks ({size / tasks / 1000:.1f} KB per task)")


if __name__ == "__main__":
    main()
