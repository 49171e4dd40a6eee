"""Benchmark: the yield of a build on a real local model (llama-cpp-python, a GGUF file).

Runs `builder build` on `configs/local-gguf.yaml` with the model given, then prints the funnel
(candidates per round, validated blueprints, verified conversations), why the others failed,
the time, and the tokens per role and per stage, followed by what the model wrote for the
rejected candidates and the failed attempts (the evidence when the yield is zero).

    python bench/local_yield.py --model /tmp/qwen.gguf --part all --tasks 6
    python bench/local_yield.py --model /tmp/qwen.gguf --part phase1 --tasks 4 --generation from_chain
    python bench/local_yield.py --model /tmp/qwen.gguf --part phase2 --tasks 3

Parts: `all` (every role on the model), `phase1` (generator and reviewers on the model,
blueprints only), `generator` (only the generator on the model, the simulator's reviewers:
compares generation modes on the checks), `phase2` (blueprints from the simulator; the user and
the agent on the model).
A 1.5B model at about 10 tokens a second on two cores takes tens of minutes per part.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parent.parent
MODEL_ROLES = {"all": ("generator", "reviewers", "human", "agent", "judge"),
               "phase1": ("generator", "reviewers"),
               "generator": ("generator",),
               "phase2": ("human", "agent")}


def config_for(args: argparse.Namespace) -> dict:
    # through JSON: the file's roles share YAML anchors, and each role here is set on its own
    config = json.loads(json.dumps(yaml.safe_load((ROOT / "configs" / "local-gguf.yaml").read_text())))
    config["tasks"] = args.tasks
    config["batch_size"] = args.tasks
    config["blueprints"]["generation"] = args.generation
    config["blueprints"]["compact_prompt"] = args.compact
    if args.part in ("phase1", "generator"):
        config["phase"] = 1
    for name, role in config["roles"].items():
        for cfg in role if isinstance(role, list) else [role]:
            if name in MODEL_ROLES[args.part]:
                cfg["backend"] = f"llamacpp:{args.model}"
            else:
                cfg.clear()
                cfg["backend"] = "simulator"
    if args.part in ("phase2", "generator"):  # the simulator's committee, as in a default build
        config["roles"]["reviewers"] = [{"backend": "simulator"} for _ in range(3)]
    if args.part == "phase2":
        config["blueprints"]["feedback_rounds"] = 2
    if args.examples is not None:
        config["blueprints"]["examples"] = args.examples
    if args.rounds is not None:
        config["blueprints"]["feedback_rounds"] = args.rounds
    if args.max_turns:
        config["interplay"]["max_turns"] = args.max_turns
    return config


def show_funnel(stats: dict) -> None:
    funnel = stats["funnel"]
    print("funnel:")
    for r in funnel["rounds"]:
        print("  round", json.dumps(r))
    print(f"  blueprints validated: {funnel['blueprints_validated']} of {funnel['contexts']}")
    conv = funnel.get("conversations")
    if conv:
        print(f"  conversations: {conv['attempts']} attempts, {conv['passed_attempts']} passed, "
              f"{conv['blueprints_verified']} of {conv['blueprints']} blueprints verified")
        print("  attempt failures:", json.dumps(conv["failure_reasons"]), "end reasons:", json.dumps(conv["end_reasons"]))
    print("  rejection reasons:", json.dumps(stats["rejection_reasons"]))
    print(f"kept rows: {stats['kept_rows']}, tokens: {stats['tokens_total']}, seconds: {stats['seconds']}")
    print("usage per stage (calls, prompt tokens, completion tokens):")
    for stage, roles in stats.get("usage_by_stage", {}).items():
        for role, u in roles.items():
            print(f"  {stage:20} {role:12} {u.get('calls', 0):4} {u.get('prompt_tokens', 0):8} {u.get('completion_tokens', 0):7}")


def show_evidence(run: Path, limit: int) -> None:
    bps = pd.read_parquet(run / "blueprints.parquet")
    print("\nrejected candidates (the model's reply, then the reasons):")
    for _, row in bps[~bps.passed].head(limit).iterrows():
        print(f"--- {row.task_id} round {row['round']}")
        print(str(row.raw)[-1200:])
        print("reasons:", row.reasons[:600])
    path = run / "trajectories.parquet"
    if path.exists():
        traj = pd.read_parquet(path)
        print("\nfailed attempts (the first turns, then the reasons):")
        for _, row in traj[~traj.passed].head(limit).iterrows():
            print(f"--- {row.task_id} attempt {row.attempt}")
            for m in json.loads(row.messages)[1:9]:
                text = m.get("content") or json.dumps(m.get("tool_calls"))
                print(f"  [{m['role']}] {str(text)[:240]}")
            print("reasons:", row.reasons[:600])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="the GGUF file")
    parser.add_argument("--part", choices=sorted(MODEL_ROLES), default="all")
    parser.add_argument("--tasks", type=int, default=6)
    parser.add_argument("--generation", choices=["free", "from_chain"], default="free")
    parser.add_argument("--compact", action="store_true", help="blueprints.compact_prompt: true")
    parser.add_argument("--examples", type=int, default=None, help="blueprints.examples (default: the config's)")
    parser.add_argument("--rounds", type=int, default=None, help="blueprints.feedback_rounds (default: the config's)")
    parser.add_argument("--max-turns", type=int, default=0, help="interplay.max_turns (default: the config's)")
    parser.add_argument("--out", type=Path, required=True, help="a new run folder")
    parser.add_argument("--evidence", type=int, default=6, help="rejected candidates and failed attempts to print")
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    config_path = args.out.with_name(args.out.name + ".yaml")
    config_path.write_text(yaml.safe_dump(config_for(args), sort_keys=False))
    started = time.monotonic()
    builder = str(Path(sys.executable).with_name("builder"))
    result = subprocess.run([builder, "build", "--config", str(config_path), "--out", str(args.out)])
    print(f"\nbuild exit code {result.returncode} after {time.monotonic() - started:.0f} s "
          f"({args.part}, {args.tasks} tasks, generation {args.generation}{', compact' if args.compact else ''})")
    if result.returncode != 0:
        return result.returncode
    show_funnel(json.loads((args.out / "stats.json").read_text()))
    show_evidence(args.out, args.evidence)
    return 0


if __name__ == "__main__":
    sys.exit(main())
