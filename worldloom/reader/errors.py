"""Errors raised when a snapshot cannot be written, found or trusted."""

from __future__ import annotations

import errno
import os


class SnapshotError(Exception):
    """Base class: every snapshot problem a caller may want to catch in one place."""


class SnapshotMissingError(SnapshotError):
    """The snapshot folder (or its manifest) does not exist."""


class SnapshotCorruptError(SnapshotError):
    """A file is missing, unlisted, unreadable or does not match the manifest."""


class SnapshotVersionError(SnapshotError):
    """The snapshot was written in a format version this reader does not support."""


class SnapshotInputError(SnapshotError, ValueError):
    """The data handed to the writer cannot form a valid snapshot (e.g. duplicate keys)."""


class UnknownTableError(SnapshotError, LookupError):
    """A table was requested that the snapshot does not contain."""


def unreadable(path: str | os.PathLike[str], error: OSError) -> SnapshotCorruptError:
    """The error for a snapshot file the OS would not read, naming the file once."""
    # Opened without following links (O_NOFOLLOW), a link fails as a loop of links.
    why = "it is a symbolic link" if error.errno == errno.ELOOP else error.strerror or error
    return SnapshotCorruptError(f"{path}: cannot read the file: {why}")
