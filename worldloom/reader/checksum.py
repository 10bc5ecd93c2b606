"""Content checksums, and reads that refuse to follow a symbolic link."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path
from typing import Final

import pyarrow as pa

_CHUNK: Final = 1 << 20
_FLAGS: Final = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
"""Where the OS has O_NOFOLLOW, opening a symlink fails: a file swapped for a link after the
folder was checked cannot lead a read outside the snapshot. (Windows has O_BINARY instead.)"""


def sha256_bytes(data: bytes | pa.Buffer) -> str:
    """Return the hex SHA-256 of ``data`` (bytes, or a buffer Arrow holds)."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a file, read in chunks so big tables need little memory."""
    digest = hashlib.sha256()
    with open_file(path) as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def read_file(path: Path) -> bytes:
    """Return a file's bytes, refusing (OSError) a symbolic link where the OS can."""
    with open_file(path) as handle:
        return handle.readall()


def read_buffer(path: Path) -> pa.Buffer:
    """Return a file's bytes in memory Arrow allocated, refusing (OSError) a symbolic link where
    the OS can.

    Arrow's worker threads can drop the last reference to the buffer a read was given after the
    read has returned. A buffer over Python bytes then needs the GIL to be freed, and a thread
    that takes the GIL while the interpreter exits is ended under Arrow's feet: the process
    aborts ("terminate called without an active exception"). Memory Arrow owns needs no GIL.
    """
    with open_file(path) as handle:
        buffer = pa.allocate_buffer(os.fstat(handle.fileno()).st_size)
        view, filled = memoryview(buffer), 0
        while filled < buffer.size and (count := handle.readinto(view[filled:])):
            filled += count
    # A file cut short while it was read is shorter here; its checksum tells.
    return buffer if filled == buffer.size else buffer.slice(0, filled)


def open_file(path: Path) -> io.FileIO:
    """Open a file for reading, refusing (OSError) a symbolic link where the OS can."""
    descriptor = os.open(path, _FLAGS)
    try:
        return io.FileIO(descriptor, "rb")
    except OSError as error:
        # A folder opens, and is refused only here: by its path, not its descriptor's number.
        os.close(descriptor)
        raise type(error)(error.errno, error.strerror, str(path)) from None
