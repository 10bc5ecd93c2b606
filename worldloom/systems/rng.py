"""Named random streams: every draw comes from a stream named by what it is for, not by position."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

Key = str | int

_WORDS = 4
"""A stream key is 4 x 32-bit words (128 bits) of a blake2b digest: collisions are not a concern."""


def stable_key(*parts: Key) -> tuple[int, ...]:
    """Hash `parts` to a tuple of 32-bit words, identical on every platform and process.

    Python's `hash()` is salted per process and must never seed anything; blake2b is not.
    Parts are tagged by type so that `stable_key(1)` and `stable_key("1")` differ.
    """
    digest = hashlib.blake2b(digest_size=4 * _WORDS)
    for part in parts:
        tag = b"i" if isinstance(part, int) else b"s"
        encoded = str(part).encode()
        digest.update(tag + len(encoded).to_bytes(4, "little") + encoded)
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
