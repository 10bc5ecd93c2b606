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
_PCG_MULT = 0x2360ED051FC65DA44385DF649FCCF645
"""PCG64's 128-bit multiplier (numpy's `PCG_DEFAULT_MULTIPLIER_128`)."""
_LOW_HALF = np.uint64(0xFFFFFFFF)
"""The low 32 bits of a uint64."""
_DOUBLE_BITS = 53
"""A uniform double is the top 53 bits of a 64-bit output, scaled by 2^-53."""


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
        # The key's words and the seed's as one uint32 array: the entropy numpy reads from
        # [*stable_key(system, *keys), world_seed], without coercing each number (~4 us).
        words = (*stable_key(system, *keys), *_seed_words(self.world_seed))
        return np.random.default_rng(np.array(words, dtype=np.uint32))

    def streams(self, system: str, keys: Sequence[Key | tuple[Key, ...]]) -> StreamSeries:
        """`stream(system, key)` (or `stream(system, *key)` for a tuple) for each of `keys`,
        the very same generators, their seeds hashed together: a day's streams cost ~13 us
        each made one by one, most of it numpy's seed hashing in Python-sized steps."""
        prefix = _hashed(hashlib.blake2b(digest_size=4 * _WORDS), (system,))
        seed = _seed_words(self.world_seed)
        # The digests' bytes read at once as little-endian words (`_words`, one key at a time).
        digests = b"".join(
            _hashed(prefix.copy(), key if isinstance(key, tuple) else (key,)).digest()
            for key in keys
        )
        entropy = np.empty((len(keys), _WORDS + len(seed)), dtype=np.uint32)
        entropy[:, :_WORDS] = np.frombuffer(digests, dtype="<u4").reshape(len(keys), _WORDS)
        entropy[:, _WORDS:] = seed
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

    def first_randoms(self) -> npt.NDArray[np.float64]:
        """Each stream's first `random()`, the very doubles `series[i].random()` gives, drawn
        for all at once: PCG64 seeded from each state and stepped once, its 128-bit numbers as
        uint64 halves (one draw per stream made a generator each, ~2 us, most of the cost)."""
        start_high, start_low, seq_high, seq_low = self.seeds.T
        one = np.uint64(1)
        # numpy's pcg64_set_seed: the increment is the second half shifted in a 1; the state,
        # 0 stepped (the increment), plus the first half, stepped.
        increment = ((seq_high << one) | (seq_low >> np.uint64(63)), (seq_low << one) | one)
        state = _step(_add(increment, (start_high, start_low)), increment)
        # The draw: a step, then the output (xor-shift-low, random rotation) of the new state.
        high, low = _step(state, increment)
        rotation = high >> np.uint64(58)
        mixed = high ^ low
        output = (mixed >> rotation) | (mixed << ((np.uint64(64) - rotation) & np.uint64(63)))
        top = (output >> np.uint64(64 - _DOUBLE_BITS)).astype(np.float64)
        return top * 2.0**-_DOUBLE_BITS


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


_U128 = tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]
"""128-bit numbers as their high and low uint64 words (each array wraps)."""


def _add(x: _U128, y: _U128) -> _U128:
    low = x[1] + y[1]
    return x[0] + y[0] + (low < x[1]).astype(np.uint64), low


def _step(state: _U128, increment: _U128) -> _U128:
    """PCG64's step: state * multiplier + increment (mod 2^128)."""
    high, low = state
    mult_high, mult_low = np.uint64(_PCG_MULT >> 64), np.uint64(_PCG_MULT & (2**64 - 1))
    # The high word of low * mult_low (64 x 64 bits) from its 32-bit halves' products.
    a1, a0 = low >> np.uint64(32), low & _LOW_HALF
    b1, b0 = mult_low >> np.uint64(32), mult_low & _LOW_HALF
    p00, p01, p10 = a0 * b0, a0 * b1, a1 * b0
    middle = (p00 >> np.uint64(32)) + (p01 & _LOW_HALF) + (p10 & _LOW_HALF)
    carried = a1 * b1 + (p01 >> np.uint64(32)) + (p10 >> np.uint64(32)) + (middle >> np.uint64(32))
    product = (carried + high * mult_low + low * mult_high, low * mult_low)
    return _add(product, increment)


def _seed_words(seed: int) -> tuple[int, ...]:
    """An integer as `SeedSequence` reads it: 32-bit words, least significant first ([0] for 0)."""
    words = [seed & _MASK]
    while seed > _MASK:
        seed >>= 32
        words.append(seed & _MASK)
    return tuple(words)


def _pcg_seeds(entropy: Words) -> npt.NDArray[np.uint64]:
    """[row, word] entropy -> [row, 4]: numpy's `SeedSequence(row).generate_state(4, uint64)`
    for every row at once, its hash repeated on uint32 columns (which wrap).

    Each hash step uses the next of a sequence of constants; the steps that mix one word into
    the others (or one state word out) are independent, so they run side by side, each column
    with its constant: a rumor's round seeds a few dozen streams, and numpy's fixed cost per
    operation, not the rows, was most of the call."""
    rows, width = entropy.shape
    extra = max(0, width - _WORDS)
    # Hash steps: one per pool word, per ordered pair of pool words, per extra word and pool word.
    steps = _WORDS + _WORDS * (_WORDS - 1) + _WORDS * extra
    xors, mults = _constants(_INIT_A, _MULT_A, steps)
    used = 0

    def hash_mix(value: Words) -> Words:
        nonlocal used
        count = value.shape[1]
        value = (value ^ xors[used : used + count]) * mults[used : used + count]
        used += count
        mixed: Words = value ^ (value >> np.uint32(16))
        return mixed

    def mix(x: Words, y: Words) -> Words:
        result = np.uint32(_MIX_L) * x - np.uint32(_MIX_R) * y
        mixed: Words = result ^ (result >> np.uint32(16))
        return mixed

    pool = np.zeros((rows, _WORDS), dtype=np.uint32)
    pool[:, : min(width, _WORDS)] = entropy[:, :_WORDS]
    pool = hash_mix(pool)
    for src in range(_WORDS):
        others = [dst for dst in range(_WORDS) if dst != src]
        pool[:, others] = mix(pool[:, others], hash_mix(pool[:, [src] * len(others)]))
    for src in range(_WORDS, width):
        pool = mix(pool, hash_mix(entropy[:, [src] * _WORDS]))
    xors, mults = _constants(_INIT_B, _MULT_B, 2 * _WORDS)
    value = (pool[:, [i % _WORDS for i in range(2 * _WORDS)]] ^ xors) * mults
    state = (value ^ (value >> np.uint32(16))).astype(np.uint64)
    return state[:, 0::2] | (state[:, 1::2] << np.uint64(32))


def _constants(first: int, multiplier: int, steps: int) -> tuple[Words, Words]:
    """The constant each of `steps` hash steps xors in, and the one it multiplies by (the
    next): first, first * multiplier, ... (32 bits)."""
    sequence = [first]
    for _ in range(steps):
        sequence.append((sequence[-1] * multiplier) & _MASK)
    constants = np.array(sequence, dtype=np.uint32)
    return constants[:-1], constants[1:]
