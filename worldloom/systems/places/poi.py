"""Points of interest other than settlements (dungeons, ruins, shrines, lairs, mines, inns...),
placed by each kind's biome, height, site and remoteness rules, with a danger level and a name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from worldloom.systems.naming import PlaceNamer
from worldloom.systems.places.rules import Feature, InteriorKind, PlaceRules, PoiKind, Preference
from worldloom.systems.places.settlement import Settlement
from worldloom.systems.places.site import SiteFeatures, biome_values
from worldloom.systems.region import RegionMap
from worldloom.systems.rng import Seeds
from worldloom.systems.world_generation import BiomeTable, Terrain
from worldloom.systems.world_generation.model import BoolArray, FloatArray

_BRIDGE_M3S = 50.0
"""A road over a river at least this big needs a bridge worth naming."""
_REMOTE_CAP = 3.0
"""Remoteness stops counting at three settlement spacings: all deep wilds are alike."""


@dataclass(frozen=True, slots=True)
class PointOfInterest:
    """One point of interest; ids continue after the settlements' (one id space for places)."""

    poi_id: int
    kind: str
    name: str
    cell: int
    region_id: int
    landmass_id: int
    x: float
    y: float
    danger_level: int
    """1 (safe) to 10 (deadly)."""
    interior: InteriorKind


def place_pois(
    terrain: Terrain,
    region_map: RegionMap,
    *,
    seeds: Seeds,
    biomes: BiomeTable,
    sites: SiteFeatures,
    rules: PlaceRules,
    settlements: Sequence[Settlement],
    road: BoolArray,
    namer: PlaceNamer,
) -> tuple[PointOfInterest, ...]:
    """Place every kind of POI in the table's order, at most one place per cell.

    Each kind gets about `per_1000_land` per thousand land cells (at least `min_count` where
    its rules allow any cell), drawn without replacement with weights from its preferences.

    Args:
        terrain: the world's terrain.
        region_map: its regions (names come from each region's name base; danger shifts with
            the region's).
        seeds: the world's seed tree.
        biomes: the biome table.
        sites: per-cell site features.
        rules: the places table.
        settlements: the settlements (their cells are taken; remoteness is measured from them).
        road: cells on a road or trail (inns, bridges and brigands keep to them).
        namer: draws unique names.
    """
    land = terrain.is_land
    free = land.copy()
    cells_of = np.array([s.cell for s in settlements], dtype=np.int64)
    free[cells_of] = False
    remote = _remoteness(terrain, settlements)
    features = _features(terrain, sites, road, remote)
    first_id = len(settlements)
    pois: list[PointOfInterest] = []
    for kind in rules.pois:
        eligible = free & _allowed(terrain, biomes, kind, features)
        candidates = np.flatnonzero(eligible)
        wanted = max(round(kind.per_1000_land * land.sum() / 1000.0), kind.min_count)
        size = min(wanted, candidates.size)
        if size == 0:
            continue
        weight = _weight(terrain, biomes, kind.prefer, remote)[candidates]
        rng = seeds.stream("poi.place", kind.kind)
        chosen = np.sort(rng.choice(candidates, size=size, replace=False, p=weight / weight.sum()))
        free[chosen] = False
        base_danger = seeds.stream("poi.danger", kind.kind).integers(
            kind.danger[0], kind.danger[1] + 1, size=size
        )
        for cell, danger in zip(chosen.tolist(), base_danger.tolist(), strict=True):
            region = region_map.regions[int(region_map.cell_region[cell])]
            pois.append(
                PointOfInterest(
                    poi_id=first_id + len(pois),
                    kind=kind.kind,
                    name=namer.name(
                        base=region.name_base,
                        patterns=kind.names,
                        rng=seeds.stream("poi.name", kind.kind, cell),
                    ),
                    cell=cell,
                    region_id=region.region_id,
                    landmass_id=int(terrain.landmass_id[cell]),
                    x=float(terrain.mesh.points[cell, 0]),
                    y=float(terrain.mesh.points[cell, 1]),
                    # A dangerous region makes everything in it a little worse, and vice versa.
                    danger_level=int(np.clip(danger + round((region.danger_level - 5) / 2), 1, 10)),
                    interior=kind.interior,
                )
            )
    return tuple(pois)


def _remoteness(terrain: Terrain, settlements: Sequence[Settlement]) -> FloatArray:
    """Distance to the nearest settlement in typical settlement spacings, capped."""
    if not settlements:
        return np.full(terrain.mesh.size, _REMOTE_CAP)
    land_area = float(terrain.mesh.area_km2[terrain.is_land].sum())
    spacing = np.sqrt(land_area / len(settlements))
    distance, _ = cKDTree([(s.x, s.y) for s in settlements]).query(terrain.mesh.points)
    remote: FloatArray = np.minimum(np.asarray(distance) / spacing, _REMOTE_CAP)
    return remote


def _features(
    terrain: Terrain, sites: SiteFeatures, road: BoolArray, remote: FloatArray
) -> dict[Feature, BoolArray]:
    return {
        "river": sites.river,
        "coast": sites.coast,
        "lake_shore": sites.lake_shore,
        "road": road & terrain.is_land,
        "border": sites.border,
        "peak": sites.peak,
        "waterfall": sites.waterfall,
        "bridge": road & sites.river & (terrain.discharge_m3s >= _BRIDGE_M3S),
        "settlement_near": terrain.is_land & (remote <= 1.0),
    }


def _allowed(
    terrain: Terrain, biomes: BiomeTable, kind: PoiKind, features: dict[Feature, BoolArray]
) -> BoolArray:
    elevation = terrain.elevation_m
    allowed = (elevation >= kind.elevation_m[0]) & (elevation <= kind.elevation_m[1])
    if kind.biomes:
        ids = [biome.biome_id for biome in biomes.biomes if biome.key in kind.biomes]
        allowed &= np.isin(terrain.biome_id, ids)
    for feature in kind.requires:
        allowed &= features[feature]
    return allowed


def _weight(
    terrain: Terrain, biomes: BiomeTable, prefer: Sequence[Preference], remote: FloatArray
) -> FloatArray:
    """The product of a kind's preferences over all cells (every factor is positive)."""
    weight = np.ones(terrain.mesh.size)
    elevation_km = np.maximum(terrain.elevation_m.astype(np.float64), 0.0) / 1000.0
    for preference in prefer:
        if preference == "remote":
            weight *= 0.1 + remote
        elif preference == "near":
            weight *= 1.0 / (1.0 + remote)
        elif preference == "danger":
            weight *= 1.0 + biome_values(biomes, "danger")[terrain.biome_id]
        elif preference == "high":
            weight *= 0.2 + elevation_km
        elif preference == "habitable":
            weight *= 0.1 + biome_values(biomes, "habitability")[terrain.biome_id]
    return weight
