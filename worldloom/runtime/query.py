"""The generic table route's query: filters on declared columns only, values as parameters.

A filter is `column=value` (repeat it for any of several values) or `column.op=value` with op
one of gt, gte, lt, lte, ne; `column.null=true|false`. `sort=col,-col2` orders the rows (the
primary key breaks ties), `fields=a,b` picks columns, `limit` and `offset` page. Column names
come from the manifest and nothing else reaches the SQL text; every value is a parameter.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from worldloom.reader import ColumnEntry, TableEntry
from worldloom.runtime.engine import quote
from worldloom.runtime.errors import BadQueryError

DEFAULT_LIMIT: Final = 100
MAX_LIMIT: Final = 1000
MAX_OFFSET: Final = 10_000_000
MAX_VALUES: Final = 100
"""Values one request may filter on, over all its filters."""
MAX_VALUE_LENGTH: Final = 200
RESERVED: Final = frozenset({"limit", "offset", "sort", "fields", "snapshot"})
"""Query parameters that are not filters."""
OPERATORS: Final = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "ne": "<>"}

_INTEGER_TYPES: Final = frozenset(
    f"{sign}int{bits}" for sign in ("", "u") for bits in (8, 16, 32, 64)
)


@dataclass(frozen=True, slots=True)
class Condition:
    """One parsed filter: `column <op> value(s)`."""

    column: str
    op: str
    """=, IN, >, >=, <, <=, <>, IS NULL or IS NOT NULL."""
    values: tuple[object, ...]


@dataclass(frozen=True, slots=True)
class TableQuery:
    """A checked request for a page of a table's rows."""

    table: str
    columns: tuple[str, ...]
    conditions: tuple[Condition, ...]
    order: tuple[tuple[str, bool], ...]
    """(column, descending) pairs, the primary key last."""
    limit: int
    offset: int

    def where(self) -> tuple[str, list[object]]:
        """The WHERE clause (or '') and its parameters."""
        clauses: list[str] = []
        params: list[object] = []
        for condition in self.conditions:
            column = quote(condition.column)
            if condition.op in {"IS NULL", "IS NOT NULL"}:
                clauses.append(f"{column} {condition.op}")
            elif condition.op == "IN":
                marks = ", ".join("?" for _ in condition.values)
                clauses.append(f"{column} IN ({marks})")
                params.extend(condition.values)
            else:
                clauses.append(f"{column} {condition.op} ?")
                params.append(condition.values[0])
        return (f" WHERE {' AND '.join(clauses)}" if clauses else "", params)

    def select_sql(self) -> tuple[str, list[object]]:
        """The page's SELECT and its parameters."""
        where, params = self.where()
        columns = ", ".join(quote(c) for c in self.columns)
        order = ", ".join(f"{quote(c)} {'DESC' if desc else 'ASC'}" for c, desc in self.order)
        sql = f"SELECT {columns} FROM {quote(self.table)}{where} ORDER BY {order} LIMIT ? OFFSET ?"
        return sql, [*params, self.limit, self.offset]

    def count_sql(self) -> tuple[str, list[object]]:
        """The count of every matching row, and its parameters."""
        where, params = self.where()
        return f"SELECT count(*) FROM {quote(self.table)}{where}", params


def parse_table_query(
    name: str,
    entry: TableEntry,
    params: Sequence[tuple[str, str]],
    *,
    default_order: Sequence[str] | None = None,
) -> TableQuery:
    """Check a request's query parameters against a table's manifest entry.

    Raises:
        BadQueryError: An unknown column or operator, a value of the wrong type, more values than
            allowed, or a limit or offset out of range.
    """
    columns = {column.name: column for column in entry.columns}
    limit, offset = DEFAULT_LIMIT, 0
    selected: tuple[str, ...] = entry.column_names
    order: list[tuple[str, bool]] = []
    grouped: dict[tuple[str, str], list[str]] = {}
    if sum(len(v) for _, v in params) > MAX_VALUES * MAX_VALUE_LENGTH:
        raise BadQueryError("the query string is too long")
    for key, value in params:
        if key == "limit":
            limit = _bounded_int(key, value, 1, MAX_LIMIT)
        elif key == "offset":
            offset = _bounded_int(key, value, 0, MAX_OFFSET)
        elif key == "sort":
            order = [_sort_key(name, part, columns) for part in value.split(",") if part]
        elif key == "fields":
            selected = tuple(_known(name, part, columns) for part in value.split(",") if part)
            if not selected:
                raise BadQueryError("fields names no column")
        elif key == "snapshot":
            continue
        else:
            column, _, op = key.partition(".")
            _known(name, column, columns)
            if op and op not in OPERATORS and op != "null":
                raise BadQueryError(
                    f"unknown operator {op!r} in {key!r}; use column=value, "
                    f"column.{{{','.join(OPERATORS)}}}=value or column.null=true|false"
                )
            grouped.setdefault((column, op), []).append(value)
    if sum(len(v) for v in grouped.values()) > MAX_VALUES:
        raise BadQueryError(f"at most {MAX_VALUES} filter values per request")
    conditions = tuple(
        _condition(name, columns[column], op, values) for (column, op), values in grouped.items()
    )
    key_order = [(c, False) for c in (default_order or entry.primary_key) if c in columns]
    ordered = {c for c, _ in order}
    order += [pair for pair in key_order if pair[0] not in ordered]
    return TableQuery(name, selected, conditions, tuple(order), limit, offset)


def _known(table: str, column: str, columns: dict[str, ColumnEntry]) -> str:
    if column not in columns:
        raise BadQueryError(
            f"table {table!r} has no column {column[:60]!r}; columns: {', '.join(columns)}"
        )
    return column


def _sort_key(table: str, part: str, columns: dict[str, ColumnEntry]) -> tuple[str, bool]:
    descending = part.startswith("-")
    column = _known(table, part.removeprefix("-"), columns)
    if not _comparable(columns[column].type):
        raise BadQueryError(f"column {column!r} holds {columns[column].type}; it cannot be sorted")
    return column, descending


def _condition(table: str, column: ColumnEntry, op: str, values: list[str]) -> Condition:
    if not _comparable(column.type):
        raise BadQueryError(f"column {column.name!r} holds {column.type}; it cannot be filtered")
    if op == "null":
        if len(values) != 1 or values[0] not in {"true", "false"}:
            raise BadQueryError(f"{column.name}.null takes true or false")
        return Condition(column.name, "IS NULL" if values[0] == "true" else "IS NOT NULL", ())
    parsed = tuple(_value(column, value) for value in values)
    if op:
        if len(parsed) != 1:
            raise BadQueryError(f"{column.name}.{op} takes one value")
        return Condition(column.name, OPERATORS[op], parsed)
    return Condition(column.name, "=" if len(parsed) == 1 else "IN", parsed)


def _comparable(type_name: str) -> bool:
    return not type_name.startswith(("list<", "struct<"))


def _value(column: ColumnEntry, text: str) -> object:
    """A filter value as the column's type."""
    if len(text) > MAX_VALUE_LENGTH:
        raise BadQueryError(
            f"a value for {column.name!r} is longer than {MAX_VALUE_LENGTH} characters"
        )
    kind = column.type
    try:
        if kind in _INTEGER_TYPES:
            return int(text)
        if kind.startswith("float"):
            number = float(text)
            if not math.isfinite(number):
                raise ValueError(text)
            return number
        if kind == "bool":
            return {"true": True, "false": False, "1": True, "0": False}[text.lower()]
        if kind.startswith("timestamp"):
            return datetime.fromisoformat(text)
    except (ValueError, KeyError):
        raise BadQueryError(f"{text[:60]!r} is not a value of {column.name!r} ({kind})") from None
    return text


def _bounded_int(name: str, text: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise BadQueryError(f"{name} must be an integer from {low} to {high}") from None
    if not low <= value <= high:
        raise BadQueryError(f"{name} must be from {low} to {high}, got {value}")
    return value
