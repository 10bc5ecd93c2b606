"""A world's database kept open by a run, so the run's many opens share one DuckDB instance."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_KEPT: Counter[Path] = Counter()
_LOCK = threading.Lock()


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
    # store.py asks `kept` at each open; importing it at the top would be circular.
    from worldloom.infrastructure.store.store import open_store  # noqa: PLC0415

    key = path.resolve()
    with open_store(path):  # creates and migrates it once, and holds the instance
        with _LOCK:
            _KEPT[key] += 1
        try:
            yield
        finally:
            with _LOCK:
                _KEPT[key] -= 1
                if not _KEPT[key]:
                    del _KEPT[key]


def kept(path: Path) -> bool:
    """Whether this process keeps the database at `path` open (`keep_open`)."""
    with _LOCK:
        return bool(_KEPT) and path.resolve() in _KEPT
