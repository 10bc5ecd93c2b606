"""Sub-locations: the districts and buildings of settlements, and the levels and rooms of
dungeons, lairs, ruins and lone buildings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from worldloom.systems.places.poi import PointOfInterest
from worldloom.systems.places.rules import Interiors, Levels, PlaceRules
from worldloom.systems.places.settlement import Settlement
from worldloom.systems.rng import Seeds

Category = Literal["district", "building", "level", "room"]

NO_PARENT = -1
"""`parent_id` of a sub-location that hangs directly under its place."""


@dataclass(frozen=True, slots=True)
class SubLocation:
    """One district, building, level or room; ids are dense and parents come first."""

    sublocation_id: int
    place_id: int
    """The settlement or POI it is in."""
    parent_id: int
    """The sub-location it is in, or NO_PARENT."""
    category: Category
    kind: str
    """e.g. "market quarter", "tavern", "crypt"."""
    name: str
    depth: int
    """1 directly under the place, 2 inside a district or level."""


class _Builder:
    """Hands out dense ids in creation order, so every parent precedes its children."""

    def __init__(self) -> None:
        self.rows: list[SubLocation] = []

    def add(self, place: int, parent: int, category: Category, kind: str, name: str) -> int:
        depth = 1 if parent == NO_PARENT else self.rows[parent].depth + 1
        self.rows.append(SubLocation(len(self.rows), place, parent, category, kind, name, depth))
        return len(self.rows) - 1


def furnish_places(
    settlements: Sequence[Settlement],
    pois: Sequence[PointOfInterest],
    *,
    rules: PlaceRules,
    seeds: Seeds,
) -> tuple[SubLocation, ...]:
    """Districts and buildings for every settlement (by tier; ports get a harbour), levels and
    rooms for every POI with an interior (deeper for more dangerous places)."""
    interiors = rules.interiors
    builder = _Builder()
    for settlement in settlements:
        _furnish_settlement(builder, settlement, interiors)
    for poi in pois:
        if poi.interior != "none":
            levels = interiors.levels[poi.interior]
            _furnish_levels(builder, poi, levels, seeds=seeds)
    return tuple(builder.rows)


def _furnish_settlement(builder: _Builder, settlement: Settlement, interiors: Interiors) -> None:
    place = settlement.settlement_id
    tier = interiors.tiers[settlement.tier]
    districts = list(tier.districts)
    if settlement.is_port and interiors.port_district not in districts:
        districts.append(interiors.port_district)
    for building in tier.buildings:
        builder.add(place, NO_PARENT, "building", building, _title(building))
    for district in districts:
        parent = builder.add(place, NO_PARENT, "district", district, _title(district))
        for building in interiors.districts[district]:
            builder.add(place, parent, "building", building, _title(building))


def _furnish_levels(
    builder: _Builder, poi: PointOfInterest, levels: Levels, *, seeds: Seeds
) -> None:
    rng = seeds.stream("sublocation.rooms", poi.poi_id)
    depth = min(levels.max_levels, 1 + poi.danger_level // levels.levels_per_danger)
    for level in range(1, depth + 1):
        name = "Ground floor" if depth == 1 else f"Level {level}"
        parent = builder.add(poi.poi_id, NO_PARENT, "level", "level", name)
        rooms = int(rng.integers(levels.rooms[0], levels.rooms[1] + 1))
        for kind_index in rng.integers(len(levels.room_kinds), size=rooms).tolist():
            kind = levels.room_kinds[kind_index]
            builder.add(poi.poi_id, parent, "room", kind, _title(kind))


def _title(kind: str) -> str:
    return kind[:1].upper() + kind[1:]
