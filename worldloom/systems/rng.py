"""Named random streams: every draw comes from a stream named by what it is for, not by position."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from numpy.random.bit_generator import ISeedSequence

Key = str | int
Words = npt.NDArray[np.uint32]

_WORDS = 4
"""A stream key is 4 x 32-bit words (128 bits) of a blake2b digest: collisions are not a concern."""
_MASK = 0xFFFFFFFF
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
"""The constants of numpy's `SeedSequence` (O'Neill's seed_seq alternative), whose hashing
`_pcg_seeds` repeats over many seeds at once (pool of 4 words)."""


def stable_key(*parts: Key) -> tuple[int, ...]:
    """Hash `parts` to a tuple of 32-bit words, identical on every platform and process.

    Python's `hash()` is salted per process and must never seed anything; blake2b is not.
    Parts are tagged by type so that `stable_key(1)` and `stable_key("1")` differ.
    """
    return _words(_hashed(hashlib.blake2b(digest_size=4 * _WORDS), parts))


def _hashed(digest: Any, parts: Sequence[Key]) -> Any:
    for part in parts:
        tag = b"i" if isinstance(part, int) else b"s"
        encoded = str(part).encode()
        digest.update(tag + len(encoded).to_bytes(4, "little") + encoded)
    return digest


def _words(digest: Any) -> tuple[int, ...]:
    raw = digest.digest()
    return tuple(int.from_bytes(raw[i : i + 4], "little") for i in range(0, len(raw), 4))


@dataclass(frozen=True, slots=True)
class Seeds:
    """The root of a world's seed tree; hand it to systems, which derive streams by name."""

    world_seed: int

    def __post_init__(self) -> None:
        if self.world_seed < 0:
            raise ValueError(f"world seed must be non-negative, got {self.world_seed}")

    def stream(self, system: str, *keys: Key) -> np.random.Generator:
        """Return a fresh generator for `system` and the entity `keys` it is drawing for.

        The same (world seed, system, keys) always yields the same sequence, whatever else
        was drawn before: adding a system or an entity never shifts another one's output.
        """
        return np.random.default_rng([*stable_key(system, *keys), self.world_seed])

    def streams(self, system: str, keys: Sequence[Key | tuple[Key, ...]]) -> StreamSeries:
        """`stream(system, key)` (or `stream(system, *key)` for a tuple) for each of `keys`,
        the very same generators, their seeds hashed together: a day's streams cost ~25 us
        each made one by one, most of it numpy's seed hashing in Python-sized steps."""
        prefix = _hashed(hashlib.blake2b(digest_size=4 * _WORDS), (system,))
        seed = _seed_words(self.world_seed)
        entropy = np.array(
            [
                (*_words(_hashed(prefix.copy(), key if isinstance(key, tuple) else (key,))), *seed)
                for key in keys
            ],
            dtype=np.uint32,
        ).reshape(len(keys), _WORDS + len(seed))
        return StreamSeries(_pcg_seeds(entropy))


@dataclass(frozen=True, slots=True)
class StreamSeries:
    """Generators seeded ahead, made when asked for: `series[i]` is a fresh generator."""

    seeds: npt.NDArray[np.uint64]
    """[stream, 4] what `SeedSequence.generate_state(4, uint64)` gives each stream's entropy."""

    def __len__(self) -> int:
        return int(self.seeds.shape[0])

    def __getitem__(self, index: int) -> np.random.Generator:
        # numpy seeds a bit generator from any `ISeedSequence` (its stubs name SeedSequence).
        seeded = cast(np.random.SeedSequence, _SeededState(self.seeds[index]))
        return np.random.Generator(np.random.PCG64(seeded))


class _SeededState(ISeedSequence):
    """A seed sequence whose state is already generated (by `_pcg_seeds`): PCG64 asks it for
    its 4 words, as it would ask a `SeedSequence`."""

    __slots__ = ("_state",)

    def __init__(self, state: npt.NDArray[np.uint64]) -> None:
        self._state = state

    def generate_state(self, n_words: int, dtype: Any = np.uint32) -> npt.NDArray[Any]:
        if n_words != _WORDS or np.dtype(dtype) != np.uint64:
            raise ValueError("a seeded state holds 4 uint64 words only")
        return self._state.copy()


def _seed_words(seed: int) -> tuple[int, ...]:
    """An integer as `SeedSequence` reads it: 32-bit words, least significant first ([0] for 0)."""
    words = [seed & _MASK]
    while seed > _MASK:
        seed >>= 32
        words.append(seed & _MASK)
    return tuple(words)


def _pcg_seeds(entropy: Words) -> npt.NDArray[np.uint64]:
    """[row, word] entropy -> [row, 4]: numpy's `SeedSequence(row).generate_state(4, uint64)`
    for every row at once, its hash repeated step for step on uint32 columns (which wrap)."""
    rows, width = entropy.shape
    constant = _INIT_A

    def hash_mix(value: Words) -> Words:
        nonlocal constant
        value = value ^ np.uint32(constant)
        constant = (constant * _MULT_A) & _MASK
        value = value * np.uint32(constant)
        mixed: Words = value ^ (value >> np.uint32(16))
        return mixed

    def mix(x: Words, y: Words) -> Words:
        result = np.uint32(_MIX_L) * x - np.uint32(_MIX_R) * y
        mixed: Words = result ^ (result >> np.uint32(16))
        return mixed

    zero = np.zeros(rows, dtype=np.uint32)
    pool = [hash_mix(entropy[:, i] if i < width else zero) for i in range(_WORDS)]
    for src in range(_WORDS):
        for dst in range(_WORDS):
            if src != dst:
                pool[dst] = mix(pool[dst], hash_mix(pool[src]))
    for src in range(_WORDS, width):
        for dst in range(_WORDS):
            pool[dst] = mix(pool[dst], hash_mix(entropy[:, src]))
    state = []
    constant = _INIT_B
    for i in range(2 * _WORDS):
        value = pool[i % _WORDS] ^ np.uint32(constant)
        constant = (constant * _MULT_B) & _MASK
        value = value * np.uint32(constant)
        state.append((value ^ (value >> np.uint32(16))).astype(np.uint64))
    return np.stack(
        [state[2 * i] | (state[2 * i + 1] << np.uint64(32)) for i in range(_WORDS)], axis=1
    )
