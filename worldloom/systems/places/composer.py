"""A world's places in the order each needs the last: settlements, the roads and sea lanes
between them, the points of interest (some keep to roads), trails out to those, and what lies
inside every place."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from worldloom.systems.naming import NameBases, PlaceNamer
from worldloom.systems.places.poi import PointOfInterest, place_pois
from worldloom.systems.places.route import (
    Route,
    build_route_graphs,
    plan_roads,
    plan_sea_routes,
    plan_trails,
)
from worldloom.systems.places.rules import PlaceRules
from worldloom.systems.places.settlement import SettlementLayout, place_settlements
from worldloom.systems.places.site import describe_sites
from worldloom.systems.places.sublocation import SubLocation, furnish_places
from worldloom.systems.region import RegionMap
from worldloom.systems.rng import Seeds
from worldloom.systems.world_generation import BiomeTable, Terrain


@dataclass(frozen=True, slots=True)
class Places:
    """Everything the places stage makes. Settlement and POI ids share one id space."""

    layout: SettlementLayout
    pois: tuple[PointOfInterest, ...]
    routes: tuple[Route, ...]
    sublocations: tuple[SubLocation, ...]


def generate_places(
    terrain: Terrain,
    region_map: RegionMap,
    *,
    seeds: Seeds,
    biomes: BiomeTable,
    rules: PlaceRules,
    name_bases: NameBases,
    settlements: int,
    taken_names: Iterable[str] = (),
) -> Places:
    """Settlements, routes, POIs and sub-locations for a world with terrain and regions.

    Args:
        terrain: the world's terrain.
        region_map: its regions.
        seeds: the world's seed tree.
        biomes: the biome table.
        rules: the places table (`data/pois.toml`).
        name_bases: the culture name bases.
        settlements: how many settlements to place.
        taken_names: names already used in the world (regions, rivers...), never reused.
    """
    sites = describe_sites(terrain, cell_region=region_map.cell_region)
    namer = PlaceNamer(name_bases, taken=taken_names)
    layout = place_settlements(
        terrain,
        region_map,
        seeds=seeds,
        biomes=biomes,
        sites=sites,
        rules=rules,
        count=settlements,
        namer=namer,
    )
    towns = layout.settlements
    ports = [s for s in towns if s.is_port]
    graphs = build_route_graphs(terrain, biomes=biomes, port_cells=[p.cell for p in ports])
    roads = plan_roads(terrain, graphs, towns, biomes=biomes)
    sea = plan_sea_routes(terrain, graphs, ports, biomes=biomes, first_id=len(roads))
    network = np.zeros(terrain.mesh.size, dtype=bool)
    network[[s.cell for s in towns]] = True
    for route in roads:
        network[list(route.cells)] = True
    pois = place_pois(
        terrain,
        region_map,
        seeds=seeds,
        biomes=biomes,
        sites=sites,
        rules=rules,
        settlements=towns,
        road=network,
        namer=namer,
    )
    trails = plan_trails(
        terrain,
        graphs,
        biomes=biomes,
        network=network,
        places=[(poi.poi_id, poi.cell) for poi in pois],
        first_id=len(roads) + len(sea),
    )
    return Places(
        layout=layout,
        pois=pois,
        routes=roads + sea + trails,
        sublocations=furnish_places(towns, pois, rules=rules, seeds=seeds),
    )
