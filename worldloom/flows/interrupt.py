"""Ctrl-C for a command: the first stops it cleanly, and it is stopped for sure.

The first SIGINT raises `KeyboardInterrupt` as Python's own handler does, so an open store
transaction rolls back and Prefect marks the run crashed; it also arms a timer that ends the
process outright `GRACE_S` later, should that clean-up hang (an interrupt can land while a
lock is held, in a library's thread machinery as much as ours). A second SIGINT ends it at
once, as Prefect's own workers do. Ending outright loses nothing a SIGKILL would not: a world
keeps every stage and segment it committed, and the same command run again resumes there.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType

GRACE_S = 20.0
"""How long a command may take to stop cleanly after Ctrl-C."""

EXIT_INTERRUPTED = 128 + signal.SIGINT
"""A process's exit code after SIGINT, as shells report it."""

_received: list[int] = []
"""The SIGINTs this process received (each `handle_interrupts` starts counting again)."""


def handle_interrupts(grace_s: float = GRACE_S, *, unless_ignored: bool = True) -> None:
    """From now on, Ctrl-C stops this process cleanly, or within `grace_s` seconds at most;
    `unless_ignored`: not when this process was started with SIGINT ignored (as a shell starts
    a background job, and as Python itself leaves it)."""
    _received.clear()
    if unless_ignored and signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        return

    def interrupt(signum: int, _frame: FrameType | None) -> None:
        _received.append(signum)
        if len(_received) > 1:
            stop_now()
        timer = threading.Timer(grace_s, stop_now)
        timer.daemon = True
        timer.start()
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)


def interrupted() -> bool:
    """Whether Ctrl-C reached this process: whatever failed since may have failed of it (a
    library can turn the interrupt into an error of its own, e.g. DuckDB's "Query
    interrupted")."""
    return bool(_received)


def stop_now() -> None:
    """End the process at once, with the exit code of an interrupt."""
    try:
        sys.stderr.write("interrupted: stopping now\n")
        sys.stderr.flush()
    finally:
        os._exit(EXIT_INTERRUPTED)
