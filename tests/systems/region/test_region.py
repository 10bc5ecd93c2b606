"""Regions: they cover all land exactly once, each is connected, and their facts add up."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from worldloom.systems.region import RegionMap, classify_climate, generate_regions
from worldloom.systems.rng import Seeds
from worldloom.systems.world_generation import Terrain, generate_terrain
from worldloom.tasks import catalog


@cache
def world(seed: int, cells: int = 2_000, template: str = "continents") -> tuple[Terrain, RegionMap]:
    config = catalog.world_config(
        preset="tiny",
        seed=seed,
        overrides={"terrain.cells": cells, "terrain.template": template},
    )
    terrain = generate_terrain(config.terrain, seeds=Seeds(seed), biomes=catalog.biome_table())
    regions = generate_regions(
        terrain,
        seeds=Seeds(seed),
        biomes=catalog.biome_table(),
        count=config.regions.count,
        name_bases=catalog.name_bases(),
        patterns=catalog.place_patterns(),
    )
    return terrain, regions


def connected(terrain: Terrain, cells: np.ndarray) -> bool:
    mesh = terrain.mesh
    inside = np.zeros(mesh.size, dtype=bool)
    inside[cells] = True
    rows = np.repeat(np.arange(mesh.size), np.diff(mesh.neighbor_indptr))
    cols = mesh.neighbor_indices
    keep = inside[rows] & inside[cols]
    graph = csr_matrix((np.ones(keep.sum()), (rows[keep], cols[keep])), shape=(mesh.size,) * 2)
    _, labels = connected_components(graph[cells][:, cells], directed=False)
    return bool(labels.max() == 0)


@given(
    seed=st.integers(min_value=0, max_value=2**32),
    template=st.sampled_from(["continents", "archipelago", "pangea", "inland_sea"]),
)
@settings(max_examples=8, deadline=None)
def test_regions_cover_all_land_exactly_once_and_are_connected(seed: int, template: str) -> None:
    terrain, region_map = world(seed, template=template)
    cell_region = region_map.cell_region
    assert np.array_equal(cell_region >= 0, terrain.is_land)
    assert set(np.unique(cell_region[terrain.is_land])) == set(range(len(region_map.regions)))
    for region in region_map.regions:
        cells = np.flatnonzero(cell_region == region.region_id)
        assert cells.size == region.cell_count
        assert connected(terrain, cells), f"region {region.region_id} is split"


def test_same_seed_same_regions_and_different_seed_differs() -> None:
    _, first = world(3)
    config = catalog.world_config(preset="tiny", seed=3, overrides={"terrain.cells": 2_000})
    terrain = generate_terrain(config.terrain, seeds=Seeds(3), biomes=catalog.biome_table())
    again = generate_regions(
        terrain,
        seeds=Seeds(3),
        biomes=catalog.biome_table(),
        count=config.regions.count,
        name_bases=catalog.name_bases(),
        patterns=catalog.place_patterns(),
    )
    assert np.array_equal(first.cell_region, again.cell_region)
    assert first.regions == again.regions
    _, other = world(4)
    assert [r.name for r in other.regions] != [r.name for r in first.regions]


def test_region_facts_add_up() -> None:
    terrain, region_map = world(5, cells=4_000)
    area = terrain.mesh.area_km2
    land_area = area[terrain.is_land].sum()
    assert sum(r.area_km2 for r in region_map.regions) == pytest.approx(land_area)
    names = [r.name for r in region_map.regions]
    assert len(set(names)) == len(names)
    for region in region_map.regions:
        cells = region_map.cell_region == region.region_id
        assert region.max_elevation_m == pytest.approx(terrain.elevation_m[cells].max())
        assert 1 <= region.danger_level <= 10
        assert region.region_id not in region.neighbors
        for other in region.neighbors:
            assert region.region_id in region_map.regions[other].neighbors
        assert region_map.cell_region[region.seed_cell] == region.region_id
        ocean = ~terrain.is_land & ~terrain.is_lake
        touches_sea = any(
            ocean[terrain.mesh.neighbors(int(c))].any() for c in np.flatnonzero(cells)
        )
        assert region.coastal == touches_sea
        assert ("fish" in region.resources) >= region.coastal


def test_region_count_follows_the_config() -> None:
    config = catalog.world_config(preset="tiny", seed=8, overrides={"terrain.cells": 4_000})
    terrain = generate_terrain(config.terrain, seeds=Seeds(8), biomes=catalog.biome_table())
    counts = []
    for target in (4, 12, 30):
        region_map = generate_regions(
            terrain,
            seeds=Seeds(8),
            biomes=catalog.biome_table(),
            count=target,
            name_bases=catalog.name_bases(),
            patterns=catalog.place_patterns(),
        )
        masses = int(terrain.landmass_id.max()) + 1
        assert target <= len(region_map.regions) <= target + masses
        counts.append(len(region_map.regions))
    assert counts == sorted(counts)


@pytest.mark.parametrize(
    ("temperature", "precipitation", "label"),
    [
        (-15.0, 300.0, "polar"),
        (0.0, 100.0, "arid subarctic"),
        (12.0, 800.0, "warm temperate"),
        (26.0, 2_500.0, "wet tropical"),
        (19.0, 400.0, "semi-arid subtropical"),
    ],
)
def test_climate_labels(temperature: float, precipitation: float, label: str) -> None:
    assert classify_climate(temperature, precipitation) == label
