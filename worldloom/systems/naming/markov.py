"""Seeded Markov-chain name generation from per-culture name bases, plus place-name patterns."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

_ORDER = 2
"""Letters of context per step: 2 keeps a base's flavour without copying its names whole."""
_START, _END = "^", "$"
_MAX_ATTEMPTS = 200
"""Fresh draws tried before a crowded base falls back to a double-barrelled name.

A draw costs a few microseconds, so a generous budget is cheap; with bases of ~100 names
even a 4,000-settlement world almost never exhausts it.
"""


@dataclass(frozen=True, slots=True)
class NameBase:
    """One culture's sample names and length bounds."""

    key: str
    description: str
    min_length: int
    max_length: int
    names: tuple[str, ...]
    forbidden: frozenset[str] = frozenset()
    """Words a generated name must never be (case-sensitive, like the prose deny list)."""


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
    def from_mapping(cls, table: Mapping[str, Any], *, forbidden: Iterable[str] = ()) -> NameBases:
        """Validate a parsed `name_bases.toml`.

        Args:
            table: the parsed table.
            forbidden: real-world names no generated name may be (the prose deny list).

        Raises:
            ValueError: a base with too few names, names that are not single words, or bad
                bounds.
        """
        denied = frozenset(forbidden)
        bases = []
        for key, entry in sorted(dict(table["bases"]).items()):
            names = tuple(str(name) for name in entry["names"])
            base = NameBase(
                key=key,
                description=str(entry.get("description", "")),
                min_length=int(entry["min_length"]),
                max_length=int(entry["max_length"]),
                names=names,
                forbidden=denied,
            )
            if len(names) < 10:
                raise ValueError(f"name base {key!r} needs at least 10 names, has {len(names)}")
            if odd := [name for name in names if not name.isalpha()]:
                # A hyphen is kept for double-barrelled names, the sign of a base run dry.
                raise ValueError(f"name base {key!r}: names must be single words: {odd[:3]}")
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
    _contexts: Mapping[str, tuple[str, tuple[int, ...]]]
    """Per context: the letters that may follow and their cumulative counts."""

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
            cumulative = tuple(np.cumsum([followers[letter] for letter in letters]).tolist())
            contexts[context] = (letters, cumulative)
        return cls(base, contexts)

    def generate(self, *, rng: np.random.Generator, taken: set[str] | frozenset[str]) -> str:
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
        """One walk of the chain: a capitalised name, or "" when it breaks the base's rules."""
        # One roll per letter plus the end, drawn at once: a walk that has not ended by then
        # is too long anyway.
        rolls = rng.random(self.base.max_length + 1).tolist()
        context = _START * _ORDER
        letters: list[str] = []
        for roll in rolls:
            choices, cumulative = self._contexts[context]
            letter = choices[bisect_right(cumulative, roll * cumulative[-1])]
            if letter == _END:
                break
            letters.append(letter)
            context = context[1:] + letter
        else:
            return ""
        name = "".join(letters).capitalize()
        if len(name) < self.base.min_length or name in self.base.forbidden:
            return ""
        return name


def generate_names(
    namer: MarkovNamer, *, rng: np.random.Generator, count: int, taken: Sequence[str] = ()
) -> tuple[str, ...]:
    """Draw `count` names, unique among themselves and against `taken` (case-insensitive)."""
    used = {name.lower() for name in taken}
    names = []
    for _ in range(count):
        name = namer.generate(rng=rng, taken=used)
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

    def apply(self, kind: str, name: str, *, rng: np.random.Generator) -> str:
        """Dress `name` as a place of `kind`, falling back to the default patterns."""
        options = self.patterns.get(kind, self.patterns["default"])
        return options[int(rng.integers(len(options)))].format(name=name)
