"""Keyed draws: one uniform number per entity id, whatever the order or size of the batch;
and the SplitMix64 steps they mix with, for kernels that roll their own streams (combat's dice)."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from numpy.typing import NDArray

from worldloom.systems.kernel import kernel, kernel_helper
from worldloom.systems.rng import Seeds

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_UNIT = 1.0 / 9007199254740992.0
"""2**-53: a draw's top 53 bits as a number in [0, 1)."""


@kernel_helper
def mix(value: np.uint64) -> np.uint64:
    """SplitMix64's finaliser: a bijective, well-avalanched 64-bit mix (wraps on overflow)."""
    z = value
    z = (z ^ (z >> np.uint64(30))) * _MIX_1
    z = (z ^ (z >> np.uint64(27))) * _MIX_2
    return z ^ (z >> np.uint64(31))


@kernel_helper
def unit(state: np.uint64) -> float:
    """A mixed state as a number in [0, 1): its top 53 bits."""
    return float(state >> np.uint64(11)) * _UNIT


@kernel_helper
def step_uniform(state: np.uint64) -> tuple[float, np.uint64]:
    """The next number in [0, 1) of a SplitMix64 stream at `state`, and the state after it."""
    state = state + _GOLDEN
    return unit(mix(state)), state


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
    base = stream_key(seeds, system)
    # Negative ids (the -1 sentinel) wrap to large unsigned values, which is fine for a hash.
    stacked = np.empty((len(keys), size), dtype=np.int64)
    for row, key in zip(stacked, keys, strict=True):
        np.copyto(row, key, casting="unsafe")
    return _keyed(base, stacked.view(np.uint64))


@functools.lru_cache(maxsize=1024)
def stream_key(seeds: Seeds, system: str) -> np.uint64:
    """The 64-bit key of `system`'s stream that keyed draws start from (`fold` the ids into
    it, then take the `unit`), made once: a generator costs ~25 us, and a small world's year
    draws ~90 times from ~20 systems."""
    key: np.uint64 = seeds.stream(system).integers(0, 2**63, dtype=np.uint64)
    return key


@kernel_helper
def fold(state: np.uint64, key: np.uint64) -> np.uint64:
    """`state` with one more id mixed in (SplitMix64's step of their exclusive or)."""
    return mix((state ^ key) + _GOLDEN)


@kernel
def _keyed(base: np.uint64, keys: NDArray[np.uint64]) -> NDArray[np.float64]:
    """Per column of `keys` ([key, row]): `base` with each key folded in, in turn, as a
    number in [0, 1). One pass, where numpy made ~8 over all the rows per key."""
    draws = np.empty(keys.shape[1], dtype=np.float64)
    for row in range(keys.shape[1]):
        state = base
        for key in range(keys.shape[0]):
            state = fold(state, keys[key, row])
        draws[row] = unit(state)
    return draws
