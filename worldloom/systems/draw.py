"""Keyed draws: one uniform number per entity id, whatever the order or size of the batch."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from worldloom.systems.rng import Seeds

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)


def _splitmix(values: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """SplitMix64's finaliser: a bijective, well-avalanched 64-bit mix (wraps on overflow)."""
    z = values + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX_1
    z = (z ^ (z >> np.uint64(27))) * _MIX_2
    return z ^ (z >> np.uint64(31))


def keyed_uniform(
    *keys: NDArray[np.integer[Any]], seeds: Seeds, system: str
) -> NDArray[np.float64]:
    """A uniform number in [0, 1) for every row of the equal-length id arrays `keys`.

    A per-row `Seeds.stream` would cost a generator per NPC; drawing from one stream in row
    order would tie each entity's luck to its neighbours'. Instead the stream for `system`
    gives one 64-bit key, which is mixed with each row's ids: the same ids always draw the
    same number, and adding, removing or reordering rows changes no other row's draw.

    Args:
        keys: integer id arrays of one length (e.g. npc ids; or a pair's two faction ids).
        seeds: the world's seed tree.
        system: the stream name, so that two systems keyed by the same ids draw independently.
    """
    if not keys:
        raise ValueError("keyed_uniform needs at least one key array")
    size = np.asarray(keys[0]).shape[0]
    if any(np.asarray(key).shape != (size,) for key in keys):
        raise ValueError("keyed_uniform key arrays must be one-dimensional and of equal length")
    base = seeds.stream(system).integers(0, 2**63, dtype=np.uint64)
    state = np.full(size, base, dtype=np.uint64)
    for key in keys:
        # Negative ids (the -1 sentinel) wrap to large unsigned values, which is fine for a hash.
        bits: NDArray[np.uint64] = np.asarray(key).astype(np.int64).view(np.uint64)
        state = _splitmix(np.bitwise_xor(state, bits))
    return (state >> np.uint64(11)).astype(np.float64) * (1.0 / 2**53)
