"""Reading a rendered card back: its Markdown tables."""

from __future__ import annotations

import re


def table(card: str, header: str) -> list[list[str]]:
    """The body rows of the first Markdown table whose header row starts with `header`."""
    lines = card.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {header} |"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows


def number(cell: str) -> int:
    return int(cell.replace(",", ""))
