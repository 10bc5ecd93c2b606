"""Other processes a test needs beside it (one holding a world's DuckDB file open for writing,
as a running flow does), whether the ones a test started still run, and what a command writes
to a terminal."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

_STATE, _GROUP = 0, 2
"""Positions in `/proc/<pid>/stat` after the command's name: its state (Z: a zombie) and its
process group."""


@contextmanager
def held_for_writing(path: Path) -> Iterator[int]:
    """A process holding `path` open for writing until the block ends; yields its PID."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import duckdb, sys
            con = duckdb.connect({str(path)!r})
            print("locked", flush=True)
            sys.stdin.readline()
            """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        yield holder.pid
    finally:
        holder.communicate("\n", timeout=30)


def running(pid: int) -> bool:
    """Whether process `pid` still runs: a zombie is gone for a test's purposes (its parent
    reaps it, or it is init's to reap once its parent has ended)."""
    fields = _stat(Path(f"/proc/{pid}/stat"))
    return fields is not None and fields[_STATE] != "Z"


def live_members(group: int) -> list[int]:
    """The processes of process group `group` that still run (see `running`)."""
    listed = {int(stat.parent.name): _stat(stat) for stat in Path("/proc").glob("[0-9]*/stat")}
    return [
        pid
        for pid, fields in listed.items()
        if fields is not None and int(fields[_GROUP]) == group and fields[_STATE] != "Z"
    ]


def _stat(path: Path) -> list[str] | None:
    """The fields of a `/proc/<pid>/stat` after the command's name; None once the process is
    gone (it may end while listed)."""
    try:
        return path.read_text(encoding="utf-8").rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """What `args` writes to its terminal (a pseudo-terminal here), once it has ended (exit 0)."""
    main, terminal = os.openpty()
    process = subprocess.Popen(
        args, stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal, env=env
    )
    os.close(terminal)
    said = b""
    with suppress(OSError):  # EIO once the command has closed the terminal
        while chunk := os.read(main, 1 << 16):
            said += chunk
    os.close(main)
    assert process.wait(timeout=300) == 0, said
    return said.decode(errors="replace")
