"""One verified snapshot loaded into an in-memory DuckDB database, queried by worker threads.

The tables are loaded from the very bytes whose checksums were checked (the reader re-checks
every file as it reads it), so a file changed on disk after verification is never served; each
worker thread queries through a cursor of its own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, TypeVar

import duckdb
import numpy as np
import pyarrow as pa

from worldloom.reader import Manifest, Snapshot, TableEntry, open_snapshot
from worldloom.reader.manifest import TABLE_NAME_PATTERN

T = TypeVar("T")

RESPONSE_CACHE_ENTRIES: Final = 4096
"""Rendered responses kept per snapshot (a snapshot never changes, so they never go stale)."""

_IDENTIFIER_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


def quote(identifier: str) -> str:
    """A table or column name as a SQL identifier, for names the manifest declares only.

    Raises:
        ValueError: The name is not of the snapshot's path-safe alphabet (never quoted blindly).
    """
    if not identifier or not set(identifier) <= _IDENTIFIER_CHARS or identifier[0].isdigit():
        raise ValueError(f"{identifier!r} is not a table or column name ({TABLE_NAME_PATTERN})")
    return f'"{identifier}"'


class SnapshotEngine:
    """A verified snapshot's tables in DuckDB, its GeoJSON and map, and a response cache."""

    def __init__(
        self,
        snapshot: Snapshot,
        database: duckdb.DuckDBPyConnection,
        arrow: Mapping[str, pa.Table] | None = None,
    ) -> None:
        """Wrap a loaded database (and the Arrow tables it was loaded from); use :meth:`load`."""
        self._snapshot = snapshot
        self._database = database
        self._arrow = dict(arrow or {})
        self._local = threading.local()
        self._cache: OrderedDict[object, bytes] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._memo: dict[object, Any] = {}
        self._memo_lock = threading.Lock()
        self.geojson_bytes = snapshot.geojson_bytes()
        self.map_png = snapshot.map_png()

    @classmethod
    def load(cls, path: Path, *, threads: int = 2) -> SnapshotEngine:
        """Verify a snapshot (format, layout, every checksum) and load every table.

        Raises:
            SnapshotError: The snapshot is missing, of another version, or fails verification.
        """
        snapshot = open_snapshot(path)
        database = duckdb.connect(":memory:", config={"threads": threads})
        tables = {}
        try:
            for name in snapshot.table_names:
                arrow = tables[name] = snapshot.table(name)  # re-checks the file's checksum
                database.register("_loading", arrow)
                database.execute(f"CREATE TABLE {quote(name)} AS SELECT * FROM _loading")
                database.unregister("_loading")
        except BaseException:
            database.close()
            raise
        return cls(snapshot, database, tables)

    @property
    def manifest(self) -> Manifest:
        """The snapshot's verified manifest."""
        return self._snapshot.manifest

    @property
    def snapshot_id(self) -> str:
        return self._snapshot.manifest.snapshot_id

    @property
    def world_id(self) -> str:
        return self._snapshot.manifest.world_id

    @property
    def path(self) -> Path:
        return self._snapshot.path

    def has(self, table: str) -> bool:
        """Whether the snapshot holds `table`."""
        return table in self.manifest.tables

    def table(self, name: str) -> TableEntry | None:
        """The manifest's entry for a table, or None."""
        return self.manifest.tables.get(name)

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[dict[str, Any]]:
        """Run a parameterised query on this thread's cursor; rows as dicts."""
        result = self._cursor().execute(sql, list(params))
        names = [column[0] for column in result.description or ()]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]

    def row(self, sql: str, params: Sequence[object] = ()) -> dict[str, Any] | None:
        """The first row of a query, or None."""
        found = self.rows(sql, params)
        return found[0] if found else None

    def scalar(self, sql: str, params: Sequence[object] = ()) -> Any:
        """The first value of the first row."""
        fetched = self._cursor().execute(sql, list(params)).fetchone()
        return fetched[0] if fetched else None

    def keyed(self, table: str, column: str, value: object) -> list[dict[str, Any]]:
        """The rows of `table` whose `column` is `value`, in key order.

        When `column` leads the table's primary key (after `world_id`) and holds integers,
        its rows are contiguous and sorted: a binary search finds them in the Arrow table
        without a query (the hot path of single-entity reads). Otherwise DuckDB filters.
        """
        index = self.memo(("keyed", table, column), lambda: self._key_index(table, column))
        if index is None or not isinstance(value, int):
            return self.rows(f"SELECT * FROM {quote(table)} WHERE {quote(column)} = ?", [value])
        arrow, keys = index
        low = int(np.searchsorted(keys, value, side="left"))
        high = int(np.searchsorted(keys, value, side="right"))
        return arrow.slice(low, high - low).to_pylist() if high > low else []

    def _key_index(self, table: str, column: str) -> tuple[pa.Table, np.ndarray] | None:
        arrow, entry = self._arrow.get(table), self.manifest.tables.get(table)
        if arrow is None or entry is None:
            return None
        key = [c for c in entry.primary_key if c != "world_id"]
        if not key or key[0] != column or not pa.types.is_integer(arrow.schema.field(column).type):
            return None
        return arrow, arrow.column(column).to_numpy()

    def cached(self, key: object, build: Callable[[], bytes]) -> bytes:
        """A rendered response from the cache, or built and kept (least recently used out)."""
        with self._cache_lock:
            body = self._cache.get(key)
            if body is not None:
                self._cache.move_to_end(key)
                return body
        body = build()
        with self._cache_lock:
            self._cache[key] = body
            if len(self._cache) > RESPONSE_CACHE_ENTRIES:
                self._cache.popitem(last=False)
        return body

    def memo(self, key: object, build: Callable[[], T]) -> T:
        """A value derived from the snapshot once (lookup maps of small tables), then kept."""
        with self._memo_lock:
            if key in self._memo:
                found: T = self._memo[key]
                return found
        value = build()
        with self._memo_lock:
            self._memo.setdefault(key, value)
        return value

    def peek(self, key: object) -> bytes | None:
        """A cached response without building one (the event loop's fast path)."""
        with self._cache_lock:
            body = self._cache.get(key)
            if body is not None:
                self._cache.move_to_end(key)
            return body

    def close(self) -> None:
        """Close the database (cursors of worker threads close with it)."""
        self._database.close()

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cursor: duckdb.DuckDBPyConnection | None = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._local.cursor = self._database.cursor()
        return cursor
