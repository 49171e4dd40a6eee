"""Error types that decide the CLI's exit code.

A `UserError` is something the user can fix (bad flag, bad config, unknown domain): the CLI
prints its message without a traceback and exits 2. Anything else is a runtime failure (exit 1).
"""

from __future__ import annotations

import errno


class UserError(Exception):
    """Bad usage or bad input; the message must name the field and the fix."""


class BuildFailure(Exception):
    """A run could not complete for a reason outside the user's input (exit code 1)."""


# a path that cannot be used as given (the user picks another); any other OSError (a full disk,
# an I/O error) is a failure of the machine, not of the input
_PATH_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EISDIR, errno.EEXIST, errno.ENOENT,
                errno.ENAMETOOLONG, errno.ELOOP}


def describe_os_error(exc: OSError) -> str:
    """`No space left on device (ENOSPC): /run/x.parquet`: the cause, its code and the file."""
    code = errno.errorcode.get(exc.errno or 0)
    text = exc.strerror or str(exc)
    where = f": {exc.filename}" if exc.filename else ""
    return f"{text}{f' ({code})' if code else ''}{where}"


def file_error(exc: OSError, doing: str, failure: type[BuildFailure] = BuildFailure) -> Exception:
    """The error to raise when `doing` (e.g. "cannot write the release to DIR") failed with `exc`:
    a `UserError` when the path is the problem, else `failure`."""
    message = f"{doing}: {describe_os_error(exc)}"
    return UserError(message) if exc.errno in _PATH_ERRNOS else failure(message)
