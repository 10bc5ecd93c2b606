"""Terrain generation end to end: determinism, drainage, rivers, lakes, land masses, templates."""

from __future__ import annotations

import itertools
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings

from tests.strategies import small_terrain_configs, world_seeds
from worldloom.systems.rng import Seeds
from worldloom.systems.world import HeightmapTemplate, TerrainConfig
from worldloom.systems.world_generation import (
    NO_CELL,
    BiomeTable,
    Terrain,
    generate_terrain,
)
from worldloom.systems.world_generation.mesh import label_components

BIOMES_TOML = Path(__file__).parents[3] / "worldloom" / "data" / "biomes.toml"
TEMPLATES: tuple[HeightmapTemplate, ...] = ("continents", "archipelago", "pangea", "inland_sea")
LAYERS = (
    "elevation_m",
    "is_land",
    "is_lake",
    "temperature_c",
    "precipitation_mm",
    "flow_to",
    "discharge_m3s",
    "river_id",
    "lake_id",
    "landmass_id",
    "biome_id",
)


@pytest.fixture(scope="module")
def biomes() -> BiomeTable:
    with BIOMES_TOML.open("rb") as file:
        return BiomeTable.from_mapping(tomllib.load(file))


@pytest.fixture(scope="module")
def worlds(biomes: BiomeTable) -> dict[HeightmapTemplate, Terrain]:
    """One 5k-cell world per template (the size the brief asks rivers of)."""
    return {
        template: generate_terrain(
            TerrainConfig(cells=5_000, width_km=1_600, template=template),
            seeds=Seeds(7),
            biomes=biomes,
        )
        for template in TEMPLATES
    }


def water_surface(terrain: Terrain) -> np.ndarray:
    """Ground height on land and sea floor, the lake's level on lakes."""
    surface = terrain.elevation_m.astype(np.float64)
    for lake in terrain.lakes:
        surface[list(lake.cells)] = lake.surface_m
    return surface


def assert_drains(terrain: Terrain) -> None:
    """flow_to is acyclic, runs downhill on the water surface, and ends at sea or a salt lake."""
    n = terrain.mesh.size
    is_sea = ~terrain.is_land & ~terrain.is_lake
    flow = terrain.flow_to.astype(np.int64)
    assert (flow[is_sea] == NO_CELL).all()
    endorheic = np.zeros(n, dtype=bool)
    for lake in terrain.lakes:
        if lake.outlet_cell == NO_CELL:
            endorheic[list(lake.cells)] = True
    assert ((flow == NO_CELL) == (is_sea | endorheic)).all(), "land that drains nowhere"

    # Pointer doubling: after log2(n) + 1 rounds every chain must have reached NO_CELL (mapped
    # to the sink n); a cell still short of it sits on a cycle.
    pointer = np.append(np.where(flow == NO_CELL, n, flow), n)
    for _ in range(int(np.log2(n)) + 2):
        pointer = pointer[pointer]
    assert (pointer == n).all(), "flow_to has a cycle"

    surface = water_surface(terrain)
    draining = np.flatnonzero(flow >= 0)
    assert (surface[flow[draining]] <= surface[draining] + 1e-2).all(), "water flows uphill"
    assert (terrain.discharge_m3s >= 0).all()
    # Land only adds water on the way down (lakes may evaporate some).
    on_land = draining[terrain.is_land[draining] & terrain.is_land[flow[draining]]]
    q = terrain.discharge_m3s.astype(np.float64)
    assert (q[flow[on_land]] >= q[on_land] * (1 - 1e-6)).all(), "discharge shrinks downstream"


def assert_rivers_valid(terrain: Terrain) -> None:
    flow = terrain.flow_to
    rivers = terrain.rivers
    assert [r.river_id for r in rivers] == list(range(len(rivers)))
    discharges = [r.discharge_m3s for r in rivers]
    assert discharges == sorted(discharges, reverse=True)
    for river in rivers:
        cells = river.cells
        assert len(cells) >= 2
        for here, there in itertools.pairwise(cells):
            assert flow[here] == there, f"river {river.river_id} skips a cell"
        body = list(cells[:-1])
        assert terrain.is_land[body].all()
        assert (terrain.river_id[body] == river.river_id).all()
        assert river.discharge_m3s == pytest.approx(float(terrain.discharge_m3s[cells[-2]]))
        steps = np.diff(terrain.mesh.points[list(cells)], axis=0)
        assert river.length_km == pytest.approx(float(np.hypot(*steps.T).sum()))
        mouth = cells[-1]
        if river.ends_in == "sea":
            assert not terrain.is_land[mouth]
            assert not terrain.is_lake[mouth]
            assert river.parent_id == NO_CELL
        elif river.ends_in == "lake":
            assert terrain.is_lake[mouth]
            assert river.parent_id == NO_CELL
        else:
            assert river.parent_id not in (NO_CELL, river.river_id)
            parent = rivers[river.parent_id]
            assert terrain.river_id[mouth] == river.parent_id
            assert mouth in parent.cells[:-1], "tributary does not end on its parent"
            assert parent.discharge_m3s >= river.discharge_m3s
            # The main stem is the bigger inflow: the parent arrives with at least as much water.
            at = parent.cells.index(mouth)
            assert at > 0, "a tributary joins at its parent's source"
            main_inflow = float(terrain.discharge_m3s[parent.cells[at - 1]])
            assert main_inflow >= river.discharge_m3s, "the smaller inflow kept the name"


def assert_lakes_valid(terrain: Terrain) -> None:
    mesh = terrain.mesh
    assert [lake.lake_id for lake in terrain.lakes] == list(range(len(terrain.lakes)))
    listed = np.zeros(mesh.size, dtype=bool)
    for lake in terrain.lakes:
        cells = np.array(lake.cells)
        listed[cells] = True
        assert (terrain.lake_id[cells] == lake.lake_id).all()
        inside = np.zeros(mesh.size, dtype=bool)
        inside[cells] = True
        assert label_components(mesh, inside).max() == 0, f"lake {lake.lake_id} is not contiguous"
        assert (terrain.elevation_m[cells] < lake.surface_m).all(), "a lake cell above its surface"
        assert lake.area_km2 == pytest.approx(float(mesh.area_km2[cells].sum()))
        if lake.outlet_cell == NO_CELL:
            assert (terrain.flow_to[cells] == NO_CELL).all()
        else:
            assert terrain.is_land[lake.outlet_cell]
            assert (terrain.flow_to[cells] == lake.outlet_cell).any()
    assert (listed == terrain.is_lake).all()
    assert ((terrain.lake_id >= 0) == terrain.is_lake).all()


def assert_landmasses_valid(terrain: Terrain) -> None:
    mesh = terrain.mesh
    ids = terrain.landmass_id
    assert ((ids >= 0) == terrain.is_land).all()
    count = int(ids.max()) + 1
    sizes = np.bincount(ids[ids >= 0], minlength=count)
    assert (sizes > 0).all(), "landmass ids are not contiguous"
    assert (np.diff(sizes) <= 0).all(), "landmasses not numbered largest first"
    rows = np.repeat(np.arange(mesh.size), np.diff(mesh.neighbor_indptr))
    cols = mesh.neighbor_indices
    both = terrain.is_land[rows] & terrain.is_land[cols]
    assert (ids[rows][both] == ids[cols][both]).all(), "touching land in different landmasses"
    for mass in range(count):
        assert label_components(mesh, ids == mass).max() == 0, f"landmass {mass} is split"


def assert_terrain_valid(terrain: Terrain, config: TerrainConfig, biomes: BiomeTable) -> None:
    assert_drains(terrain)
    assert_rivers_valid(terrain)
    assert_lakes_valid(terrain)
    assert_landmasses_valid(terrain)
    n = terrain.mesh.size
    for layer in LAYERS:
        assert getattr(terrain, layer).shape == (n,), layer
    dry = terrain.is_land | terrain.is_lake
    assert dry.mean() == pytest.approx(config.land_fraction, abs=0.05)
    land_heights = terrain.elevation_m[terrain.is_land]
    assert land_heights.min() > 0
    assert land_heights.max() <= config.max_elevation_m * (1 + 1e-6)
    assert (terrain.elevation_m[~dry] < 0).all()
    assert (terrain.biome_id[~dry] == biomes.sea_id).all()
    assert (terrain.biome_id[terrain.is_lake] == biomes.lake_id).all()
    land_ids = {b.biome_id for b in biomes.biomes if not b.is_water}
    assert set(terrain.biome_id[terrain.is_land].tolist()) <= land_ids


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_makes_a_valid_plausible_world(
    template: HeightmapTemplate, worlds: dict[HeightmapTemplate, Terrain], biomes: BiomeTable
) -> None:
    terrain = worlds[template]
    config = TerrainConfig(cells=5_000, width_km=1_600, template=template)
    assert_terrain_valid(terrain, config, biomes)
    assert len(terrain.rivers) >= 5
    assert any(r.ends_in == "sea" for r in terrain.rivers)
    land_biomes = set(terrain.biome_id[terrain.is_land].tolist())
    assert len(land_biomes) >= 5, "a world of one or two biomes"
    # Mountains, lowlands and climate all vary.
    assert np.ptp(terrain.elevation_m[terrain.is_land]) > 0.5 * config.max_elevation_m
    assert np.ptp(terrain.temperature_c[terrain.is_land]) > 10
    assert np.ptp(terrain.precipitation_mm[terrain.is_land]) > 500


def test_templates_have_their_shape(worlds: dict[HeightmapTemplate, Terrain]) -> None:
    def largest_share(terrain: Terrain) -> float:
        sizes = np.bincount(terrain.landmass_id[terrain.is_land])
        return float(sizes[0] / sizes.sum())

    def masses(terrain: Terrain, min_cells: int = 20) -> int:
        return int((np.bincount(terrain.landmass_id[terrain.is_land]) >= min_cells).sum())

    assert masses(worlds["archipelago"]) >= 4
    assert largest_share(worlds["pangea"]) > 0.8
    assert largest_share(worlds["archipelago"]) < largest_share(worlds["pangea"])
    inland = worlds["inland_sea"]
    mesh = inland.mesh
    centre = (
        np.hypot(mesh.points[:, 0] - mesh.width_km / 2, mesh.points[:, 1] - mesh.height_km / 2)
        < 0.1 * mesh.height_km
    )
    assert (inland.elevation_m[centre] < 0).mean() > 0.7, "no sea in the middle"


def test_same_seed_same_world_and_other_seed_other_world(biomes: BiomeTable) -> None:
    config = TerrainConfig(cells=2_000, width_km=900, template="archipelago")
    a = generate_terrain(config, seeds=Seeds(42), biomes=biomes)
    b = generate_terrain(config, seeds=Seeds(42), biomes=biomes)
    c = generate_terrain(config, seeds=Seeds(43), biomes=biomes)
    for layer in LAYERS:
        assert np.array_equal(getattr(a, layer), getattr(b, layer)), layer
    assert np.array_equal(a.mesh.points, b.mesh.points)
    assert a.rivers == b.rivers
    assert a.lakes == b.lakes
    assert not np.array_equal(a.elevation_m, c.elevation_m)
    assert not np.array_equal(a.precipitation_mm, c.precipitation_mm)


@settings(max_examples=12, deadline=None)
@given(config=small_terrain_configs(), seed=world_seeds)
def test_any_config_gives_a_valid_world(config: TerrainConfig, seed: int) -> None:
    with BIOMES_TOML.open("rb") as file:
        biomes = BiomeTable.from_mapping(tomllib.load(file))
    terrain = generate_terrain(config, seeds=Seeds(seed), biomes=biomes)
    assert_terrain_valid(terrain, config, biomes)


def test_temperature_falls_with_latitude_and_height(
    worlds: dict[HeightmapTemplate, Terrain],
) -> None:
    terrain = worlds["continents"]
    y = terrain.mesh.points[:, 1]
    lowland = terrain.is_land & (terrain.elevation_m < 200)
    north = lowland & (y < np.quantile(y, 0.25))
    south = lowland & (y > np.quantile(y, 0.75))
    # The default band runs from 62 N at the top to 18 N at the bottom.
    assert terrain.temperature_c[north].mean() < terrain.temperature_c[south].mean() - 5
    high = terrain.is_land & (terrain.elevation_m > 2_000)
    band = np.abs(y - np.median(y[high])) < 100
    assert (
        terrain.temperature_c[high & band].mean() < terrain.temperature_c[lowland & band].mean() - 8
    )
