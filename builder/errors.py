"""Error types that decide the CLI's exit code.

A `UserError` is something the user can fix (bad flag, bad config, unknown domain): the CLI
prints its message without a traceback and exits 2. Anything else is a runtime failure (exit 1).
"""

from __future__ import annotations


class UserError(Exception):
    """Bad usage or bad input; the message must name the field and the fix."""


class BuildFailure(Exception):
    """A run could not complete for a reason outside the user's input (exit code 1)."""
