"""Benchmark: reset an environment, replay a 10-call chain, fingerprint the state.

Prints the median and p90 per domain for the shipped database and for one `--scale` times
larger built by the same generator. Goal (issue 2): medians within 2x, under 1 ms shipped.

    python bench/state_bench.py [--domains retail airline] [--scale 100] [--chains 200]
"""

from __future__ import annotations

import argparse
import importlib
import random
import statistics
import time

from domains.framework import Tables


def chains_for(domain, n: int, length: int = 10):
    """`n` sampled chains of at least `length` calls (up to five write targets), cut to `length`."""
    out = []
    for i in range(n * 10):
        chain = domain.sampler.sample(random.Random(f"bench:{i}"), max_targets=5)
        if chain.ok and len(chain.calls) >= length:
            out.append([(c.name, c.arguments) for c in chain.calls][:length])
        if len(out) == n:
            return out
    raise SystemExit(f"{domain.name}: fewer than {n} sampled chains reach {length} calls")


def measure(domain, chains, repeats: int = 3) -> list[float]:
    env = domain.new_environment()
    env.fingerprint()  # the base hash is computed once per process, not per replay
    times = []
    for _ in range(repeats):
        for calls in chains:
            t = time.perf_counter()
            env.reset()
            for name, args in calls:
                env.execute(name, args)
            env.fingerprint()
            times.append(time.perf_counter() - t)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--domains", nargs="+", default=["retail", "airline"])
    ap.add_argument("--scale", type=float, default=100)
    ap.add_argument("--chains", type=int, default=200)
    args = ap.parse_args()
    for name in args.domains:
        package = importlib.import_module(f"domains.{name}")
        data = importlib.import_module(f"domains.{name}.data")
        shipped = package.build_domain()
        t = time.perf_counter()
        big = package.build_domain()
        tables = Tables.from_json(shipped.tables.models, data.generate(0, scale=args.scale))
        big.__dict__["tables"] = tables  # the cached property, set to the bigger database
        setup = time.perf_counter() - t
        rows = {}
        for label, domain in (("shipped", shipped), (f"x{args.scale:g}", big)):
            chains = chains_for(domain, args.chains)  # sampled on each database: its own ids
            mean_len = statistics.mean(len(c) for c in chains)
            times = measure(domain, chains)
            rows[label] = statistics.median(times)
            size = sum(len(r) for r in domain.tables.records.values())
            p90 = sorted(times)[int(0.9 * len(times))]
            print(f"{name:8} {label:8} records={size:>8}  median={1e3 * rows[label]:.3f} ms  "
                  f"p90={1e3 * p90:.3f} ms  ({len(times)} runs, {mean_len:.1f} calls/chain)")
        ratio = rows[f"x{args.scale:g}"] / rows["shipped"]
        print(f"{name:8} ratio large/shipped = {ratio:.2f}  (setup of the large DB {setup:.1f} s, once per process)")


if __name__ == "__main__":
    main()
