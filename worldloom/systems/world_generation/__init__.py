"""Terrain generation: mesh -> heightmap -> climate -> hydrology -> rivers -> biomes."""

from __future__ import annotations

import numpy as np

from worldloom.systems.rng import Seeds
from worldloom.systems.world import TerrainConfig
from worldloom.systems.world_generation.biome import Biome, BiomeTable, WetlandRule
from worldloom.systems.world_generation.climate import generate_climate
from worldloom.systems.world_generation.heightmap import generate_heightmap
from worldloom.systems.world_generation.hydrology import route_water
from worldloom.systems.world_generation.mesh import generate_mesh, label_components
from worldloom.systems.world_generation.model import NO_CELL, Lake, Mesh, River, Terrain
from worldloom.systems.world_generation.river import trace_rivers

__all__ = [
    "NO_CELL",
    "Biome",
    "BiomeTable",
    "Lake",
    "Mesh",
    "River",
    "Terrain",
    "WetlandRule",
    "generate_mesh",
    "generate_terrain",
]


def generate_terrain(config: TerrainConfig, *, seeds: Seeds, biomes: BiomeTable) -> Terrain:
    """Generate a world's terrain: cells, heights, climate, water and biomes.

    Args:
        config: map size, cell count, template, land share and climate band.
        seeds: the world's seed tree; each stage draws from its own named stream.
        biomes: the biome table (parsed from `data/biomes.toml`).

    Returns:
        The terrain layers; the same config and seed always give identical arrays.
    """
    mesh = generate_mesh(config, seeds=seeds)
    elevation = generate_heightmap(mesh, config=config, seeds=seeds)
    climate = generate_climate(mesh, elevation, config=config, seeds=seeds)
    drainage = route_water(
        mesh,
        elevation,
        temperature_c=climate.temperature_c,
        precipitation_mm=climate.precipitation_mm,
    )
    is_sea = elevation < 0.0
    rivers, river_id = trace_rivers(
        mesh,
        flow_to=drainage.flow_to,
        discharge_m3s=drainage.discharge_m3s,
        is_sea=is_sea,
        is_lake=drainage.is_lake,
    )
    is_land = ~is_sea & ~drainage.is_lake
    biome_id = biomes.classify(
        temperature_c=climate.temperature_c,
        precipitation_mm=climate.precipitation_mm,
        elevation_m=drainage.elevation_m,
        discharge_m3s=drainage.discharge_m3s,
        is_sea=is_sea,
        is_lake=drainage.is_lake,
    )
    return Terrain(
        mesh=mesh,
        elevation_m=drainage.elevation_m.astype(np.float32),
        is_land=is_land,
        is_lake=drainage.is_lake,
        temperature_c=climate.temperature_c.astype(np.float32),
        precipitation_mm=climate.precipitation_mm.astype(np.float32),
        flow_to=drainage.flow_to,
        discharge_m3s=drainage.discharge_m3s.astype(np.float32),
        river_id=river_id,
        lake_id=drainage.lake_id,
        landmass_id=label_components(mesh, is_land),
        biome_id=biome_id,
        rivers=rivers,
        lakes=drainage.lakes,
    )
