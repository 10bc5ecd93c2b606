"""Names: seeded Markov names from per-culture name bases, and unique place names."""

from __future__ import annotations

from worldloom.systems.naming.markov import MarkovNamer, NameBases, PlacePatterns, generate_names
from worldloom.systems.naming.place_name import PLACE_NAME_MAX, PlaceNamer

__all__ = [
    "PLACE_NAME_MAX",
    "MarkovNamer",
    "NameBases",
    "PlaceNamer",
    "PlacePatterns",
    "generate_names",
]
