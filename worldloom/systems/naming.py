"""Seeded Markov-chain name generation from per-culture name bases, plus place-name patterns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

_ORDER = 2
"""Letters of context per step: 2 keeps a base's flavour without copying its names whole."""
_START, _END = "^", "$"
_MAX_ATTEMPTS = 60


@dataclass(frozen=True, slots=True)
class NameBase:
    """One culture's sample names and length bounds."""

    key: str
    description: str
    min_length: int
    max_length: int
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NameAffinity:
    """Which base names a place before cultures exist: by dominant biome, or highland."""

    biome_bases: Mapping[str, str]
    highland_m: float
    highland: str
    default: str

    def base_for(self, *, biome_key: str, mean_elevation_m: float) -> str:
        if mean_elevation_m > self.highland_m:
            return self.highland
        return self.biome_bases.get(biome_key, self.default)


@dataclass(frozen=True, slots=True)
class NameBases:
    """All name bases, keyed by culture, in a fixed order, and how places pick one."""

    bases: tuple[NameBase, ...]
    affinity: NameAffinity

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> NameBases:
        """Validate a parsed `name_bases.toml`.

        Raises:
            ValueError: a base with too few names, bad bounds, or no names that fit them.
        """
        bases = []
        for key, entry in sorted(dict(table["bases"]).items()):
            names = tuple(str(name) for name in entry["names"])
            base = NameBase(
                key=key,
                description=str(entry.get("description", "")),
                min_length=int(entry["min_length"]),
                max_length=int(entry["max_length"]),
                names=names,
            )
            if len(names) < 10:
                raise ValueError(f"name base {key!r} needs at least 10 names, has {len(names)}")
            if not 2 <= base.min_length <= base.max_length:
                raise ValueError(f"name base {key!r}: bad length bounds")
            bases.append(base)
        if not bases:
            raise ValueError("no name bases defined")
        rules = dict(table["affinity"])
        affinity = NameAffinity(
            biome_bases={str(k): str(v) for k, v in dict(rules["biomes"]).items()},
            highland_m=float(rules["highland_m"]),
            highland=str(rules["highland"]),
            default=str(rules["default"]),
        )
        known = {base.key for base in bases}
        named = {affinity.highland, affinity.default, *affinity.biome_bases.values()}
        if unknown := sorted(named - known):
            raise ValueError(f"name affinity refers to unknown bases: {', '.join(unknown)}")
        return cls(tuple(bases), affinity)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(base.key for base in self.bases)

    def get(self, key: str) -> NameBase:
        for base in self.bases:
            if base.key == key:
                return base
        raise KeyError(f"unknown name base {key!r} (known: {', '.join(self.keys)})")


@dataclass(frozen=True, slots=True, eq=False)
class MarkovNamer:
    """A letter-level Markov chain learnt from one name base."""

    base: NameBase
    _contexts: Mapping[str, tuple[str, NDArray[np.float64]]]

    @classmethod
    def learn(cls, base: NameBase) -> MarkovNamer:
        counts: dict[str, dict[str, int]] = {}
        for name in base.names:
            padded = _START * _ORDER + name.lower() + _END
            for i in range(len(padded) - _ORDER):
                context, letter = padded[i : i + _ORDER], padded[i + _ORDER]
                counts.setdefault(context, {}).setdefault(letter, 0)
                counts[context][letter] += 1
        contexts = {}
        for context, followers in sorted(counts.items()):
            letters = "".join(sorted(followers))
            weights = np.array([followers[letter] for letter in letters], dtype=np.float64)
            contexts[context] = (letters, np.cumsum(weights) / weights.sum())
        return cls(base, contexts)

    def generate(self, rng: np.random.Generator, *, taken: set[str] | frozenset[str]) -> str:
        """Draw one name not in `taken` (case-insensitive), within the base's length bounds.

        When the base's chain runs out of fresh names, two are joined with a hyphen.
        """
        for _ in range(_MAX_ATTEMPTS):
            candidate = self._draw(rng)
            if candidate and candidate.lower() not in taken:
                return candidate
        # A crowded world: a double-barrelled name is still unique and pronounceable.
        while True:
            first, second = self._draw(rng), self._draw(rng)
            candidate = f"{first}-{second}" if first and second else ""
            if candidate and candidate.lower() not in taken:
                return candidate

    def _draw(self, rng: np.random.Generator) -> str:
        context = _START * _ORDER
        letters: list[str] = []
        while len(letters) <= self.base.max_length:
            choices, cumulative = self._contexts[context]
            letter = choices[int(np.searchsorted(cumulative, rng.random(), side="right"))]
            if letter == _END:
                break
            letters.append(letter)
            context = context[1:] + letter
        word = "".join(letters)
        if not self.base.min_length <= len(word) <= self.base.max_length or word.endswith("-"):
            return ""
        return "-".join(part.capitalize() for part in word.split("-"))


def generate_names(
    namer: MarkovNamer, *, rng: np.random.Generator, count: int, taken: Sequence[str] = ()
) -> tuple[str, ...]:
    """Draw `count` names, unique among themselves and against `taken` (case-insensitive)."""
    used = {name.lower() for name in taken}
    names = []
    for _ in range(count):
        name = namer.generate(rng, taken=used)
        used.add(name.lower())
        names.append(name)
    return tuple(names)


@dataclass(frozen=True, slots=True)
class PlacePatterns:
    """Templates like `"the {name} Wood"` per kind of place (region by landform, river, lake)."""

    patterns: Mapping[str, tuple[str, ...]]

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> PlacePatterns:
        patterns = {key: tuple(str(p) for p in value) for key, value in table["patterns"].items()}
        for key, options in patterns.items():
            if not options or any("{name}" not in option for option in options):
                raise ValueError(f"place pattern {key!r} must be non-empty and use {{name}}")
        if "default" not in patterns:
            raise ValueError("place patterns need a 'default' entry")
        return cls(patterns)

    def apply(self, kind: str, name: str, rng: np.random.Generator) -> str:
        """Dress `name` as a place of `kind`, falling back to the default patterns."""
        options = self.patterns.get(kind, self.patterns["default"])
        return options[int(rng.integers(len(options)))].format(name=name)
