"""The `builder` command line. Exit codes: 0 success, 2 bad usage or input, 1 runtime failure."""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from builder.errors import BuildFailure, UserError

app = typer.Typer(
    help="Generate verified multi-turn tool-use conversations (APIGen-MT) and publish them as datasets.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
domains_app = typer.Typer(help="Inspect and check the environments data is generated in.", no_args_is_help=True)
app.add_typer(domains_app, name="domains")

out = Console()
err = Console(stderr=True)


def _mount_simulator() -> None:
    from builder.cli_simulator import simulator_app

    app.add_typer(simulator_app, name="simulator", help="Run the offline simulator as an OpenAI-compatible server.")


_mount_simulator()


@domains_app.command("list")
def domains_list() -> None:
    """List the domains you can build in."""
    from domains import domain_names, load_domain

    table = Table("domain", "tools (read/write)", "description")
    for name in domain_names():
        d = load_domain(name)
        table.add_row(name, f"{len(d.read_tools())}/{len(d.write_tools())}", d.description)
    out.print(table)


@domains_app.command("show")
def domains_show(name: str = typer.Argument(..., help="Domain name, e.g. retail.")) -> None:
    """Show a domain's tools, table sizes and policy rules."""
    from domains import load_domain

    d = load_domain(name)
    out.print(f"[bold]{d.name}[/]: {d.description}\n")
    tools = Table("tool", "kind", "arguments", "description")
    for spec in d.tools.values():
        tools.add_row(spec.name, spec.kind, ", ".join(spec.params), spec.description[:90])
    out.print(tools)
    sizes = Table("table", "records")
    for table_name, rows in d.tables.records.items():
        sizes.add_row(table_name, str(len(rows)))
    out.print(sizes)
    out.print("[bold]Preconditions enforced by write tools[/]")
    for p in d.policy.preconditions:
        out.print(f"  - {p}")
    out.print("[bold]Conversation rules[/]")
    for rule in d.policy.rules:
        out.print(f"  - {rule.name}: {rule.description}")
    out.print("[bold]API graph[/] (read tool -> tool it feeds: arguments)")
    for line in d.graph.describe():
        out.print(f"  {line}")


@domains_app.command("check")
def domains_check(
    name: str = typer.Argument(..., help="Domain name, e.g. retail."),
    chains: int = typer.Option(200, min=1, help="How many tool chains to sample and replay."),
    seed: int = typer.Option(0, help="Seed of the sampled chains."),
) -> None:
    """Sample tool chains from the API graph, replay them, report success rate and timing.

    Any chain that does not execute, or replays to a different state, is a bug in the domain
    or the sampler: the command then exits 1 and shows the first failures.
    """
    from domains import load_domain
    from domains.framework.sampling import replay

    d = load_domain(name)
    t0 = time.perf_counter()
    _ = d.tables.total_hash
    load_s = time.perf_counter() - t0
    failures: list[str] = []
    sample_times, replay_times, lengths = [], [], []
    used: dict[str, int] = {}
    for i in range(chains):
        t = time.perf_counter()
        chain = d.sampler.sample(random.Random(f"{seed}:check:{i}"))
        sample_times.append(time.perf_counter() - t)
        lengths.append(len(chain.calls))
        for c in chain.calls:
            used[c.name] = used.get(c.name, 0) + 1
        bad = chain.failures
        if bad:
            failures.append(f"chain {i} (user {chain.user_id}): {bad[0].name}({bad[0].arguments}) -> {bad[0].observation}")
            continue
        t = time.perf_counter()
        env, _obs = replay(d, ((c.name, c.arguments) for c in chain.calls))
        replay_times.append(time.perf_counter() - t)
        if env.fingerprint() != chain.fingerprint:
            failures.append(f"chain {i}: replay reached a different state than sampling")
    ok = chains - len(failures)
    out.print(f"{name}: {ok}/{chains} chains executed and replayed ({100 * ok / chains:.1f}%)")
    out.print(
        f"  calls per chain: mean {statistics.mean(lengths):.1f}, max {max(lengths)}; "
        f"tools used: {len(used)}/{len(d.tools)}"
    )
    if replay_times:
        out.print(
            f"  median sample {1e3 * statistics.median(sample_times):.2f} ms, "
            f"median replay {1e3 * statistics.median(replay_times):.3f} ms; load+hash {load_s:.2f} s"
        )
    unused = sorted(set(d.tools) - set(used))
    if unused:
        out.print(f"  tools never sampled: {', '.join(unused)}")
    if failures:
        for f in failures[:10]:
            err.print(f"[red]FAIL[/] {f}")
        raise typer.Exit(1)


@app.command()
def build(
    domain: Optional[str] = typer.Option(None, help="Domain to build in (see `builder domains list`)."),
    tasks: Optional[int] = typer.Option(None, help="Task contexts to sample (blueprint candidates)."),
    seed: Optional[int] = typer.Option(None, help="Run seed: every random choice derives from it."),
    out_dir: Path = typer.Option(..., "--out", help="Run folder; re-running on it resumes the run."),
    config: Optional[Path] = typer.Option(None, help="YAML build config; flags override its values."),
    phase: Optional[int] = typer.Option(None, help="1: blueprints only; 2: blueprints and conversations."),
) -> None:
    """Build a dataset: blueprints (phase 1), conversations (phase 2), curated rows, funnel.

    With no LLM configured every role runs on the built-in offline simulator (and says so).
    """
    from builder.build import run_build
    from builder.config import load_config_file, parse_config

    data: dict[str, Any] = load_config_file(config) if config else {}
    for key, value in (("domain", domain), ("tasks", tasks), ("seed", seed), ("phase", phase)):
        if value is not None:
            data[key] = value
    cfg = parse_config(data, str(config) if config else "options")
    from domains import load_domain

    load_domain(cfg.domain)  # unknown domain: fail before anything is written
    from builder.llm.factory import make_role_llms

    make_role_llms(cfg.roles)  # missing key variables, missing model files: fail now
    stats = run_build(out_dir, cfg, console=err)
    f = stats["funnel"]
    out.print(f"\nRun folder: {out_dir}")
    out.print(
        f"Blueprints: {f['contexts']} contexts -> {f['blueprints_validated']} validated "
        f"(first round {f['validated_by_round'].get('0', 0)}), {f['recombination']['validated']} recombined"
    )
    if "conversations" in f:
        c = f["conversations"]
        out.print(
            f"Conversations: {c['attempts']} attempts -> {c['blueprints_verified']}/{c['blueprints']} blueprints verified; "
            f"failed attempts by stage: {c['failed_attempts_by_stage']}"
        )
        out.print(f"Dataset: {out_dir / 'dataset'}  (datasets.load_dataset('{out_dir / 'dataset'}', 'trajectories'))")
    out.print(f"Funnel and usage: {out_dir / 'stats.json'}  ({stats['seconds']} s)")


@app.command()
def stats(run_dir: Path = typer.Argument(..., help="A run folder written by `builder build`.")) -> None:
    """Print a run's funnel (stats.json)."""
    path = run_dir / "stats.json"
    if not path.exists():
        raise UserError(f"{path} does not exist: is {run_dir} a finished run folder?")
    out.print_json(json.dumps(json.loads(path.read_text())))


def main() -> None:
    """Entry point: user errors print one clear message (exit 2), never a traceback."""
    import click

    try:
        result = app(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        err.print("aborted")
        sys.exit(130)
    except UserError as exc:
        err.print(f"[red]error:[/] {exc}", markup=True, highlight=False)
        sys.exit(2)
    except BuildFailure as exc:
        err.print(f"[red]build failed:[/] {exc}", highlight=False)
        sys.exit(1)
    sys.exit(result if isinstance(result, int) else 0)
