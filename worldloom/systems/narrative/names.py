"""The world's names by id, for the texts the narrative systems write (one lookup for all)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Mapping, ValuesView
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

Kind = Literal["npc", "faction", "settlement", "region", "poi", "item"]
"""What an id names: the events table's actor columns, and items."""


@dataclass(frozen=True, slots=True)
class Names:
    """Names of the world's people, factions, settlements, regions, POIs and items by id.

    Every name a narrative text contains comes from here, so texts are grounded: a name in a
    line is an entity of the world.
    """

    npc: Mapping[int, str] = field(default_factory=dict)
    faction: Mapping[int, str] = field(default_factory=dict)
    settlement: Mapping[int, str] = field(default_factory=dict)
    region: Mapping[int, str] = field(default_factory=dict)
    poi: Mapping[int, str] = field(default_factory=dict)
    item: Mapping[int, str] = field(default_factory=dict)

    def of(self, kind: Kind, entity_id: int | None) -> str | None:
        """The name of `entity_id` of `kind`, or None when the id is None or unknown."""
        if entity_id is None:
            return None
        table: Mapping[int, str] = getattr(self, kind)
        return table.get(int(entity_id))

    def known(self) -> frozenset[str]:
        """Every name in the world, for checking that a text names only real entities."""
        return frozenset(
            name
            for table in (self.npc, self.faction, self.settlement, self.region, self.poi, self.item)
            for name in table.values()
        )


class Roster(Mapping[int, str]):
    """Names by id over a column of ids and one of names, an id found by bisection: a world's
    hundred thousand people made into a dict each year cost more than the year's lookups. A
    name found is kept (a year's texts name a few thousand people, each about three times)."""

    __slots__ = ("_found", "_ids", "_names")

    def __init__(self, ids: pl.Series, names: pl.Series) -> None:
        """`ids` ascending and unique; `names` theirs, in the same order."""
        self._ids: list[int] = ids.to_list()
        self._names = names
        self._found: dict[int, str] = {}

    def __getitem__(self, entity_id: int) -> str:
        if isinstance(entity_id, int):
            name = self._found.get(entity_id)
            if name is not None:
                return name
            row = bisect_left(self._ids, entity_id)
            if row < len(self._ids) and self._ids[row] == entity_id:
                name = self._found[entity_id] = str(self._names[row])
                return name
        raise KeyError(entity_id)

    def __iter__(self) -> Iterator[int]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def values(self) -> ValuesView[str]:
        """The names in id order, taken from their column at once (not looked up one by one:
        `Names.known` reads every one)."""
        return dict(zip(self._ids, self._names.to_list(), strict=True)).values()
