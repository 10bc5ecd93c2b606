"""What went wrong, in one line a user can act on: the machine's failures (a full disk, a
read-only folder, a name the file system refuses, a Prefect server that could not store or
start) told apart from bugs, whatever layer (DuckDB, Parquet, Prefect) they surfaced through."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
from prefect.exceptions import PrefectHTTPStatusError

MIN_FREE_MB_DEFAULT = 100
"""Free space a command that writes wants before it starts (`WORLDLOOM_MIN_FREE_MB`): a small
world takes ~30 MB, Prefect's own database a few more."""

_OS_FAILURES = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENAMETOOLONG: "the name is too long for the file system",
}
_DUCKDB_FAILURES = {
    "No space left on device": _OS_FAILURES[errno.ENOSPC],
    "Read-only file system": _OS_FAILURES[errno.EROFS],
    "Permission denied": _OS_FAILURES[errno.EACCES],
    "File name too long": _OS_FAILURES[errno.ENAMETOOLONG],
}


class MachineError(RuntimeError):
    """The machine, not the request or the code, stopped the command; the message says how."""


def describe_environment_failure(error: BaseException) -> str | None:
    """One line for a failure of the machine behind `error` (or anything it was caused by),
    or None when it is not one (then it is a bug, or a user error handled elsewhere)."""
    for cause in _chain(error):
        if isinstance(cause, MachineError):
            return str(cause)
        if isinstance(cause, OSError) and cause.errno in _OS_FAILURES:
            where = f" ({cause.filename})" if cause.filename else ""
            return f"cannot write{where}: {_OS_FAILURES[cause.errno]}"
        if isinstance(cause, duckdb.Error):
            for text, meaning in _DUCKDB_FAILURES.items():
                if text in str(cause):
                    return f"the world database could not be written: {meaning}"
        if isinstance(cause, PrefectHTTPStatusError) and cause.response.status_code >= 500:
            return (
                f"the Prefect server failed (HTTP {cause.response.status_code}); its database "
                f"is under {_prefect_home()} ({_free_mb(_prefect_home())} MB free there)"
            )
        if isinstance(cause, RuntimeError) and "ephemeral Prefect API server" in str(cause):
            return (
                f"Prefect's local server did not start; its database is under {_prefect_home()}"
                f" ({_free_mb(_prefect_home())} MB free there): is the disk full or read-only?"
            )
    return None


def check_writable(folder: Path, *, what: str) -> None:
    """Refuse, before any work starts, a folder that cannot take a world's files.

    Args:
        folder: the folder to write in (created with its parents if missing).
        what: how the user named it (`home`, `--out`), for the message.

    Raises:
        MachineError: it is a file, cannot be created or written, or has less free space
            than `WORLDLOOM_MIN_FREE_MB` (default `MIN_FREE_MB_DEFAULT`).
    """
    if folder.exists() and not folder.is_dir():
        raise MachineError(f"{what} {folder} is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        reason = _OS_FAILURES.get(error.errno or 0, error.strerror or str(error))
        raise MachineError(f"cannot write to {what} {folder}: {reason}") from None
    wanted = int(os.environ.get("WORLDLOOM_MIN_FREE_MB", MIN_FREE_MB_DEFAULT))
    free = _free_mb(folder)
    if free < wanted:
        raise MachineError(
            f"only {free} MB free in {what} {folder}; a run wants {wanted} MB "
            "(free some space, or set WORLDLOOM_MIN_FREE_MB)"
        )


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _prefect_home() -> Path:
    return Path(os.environ.get("PREFECT_HOME", "~/.prefect")).expanduser()


def _free_mb(folder: Path) -> int:
    """Free space at `folder` (or its nearest existing parent), in MB."""
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return shutil.disk_usage(probe).free // 2**20
