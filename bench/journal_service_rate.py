"""Benchmark: how many stage results a second the run's journal service stores on Ray.

On Ray every stored stage is one call to the journal actor (`builder.run.journal_service`).
This starts a local Ray cluster, the service on a scratch run, and `--callers` actors that each
store `--puts` records of `--record-kb` KB the way chains do (many coroutines, each awaiting
its put), and prints the service's rate next to the journal's own (no Ray).

    python bench/journal_service_rate.py [--callers 2] [--puts 2000] [--record-kb 13]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from builder.config import BuildConfig  # noqa: E402
from builder.run.folder import prepare_run  # noqa: E402
from builder.run.journal import Journal  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callers", type=int, default=2)
    parser.add_argument("--puts", type=int, default=2000)
    parser.add_argument("--record-kb", type=int, default=13)
    args = parser.parse_args()
    import ray

    from builder.run.journal_service import RemoteRun, start_journal_service, stop_journal_service

    record = ('{"x": "' + "y" * 1024 * args.record_kb + '"}')
    with tempfile.TemporaryDirectory() as tmp:
        local = Journal(Path(tmp) / "local")
        started = time.perf_counter()
        for i in range(args.puts):
            local.put("generate.r0", f"t{i}", record)
        local_rate = args.puts / (time.perf_counter() - started)
        local.close()

        prepare_run(Path(tmp) / "run", BuildConfig(domain="retail", tasks=1))
        ray.init(include_dashboard=False, log_to_driver=False)
        service = start_journal_service(Path(tmp) / "run", "bench-journal", "")

        @ray.remote(num_cpus=0)
        def caller(k: int, puts: int) -> float:
            journal = RemoteRun("bench-journal").journal()

            async def chains() -> None:
                await asyncio.gather(*(journal.put("generate.r0", f"c{k}-{i}", record) for i in range(puts)))

            begun = time.perf_counter()
            asyncio.run(chains())
            return time.perf_counter() - begun

        seconds = ray.get([caller.remote(k, args.puts) for k in range(args.callers)])  # from their first put
        remote_rate = args.callers * args.puts / max(seconds)
        stop_journal_service(service)
        ray.shutdown()
    print(f"journal, in-process: {local_rate:,.0f} puts/s; journal service over Ray, {args.callers} callers: "
          f"{remote_rate:,.0f} puts/s ({args.record_kb} KB records)")


if __name__ == "__main__":
    main()
