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
