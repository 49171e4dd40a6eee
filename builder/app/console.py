"""The command line's consoles: the terminal's width on a terminal, no wrapping off one.

rich wraps at 80 columns whenever it cannot ask a terminal, so a build's output redirected to
a log file came out broken mid-phrase. Off a terminal, text is not wrapped and tables take
their natural width (a log reader's pager wraps, or doesn't, as its user likes); `COLUMNS`
still wins when it is set, on a terminal or not.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from rich.console import Console

UNWRAPPED = 10_000  # wide enough that no line or table row of ours is wrapped


def width_for(stream: TextIO) -> int | None:
    """The width to render at: None lets rich ask the terminal (or read COLUMNS)."""
    if os.environ.get("COLUMNS", "").isdigit():
        return None
    try:
        return None if stream.isatty() else UNWRAPPED
    except (AttributeError, ValueError):  # a closed or unusual stream
        return UNWRAPPED


def make_console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, width=width_for(stream))
