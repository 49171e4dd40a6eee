"""`--help` and `domains show` as a person reads them, through the installed command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from builder.config import BuildConfig
from domains import load_domain

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).with_name("builder")


def builder(*args: str, columns: int) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": str(columns)}
    result = subprocess.run([str(SCRIPT), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("command", [[], ["build"], ["publish"], ["model-card"], ["stats"], ["domains", "show"],
                                     ["simulator", "serve"]])
def test_flags_show_no_value_type(command):
    text = builder(*command, "--help", columns=120)
    assert "<bool>" not in text
    help_line = next(line for line in text.splitlines() if line.lstrip("│ ").startswith("--help"))
    assert help_line.split("--help", 1)[1].split()[:1] == ["Show"]


def test_build_help_shows_the_config_defaults():
    text = " ".join(builder("build", "--help", columns=120).split())
    defaults = BuildConfig()
    for flag, value in (("tasks", defaults.tasks), ("seed", defaults.seed), ("phase", defaults.phase),
                        ("domain", defaults.domain)):
        assert f"--{flag}" in text and f"[default: {value}]" in text
    ray = next(line for line in builder("build", "--help", columns=120).splitlines() if line.lstrip("│ ").startswith("--ray "))
    assert ray.split("--ray", 1)[1].split()[0] == "Run"  # the help text, not a value type


def cells(text: str) -> list[list[str]]:
    """The rows of the first rich table in `text`: each row's cells, its wrapped lines joined."""
    rows: list[list[str]] = []
    for line in text.splitlines():
        if not line.startswith("│"):
            if rows and line.startswith("└"):
                break
            continue
        parts = [p.strip() for p in line.strip("│").split("│")]
        if parts[0]:
            rows.append(parts)
        else:
            rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], parts)]
    return rows


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize("domain", ["retail", "airline"])
def test_domains_show_wraps_descriptions_and_never_cuts_a_name(domain, columns):
    text = builder("domains", "show", domain, columns=columns)
    assert max(len(line) for line in text.splitlines()) <= columns
    assert "…" not in text
    d = load_domain(domain)
    rows = {row[0]: row for row in cells(text)}
    assert list(rows) == list(d.tools)  # every name whole
    for spec in d.tools.values():
        assert rows[spec.name][2] == f"({', '.join(spec.params)}) {spec.description}"
