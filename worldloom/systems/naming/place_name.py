"""Names for settlements and points of interest, unique across the whole world."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from worldloom.systems.naming.markov import MarkovNamer, NameBases

PLACE_NAME_MAX = 48
"""Longest place name: a long root in a long pattern is drawn again."""


class PlaceNamer:
    """Draws place names from name bases and patterns, never repeating one in a world.

    It remembers every root and every full name it handed out (case-insensitively), so
    `"Ash"` + `"{name}ford"` can never collide with a root `"Ashford"` used on its own.
    """

    def __init__(self, name_bases: NameBases, *, taken: Iterable[str] = ()) -> None:
        self._namers = {base.key: MarkovNamer.learn(base) for base in name_bases.bases}
        self._taken = {name.lower() for name in taken}

    def name(self, *, base: str, patterns: Sequence[str], rng: np.random.Generator) -> str:
        """A fresh name from name base `base` dressed in one of `patterns` (`{name}` slots)."""
        while True:
            root = self._namers[base].generate(rng=rng, taken=self._taken)
            self._taken.add(root.lower())
            name = patterns[int(rng.integers(len(patterns)))].format(name=root)
            if len(name) <= PLACE_NAME_MAX and name.lower() not in self._taken:
                self._taken.add(name.lower())
                return name
