"""Conformance of the tau2 adapter with tau2 itself, over tau2's tasks: prints the counts.

For every task with ground-truth actions (see `builder.app.tau2_conformance`): converted to
a blueprint, does it pass our format and execution checks; does our state comparison agree
with tau2's own verdict on the gold actions and on the gold actions without their writes; is the
state the adapter reaches the one tau2 reaches (tau2's hash). Needs the `tau2` extra.

    python bench/tau2_conformance.py                      # every task of every domain (~15 min)
    python bench/tau2_conformance.py --domain retail --limit 20 --json out.json
"""

from __future__ import annotations

import argparse
import json
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domain", action="append", choices=["retail", "airline", "telecom"])
    parser.add_argument("--split", default=None, help="a tau2 split (train, test, ...); default: all tasks")
    parser.add_argument("--limit", type=int, default=None, help="a seeded sample of this many tasks per domain")
    parser.add_argument("--json", default=None, help="also write the per-domain summaries here")
    args = parser.parse_args()

    from builder.app.tau2_conformance import check_domain, summarize

    out = {}
    for name in args.domain or ["retail", "airline", "telecom"]:
        started = time.perf_counter()
        reports = check_domain(name, args.split, args.limit)
        summary = summarize(reports)
        summary["seconds"] = round(time.perf_counter() - started, 1)
        out[name] = summary
        print(f"tau2:{name}: {json.dumps(summary)}", flush=True)
        for r in reports:
            if r.has_actions and not (r.execution_ok and r.agrees_on_gold and r.agrees_on_dropped and r.state_identical):
                print(f"  task {r.task_id}: checks {r.reasons or 'ok'}; gold actions failing in tau2 {r.tau2_gold_errors}; "
                      f"gold same ours/tau2 {r.ours_gold_same}/{r.tau2_gold_same}; "
                      f"dropped same ours/tau2 {r.ours_dropped_same}/{r.tau2_dropped_same}; "
                      f"state identical {r.state_identical}{'; ' + r.error if r.error else ''}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
