"""A table revised in place: the rows a write takes out by primary key and the rows it puts in,
so a yearly write costs what changed, not the whole table."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from worldloom.infrastructure.store.schema import Table


@dataclass(frozen=True, slots=True)
class Revision:
    """Rows of one world's table to take out (by primary key) and rows to put in.

    `remove` holds at least the table's primary-key columns (other columns are ignored);
    `add` holds whole rows as `WorldStore.replace_rows` takes them. Removing comes first, so a
    row whose key is removed may come back changed (an update by key)."""

    remove: pl.DataFrame
    add: pl.DataFrame

    @classmethod
    def between(
        cls, before: pl.DataFrame, after: pl.DataFrame, *, key: tuple[str, ...]
    ) -> Revision:
        """What turns `before` (a table's rows, as read) into `after`: the keys of rows gone
        or changed, and the rows new or changed. Rows equal in every column are left alone.

        Raises:
            ValueError: the frames' columns differ, or a key column is missing.
        """
        if set(before.columns) != set(after.columns) or not set(key) <= set(after.columns):
            raise ValueError(
                f"revision of {sorted(before.columns)} into {sorted(after.columns)} by {key}"
            )
        after = after.select(before.columns)
        # Compare as the store would hold both (a frame's Int64 is an Int32 column's value).
        after = after.cast(dict(before.schema), strict=False)
        columns = before.columns
        gone = before.join(after, on=columns, how="anti", nulls_equal=True)
        new = after.join(before, on=columns, how="anti", nulls_equal=True)
        return cls(remove=gone.select(key), add=new)


def apply_revision(
    cursor: duckdb.DuckDBPyConnection,
    table: Table,
    world_id: str,
    *,
    remove: pl.DataFrame,
    add: pl.DataFrame,
) -> int:
    """Delete `world_id`'s rows of `table` whose keys `remove` holds, then insert `add` (rows
    already in the table's shape, `world_id` first); inside the caller's transaction.

    Returns:
        Rows inserted.
    """
    key = table.primary_key
    gone = [column for column in key if column != "world_id"]
    if remove.height:
        keys = remove.select(gone).cast({c: table.schema[c] for c in gone}, strict=True)
        cursor.register("gone", keys.to_arrow())
        same = " AND ".join(f"{table.name}.{c} = gone.{c}" for c in gone)
        cursor.execute(
            f"DELETE FROM {table.name} USING gone WHERE {table.name}.world_id = ? AND {same}",
            [world_id],
        )
        cursor.unregister("gone")
    if add.height:
        cursor.register("incoming", add.to_arrow())
        cursor.execute(f"INSERT INTO {table.name} BY NAME SELECT * FROM incoming")
        cursor.unregister("incoming")
    return add.height
