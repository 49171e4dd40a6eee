"""The processes of a build end with it, even when its main process is killed by SIGKILL.

distilabel forks its step processes (and a queue manager) from the build's main process; a
SIGKILL of that process gives them no chance to be told. On Linux every process forked by the
build asks the kernel for SIGKILL when its parent dies (`PR_SET_PDEATHSIG`); elsewhere the
step processes poll their parent (`watch_parent`), which also covers a parent that is not the
build's process (a Ray worker).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def children_die_with_this_process() -> None:
    """From now on, every process forked from this one is killed when this one dies (Linux)."""
    if sys.platform.startswith("linux"):
        os.register_at_fork(after_in_child=_die_with_parent)


def watch_parent() -> None:
    """End this process when its parent is gone, and leave Ctrl-C to the build's main process,
    which stops the build and says how to resume."""
    parent = os.getppid()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        stop = threading.Event()
        while not stop.wait(1.0):
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()
