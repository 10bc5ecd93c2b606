"""The manifest's type names: one per Arrow type a column can have, whoever wrote the file."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from worldloom.reader import UnsupportedTypeError, type_name

NAMED = [
    (pa.bool_(), "bool"),
    (pa.int8(), "int8"),
    (pa.int16(), "int16"),
    (pa.int32(), "int32"),
    (pa.int64(), "int64"),
    (pa.uint8(), "uint8"),
    (pa.uint16(), "uint16"),
    (pa.uint32(), "uint32"),
    (pa.uint64(), "uint64"),
    (pa.float32(), "float32"),
    (pa.float64(), "float64"),
    (pa.string(), "string"),
    (pa.large_string(), "string"),
    (pa.string_view(), "string"),
    (pa.timestamp("us", tz="UTC"), "timestamp[us, tz=UTC]"),
    (pa.timestamp("ms"), "timestamp[ms]"),
    (pa.list_(pa.int32()), "list<int32>"),
    (pa.large_list(pa.large_string()), "list<string>"),
    (pa.list_view(pa.string()), "list<string>"),
    (
        pa.large_list(pa.struct({"good": pa.large_string(), "units": pa.int32()})),
        "list<struct<good: string, units: int32>>",
    ),
    (
        pa.struct({"x": pa.float64(), "tags": pa.list_(pa.string())}),
        "struct<x: float64, tags: list<string>>",
    ),
]


@pytest.mark.parametrize(("arrow", "name"), NAMED, ids=[name for _, name in NAMED])
def test_arrow_types_get_tool_neutral_names(arrow: Any, name: str) -> None:
    assert type_name(arrow) == name


@pytest.mark.parametrize(
    "arrow",
    [
        pa.float16(),
        pa.dictionary(pa.int32(), pa.string()),
        pa.binary(),
        pa.decimal128(10, 2),
        pa.date32(),
        pa.map_(pa.string(), pa.int32()),
        pa.null(),
        pa.list_(pa.binary()),
    ],
    ids=str,
)
def test_types_outside_the_vocabulary_are_refused(arrow: Any) -> None:
    with pytest.raises(UnsupportedTypeError, match="has no name in the snapshot format"):
        type_name(arrow)
