"""The runtime failure of a publish (exit 1), told apart from a failed build in the CLI's message."""

from __future__ import annotations

from builder.errors import BuildFailure


class PublishFailure(BuildFailure):
    """The Hub could not be reached or refused a request for a reason the user's input did not cause."""
