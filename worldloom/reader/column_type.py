"""Tool-neutral names for the Arrow types of a snapshot's columns (the manifest's `type`)."""

from __future__ import annotations

from typing import Any, Final

import pyarrow as pa

_FLOATS: Final = {32: "float32", 64: "float64"}
"""Arrow prints float32 as `float` and float64 as `double`; the manifest says the width."""


class UnsupportedTypeError(ValueError):
    """An Arrow type outside the snapshot's vocabulary (see :func:`type_name`)."""


def type_name(data_type: Any) -> str:
    """Name an Arrow type in the manifest's vocabulary.

    `bool`; `int8`..`int64`, `uint8`..`uint64`; `float32`, `float64`; `string` (for string,
    large_string and string_view alike); timestamps as Arrow prints them, e.g.
    `timestamp[us, tz=UTC]`; `list<T>` (for list, large_list and list_view alike);
    `struct<name: T, ...>`. The offset width and view layout of strings and lists are how one
    writer stores them, not what the column holds, so they do not show.

    Raises:
        UnsupportedTypeError: Any other type (float16, dictionary, binary, decimal, map...).
    """
    if _is_list(data_type):
        return f"list<{type_name(data_type.value_type)}>"
    if pa.types.is_struct(data_type):
        fields = (data_type.field(index) for index in range(data_type.num_fields))
        return "struct<" + ", ".join(f"{f.name}: {type_name(f.type)}" for f in fields) + ">"
    name = _scalar_name(data_type)
    if name is None:
        raise UnsupportedTypeError(f"type {data_type} has no name in the snapshot format")
    return name


def _scalar_name(data_type: Any) -> str | None:
    types = pa.types
    if types.is_boolean(data_type):
        return "bool"
    if types.is_integer(data_type) or types.is_timestamp(data_type):
        return str(data_type)  # Arrow already says int8 ... uint64, timestamp[us, tz=UTC]
    if types.is_floating(data_type):
        return _FLOATS.get(data_type.bit_width)
    if types.is_string(data_type) or types.is_large_string(data_type):
        return "string"
    return "string" if types.is_string_view(data_type) else None


def _is_list(data_type: Any) -> bool:
    types = pa.types
    return bool(
        types.is_list(data_type)
        or types.is_large_list(data_type)
        or types.is_list_view(data_type)
        or types.is_large_list_view(data_type)
    )


def schema_types(schema: Any) -> list[tuple[str, str]]:
    """(column name, type name) of every column of an Arrow schema, in order.

    Raises:
        UnsupportedTypeError: A column's type is outside the vocabulary (named in the message).
    """
    named = []
    for field in schema:
        try:
            named.append((str(field.name), type_name(field.type)))
        except UnsupportedTypeError as error:
            raise UnsupportedTypeError(f"column {field.name!r}: {error}") from None
    return named
