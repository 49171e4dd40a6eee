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
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from builder.app.cli_help import Command, Group
from builder.app.console import make_console
from builder.errors import BuildFailure, UserError, file_error
from domains.errors import DomainError

app = typer.Typer(
    help="Generate verified multi-turn tool-use conversations (APIGen-MT) and publish them as datasets.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=Group,
)
domains_app = typer.Typer(help="Inspect and check the environments data is generated in.", no_args_is_help=True,
                          cls=Group)
app.add_typer(domains_app, name="domains")
config_app = typer.Typer(help="The build configuration (`builder build --config FILE`).", no_args_is_help=True,
                         cls=Group)
app.add_typer(config_app, name="config")

out = make_console()
err = make_console(stderr=True)


def _mount_simulator() -> None:
    from builder.app.cli_simulator import simulator_app

    app.add_typer(simulator_app, name="simulator", help="Run the offline simulator as an OpenAI-compatible server.")


_mount_simulator()


@domains_app.command("list", cls=Command)
def domains_list() -> None:
    """List the domains you can build in (outside environments when their extra is installed)."""
    from domains import domain_names, load_domain
    from domains.adapters import adapters

    table = Table("domain", "tools (read/write)", "description")
    for name in domain_names():
        d = load_domain(name)
        table.add_row(name, f"{len(d.read_tools())}/{len(d.write_tools())}", d.description)
    out.print(table)
    for info in adapters():
        if not info.available:
            out.print(f"{info.prefix}:* domains are not installed: {info.install_hint}", markup=False, highlight=False)


@domains_app.command("show", cls=Command)
def domains_show(name: str = typer.Argument(..., help="Domain name, e.g. retail.")) -> None:
    """Show a domain's tools, table sizes and policy rules."""
    from domains import load_domain

    d = load_domain(name)
    out.print(f"[bold]{d.name}[/]: {d.description}\n")
    tools = Table("tool", "kind", "arguments, then what it does")
    tools.columns[0].no_wrap = tools.columns[1].no_wrap = True  # names are what people copy: never cut
    for spec in d.tools.values():  # the description wraps whole, never cut
        args = Text(f"({', '.join(spec.params)})", style="dim")
        tools.add_row(spec.name, spec.kind, Text.assemble(args, "\n", spec.description))
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


@domains_app.command("check", cls=Command)
def domains_check(
    name: str = typer.Argument(..., help="Domain name, e.g. retail."),
    chains: int = typer.Option(200, min=1, help="How many tool chains to sample and replay."),
    seed: int = typer.Option(0, help="Seed of the sampled chains."),
) -> None:
    """Sample tool chains from the API graph, replay them, report success rate and timing.

    Any chain that does not execute, or replays to a different state, is a bug in the domain or the sampler: the command then exits 1 and shows the first failures.
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


def _config_default(key: str) -> str:
    """A build flag's default, from the config model (the flag itself defaults to None: unset
    flags leave the --config file's values alone)."""
    from builder.config import BuildConfig

    return escape(f"[default: {BuildConfig.model_fields[key].default}]")


@config_app.command("defaults", cls=Command)
def config_defaults() -> None:
    """Print every config key with its default, type and meaning: valid YAML, the same build as no file.

    Copy it to start a config file (`builder config defaults > build.yaml`) and keep the keys you change.
    """
    from builder.app.config_reference import reference_yaml

    sys.stdout.write(reference_yaml())


@app.command(cls=Command)
def build(
    domain: Optional[str] = typer.Option(
        None, help=f"Domain to build in (see `builder domains list`). {_config_default('domain')}"),
    tasks: Optional[int] = typer.Option(
        None, help=f"Task contexts to sample (blueprint candidates). {_config_default('tasks')}"),
    seed: Optional[int] = typer.Option(
        None, help=f"Run seed: every random choice derives from it. {_config_default('seed')}"),
    out_dir: Path = typer.Option(..., "--out", help="Run folder; re-running on it resumes the run."),
    config: Optional[Path] = typer.Option(None, help="YAML build config; flags override its values."),
    phase: Optional[int] = typer.Option(
        None, help="1: blueprints only; 2: blueprints and conversations (a phase-1 folder is extended in place). "
        f"{_config_default('phase')}"),
    ray: bool = typer.Option(False, "--ray", help="Run the steps as Ray actors (needs the `ray` extra); same dataset."),
    ray_address: Optional[str] = typer.Option(
        None, help="Attach to this Ray cluster ('auto', HOST:PORT, ray://HOST:10001); implies --ray. "
        "Without it --ray starts a local cluster for the build.",
    ),
) -> None:
    """Build a dataset: blueprints (phase 1), conversations (phase 2), curated rows, funnel.

    With no LLM configured every role runs on the built-in offline simulator (and says so).

    With --ray each step is a Ray actor, on any node of the cluster; only an actor on this machine opens the run folder, and the others read API keys from their own environment.

    On a cluster of several machines only this machine needs the run folder; see "Scaling out on Ray" in the README.
    """
    from builder.app.build import run_build
    from builder.config import load_config_file, parse_config

    data: dict[str, Any] = load_config_file(config) if config else {}
    for key, value in (("domain", domain), ("tasks", tasks), ("seed", seed), ("phase", phase)):
        if value is not None:
            data[key] = value
    cfg = parse_config(data, str(config) if config else "options")
    from domains import load_domain

    load_domain(cfg.domain).tables  # unknown domain, unreadable data: fail before anything is written
    from builder.llm.factory import make_role_llms
    from builder.llm.preflight import check_endpoints

    make_role_llms(cfg.roles)  # missing key variables, missing model files: fail now
    check_endpoints(cfg.roles)  # nothing listening at a base_url: fail now
    from builder.app.ray_session import RayOptions

    ray_options = RayOptions(ray_address) if ray or ray_address else None
    if ray_options:
        ray_options.check()  # Ray missing, nothing at the address: fail now
    stats = run_build(out_dir, cfg, console=err, ray=ray_options)
    from builder.app.cli_report import print_summary

    print_summary(out, out_dir, stats, cfg.phase)


@app.command(cls=Command)
def stats(
    run_dir: Path = typer.Argument(..., help="A run folder written by `builder build`."),
    as_json: bool = typer.Option(False, "--json", help="Print stats.json as it is (every figure, for scripts)."),
) -> None:
    """Print a run's funnel: every stage in and out, curation, why candidates failed, token usage."""
    from builder.app.cli_report import print_stats
    from builder.run.folder import read_stats

    data = read_stats(run_dir)
    if as_json:
        out.print_json(data=data)
    else:
        print_stats(out, run_dir, data)


@app.command(cls=Command)
def publish(
    run_dir: Path = typer.Argument(..., help="A finished run folder (the --out of `builder build`)."),
    repo: Optional[str] = typer.Option(None, help="Hub dataset repo ORG/NAME; created if missing."),
    version: str = typer.Option(..., help="Semantic version X.Y.Z; the release is the Hub tag vX.Y.Z."),
    private: bool = typer.Option(
        False, "--private", help="Create the repo private (an existing public repo is refused)."),
    message: Optional[str] = typer.Option(None, help="Commit and tag message (default: Release vX.Y.Z)."),
    to_dir: Optional[Path] = typer.Option(
        None, "--to-dir", help="Write the release's files to this new folder instead (no Hub)."),
) -> None:
    """Publish a run's dataset to the Hugging Face Hub: one commit (card + Parquet), then the tag vX.Y.Z.

    Refused (exit 2) before anything is uploaded: an unfinished or inconsistent run, an existing tag.

    The token comes from HF_TOKEN or `hf auth login` and is never printed or written.

    HF_ENDPOINT selects another Hub; an unreachable Hub is a failure (exit 1).
    """
    from rich.markup import escape

    from builder.publish.errors import PublishFailure
    from builder.publish.publisher import publish_run

    def say(console: Console, line: str) -> None:
        console.print(line, markup=False, highlight=False, soft_wrap=True)

    try:
        result = publish_run(run_dir, repo_id=repo, version=version, private=private, message=message,
                             to_dir=to_dir, log=lambda line: say(err, line))
    except PublishFailure as exc:
        err.print(f"[red]publish failed:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    if result.hub is None:
        say(out, f"Wrote {len(result.files)} files to {to_dir}")
        return
    hub = result.hub
    say(out, f"Published {hub.repo_id} {hub.tag} (commit {hub.commit}): {hub.url}")
    say(out, f'datasets.load_dataset("{hub.repo_id}", "trajectories", revision="{hub.tag}")')


@app.command("model-card", cls=Command)
def model_card(
    dataset: str = typer.Option(..., help="The published dataset the model was fine-tuned on: ORG/NAME."),
    version: str = typer.Option(..., help="Its version X.Y.Z (the Hub tag vX.Y.Z the model was trained on)."),
    base_model: str = typer.Option(..., help="Hub id of the model that was fine-tuned, e.g. Qwen/Qwen2.5-7B-Instruct."),
    run: Optional[Path] = typer.Option(None, help="The run folder the dataset version was published from: adds its funnel."),
    model_id: Optional[str] = typer.Option(None, help="Hub id of the fine-tuned model, for the loading example."),
    license: Optional[str] = typer.Option(None, help="License id of the model (usually the base model's, e.g. apache-2.0)."),
    out_path: Path = typer.Option(Path("README.md"), "--out", help="Where to write the card."),
    force: bool = typer.Option(False, "--force", help="Replace --out if it exists."),
) -> None:
    """Write the model card (README.md) of a model fine-tuned on a published dataset version."""
    from builder.cards.model_card import render_model_card
    from builder.run.folder import refuse_inside_run

    if out_path.exists() and not force:
        raise UserError(f"{out_path} exists: pass --force to replace it, or --out another path")
    if not out_path.parent.is_dir():
        raise UserError(f"--out {out_path}: the folder {out_path.parent} does not exist; create it or pick another")
    refuse_inside_run(out_path, "--out")
    text = render_model_card(dataset=dataset, version=version, base_model=base_model, run_dir=run,
                             model_id=model_id, license=license)
    out_path.write_text(text)
    out.print(f"Model card: {out_path}", markup=False, highlight=False, soft_wrap=True)
    if license is None:
        err.print("no --license given: the card says the base model's license applies", highlight=False)

def main() -> None:
    """Entry point: usage errors print click's usage and message (exit 2), user errors one clear
    message (exit 2), failures their cause (exit 1); never a traceback.

    typer runs on its own copy of click: its exceptions are not `click`'s, so they are caught here
    by typer's classes (standalone mode would print them boxed, and hides our own errors).
    """
    from typer._click.exceptions import ClickException

    try:
        try:
            result = app(standalone_mode=False)  # typer.Exit and Ctrl-C come back as an exit code
        except OSError as exc:  # a file no check foresaw: its cause and name, exit 2 or 1 by the cause
            raise file_error(exc, "cannot continue") from exc
    except ClickException as exc:  # usage errors, with no_args_is_help's help (exit 2, as click)
        exc.show()
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("aborted")
        sys.exit(130)
    except (UserError, DomainError) as exc:  # soft wrap: paths and commands in the message stay copyable
        err.print(f"[red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except BuildFailure as exc:
        err.print(f"[red]build failed:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(1)
    sys.exit(result if isinstance(result, int) else 0)
