"""Names for rivers and lakes, drawn from the name base their surroundings suggest."""

from __future__ import annotations

from dataclasses import dataclass

from worldloom.systems.naming import MarkovNamer, NameBases, PlacePatterns
from worldloom.systems.rng import Seeds
from worldloom.systems.world_generation import BiomeTable, Terrain


@dataclass(frozen=True, slots=True)
class WaterNames:
    """Names aligned with `terrain.rivers` and `terrain.lakes`."""

    rivers: tuple[str, ...]
    lakes: tuple[str, ...]


def name_waters(
    terrain: Terrain,
    *,
    seeds: Seeds,
    biomes: BiomeTable,
    name_bases: NameBases,
    patterns: PlacePatterns,
) -> WaterNames:
    """Give every river and lake a unique name.

    A river takes the name base of the land around its source, a lake that of its shore; the
    draw for each comes from a stream keyed by its first cell, so naming one river never shifts
    another's name except to keep names unique.
    """
    namers = {base.key: MarkovNamer.learn(base) for base in name_bases.bases}
    taken: set[str] = set()

    def name(kind: str, cell: int, stream: str) -> str:
        biome = biomes.by_id(int(terrain.biome_id[cell]))
        base = name_bases.affinity.base_for(
            biome_key=biome.key, mean_elevation_m=float(terrain.elevation_m[cell])
        )
        rng = seeds.stream(stream, cell)
        root = namers[base].generate(rng=rng, taken=taken)
        taken.add(root.lower())
        return patterns.apply(kind, root, rng=rng)

    rivers = tuple(name("river", river.cells[0], "hydronym.river") for river in terrain.rivers)
    lakes = tuple(
        name("salt_lake" if lake.outlet_cell < 0 else "lake", lake.cells[0], "hydronym.lake")
        for lake in terrain.lakes
    )
    return WaterNames(rivers, lakes)
