"""The generic route's query: only declared columns reach the SQL, every value a parameter."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worldloom.reader import ColumnEntry, TableEntry
from worldloom.runtime.errors import BadQueryError
from worldloom.runtime.query import MAX_VALUES, parse_table_query


def column(name: str, type_: str, nullable: bool = True) -> ColumnEntry:
    return ColumnEntry(name=name, type=type_, nullable=nullable, description="", unit=None)


TABLE = TableEntry(
    file="tables/people.parquet",
    rows=3,
    sha256="0" * 64,
    description="",
    primary_key=("world_id", "person_id"),
    references=(),
    columns=(
        column("world_id", "string", False),
        column("person_id", "int64", False),
        column("name", "string"),
        column("weight", "float32"),
        column("alive", "bool"),
        column("born", "timestamp[us, tz=UTC]"),
        column("tags", "list<string>"),
    ),
)


def sql_of(params: list[tuple[str, str]]) -> tuple[str, list[object]]:
    return parse_table_query("people", TABLE, params).select_sql()


def test_filters_become_parameters() -> None:
    sql, values = sql_of(
        [
            ("name", "Ann"),
            ("name", "Bo"),
            ("weight.gte", "50.5"),
            ("alive", "true"),
            ("born.lt", "2020-01-01T00:00:00+00:00"),
            ("person_id.ne", "3"),
            ("sort", "-weight"),
            ("fields", "person_id,name"),
            ("limit", "10"),
            ("offset", "5"),
        ]
    )
    assert sql == (
        'SELECT "person_id", "name" FROM "people" WHERE "name" IN (?, ?) AND "weight" >= ? '
        'AND "alive" = ? AND "born" < ? AND "person_id" <> ? '
        'ORDER BY "weight" DESC, "world_id" ASC, "person_id" ASC LIMIT ? OFFSET ?'
    )
    assert values[:4] == ["Ann", "Bo", 50.5, True]
    assert values[-3:] == [3, 10, 5]


def test_nulls_and_counts() -> None:
    query = parse_table_query("people", TABLE, [("name.null", "true"), ("weight.null", "false")])
    assert query.count_sql() == (
        'SELECT count(*) FROM "people" WHERE "name" IS NULL AND "weight" IS NOT NULL',
        [],
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ([("height", "1")], "has no column 'height'"),
        ([("name.like", "A%")], "unknown operator"),
        ([("person_id", "one")], "is not a value of 'person_id'"),
        ([("weight", "nan")], "is not a value of 'weight'"),
        ([("alive", "maybe")], "is not a value of 'alive'"),
        ([("born", "yesterday")], "is not a value of 'born'"),
        ([("tags", "x")], "cannot be filtered"),
        ([("sort", "tags")], "cannot be sorted"),
        ([("fields", ",")], "names no column"),
        ([("name.null", "yes")], "takes true or false"),
        ([("weight.gt", "1"), ("weight.gt", "2")], "takes one value"),
        ([("limit", "0")], "limit must be from 1"),
        ([("limit", "x")], "limit must be an integer"),
        ([("offset", "-3")], "offset must be from 0"),
        ([("name", "x" * 201)], "longer than 200"),
        ([("name", str(i)) for i in range(MAX_VALUES + 1)], f"at most {MAX_VALUES}"),
    ],
)
def test_bad_queries_are_refused(params: list[tuple[str, str]], message: str) -> None:
    with pytest.raises(BadQueryError, match=message):
        parse_table_query("people", TABLE, params)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["name", "name.ne", "person_id", "weight.lt", "sort", "fields"])
            | st.text(max_size=20),
            st.text(max_size=40),
        ),
        max_size=6,
    )
)
def test_no_value_ever_reaches_the_sql_text(params: list[tuple[str, str]]) -> None:
    try:
        query = parse_table_query("people", TABLE, params)
    except BadQueryError:
        return
    sql, values = query.select_sql()
    allowed = {c.name for c in TABLE.columns}
    quoted = set(re.findall(r'"([^"]*)"', sql))
    assert quoted <= allowed | {"people"}
    assert sql.count("?") == len(values)
