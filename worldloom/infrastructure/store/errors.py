"""The store's errors: world database problems a user can act on, each naming the file."""

from __future__ import annotations


class StoreError(RuntimeError):
    """A world database problem the user can act on; the message names the world file."""


class WorldLockedError(StoreError):
    """Another process holds the world's write lock."""


class UnknownWorldError(StoreError):
    """No world database (or no such world in it)."""


class SchemaTooNewError(StoreError):
    """The file was written by a newer Worldloom than this one."""
