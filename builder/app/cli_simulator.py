"""`builder simulator ...`: run the offline simulator as an OpenAI-compatible HTTP server.

Mounted by the main CLI as `builder simulator`; also runnable alone with
`python -m builder.app.cli_simulator serve ...`.
"""

from __future__ import annotations

import errno

import typer

from builder.app.cli_help import Command, Group

simulator_app = typer.Typer(
    name="simulator",
    help=(
        "The offline simulator: a deterministic stand-in for every LLM role, served over an "
        "OpenAI-compatible HTTP API. It is a test double, not a model."
    ),
    no_args_is_help=True,
    add_completion=False,
    cls=Group,
)



@simulator_app.callback()
def _group() -> None:
    """The offline simulator (a test double for LLM endpoints)."""


_KINDS_HELP = "Comma-separated fault kinds sharing --error-rate equally: http_500, http_429, slow, malformed."


@simulator_app.command("serve", cls=Command)
def serve_command(
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="TCP port to listen on (0 = any free port)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind; keep the loopback default unless you mean to share it."),
    latency_ms: float = typer.Option(0.0, "--latency-ms", min=0.0, help="How long every reply takes from the request's arrival (the simulator's own work "
                                  "included), in milliseconds."),
    error_rate: float = typer.Option(0.0, "--error-rate", min=0.0, max=1.0,
                                     help="Fraction of requests that fail with an injected fault (0 to 1)."),
    seed: int = typer.Option(0, "--seed", help="Seed for the replies (when a request has none) and for which requests fail."),
    faults: str = typer.Option("http_500,http_429,slow,malformed", "--faults", help=_KINDS_HELP),
    retry_after_s: float = typer.Option(1.0, "--retry-after-s", min=0.0, help="Retry-After sent with injected 429s, in seconds."),
    slow_s: float = typer.Option(30.0, "--slow-s", min=0.0, help="How long a 'slow' fault holds the reply (set it above your client timeout)."),
    model: str = typer.Option("simulator", "--model", help="Model id listed by GET /v1/models."),
) -> None:
    """Serve POST /v1/chat/completions, GET /v1/models and GET /health until Ctrl-C.

    Point a role at it with `backend: openai:simulator` and `base_url: http://HOST:PORT/v1`.
    Injected faults are deterministic given --seed, so a failing run can be replayed.

    Example: builder simulator serve --port 8000 --latency-ms 200 --error-rate 0.1
    """
    from builder.errors import UserError
    from builder.simulator.server import FaultConfig, bind, serve

    kinds = tuple(k.strip() for k in faults.split(",") if k.strip())
    try:
        fault_cfg = FaultConfig(error_rate=error_rate, kinds=kinds, retry_after_s=retry_after_s, slow_s=slow_s)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="'--faults'") from e
    try:
        sock = bind(host, port)
    except OSError as e:  # the user chose the address: bad input, with the fix
        taken = e.errno == errno.EADDRINUSE
        fix = ("something else listens there: choose another --port (0 picks a free one), or stop it"
               if taken else "check --host (an address of this machine) and --port")
        raise UserError(f"cannot listen on {host}:{port}: {e.strerror or e}; {fix}") from None
    port = sock.getsockname()[1]
    typer.echo(
        f"simulator (offline test double) on http://{host}:{port}/v1  latency={latency_ms:g}ms "
        f"error_rate={error_rate:g} faults={','.join(kinds) or '-'} seed={seed}",
        err=True,
    )
    typer.echo(
        f"point a role at it with  backend: openai:simulator, base_url: http://{host}:{port}/v1  "
        "(the model name 'simulator' makes the builder send the context the simulator reads)",
        err=True,
    )
    serve(sock, latency_ms=latency_ms, faults=fault_cfg, seed=seed, model_name=model)


if __name__ == "__main__":
    simulator_app()
