"""Keyed draws: each row's number is its stream key mixed with its ids by SplitMix64, whatever
the batch, its order, or the ids' integer type."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worldloom.systems.draw import keyed_uniform
from worldloom.systems.rng import Seeds

SEEDS = Seeds(11)
MASK = 2**64 - 1


def splitmix(value: int) -> int:
    """SplitMix64's step (the golden increment, then its finaliser) in Python integers."""
    z = (value + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def reference(rows: list[tuple[int, ...]], system: str) -> list[float]:
    base = int(SEEDS.stream(system).integers(0, 2**63, dtype=np.uint64))
    drawn = []
    for ids in rows:
        state = base
        for key in ids:
            state = splitmix(state ^ (key & MASK))
        drawn.append((state >> 11) / 2**53)
    return drawn


ids = st.integers(min_value=-1, max_value=2**40)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(ids, ids, ids), max_size=30), st.sampled_from(["war", "loot.roll"]))
def test_each_row_draws_its_ids_mixed_into_the_stream_key(
    rows: list[tuple[int, int, int]], system: str
) -> None:
    keys = [np.array([row[k] for row in rows], dtype=np.int64) for k in range(3)]
    drawn = keyed_uniform(*keys, seeds=SEEDS, system=system)
    assert drawn.dtype == np.float64
    assert drawn.tolist() == reference(rows, system)
    assert ((drawn >= 0.0) & (drawn < 1.0)).all()


def test_a_row_draws_the_same_in_any_batch_order_and_id_type() -> None:
    npc = np.arange(-1, 999, dtype=np.int64)
    tick = np.full(npc.size, 3650, dtype=np.int32)
    drawn = keyed_uniform(npc, tick, seeds=SEEDS, system="fate")
    order = np.random.default_rng(0).permutation(npc.size)
    again = keyed_uniform(npc[order].astype(np.int32), tick[order], seeds=SEEDS, system="fate")
    assert np.array_equal(again, drawn[order])
    alone = keyed_uniform(npc[5:6], tick[5:6], seeds=SEEDS, system="fate")
    assert alone[0] == drawn[5]
    other = keyed_uniform(npc, tick, seeds=SEEDS, system="omen")
    assert (other != drawn).mean() > 0.99
    assert keyed_uniform(npc[:0], tick[:0], seeds=SEEDS, system="fate").shape == (0,)


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ((), "at least one key array"),
        ((np.arange(3), np.arange(4)), "equal length"),
        ((np.zeros((2, 2), dtype=np.int64),), "one-dimensional"),
    ],
)
def test_keys_of_no_rows_or_unequal_lengths_are_refused(
    keys: tuple[np.ndarray, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        keyed_uniform(*keys, seeds=SEEDS, system="fate")
