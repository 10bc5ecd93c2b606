"""The world's names by id, for the texts the narrative systems write (one lookup for all)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

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
