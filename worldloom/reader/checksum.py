"""Content checksums, and reads that refuse to follow a symbolic link."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path
from typing import Final

_CHUNK: Final = 1 << 20
_FLAGS: Final = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
"""Where the OS has O_NOFOLLOW, opening a symlink fails: a file swapped for a link after the
folder was checked cannot lead a read outside the snapshot. (Windows has O_BINARY instead.)"""


def sha256_bytes(data: bytes) -> str:
    """Return the hex SHA-256 of ``data``."""
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


def open_file(path: Path) -> io.FileIO:
    """Open a file for reading, refusing (OSError) a symbolic link where the OS can."""
    return io.FileIO(os.open(path, _FLAGS), "rb")
