"""`stable_order` is numpy's stable argsort, whatever the keys' type and span (by radix over
16-bit digits when the span fits 32 bits, by numpy's own sort otherwise); `sort_order` sorts rows
by several columns, packed or not."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from worldloom.systems.order import sort_order, stable_order

DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint32, np.uint64]


@settings(max_examples=150, deadline=None)
@given(data=st.data(), dtype=st.sampled_from(DTYPES), size=st.integers(0, 300))
def test_the_order_of_numpys_stable_sort(data: st.DataObject, dtype: type, size: int) -> None:
    info = np.iinfo(dtype)
    # Keys drawn from a narrow range (many ties), a 32-bit one or the type's whole range.
    span = data.draw(st.sampled_from([3, 70_000, 2**32 - 1, int(info.max) - int(info.min)]))
    low = data.draw(st.integers(int(info.min), max(int(info.min), int(info.max) - span)))
    high = min(int(info.max), low + span)
    keys = data.draw(hnp.arrays(dtype, size, elements=st.integers(low, high).map(dtype)))
    order = stable_order(keys)
    assert order.dtype == np.intp
    assert np.array_equal(order, np.argsort(keys, kind="stable"))


@pytest.mark.parametrize(
    "keys",
    [
        np.array([2**40, 5, 2**40, 0], dtype=np.int64),  # over 32 bits apart: numpy's sort
        np.array([2**64 - 1, 2**63, 2**64 - 1], dtype=np.uint64),
        np.array([-(2**31), 2**31 - 1, 0, -(2**31)], dtype=np.int64),
    ],
)
def test_wide_and_extreme_keys(keys: np.ndarray) -> None:
    assert np.array_equal(stable_order(keys), np.argsort(keys, kind="stable"))


def test_rows_sort_by_their_columns_even_when_no_key_packs_them() -> None:
    wide = np.array([2**61, 0, 2**61, -(2**61)], dtype=np.int64)
    second = np.array([1, 5, 0, 9], dtype=np.int64)
    assert sort_order([wide, second]).tolist() == [3, 1, 2, 0]
    tied = np.array([3, 1, 3, 1], dtype=np.int64)
    assert sort_order([tied]).tolist() == [1, 3, 0, 2]  # ties keep their order
    assert sort_order([np.zeros(0, dtype=np.int64)]).size == 0
