"""The stable order of integer keys, by radix where numpy's own sort would compare; and the
order of rows by several integer columns, by one packed key where they fit one.

numpy sorts 16-bit keys by radix (linear time) and wider ones by comparison: a million and a
half parent ids took ~0.1 s each year a world's quests were posted. Sorting by 16-bit digits,
least significant first, each sort stable, gives the same order (ties in their first order)
in a quarter of that."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

_PACKED_BITS = 62
"""Room in an int64 for a sort key packed from several columns (`sort_order`)."""
_DIGIT = 16
_MOST_DIGITS = 2
"""Wider keys (over 32 bits between the least and the greatest) are sorted by comparison."""


def stable_order(keys: npt.NDArray[np.integer]) -> npt.NDArray[np.intp]:
    """The indices that sort `keys` (one-dimensional integers), ties in their first order."""
    if keys.size < 2:
        return np.arange(keys.size, dtype=np.intp)
    low = int(keys.min())
    span = int(keys.max()) - low
    digits = max(1, -(-span.bit_length() // _DIGIT))
    if digits > _MOST_DIGITS:
        return np.argsort(keys, kind="stable")
    # In 64 bits (the smallest key as 0 cannot overflow them: the span fits 32).
    wide = keys.astype(np.uint64 if keys.dtype == np.uint64 else np.int64)
    shifted = wide - wide.dtype.type(low)
    order = np.argsort((shifted & 0xFFFF).astype(np.uint16), kind="stable")
    for digit in range(1, digits):
        part = ((shifted >> (digit * _DIGIT)) & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(part[order], kind="stable")]
    return order


def sort_order(columns: list[npt.NDArray[np.int64]]) -> npt.NDArray[np.intp]:
    """The row order that sorts by `columns` (the first foremost): one sort of a key packed
    from them when it fits an int64 (`stable_order` when two rows tie), else a lexical sort."""
    if columns[0].size == 0:
        return np.zeros(0, dtype=np.intp)
    lows = [int(column.min()) for column in columns]
    widths = [int(column.max()) - low + 1 for column, low in zip(columns, lows, strict=True)]
    if sum(width.bit_length() for width in widths) > _PACKED_BITS:
        return np.lexsort(columns[::-1])
    packed = np.zeros(columns[0].size, dtype=np.int64)
    for column, low, width in zip(columns, lows, widths, strict=True):
        packed = packed * width + (column - low)
    order = np.argsort(packed)
    ordered = packed[order]
    if (ordered[1:] == ordered[:-1]).any():
        return stable_order(packed)
    return order
