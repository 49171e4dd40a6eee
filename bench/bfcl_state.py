"""Benchmark: reset, replay a sampled chain and fingerprint in BFCL domains, as the number of
worlds (people) in the database grows. The cost should follow one world, not the database.

Prints, per domain and number of worlds: the time to build the base, and the median and p90 of
reset + replay + fingerprint and of reset + fingerprint alone.

    python bench/bfcl_state.py [--domains trading filesystem] [--worlds 60 600 6000] [--chains 200]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from domains.adapters.bfcl import build_domain
from domains.adapters.bfcl.domain import BfclDomain
from domains.adapters.bfcl.worlds import generate_worlds


def chains_for(domain, n: int) -> list[list[tuple[str, dict]]]:
    out = []
    for i in range(n):
        chain = domain.sampler.sample(random.Random(f"bench:{i}"), max_targets=2)
        assert chain.ok, chain.failures
        out.append([(c.name, c.arguments) for c in chain.calls])
    return out


def timed(env, chains, replay: bool) -> list[float]:
    times = []
    for calls in chains:
        t = time.perf_counter()
        env.reset()
        if replay:
            for name, args in calls:
                env.execute(name, args)
        env.fingerprint()
        times.append(time.perf_counter() - t)
    return times


def ms(values: list[float]) -> str:
    q = statistics.quantiles(values, n=10)
    return f"median {1e3 * statistics.median(values):.3f} ms, p90 {1e3 * q[-1]:.3f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--domains", nargs="+", default=["trading", "filesystem", "message+trading"])
    ap.add_argument("--worlds", nargs="+", type=int, default=[60, 600, 6000])
    ap.add_argument("--chains", type=int, default=200)
    args = ap.parse_args()
    for name in args.domains:
        small = build_domain(name)
        for n in args.worlds:
            t = time.perf_counter()
            domain = BfclDomain(small.classes, worlds=generate_worlds(list(small.class_types), n=n))
            records = sum(len(r) for r in domain.tables.records.values())
            domain.new_environment().fingerprint()  # the base hash, once per domain
            build = time.perf_counter() - t
            chains = chains_for(domain, args.chains)
            env = domain.new_environment()
            replayed = timed(env, chains, replay=True)
            bare = timed(env, chains, replay=False)
            print(f"bfcl:{name} {n} worlds ({records} records, base {build:.2f} s): "
                  f"reset+replay+fingerprint {ms(replayed)}; reset+fingerprint {ms(bare)}")


if __name__ == "__main__":
    main()
