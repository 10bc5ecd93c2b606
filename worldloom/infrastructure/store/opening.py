"""Opening a world's DuckDB file: waiting out another process's lock, checking or migrating
the schema, or joining the instance a run keeps open (`keep_open`, or `keep_open_letting_go`
for a long run that lets other processes in between its steps)."""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
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
RETRY_S = 0.25
"""How often an open retries a file another process has locked."""
WANTED_FRESH_S = 4 * RETRY_S
"""A waiting open marks the file wanted at every retry: an older mark was left by a process
that gave up or died, and nobody waits behind it."""
GIVE_WAY_S = 2.0
"""How long a kept file is let go for a waiting process to open it."""


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
    waited = False
    while True:
        try:
            connection = duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as error:
            if "Could not set lock" not in str(error):
                raise StoreError(f"cannot open world database {path}: {error}") from error
            # Say that this process waits: a run keeping the file open lets it in (`give_way`).
            waited = _mark_wanted(path) or waited
            if time.monotonic() >= deadline:
                if waited:
                    _wanted(path).unlink(missing_ok=True)
                holder = _LOCK_HOLDER.search(str(error))
                who = f"{holder.group(1)} (PID {holder.group(2)})" if holder else "unknown"
                raise WorldLockedError(
                    f"world database {path} is locked by another process: {who}; "
                    "wait for it to finish or stop it"
                ) from error
            time.sleep(RETRY_S)
        else:
            if waited:
                _wanted(path).unlink(missing_ok=True)
            return connection


def _wanted(path: Path) -> Path:
    return path.with_name(path.name + ".wanted")


def _mark_wanted(path: Path) -> bool:
    """Mark `path` wanted by a waiting process (its mtime now); false where it cannot be."""
    try:
        _wanted(path).touch()
    except OSError:  # a folder this process may read but not write: nobody gives way then
        return False
    return True


def _waited_for(path: Path) -> bool:
    try:
        return time.time() - _wanted(path).stat().st_mtime < WANTED_FRESH_S
    except FileNotFoundError:
        return False


def _check_version(store: WorldStore) -> None:
    try:
        version = store.schema_version()
    except duckdb.CatalogException as error:
        raise UnknownWorldError(f"{store.path} is not a Worldloom world database") from error
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(too_new(store.path, version))


@contextmanager
def keep_open(path: Path, *, wait_s: float = 10.0, threads: int | None = None) -> Iterator[None]:
    """Keep the world database at `path` open in this process for the block (on `threads` of
    DuckDB's worker threads, if given: `WorldStore.use_threads`).

    A run's tasks each open the world (a generate ~100 times): every open loads DuckDB's
    catalogue of ~150 tables and every last close checkpoints, ~40 ms an open. While the file
    is kept, opens join the instance this holds (DuckDB shares one instance per file and
    process), and read-only opens are made writable (DuckDB allows one configuration per file
    and process): a reader's promise not to write is then its own, as in any process that
    already writes the file.

    Other processes cannot open the file meanwhile (DuckDB's file lock): keep a world open
    only where one process does the work with it (a Dask runner's batches read staged files).

    Raises:
        StoreError: the file cannot be opened (see `open_store`; `wait_s` as there).
    """
    key = path.resolve()
    # Creates and migrates it once, and holds the instance.
    with open_store(path, wait_s=wait_s) as store:
        if threads is not None:
            store.use_threads(threads)
        with _KEPT_LOCK:
            _KEPT[key] += 1
        try:
            yield
        finally:
            with _KEPT_LOCK:
                _KEPT[key] -= 1
                if not _KEPT[key]:
                    del _KEPT[key]


class KeptFile:
    """A world's file kept open by a run (`keep_open_letting_go`) that lets it go between
    steps for a process waiting to read it (`give_way`), or for a block whose work other
    processes do (`let_go`)."""

    def __init__(self, path: Path, *, wait_s: float, threads: int | None = None) -> None:
        self._path, self._wait_s, self._threads = path, wait_s, threads
        # Within another keep of the file, the outer block holds it: never let go here.
        self._nested = kept(path)
        self._stack = ExitStack()
        self._stack.enter_context(keep_open(path, wait_s=wait_s, threads=threads))

    def give_way(self, finish: Callable[[], object] | None = None) -> bool:
        """If another process is waiting for the file (its open marks `<file>.wanted`):
        call `finish` (to end the work that still has a store open), let the file go until
        that process has it (at most `GIVE_WAY_S`), then keep it again. Returns whether it
        let the file go.

        Raises:
            WorldLockedError: the other process still held the file after `wait_s`.
        """
        if self._nested or not _waited_for(self._path):
            return False
        if finish is not None:
            finish()
        with self.let_go():
            deadline = time.monotonic() + GIVE_WAY_S
            while _waited_for(self._path) and time.monotonic() < deadline:
                time.sleep(RETRY_S / 10)
        return True

    @contextmanager
    def let_go(self) -> Iterator[None]:
        """The file not kept within the block (other processes may open it), then kept again,
        waiting up to `wait_s` for them to let go.

        Raises:
            WorldLockedError: another process still held the file after `wait_s`.
        """
        if self._nested:
            yield
            return
        self._stack.close()
        try:
            yield
        finally:
            self._stack.enter_context(
                keep_open(self._path, wait_s=self._wait_s, threads=self._threads)
            )

    def close(self) -> None:
        self._stack.close()


@contextmanager
def keep_open_letting_go(
    path: Path, *, wait_s: float = 60.0, threads: int | None = None
) -> Iterator[KeptFile]:
    """`keep_open` for a run of many steps that other processes may want the file during:
    readers between simulate's years (a report, a recall: `KeptFile.give_way`), or a block
    whose work other processes do (`KeptFile.let_go`); `threads` as for `keep_open`, and
    another process holding the file waited for up to `wait_s`, each time the file is kept
    (at first too).

    Raises:
        StoreError: the file cannot be opened (see `open_store`).
    """
    held = KeptFile(path, wait_s=wait_s, threads=threads)
    try:
        yield held
    finally:
        held.close()


def copy_database(source: Path, target: Path) -> None:
    """Copy a world's file as its last transaction left it: the file and its write-ahead log
    (a read-only open of the copy replays the log). Take it between the transactions of the
    process that writes the file, if one does; another process may read the copy meanwhile
    (DuckDB lets no process open a file that another writes).

    Raises:
        UnknownWorldError: there is no file at `source`.
    """
    if not source.exists():
        raise UnknownWorldError(f"no world database at {source}")
    shutil.copyfile(source, target)
    log, copied_log = _wal(source), _wal(target)
    if log.exists():
        shutil.copyfile(log, copied_log)
    else:
        copied_log.unlink(missing_ok=True)


def remove_database(path: Path) -> None:
    """Remove a world's file and its write-ahead log, if there."""
    path.unlink(missing_ok=True)
    _wal(path).unlink(missing_ok=True)


def _wal(path: Path) -> Path:
    return path.with_name(f"{path.name}.wal")


def kept(path: Path) -> bool:
    """Whether this process keeps the database at `path` open (`keep_open`)."""
    with _KEPT_LOCK:
        return bool(_KEPT) and path.resolve() in _KEPT
