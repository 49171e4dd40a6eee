"""Benchmark: curate a million synthetic conversation rows, with every stage on.

Writes a run folder (DIR/trajectories.parquet, DIR/blueprints.parquet in the run-folder format,
streamed in pyarrow batches), then runs `builder.curation.run.curate` in a fresh process and
prints its wall time, its peak memory (the process's RSS high-water mark: DuckDB runs in it) and
the counts of every stage.

The rows look like a real run's: templated instructions (persona, email, 1-3 goals with ids),
3-5 KB of messages JSON (system prompt, user and assistant turns, tool calls and results),
failed attempts, rejected tasks with several rounds, families with a recombined task, three
domains of unequal size. Planted: exact copies of instructions (case and punctuation changed),
near copies (a word or two changed), copies of a user's action sequence, copies of a whole
conversation.

    python bench/curation_bench.py [--rows 1000000] [--dir /tmp/curation-bench] [--memory-limit 1GB]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

BATCH = 50_000
DOMAINS = [("retail", 0.6), ("airline", 0.3), ("telecom", 0.1)]
PERSONAS = [
    "a veterinarian who is warm and mentions their pets", "a retired engineer who checks every number",
    "a busy parent who answers in short bursts", "a night-shift nurse who writes late and tired",
    "an accountant who wants amounts to the cent", "a student on a tight budget", "a chef who is always in a hurry",
    "a translator who is meticulous about wording", "a fitness coach who is energetic and brief",
    "an architect who is particular about options", "a customer who uses emojis and a friendly tone",
    "a traveller who values time above money", "a teacher who explains their reasons at length",
    "a pilot who speaks in clipped sentences", "a gardener who is patient and polite",
]
GOALS = [
    'You want to cancel order "#W{a}" because {reason}.',
    'You want to exchange item "{b}" in order "#W{a}" for item "{c}", paying with "credit_card_{d}".',
    'You want to return items "{b}" and "{c}" from order "#W{a}" to your gift card "gift_card_{d}".',
    'You want to change the address of order "#W{a}" to {d} {street} Street, zip {e}.',
    'You want to know the total you paid for order "#W{a}" and the tracking id of its shipment.',
    'You want to modify your default payment method to "paypal_{d}" and check your balance.',
    'You want the agent to calculate {b} + {c} - {d} and tell you the result.',
    'You want to book flight "HAT{e}" on {date} in economy for {d} passengers and pay with "certificate_{b}".',
    'You want to upgrade reservation "{f}" to business class if the price difference is under {d} dollars.',
]
REASONS = ["it is no longer needed", "you ordered it by mistake", "you found a cheaper one", "it arrives too late"]
STREETS = ["Oak", "Maple", "Cedar", "Pine", "Elm", "Lake", "Hill", "River"]
CLOSING = "You do not know anything that is not written here; if you are asked for it, say so."
SYSTEM = ("# {domain} support desk policy\n\nYou are the online support agent of the {domain} desk. Identify the "
          "customer first, by email or by name and zip code. Before any change, say exactly what will happen and "
          "wait for an explicit yes. Make at most one tool call at a time. " * 3)
TOOLS = ["find_user_id_by_email", "get_user_details", "get_order_details", "get_product_details", "calculate",
         "cancel_pending_order", "exchange_delivered_order_items", "modify_pending_order_address"]
TOOL_RESULT = ('{{"order_id": "#W{a}", "user_id": "{user}", "status": "pending", "items": [{{"item_id": "{b}", '
               '"name": "T-Shirt", "price": {c}.{e}, "options": {{"size": "M", "color": "blue"}}}}], '
               '"payment_history": [{{"transaction_type": "payment", "amount": {d}.50}}]}}')
SYSTEM_JSON = {d: json.dumps({"role": "system", "content": SYSTEM.format(domain=d)}, sort_keys=True) for d, _ in DOMAINS}


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def instruction(rng: random.Random, user: str) -> str:
    goals = " ".join(
        rng.choice(GOALS).format(
            a=rng.randrange(10**6, 10**7), b=rng.randrange(10**9, 10**10), c=rng.randrange(10**9, 10**10),
            d=rng.randrange(10, 9999), e=rng.randrange(10000, 99999), f=f"R{rng.randrange(10**5, 10**6)}",
            reason=rng.choice(REASONS), street=rng.choice(STREETS), date=f"2024-05-{rng.randrange(10, 29)}",
        ) for _ in range(rng.choice((1, 1, 2, 2, 3)))
    )
    return f"You are {rng.choice(PERSONAS)}.\nYour email is \"{user}@mail.example.com\".\n{goals}\n{CLOSING}"


def near_copy(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    for _ in range(rng.choice((1, 2))):
        i = rng.randrange(len(words))
        words[i] = f"changed{rng.randrange(1000)}"
    return " ".join(words)


def actions(rng: random.Random, user: str) -> str:
    calls = [{"name": "find_user_id_by_email", "arguments": {"email": f"{user}@mail.example.com"}}]
    for _ in range(rng.randrange(1, 5)):
        name = rng.choice(TOOLS[2:])
        calls.append({"name": name, "arguments": {"order_id": f"#W{rng.randrange(10**6, 10**7)}"}})
    return _dumps(calls)


def turn_pool(rng: random.Random, size: int = 4000) -> list[str]:
    """Serialised turns (tool calls and results, the agent's reply, the user's answer), drawn
    from by every row: JSON-encoding every message of a million rows would take most of the run."""
    pool = []
    for i in range(size):
        out = []
        for c in range(rng.choice((0, 1, 1, 2))):
            cid = f"call_{i}_{c}"
            out.append(_dumps({"role": "assistant", "content": "", "tool_calls": [
                {"id": cid, "name": rng.choice(TOOLS), "arguments": {"order_id": f"#W{rng.randrange(10**6, 10**7)}"}}]}))
            result = TOOL_RESULT.format(a=rng.randrange(10**6, 10**7), user=f"user_{rng.randrange(60_000)}",
                                        b=rng.randrange(10**9, 10**10), c=rng.randrange(10, 999), d=rng.randrange(10, 999),
                                        e=rng.randrange(10, 99))
            out.append(_dumps({"role": "tool", "tool_call_id": cid, "name": "get_order_details", "content": result}))
        out.append(_dumps({"role": "assistant", "content": f"I found order #W{rng.randrange(10**6, 10**7)}. It is "
                           "pending, so it can still be changed. Shall I go ahead with what you asked? Please confirm "
                           "with yes, and tell me if anything else needs to change on it."}))
        out.append(_dumps({"role": "user", "content": rng.choice(["Yes, please go ahead.", "Yes.", "Hmm, what would it cost?",
                                                                   "Actually, what about my other order?"])}))
        pool.append(", ".join(out))
    return pool


def messages(rng: random.Random, pool: list[str], domain: str, user: str, row_id: str, turns: int) -> str:
    """A conversation as the run folder stores it: the JSON list of message dicts."""
    first = _dumps({"role": "user", "content": f"Hi, this is about my account ({row_id}). My email is {user}@mail.example.com."})
    last = _dumps({"role": "assistant", "content": "Done. Is there anything else I can help you with today?"})
    return "[" + ", ".join([SYSTEM_JSON[domain], first, *rng.choices(pool, k=turns - 1), last]) + "]"


def generate(run_dir: Path, rows: int, seed: int = 0) -> dict[str, int]:
    """Write the two Parquet files with about `rows` trajectory rows; return what was planted."""
    from builder.records import Action, Attempt, Blueprint, Context, RoundRecord, TaskRecord
    from builder.app.outputs import blueprint_rows, trajectory_rows

    rng = random.Random(seed)
    pool = turn_pool(rng)
    # the real writer's column names, so the bench cannot drift from the run-folder format
    probe = TaskRecord(task_id="x", domain="d", seed=0, context=Context(user_id="u", records={}, chain=[], scenarios=[], persona=""),
                       rounds=[RoundRecord(round=0, blueprint=Blueprint(instruction="i", actions=[Action(name="f")]))],
                       attempts=[Attempt(attempt=1)])
    traj_cols, bp_cols = list(trajectory_rows([probe])[0]), list(blueprint_rows([probe])[0])
    traj_schema = pa.schema([(c, pa.int64() if c in ("attempt", "tool_calls", "tool_errors", "user_turns") else
                              pa.bool_() if c == "passed" else pa.float64() if c == "seconds" else pa.string()) for c in traj_cols])
    bp_schema = pa.schema([(c, pa.int64() if c == "round" else pa.bool_() if c == "passed" else pa.string()) for c in bp_cols])
    planted = dict.fromkeys(("exact_instruction", "near_instruction", "same_actions", "same_conversation",
                             "tasks", "rejected_tasks", "families"), 0)
    traj_buf: dict[str, list] = {c: [] for c in traj_cols}
    bp_buf: dict[str, list] = {c: [] for c in bp_cols}
    recent: list[tuple[str, str, str, str]] = []  # (user, instruction, actions, messages) to copy from
    written = 0
    with pq.ParquetWriter(run_dir / "trajectories.parquet", traj_schema, compression="zstd") as tw, \
            pq.ParquetWriter(run_dir / "blueprints.parquet", bp_schema, compression="zstd") as bw:

        def flush(force: bool = False) -> None:
            if force or len(traj_buf["task_id"]) >= BATCH:
                tw.write_batch(pa.RecordBatch.from_pydict(traj_buf, schema=traj_schema))
                for v in traj_buf.values():
                    v.clear()
            if force or len(bp_buf["task_id"]) >= BATCH:
                bw.write_batch(pa.RecordBatch.from_pydict(bp_buf, schema=bp_schema))
                for v in bp_buf.values():
                    v.clear()

        def add_blueprint(task_id, domain, kind, family, parents, user, rnd, text, acts, passed, status):
            bp_buf["task_id"].append(task_id); bp_buf["domain"].append(domain); bp_buf["kind"].append(kind)
            bp_buf["family"].append(family); bp_buf["parents"].append(_dumps(parents)); bp_buf["user_id"].append(user)
            bp_buf["round"].append(rnd); bp_buf["instruction"].append(text); bp_buf["actions"].append(acts)
            bp_buf["passed"].append(passed); bp_buf["task_status"].append(status)
            for c, v in (("outputs", "[]"), ("raw", None), ("stage_reached", "review"), ("reviews", "[]"),
                         ("reasons", "[]" if passed else '[{"code": "rejected", "stage": "review"}]'),
                         ("gold_fingerprint", f"{rng.getrandbits(64):016x}"), ("state_diff", "[]"), ("errors", "[]")):
                bp_buf[c].append(v)

        task_no = 0
        family: list[str] | None = None
        while written < rows:
            task_no += 1
            domain = rng.choices([d for d, _ in DOMAINS], [w for _, w in DOMAINS])[0]
            task_id = f"{domain}-0-{task_no:07d}"
            user = f"user_{rng.randrange(60_000)}"
            kind, fam, parents = "base", None, []
            if family is not None:  # the next member of a family, or its recombined task
                fam = family[0]
                if len(family) == 3:
                    kind, parents, task_id, family = "recombined", family[1:], f"{fam}-merged", None
                else:
                    family.append(task_id)
            elif rng.random() < 0.08:
                family = [f"{domain}-0-family{task_no:07d}", task_id]
                fam = family[0]
            status = "rejected" if rng.random() < 0.25 and kind == "base" else "validated"
            text, acts = instruction(rng, user), actions(rng, user)
            roll = rng.random()
            if recent and roll < 0.03:
                _, src, _, _ = rng.choice(recent)
                text = src.upper().replace(".", " . ").replace(",", "")
                planted["exact_instruction"] += 1
            elif recent and roll < 0.06:
                text = near_copy(rng, rng.choice(recent)[1])
                planted["near_instruction"] += 1
            elif recent and roll < 0.08:
                user, _, acts, _ = rng.choice(recent)
                planted["same_actions"] += 1
            rounds = rng.choice((1, 1, 1, 2, 3)) if status == "validated" else 3
            for r in range(rounds):
                passed = status == "validated" and r == rounds - 1
                add_blueprint(task_id, domain, kind, fam, parents, user, r, text, acts, passed, status)
            planted["tasks"] += 1
            planted["rejected_tasks"] += status == "rejected"
            planted["families"] += kind == "recombined"
            if status != "validated":
                flush()
                continue
            attempts = rng.choice((1, 1, 1, 2, 2, 3))
            for a in range(1, attempts + 1):
                passed = a == attempts and rng.random() < 0.85
                turns = rng.randrange(2, 14)
                calls = rng.randrange(1, 9)
                if recent and rng.random() < 0.01:
                    msgs = rng.choice(recent)[3]
                    planted["same_conversation"] += passed
                else:
                    msgs = messages(rng, pool, domain, user, f"{task_id}-a{a}", turns)
                for c, v in (("task_id", task_id), ("domain", domain), ("kind", kind), ("attempt", a), ("passed", passed),
                             ("end_reason", "stop"), ("reasons", "[]" if passed else '[{"code": "state_mismatch", "stage": "state"}]'),
                             ("messages", msgs), ("final_fingerprint", None), ("gold_fingerprint", None), ("state_diff", "[]"),
                             ("tool_calls", calls), ("tool_errors", rng.choice((0, 0, 0, 0, 1, 1, 2, 4))),
                             ("user_turns", turns), ("usage", "{}"), ("seconds", 1.0)):
                    traj_buf[c].append(v)
                written += 1
            if len(recent) < 2000:
                recent.append((user, text, acts, msgs))
            else:
                recent[rng.randrange(2000)] = (user, text, acts, msgs)
            flush()
        flush(force=True)
    planted["rows"] = written
    return planted


def settings(rows: int) -> dict:
    """Every stage on; the domain cap bites on the largest domain only."""
    return {"near_dup_threshold": 0.8, "near_dup_ngram": 3, "min_user_turns": 2, "max_user_turns": 12,
            "max_tool_errors": 2, "max_chars": 9000, "domain_cap": max(1, rows // 8), "test_share": 0.05}


def curate_child(run_dir: Path, rows: int, memory_limit: str) -> None:
    """In a fresh process: curate, and report time, peak RSS and counts as one JSON line."""
    import duckdb  # noqa: F401  (imported first, so the baseline includes it)

    from builder.config import BuildConfig
    from builder.curation.run import curate

    base_rss = peak_rss_mb()
    config = BuildConfig(domain="retail", seed=0, curation={**settings(rows), "memory_limit": memory_limit})
    t = time.perf_counter()
    result = curate(run_dir, config)
    seconds = time.perf_counter() - t
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_rss_mb(), "baseline_rss_mb": base_rss,
                      "steps": result.step_seconds, "funnel": result.funnel()}))


def peak_rss_mb() -> float:
    """This process's RSS high-water mark (VmHWM). Not getrusage's ru_maxrss: Linux carries that
    over from the parent through fork and exec, so a child would report the generator's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: kilobytes too


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/curation-bench"))
    parser.add_argument("--memory-limit", default="1GB")
    parser.add_argument("--reuse", action="store_true", help="curate the files already in --dir")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        curate_child(args.dir, args.rows, args.memory_limit)
        return
    if not args.reuse:
        shutil.rmtree(args.dir, ignore_errors=True)
        args.dir.mkdir(parents=True)
        t = time.perf_counter()
        planted = generate(args.dir, args.rows)
        sizes = {p.name: f"{p.stat().st_size / 2**20:.0f} MB" for p in args.dir.glob("*.parquet")}
        print(f"generated {planted['rows']:,} trajectory rows in {time.perf_counter() - t:.0f} s: {sizes}")
        print(f"planted: {json.dumps(planted)}")
    import duckdb

    ((text_mb, mean_kb),) = duckdb.sql(
        f"SELECT sum(length(messages)) / 2^20, avg(length(messages)) / 2^10 FROM '{args.dir / 'trajectories.parquet'}'"
    ).fetchall()
    print(f"messages JSON: {text_mb:,.0f} MB of text, {mean_kb:.1f} KB per row on average")
    child = subprocess.run([sys.executable, __file__, "--child", "--dir", str(args.dir), "--rows", str(args.rows),
                            "--memory-limit", args.memory_limit],
                           capture_output=True, text=True)
    if child.returncode != 0:
        sys.exit(f"curation failed:\n{child.stderr[-3000:]}")
    report = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"curation settings: {json.dumps(settings(args.rows))}, memory_limit {args.memory_limit}")
    print(f"curate: {report['seconds']:.1f} s wall, peak RSS {report['peak_rss_mb']:.0f} MB "
          f"(process before curating: {report['baseline_rss_mb']:.0f} MB)")
    print("steps (s): " + ", ".join(f"{k} {v}" for k, v in report["steps"].items()))
    funnel = report["funnel"]
    for table in ("trajectories", "blueprints"):
        print(f"{table}:")
        for stage, c in funnel[table].items():
            removed = ", ".join(f"{k} {v:,}" for k, v in c["removed"].items()) or "-"
            print(f"  {stage:<17} {c['in']:>10,} -> {c['out']:>10,}   removed: {removed}")
    print(f"kept: {json.dumps(funnel['kept'])}")
    print(f"near duplicates: {json.dumps(funnel.get('near_duplicates'))}")


if __name__ == "__main__":
    main()
