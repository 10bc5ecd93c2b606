"""The snapshot writer's key order: rows already in key order are kept as they are, any others
are sorted, and a key two rows share is refused either way."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from worldloom.infrastructure.snapshot import SnapshotInputError, TableData
from worldloom.infrastructure.snapshot.table import prepare_tables

KEYS = st.lists(
    st.tuples(st.integers(-3, 3), st.sampled_from(["", "a", "b", "ab", "é", "Z"])),
    max_size=30,
)


def prepared(frame: pl.DataFrame, key: tuple[str, ...]) -> pl.DataFrame:
    return prepare_tables({"rows": TableData(frame=frame, primary_key=key)})["rows"].frame


@settings(max_examples=200, deadline=None)
@given(rows=KEYS, presorted=st.booleans())
def test_rows_come_out_in_key_order_and_twins_are_refused(
    rows: list[tuple[int, str]], presorted: bool
) -> None:
    rows = sorted(rows) if presorted else rows
    frame = pl.DataFrame(
        {"n": [n for n, _ in rows], "s": [s for _, s in rows], "i": range(len(rows))},
        schema={"n": pl.Int64, "s": pl.String, "i": pl.Int64},
    )
    if len(set(rows)) < len(rows):
        with pytest.raises(SnapshotInputError, match="not unique"):
            prepared(frame, ("n", "s"))
        return
    result = prepared(frame, ("n", "s"))
    assert_frame_equal(result, frame.sort("n", "s"))
    assert result.n_chunks() == 1


@pytest.mark.parametrize(
    ("column", "dtype"),
    [
        ([3.5, 1.0, 2.25], pl.Float64),
        ([3.5, 4.0], pl.Float64),
        ([datetime(2020, 1, 3, tzinfo=UTC), datetime(2020, 1, 1, tzinfo=UTC)], pl.Datetime),
        ([datetime(2020, 1, 1, tzinfo=UTC), datetime(2020, 1, 3, tzinfo=UTC)], pl.Datetime),
        ([True, False], pl.Boolean),
        ([False, True], pl.Boolean),
    ],
    ids=["float", "float-in-order", "time", "time-in-order", "boolean", "boolean-in-order"],
)
def test_keys_of_every_exportable_type_come_out_sorted(
    column: list[object], dtype: pl.DataType
) -> None:
    frame = pl.DataFrame({"k": pl.Series(column, dtype=dtype), "i": range(len(column))})
    result = prepared(frame, ("k",))
    assert_frame_equal(result, frame.sort("k"))


def test_a_chunked_frame_in_order_comes_out_in_one_chunk() -> None:
    frame = pl.concat([pl.DataFrame({"k": [1, 2]}), pl.DataFrame({"k": [3]})], rechunk=False)
    assert frame.n_chunks() == 2
    result = prepared(frame, ("k",))
    assert result.n_chunks() == 1
    assert result["k"].to_list() == [1, 2, 3]


@pytest.mark.parametrize("rows", [[], [7]], ids=["empty", "one-row"])
def test_tables_of_fewer_than_two_rows_pass(rows: list[int]) -> None:
    frame = pl.DataFrame({"k": rows}, schema={"k": pl.Float64})
    assert prepared(frame, ("k",))["k"].to_list() == rows
