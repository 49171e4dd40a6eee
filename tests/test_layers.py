"""The house's floors, checked on the source: `domains/` imports nothing above it, and production
code reaches the offline simulator only by name (the backend registry, the command that serves it)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# where production may name the simulator's modules
SIMULATOR_DOORS = {"builder/llm/registry.py", "builder/app/cli_simulator.py"}


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth (lazy imports inside functions included)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module)
            out.update(f"{node.module}.{alias.name}" for alias in node.names)
    return out


def sources(*packages: str) -> list[Path]:
    return [p for package in packages for p in sorted((ROOT / package).rglob("*.py"))]


def test_domains_import_nothing_from_the_application():
    offenders = {str(p.relative_to(ROOT)): sorted(m for m in imported_modules(p) if m.split(".")[0] in ("builder", "steps"))
                 for p in sources("domains")}
    assert not {p: m for p, m in offenders.items() if m}


def test_production_reaches_the_simulator_only_by_name():
    offenders = {}
    for path in sources("builder", "steps"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("builder/simulator/") or rel in SIMULATOR_DOORS:
            continue
        found = sorted(m for m in imported_modules(path) if m == "builder.simulator" or m.startswith("builder.simulator."))
        if found:
            offenders[rel] = found
    assert not offenders


def test_only_the_application_floor_uses_the_stages():
    """`builder/app/` (command line, build, pipeline assembly, progress, the run's outputs and funnel)
    stands on the stages; the rest of `builder/` is what the stages use or what reads their records,
    so neither it nor `steps/` imports `steps` or `builder.app` upward."""
    offenders = {}
    for path in sources("builder", "steps"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("builder/app/"):
            continue
        upward = ("builder.app",) if rel.startswith("steps/") else ("builder.app", "steps")
        found = sorted(m for m in imported_modules(path) if m.split(".")[0] in ("steps", "builder")
                       and any(m == u or m.startswith(u + ".") for u in upward))
        if found:
            offenders[rel] = found
    assert not offenders
