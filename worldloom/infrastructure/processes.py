"""Other processes by id: whether one is still there, and ending a process group (the local
Prefect server's, a command host's child) politely and then for sure."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable

STOP_WAIT_S = 10.0
"""How long a process group gets between SIGTERM and SIGKILL."""


def process_alive(pid: int) -> bool:
    """Whether a process `pid` exists (one of another user's counts)."""
    return _exists(os.kill, pid)


def end_process_group(pid: int) -> None:
    """SIGTERM a process group, then SIGKILL what is left after `STOP_WAIT_S`."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        return
    deadline = time.monotonic() + STOP_WAIT_S
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reap it if it is our child
        if not _exists(os.killpg, pid):
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _exists(send: Callable[[int, int], None], target: int) -> bool:
    """Whether signal 0 sent by `send` (os.kill, os.killpg) finds `target` (another user's
    process counts)."""
    try:
        send(target, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
