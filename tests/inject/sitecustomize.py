"""A disk that fills up, for the command-line tests: Python imports this module at start-up in
every process whose PYTHONPATH holds this folder (`tests.build_runs.full_disk_env`).

With BUILDER_TEST_FULL_DISK=TEXT, copying a file to a path that contains TEXT writes half of it,
then fails with ENOSPC, as a disk that fills up during the copy does.
"""

import errno
import os
import shutil

_MARKER = os.environ.get("BUILDER_TEST_FULL_DISK")

if _MARKER:
    _copyfile = shutil.copyfile

    def _filling_copyfile(src, dst, *, follow_symlinks=True):
        if _MARKER not in os.fspath(dst):
            return _copyfile(src, dst, follow_symlinks=follow_symlinks)
        with open(src, "rb") as f:
            data = f.read()
        with open(dst, "wb") as f:
            f.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.fspath(dst))

    shutil.copyfile = _filling_copyfile

# With BUILDER_TEST_NO_ACCESS=FOLDER, this process cannot open, list or stat anything in FOLDER: a
# machine that does not have it (a Ray node other than the build's, in tests/test_build_ray_cluster.py).
_FORBIDDEN = os.environ.get("BUILDER_TEST_NO_ACCESS")

if _FORBIDDEN:
    import builtins
    import functools
    import io
    import sqlite3

    def _guarded(call):
        @functools.wraps(call)
        def guarded(path, *args, **kwargs):
            if isinstance(path, (str, bytes, os.PathLike)) and \
                    os.path.abspath(os.fsdecode(path)).startswith(_FORBIDDEN.rstrip("/") + "/"):
                raise PermissionError(errno.EACCES, f"{_FORBIDDEN} is not on this machine", os.fsdecode(path))
            return call(path, *args, **kwargs)

        return guarded

    builtins.open = io.open = _guarded(io.open)
    os.open, os.stat, os.listdir, os.scandir = (_guarded(f) for f in (os.open, os.stat, os.listdir, os.scandir))
    sqlite3.connect = _guarded(sqlite3.connect)
