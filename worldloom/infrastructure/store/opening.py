"""Opening a world's DuckDB file: waiting out another process's lock, checking or migrating
the schema, or joining the instance a run keeps open (`keep_open`)."""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from worldloom.infrastructure.store.errors import (
    SchemaTooNewError,
    StoreError,
    UnknownWorldError,
    WorldLockedError,
)
from worldloom.infrastructure.store.migration import migrate, too_new
from worldloom.infrastructure.store.schema import SCHEMA_VERSION
from worldloom.infrastructure.store.store import WorldStore

_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (.+?) \(PID (\d+)\)")
_KEPT: Counter[Path] = Counter()
_KEPT_LOCK = threading.Lock()


@contextmanager
def open_store(
    path: Path, *, read_only: bool = False, wait_s: float = 10.0
) -> Iterator[WorldStore]:
    """Open (creating and migrating if writable) a world database.

    A file locked by another process is retried for `wait_s` seconds, then reported with the
    holder named. Read-only opens never create or migrate anything. A file this process keeps
    open (`keep_open`) is joined, already checked and migrated.

    Raises:
        UnknownWorldError: read-only open of a file that does not exist.
        WorldLockedError: still locked after `wait_s`.
        SchemaTooNewError: the file's schema is newer than this code knows.
    """
    if read_only and not path.exists():
        raise UnknownWorldError(f"no world database at {path}")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    joined = kept(path)
    connection = _connect(path, read_only=read_only and not joined, wait_s=wait_s)
    store = WorldStore(connection, path)
    try:
        if joined:
            pass  # checked and migrated when it was kept
        elif read_only:
            _check_version(store)
        else:
            migrate(connection, path)
        yield store
    finally:
        store.close()


def _connect(path: Path, *, read_only: bool, wait_s: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as error:
            if "Could not set lock" not in str(error):
                raise StoreError(f"cannot open world database {path}: {error}") from error
            if time.monotonic() >= deadline:
                holder = _LOCK_HOLDER.search(str(error))
                who = f"{holder.group(1)} (PID {holder.group(2)})" if holder else "unknown"
                raise WorldLockedError(
                    f"world database {path} is locked by another process: {who}; "
                    "wait for it to finish or stop it"
                ) from error
            time.sleep(0.25)


def _check_version(store: WorldStore) -> None:
    try:
        version = store.schema_version()
    except duckdb.CatalogException as error:
        raise UnknownWorldError(f"{store.path} is not a Worldloom world database") from error
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(too_new(store.path, version))


@contextmanager
def keep_open(path: Path) -> Iterator[None]:
    """Keep the world database at `path` open in this process for the block.

    A run's tasks each open the world (a generate ~100 times): every open loads DuckDB's
    catalogue of ~150 tables and every last close checkpoints, ~40 ms an open. While the file
    is kept, opens join the instance this holds (DuckDB shares one instance per file and
    process), and read-only opens are made writable (DuckDB allows one configuration per file
    and process): a reader's promise not to write is then its own, as in any process that
    already writes the file.

    Other processes cannot open the file meanwhile (DuckDB's file lock): keep a world open
    only where one process does the work (not around a Dask runner's batches).

    Raises:
        StoreError: the file cannot be opened (see `open_store`).
    """
    key = path.resolve()
    with open_store(path):  # creates and migrates it once, and holds the instance
        with _KEPT_LOCK:
            _KEPT[key] += 1
        try:
            yield
        finally:
            with _KEPT_LOCK:
                _KEPT[key] -= 1
                if not _KEPT[key]:
                    del _KEPT[key]


def kept(path: Path) -> bool:
    """Whether this process keeps the database at `path` open (`keep_open`)."""
    with _KEPT_LOCK:
        return bool(_KEPT) and path.resolve() in _KEPT
