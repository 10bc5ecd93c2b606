"""A world's DuckDB file once open: bulk writes in one transaction, typed reads."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import duckdb
import polars as pl

from worldloom.infrastructure.store.errors import (
    StoreError,
)
from worldloom.infrastructure.store.migration import scalar
from worldloom.infrastructure.store.revision import (
    Revision,
    RowRange,
    apply_revision,
    insert_rows,
    table_rows,
)
from worldloom.infrastructure.store.schema import TABLES, Table


@dataclass(frozen=True, slots=True)
class Remembered:
    """A read's rows (frames are immutable) and the tables they were read from."""

    tables: frozenset[str]
    rows: pl.DataFrame


ReadMemory = Mapping[str, Remembered]
"""Reads a store remembers, by what was asked (`WorldStore.remembering`)."""


class WorldStore:
    """A world's DuckDB file. One writing process at a time (DuckDB's rule); use `open_store`."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path) -> None:
        self._con = connection
        self.path = path
        self._remembered: dict[str, Remembered] | None = None

    @contextmanager
    def remembering(self) -> Iterator[WorldStore]:
        """Within: a read repeated returns the rows it read first, so a stage whose parts
        read the same table reads it once; a write forgets the reads of the tables it wrote
        (a read of rows not among another table's, of both). What is remembered when a write
        ends may be handed to another store of the file (`remembered`, `recall`: a simulate
        run's next segment), if nothing else writes the file meanwhile."""
        self._remembered = {}
        try:
            yield self
        finally:
            self._remembered = None

    def remembered(self) -> ReadMemory:
        """The reads remembered now (none outside `remembering`)."""
        return dict(self._remembered or {})

    def recall(self, memory: ReadMemory) -> None:
        """Remember `memory`'s reads too (within `remembering`; a read made here already
        stays), as if they were made here: the caller vouches that nothing wrote their
        tables since."""
        if self._remembered is not None:
            self._remembered = dict(memory) | self._remembered

    # -- writes ---------------------------------------------------------------------------

    def replace_rows(
        self,
        world_id: str,
        frames: Mapping[str, pl.DataFrame],
        *,
        clear: Iterable[str] = (),
        append: Mapping[str, pl.DataFrame] | None = None,
        revise: Mapping[str, Revision] | None = None,
        last: Callable[[], Writes | None] | None = None,
    ) -> dict[str, int]:
        """Replace `world_id`'s rows in each named table, all in one transaction.

        Re-running a stage therefore never duplicates rows, and a failure leaves the previous
        rows in place. Frames must carry exactly the table's columns (any order) minus
        `world_id`, which is filled in here. Tables in `clear` lose the world's rows (a stage
        clears what was derived from the rows it replaces). Frames in `append` are added to
        their log tables (e.g. a year's `events`) in the same transaction, and each table in
        `revise` loses the rows its `Revision` removes by key and gains those it adds, so a
        segment of a simulation is stored whole or not at all, writing only what it changed.
        `last`, once all that is written, gives more `Writes` for the same transaction, of
        tables nothing else here names: rows made meanwhile elsewhere (a year's stories, told
        in another process while the year's own rows are written), waited for only then.

        Returns:
            Rows written per table.

        Raises:
            ValueError: `last` gives a table the other writes name (nothing is stored).
        """
        written: dict[str, int] = {}
        cleared = [_table(name).name for name in clear]
        cursor = self._con.cursor()
        try:
            cursor.execute("BEGIN TRANSACTION")
            for name in _holding(cursor, cleared, world_id):
                cursor.execute(f"DELETE FROM {name} WHERE world_id = ?", [world_id])
            _write(cursor, world_id, Writes(frames, append or {}, revise or {}), written)
            more = None if last is None else last()
            if more is not None:
                if both := sorted((set(clear) | set(written)) & more.tables()):
                    raise ValueError(f"the last writes and the others both write {both}")
                _write(cursor, world_id, more, written)
            cursor.execute("COMMIT")
        except BaseException:
            with suppress(duckdb.TransactionException):  # an interrupt ended it already
                cursor.execute("ROLLBACK")
            self._forget()  # whatever was read during the transaction
            raise
        finally:
            cursor.close()
        self._forget({*cleared, *written})
        return written

    def append_rows(self, world_id: str, name: str, frame: pl.DataFrame) -> int:
        """Add rows to a log table (e.g. `llm_calls`); the primary key refuses duplicates."""
        table = _table(name)
        incoming = _incoming(table, frame)
        cursor = self._con.cursor()
        try:
            insert_rows(cursor, table, world_id, incoming)
        finally:
            cursor.close()
            self._forget({table.name})
        return incoming.height

    def start_run(
        self,
        *,
        run_id: str,
        world_id: str,
        flow: str,
        parameters_json: str,
        parameters_hash: str,
        code_version: str,
    ) -> None:
        """Record that a flow run began (provenance: what ran, with what, by which code)."""
        self._forget({"runs"})
        self._con.execute(
            "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 'running', NULL)",
            [world_id, run_id, flow, parameters_hash, parameters_json, code_version, _now()],
        )

    def finish_run(self, run_id: str, *, status: str, error: str | None = None) -> None:
        """Close a run record with its final status."""
        self._forget({"runs"})
        self._con.execute(
            "UPDATE runs SET finished_at = ?, status = ?, error = ? WHERE run_id = ?",
            [_now(), status, error, run_id],
        )

    def abort_unfinished_runs(self, world_id: str, *, reason: str) -> int:
        """Mark the world's runs still `running` as `aborted` with `reason` (call only while
        holding the world's lock, when no run of it can be alive); returns how many."""
        self._forget({"runs"})
        rows = self._con.execute(
            "UPDATE runs SET finished_at = ?, status = 'aborted', error = ? "
            "WHERE world_id = ? AND status = 'running' RETURNING run_id",
            [_now(), reason, world_id],
        ).fetchall()
        return len(rows)

    # -- reads ----------------------------------------------------------------------------

    def read(
        self,
        name: str,
        world_id: str,
        *,
        where: Mapping[str, object] | None = None,
        after: Mapping[str, int] | None = None,
        before: Mapping[str, int] | None = None,
        within: Sequence[RowRange] = (),
        columns: Sequence[str] | None = None,
        unless_in: tuple[str, RowRange] | None = None,
        among: Mapping[str, Sequence[int]] | None = None,
        distinct: bool = False,
    ) -> pl.DataFrame:
        """`world_id`'s rows of a table, in primary-key order, without `world_id`.

        Args:
            name: Table name.
            world_id: The world whose rows to read.
            where: Column -> value; only rows where every column equals its value are read
                (so a caller wanting a few rows of a million-row table never loads the rest).
            after: Column -> value; only rows where the column is greater (the events a
                reader of the log has not read yet).
            before: Column -> value; only rows where the column is smaller (the history a
                writer is about to roll up).
            within: Only rows in at least one of these ranges (none: every row).
            columns: Only these columns, in this order (None: every one but `world_id`).
            unless_in: (other table, range): rows whose key is also the key of one of the
                other table's rows in the range are left out (the people not among the dead
                of `npc_vitals`). The table's key, but for `world_id`, must be one column,
                and the other table must have a column of that name.
            among: Column -> values; only rows whose column holds one of the values (the
                memories of some notables of many).
            distinct: Only distinct rows, ordered by their columns (the names in use,
                not each row that uses one).

        Raises:
            StoreError: If the table (or the other one) does not exist.
            KeyError: If a bounded or named column is not one of the table's, or the key
                of `unless_in` is not one column of both.
        """
        asked = repr(
            (name, world_id, where, after, before, within, columns, unless_in, among, distinct)
        )
        if self._remembered is not None and asked in self._remembered:
            return self._remembered[asked].rows
        table = _table(name)
        for column in columns or ():
            if column not in table.column_names:
                raise KeyError(f"table {name!r} has no column {column!r}")
        wanted = list(columns or (c for c in table.column_names if c != "world_id"))
        # Rows come in key order: read as stored, and sorted by Polars only if they are not in
        # it. Most tables are stored in key order (written so, logs appended by tick), and their
        # reads are spared DuckDB's ORDER BY: a large world's 3.5M daily prices 0.20 -> 0.12 s,
        # the living of a medium world's npcs ~0.1 s. Rows stored out of order (groups added
        # later) sort in Polars about as fast as in DuckDB.
        by_polars = not distinct and bool(table.world_key)
        key = [c for c in table.world_key if c not in wanted] if by_polars else []
        selected = ", ".join([*wanted, *key])
        params: dict[str, object] = {"world_id": world_id}
        rows = RowRange(where=where or {}, after=after or {}, before=before or {})
        conditions = ["world_id = $world_id", *rows.conditions(table, params)]
        ranges = [" AND ".join(r.conditions(table, params)) or "TRUE" for r in within]
        conditions += [f"(({') OR ('.join(ranges)}))"] if ranges else []
        if unless_in is not None:
            conditions.append(_not_among(table, *unless_in, params))
        for column, values in (among or {}).items():
            if column not in table.column_names:
                raise KeyError(f"table {name!r} has no column {column!r}")
            # A list parameter unnested: DuckDB joins it as a set (a list's contains was
            # measured scanning the list for every row).
            conditions.append(f"{column} IN (SELECT unnest($p{len(params)}))")
            params[f"p{len(params)}"] = [int(v) for v in values]
        # One world's rows: ordering by its id too would double a big read's sort.
        by = selected if distinct else ", ".join(table.world_key) or "world_id"
        order = "" if by_polars else f" ORDER BY {by}"
        frame: pl.DataFrame = self._con.sql(
            f"SELECT {'DISTINCT ' if distinct else ''}{selected} FROM {table.name} "
            f"WHERE {' AND '.join(conditions)}{order}",
            params=params,
        ).pl()
        if by_polars:
            if not _in_order(frame, table.world_key):
                frame = frame.sort(table.world_key)
            frame = frame.drop(key) if key else frame
        if self._remembered is not None:
            read = {table.name} if unless_in is None else {table.name, _table(unless_in[0]).name}
            self._remembered[asked] = Remembered(frozenset(read), frame)
        return frame

    def _forget(self, tables: Iterable[str] | None = None) -> None:
        """Forget the reads of `tables` (of every table: None)."""
        if self._remembered is None:
            return
        if tables is None:
            self._remembered.clear()
            return
        written = set(tables)
        self._remembered = {
            asked: read
            for asked, read in self._remembered.items()
            if read.tables.isdisjoint(written)
        }

    def next_id(self, name: str, world_id: str, column: str) -> int:
        """One past the largest `column` of `world_id`'s rows in a table (0 when it has none):
        the next id of a log table.

        Raises:
            KeyError: `column` is not one of the table's.
        """
        table = _table(name)
        if column not in table.column_names:
            raise KeyError(f"table {name!r} has no column {column!r}")
        return scalar(
            self._con,
            f"SELECT max({column}) + 1 FROM {table.name} WHERE world_id = ?",
            [world_id],
        )

    def world_ids(self) -> list[str]:
        rows = self._con.execute("SELECT world_id FROM worlds ORDER BY world_id").fetchall()
        return [str(row[0]) for row in rows]

    def row_counts(self, world_id: str, names: Sequence[str] | None = None) -> dict[str, int]:
        """Rows per table for one world (every table, including empty ones; or those named).

        Raises:
            StoreError: a named table does not exist.
        """
        tables = [
            table.name for table in (TABLES.values() if names is None else map(_table, names))
        ]
        if not tables:
            return {}
        # One statement for all: a year's checks of the rows it kept counted four to six
        # tables twice, a statement each (~13 ms a check in a medium world).
        rows = self._con.execute(
            " UNION ALL ".join(
                f"SELECT {i} AS t, count(*) FROM {name} WHERE world_id = $world_id"
                for i, name in enumerate(tables)
            ),
            {"world_id": world_id},
        ).fetchall()
        counts = dict(rows)
        return {name: int(counts[i]) for i, name in enumerate(tables)}

    def dangling_references(self, world_id: str) -> dict[str, int]:
        """Rows naming a row that does not exist, per `table.column` (only those with any).

        Every declared reference is checked; a null, or a negative id, names nothing.
        """
        dangling: dict[str, int] = {}
        for table in TABLES.values():
            for ref in table.references:
                column = next(c for c in table.columns if c.name == ref.column)
                names_none = f"c.{ref.column} IS NULL" + (
                    "" if column.sql_type.startswith("VARCHAR") else f" OR c.{ref.column} < 0"
                )
                count = scalar(
                    self._con,
                    f"SELECT count(*) FROM {table.name} c WHERE c.world_id = $world "
                    f"AND NOT ({names_none}) AND NOT EXISTS (SELECT 1 FROM {ref.table} t "
                    f"WHERE t.world_id = $world AND t.{ref.target} = c.{ref.column})",
                    {"world": world_id},
                )
                if count:
                    dangling[f"{table.name}.{ref.column}"] = count
        return dangling

    def schema_version(self) -> int:
        return scalar(self._con, "SELECT max(version) FROM schema_version")

    def use_threads(self, threads: int) -> None:
        """Have DuckDB run this file's statements on `threads` worker threads, in this process
        (its instance of the file: every store open on it here) until the file is closed.

        Raises:
            ValueError: `threads` is below one.
        """
        if threads < 1:
            raise ValueError(f"DuckDB needs at least one thread, not {threads}")
        self._con.execute(f"SET threads = {int(threads)}")

    def threads(self) -> int:
        """DuckDB's worker threads for this file in this process."""
        return scalar(self._con, "SELECT current_setting('threads')")

    def close(self) -> None:
        self._con.close()


def _table(name: str) -> Table:
    try:
        return TABLES[name]
    except KeyError:
        raise StoreError(f"unknown table {name!r}") from None


def _not_among(table: Table, name: str, rows: RowRange, params: dict[str, object]) -> str:
    """The SQL condition that a row of `table` has a key none of `name`'s rows in `rows` has."""
    other = _table(name)
    key = table.world_key
    if len(key) != 1 or key[0] not in other.column_names:
        raise KeyError(f"table {table.name!r} is not keyed by one column of {name!r}")
    among = ["world_id = $world_id", f"{key[0]} IS NOT NULL", *rows.conditions(other, params)]
    return f"{key[0]} NOT IN (SELECT {key[0]} FROM {other.name} WHERE {' AND '.join(among)})"


def _holding(cursor: duckdb.DuckDBPyConnection, names: list[str], world_id: str) -> list[str]:
    """Those of tables `names` with rows of `world_id`, in order: one query, where a DELETE
    each (a stage clears up to ~80 tables, most still empty in a new world) cost ~50 ms."""
    if not names:
        return []
    query = " UNION ALL ".join(
        f"(SELECT {i} FROM {name} WHERE world_id = $world LIMIT 1)" for i, name in enumerate(names)
    )
    found = {i for (i,) in cursor.execute(query, {"world": world_id}).fetchall()}
    return [name for i, name in enumerate(names) if i in found]


@dataclass(frozen=True, slots=True)
class Writes:
    """Rows for `WorldStore.replace_rows`: tables replaced, rows appended, tables revised."""

    frames: Mapping[str, pl.DataFrame] = field(default_factory=dict)
    append: Mapping[str, pl.DataFrame] = field(default_factory=dict)
    revise: Mapping[str, Revision] = field(default_factory=dict)

    def tables(self) -> set[str]:
        """The tables these writes name."""
        return {*self.frames, *self.append, *self.revise}


def _write(
    cursor: duckdb.DuckDBPyConnection, world_id: str, writes: Writes, written: dict[str, int]
) -> None:
    """`writes` inside the caller's transaction, counting rows written per table in `written`."""
    for name, frame in writes.frames.items():
        table = _table(name)
        incoming = _incoming(table, frame)
        cursor.execute(f"DELETE FROM {table.name} WHERE world_id = ?", [world_id])
        insert_rows(cursor, table, world_id, incoming)
        written[name] = incoming.height
    for name, revision in writes.revise.items():
        table = _table(name)
        written[name] = apply_revision(
            cursor, table, world_id, revision, add=_incoming(table, revision.add)
        )
    for name, frame in writes.append.items():
        incoming = _incoming(_table(name), frame)
        if incoming.height:  # a year without successions appends none
            insert_rows(cursor, _table(name), world_id, incoming)
        written[name] = written.get(name, 0) + incoming.height


def _incoming(table: Table, frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` as the table's rows (`table_rows`), without `world_id`.

    Raises:
        StoreError: a column is missing or unexpected, or a value does not fit its type.
    """
    try:
        return table_rows(table, frame)
    except ValueError as error:
        raise StoreError(str(error)) from None


def _now() -> datetime:
    return datetime.now(UTC)


def stored_rows(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The rows `frame` (as `replace_rows` takes them) leaves in table `name`, as
    `WorldStore.read` returns them: the table's columns, in its order and types, in key order
    (what a writer keeps in memory for its next reads, instead of reading its rows back).

    Raises:
        StoreError: unknown table, columns not exactly the table's, or a value that does not fit.
    """
    table = _table(name)
    try:
        rows = table_rows(table, frame)
    except ValueError as error:
        raise StoreError(str(error)) from None
    key = table.world_key
    return rows if not key or strictly_ascending(rows, key) else rows.sort(key)


_ORDERED_TYPES: Final = (pl.String, pl.Boolean, pl.Datetime)
"""Key types whose comparisons order rows as `sort` does (besides integers): only keys of
these are checked for order, other keys are sorted."""


def strictly_ascending(frame: pl.DataFrame, key: Sequence[str]) -> bool:
    """Whether every row's key is greater than the previous row's (so sorting would keep the
    rows where they are, and no two rows share a key): one pass over rows made or read in
    order spares their sort (a million rows: ~20 ms against ~200 ms)."""
    schema = frame.schema
    if frame.height < 2 or not all(
        schema[column].is_integer() or isinstance(schema[column], _ORDERED_TYPES) for column in key
    ):
        return frame.height < 2
    # Later than the previous row: greater in some column, the same in every column before it.
    later, tied = pl.lit(False), pl.lit(True)
    for column in key:
        value, previous = pl.col(column), pl.col(column).shift()
        later = later | (tied & (value > previous))
        tied = tied & (value == previous)
    return bool(frame.select(later.slice(1).all()).item())


def _in_order(frame: pl.DataFrame, key: Sequence[str]) -> bool:
    """Whether rows read (whose keys are unique) are in key order: by one column, Polars' own
    check (one pass, and free on a frame it knows sorted)."""
    return frame[key[0]].is_sorted() if len(key) == 1 else strictly_ascending(frame, key)


def table_frame(name: str, columns: Mapping[str, Any]) -> pl.DataFrame:
    """Rows of table `name` from column values, in the table's declared types (the one row
    shape of every table: stages build their frames with it).

    Raises:
        StoreError: unknown table, columns not exactly the table's, or a value that does not fit.
    """
    try:
        return _table(name).frame(columns)
    except (ValueError, pl.exceptions.PolarsError) as error:
        raise StoreError(str(error)) from None


def describe_tables(*, exported_only: bool = True) -> dict[str, tuple[str, ...]]:
    """Table name -> primary key (without world_id), for snapshot writers and readers."""
    return {
        table.name: table.world_key
        for table in TABLES.values()
        if table.exported or not exported_only
    }


def table_revision(
    name: str, before: pl.DataFrame, after: pl.DataFrame, *, stamp: tuple[str, ...] = ()
) -> Revision:
    """What turns `before` (table `name`'s rows as `WorldStore.read` returned them) into
    `after` (its rows as `replace_rows` takes them), compared as the table holds them
    (`Revision.between`): a stage that read a table writes only what it changed.

    Raises:
        StoreError: unknown table, columns not exactly the table's, or a value that does not fit.
    """
    table = _table(name)
    try:
        return Revision.between(before, table_rows(table, after), key=table.world_key, stamp=stamp)
    except ValueError as error:
        raise StoreError(f"table {name}: {error}") from None
