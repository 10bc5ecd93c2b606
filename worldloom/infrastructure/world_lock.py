"""One run at a time per world: an exclusive lock on `worlds/<world_id>.lock`, held for the whole
flow run that changes the world (generate, economy, enrich, export...).

The lock is the operating system's (`flock`): it belongs to the open file, so a process that dies
(SIGKILL, a full disk, a power cut) releases it with its last breath, and the next run takes it
over without any stale-lock guessing. The file also says who holds it (PID, host, what runs,
since when) so a run that has to give up can name the holder. Within one process the lock is
re-entrant: a flow and the subflows it calls share it.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

_POLL_S = 0.2


class WorldBusyError(RuntimeError):
    """Another process is running something on the world; the message names it."""


@dataclass
class _Held:
    handle: IO[str]
    depth: int


_held: dict[Path, _Held] = {}
"""Locks this process holds, by lock file: the process-wide state the lock lives in."""
_guard = threading.Lock()


@contextmanager
def hold_world(lock_file: Path, *, world_id: str, what: str, wait_s: float) -> Iterator[bool]:
    """Hold the world's lock around a block, waiting up to `wait_s` seconds for it.

    Yields:
        True when this call took the lock (nothing else of this process held it): whatever an
        earlier run of the world left unfinished is then known to be dead.

    Args:
        lock_file: the world's lock file (created with its folder if missing).
        world_id: the world, for messages.
        what: what is about to run (e.g. "generate-world"), recorded for others to read.
        wait_s: how long to wait for another process to finish.

    Raises:
        WorldBusyError: still held by another process after `wait_s`.
        OSError: the lock file cannot be created (e.g. a read-only home).
    """
    key = lock_file.resolve()
    with _guard:
        held = _held.get(key)
        if held is not None:
            held.depth += 1
    first = held is None
    if held is None:
        held = _acquire(key, world_id=world_id, what=what, wait_s=wait_s)
    try:
        yield first
    finally:
        with _guard:
            held.depth -= 1
            if held.depth == 0:
                del _held[key]
                held.handle.close()  # closing the file releases the lock


def _acquire(lock_file: Path, *, world_id: str, what: str, wait_s: float) -> _Held:
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    handle = lock_file.open("a+", encoding="utf-8")
    deadline = time.monotonic() + wait_s
    try:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WorldBusyError(
                        f"world {world_id!r} is busy: {_holder(lock_file)}; "
                        f"waited {wait_s:g} s — let it finish or stop it"
                    ) from None
                time.sleep(_POLL_S)
        handle.seek(0)
        handle.truncate()
        record = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "what": what,
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        handle.write(json.dumps(record) + "\n")
        handle.flush()
    except BaseException:
        handle.close()
        raise
    held = _Held(handle, 1)
    with _guard:
        _held[lock_file] = held
    return held


def _holder(lock_file: Path) -> str:
    """Who holds the lock, as its file says (it may be mid-write: then say so)."""
    try:
        record = json.loads(lock_file.read_text(encoding="utf-8") or "{}")
        return (
            f"{record['what']} by PID {record['pid']} on {record['host']} since {record['since']}"
        )
    except (OSError, ValueError, KeyError):
        return "held by another process"
