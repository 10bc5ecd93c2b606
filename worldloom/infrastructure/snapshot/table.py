"""A table handed to the snapshot writer, and the checks it must pass before anything is written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import polars as pl

from worldloom.infrastructure.store import strictly_ascending
from worldloom.reader import ReferenceEntry, SnapshotInputError, UnsupportedTypeError
from worldloom.reader.column_type import schema_types
from worldloom.reader.manifest import TABLE_NAME_PATTERN

_TABLE_NAME_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")
_EXAMPLES: Final = 5
"""How many offending values a refusal quotes."""


@dataclass(frozen=True, slots=True)
class ColumnDoc:
    """What the manifest says about a column besides its name and type.

    Attributes:
        name: The frame column it documents.
        description: What the column holds.
        unit: The unit of a quantity; None for anything else.
        nullable: Whether the column may hold nulls (the writer refuses a null otherwise).
    """

    name: str
    description: str = ""
    unit: str | None = None
    nullable: bool = True


@dataclass(frozen=True, slots=True)
class TableData:
    """A table to export: its rows, the columns that identify a row, and its documentation.

    Attributes:
        frame: The rows, in any order.
        primary_key: Columns unique and non-null together; rows are written in their order.
        description: What one row is.
        columns: Documentation of the frame's columns (an undocumented column gets an empty
            description, no unit and is nullable unless it is part of the key).
        references: Foreign keys; those into a table the snapshot does not hold are left out.
    """

    frame: pl.DataFrame
    primary_key: tuple[str, ...]
    description: str = ""
    columns: tuple[ColumnDoc, ...] = ()
    references: tuple[ReferenceEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class PreparedTable:
    """A checked table: rows in key order, one document per column, references kept."""

    frame: pl.DataFrame
    data: TableData
    columns: tuple[ColumnDoc, ...]
    references: tuple[ReferenceEntry, ...]


def prepare_tables(tables: Mapping[str, TableData]) -> dict[str, PreparedTable]:
    """Check every table and the references between them; return them sorted by name.

    Raises:
        SnapshotInputError: A table name is invalid; a key column is missing, null or not
            unique; a column has a type the snapshot format cannot name; a column documented
            as not nullable holds a null; a reference names an unknown column or dangles.
    """
    prepared = {
        name: _prepare_table(name, data, frozenset(tables)) for name, data in sorted(tables.items())
    }
    check_references(prepared)
    return prepared


def check_references(tables: Mapping[str, PreparedTable]) -> None:
    """Refuse a reference whose non-null values are not all among its target's values.

    One anti-join per reference, all run together by Polars.

    Raises:
        SnapshotInputError: Naming the table, the column, a few offending values and the
            target.
    """
    checks = []
    for name, table in tables.items():
        for ref in table.references:
            _check_target(name, table.frame, ref, tables[ref.table].frame)
            source = table.frame.lazy().select(pl.col(ref.column).alias("value")).drop_nulls()
            target = tables[ref.table].frame.lazy().select(pl.col(ref.target).alias("value"))
            # Deduplicated after the join, not before: hashing a million-row target's keys once
            # per reference to it cost more than the join saves.
            query = source.join(target, on="value", how="anti").unique()
            checks.append((name, ref, query.sort("value")))
    results = pl.collect_all([query for _, _, query in checks])
    for (name, ref, _), dangling in zip(checks, results, strict=True):
        if dangling.height:
            examples = dangling["value"].head(_EXAMPLES).to_list()
            raise SnapshotInputError(
                f"table {name!r}: column {ref.column!r} has {dangling.height} value(s) that "
                f"name no row of {ref.table}.{ref.target}, e.g. {examples}"
            )


def _check_target(
    name: str, frame: pl.DataFrame, ref: ReferenceEntry, target: pl.DataFrame
) -> None:
    if ref.target not in target.columns:
        raise SnapshotInputError(
            f"table {name!r}: column {ref.column!r} refers to {ref.table}.{ref.target}, "
            f"which is not a column of {ref.table}"
        )
    source_type, target_type = frame.schema[ref.column], target.schema[ref.target]
    if source_type != target_type:
        raise SnapshotInputError(
            f"table {name!r}: column {ref.column!r} ({source_type}) refers to "
            f"{ref.table}.{ref.target} of another type ({target_type})"
        )


def _prepare_table(name: str, data: TableData, names: frozenset[str]) -> PreparedTable:
    """Check a table can be keyed, typed and documented, and return it in key order."""
    _check_name(name)
    frame = data.frame
    _check_types(name, frame)
    key = _check_key(name, frame, tuple(data.primary_key))
    columns = _document(name, frame, data.columns, key)
    _check_not_null(name, frame, columns)
    references = _check_reference_columns(name, frame, data.references, names)
    # With default options Polars lays out large frames' row groups per chunk, and sorting an
    # already sorted frame keeps its chunks; a single chunk plus a pinned row-group size keeps
    # the bytes independent of how the frame was assembled. Rows read from the store come in
    # key order: one pass finds that out and spares the sort (seconds at millions of rows).
    if strictly_ascending(frame, key):
        return PreparedTable(frame.rechunk(), data, columns, references)
    ordered = frame.sort(key).rechunk()
    _check_unique(name, ordered, key)
    return PreparedTable(ordered, data, columns, references)


def _check_name(name: str) -> None:
    if not name or not set(name) <= _TABLE_NAME_CHARS or not name[0].isalpha() or len(name) > 64:
        raise SnapshotInputError(
            f"table name {name!r} must be 1-64 characters of a-z, 0-9 and _, starting with a "
            f"letter ({TABLE_NAME_PATTERN})"
        )


def _check_types(name: str, frame: pl.DataFrame) -> None:
    # An empty frame converts without copying rows; its Arrow types are those Parquet stores.
    try:
        schema_types(frame.head(0).to_arrow().schema)
    except UnsupportedTypeError as error:
        raise SnapshotInputError(f"table {name!r}: {error}") from None


def _check_key(name: str, frame: pl.DataFrame, key: tuple[str, ...]) -> tuple[str, ...]:
    if not key:
        raise SnapshotInputError(f"table {name!r} has no primary key")
    missing = [column for column in key if column not in frame.columns]
    if missing:
        raise SnapshotInputError(
            f"table {name!r}: primary key columns {missing} are not in {frame.columns}"
        )
    nulls = frame.filter(pl.any_horizontal(pl.col(key).is_null()))
    if nulls.height:
        raise SnapshotInputError(
            f"table {name!r}: primary key {list(key)} is null in {nulls.height} row(s)"
        )
    return key


def _check_unique(name: str, ordered: pl.DataFrame, key: tuple[str, ...]) -> None:
    """Refuse a key two rows share. The rows are in key order, so twins are neighbours: one
    pass over the key columns instead of hashing every key (seconds at millions of rows)."""
    same_as_previous = pl.all_horizontal(pl.col(column) == pl.col(column).shift() for column in key)
    if not ordered.select(same_as_previous.any()).item():
        return
    duplicates = ordered.filter(pl.struct(key).is_duplicated())
    example = duplicates.select(key).row(0, named=True)
    raise SnapshotInputError(
        f"table {name!r}: primary key {list(key)} is not unique "
        f"({duplicates.height} rows share a key, e.g. {example})"
    )


def _document(
    name: str, frame: pl.DataFrame, docs: tuple[ColumnDoc, ...], key: tuple[str, ...]
) -> tuple[ColumnDoc, ...]:
    """One document per frame column, in frame order; key columns are never nullable."""
    by_name = {doc.name: doc for doc in docs}
    unknown = sorted(set(by_name) - set(frame.columns))
    if unknown:
        raise SnapshotInputError(f"table {name!r}: documented columns {unknown} are not in it")
    documented = []
    for column in frame.columns:
        doc = by_name.get(column, ColumnDoc(column))
        if column in key and doc.nullable:
            doc = ColumnDoc(column, doc.description, doc.unit, nullable=False)
        documented.append(doc)
    return tuple(documented)


def _check_not_null(name: str, frame: pl.DataFrame, columns: tuple[ColumnDoc, ...]) -> None:
    required = [doc.name for doc in columns if not doc.nullable]
    if not required:
        return
    counts = frame.select(pl.col(required).null_count()).row(0, named=True)
    for column, count in counts.items():
        if count:
            raise SnapshotInputError(
                f"table {name!r}: column {column!r} is not nullable but holds {count} null(s)"
            )


def _check_reference_columns(
    name: str, frame: pl.DataFrame, references: tuple[ReferenceEntry, ...], names: frozenset[str]
) -> tuple[ReferenceEntry, ...]:
    for ref in references:
        if ref.column not in frame.columns:
            raise SnapshotInputError(
                f"table {name!r}: reference from column {ref.column!r}, which it does not have"
            )
    return tuple(ref for ref in references if ref.table in names)
