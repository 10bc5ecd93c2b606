"""A golden tiny world: its summary is pinned, so any change to generation is a visible diff.

If a change to terrain, regions or naming is intended, refresh the pin with
`.venv/bin/pytest tests/tasks/test_golden_world.py --snapshot-update` and review the diff.
"""

from __future__ import annotations

from functools import cache

import polars as pl
import pytest
from syrupy.assertion import SnapshotAssertion

from worldloom.infrastructure.analytics import WorldSummary, summarize_world
from worldloom.systems.hydronym import name_waters
from worldloom.systems.location import build_location_tree
from worldloom.systems.region import generate_regions, rivers_by_region
from worldloom.systems.rng import Seeds
from worldloom.systems.world_generation import generate_terrain
from worldloom.tasks import catalog
from worldloom.tasks.regions import write_prose
from worldloom.tasks.tables import (
    biome_rows,
    cell_rows,
    lake_rows,
    location_rows,
    region_rows,
    river_rows,
    terrain_from_rows,
)

SEED = 1


@cache
def golden_tables() -> dict[str, pl.DataFrame]:
    config = catalog.world_config(preset="tiny", seed=SEED)
    seeds = Seeds(SEED)
    biomes = catalog.biome_table()
    terrain = generate_terrain(config.terrain, seeds=seeds, biomes=biomes)
    names = name_waters(
        terrain,
        seeds=seeds,
        biomes=biomes,
        name_bases=catalog.name_bases(),
        patterns=catalog.place_patterns(),
    )
    regions = generate_regions(
        terrain,
        seeds=seeds,
        biomes=biomes,
        count=config.regions.count,
        name_bases=catalog.name_bases(),
        patterns=catalog.place_patterns(),
    )
    tree = build_location_tree(
        world_name="Golden",
        region_names=[r.name for r in regions.regions],
        cell_region=regions.cell_region,
    )
    region_rivers = rivers_by_region(terrain, regions.cell_region)
    descriptions, _ = write_prose(
        world_name="Golden",
        seeds=seeds,
        terrain=terrain,
        region_map=regions,
        region_rivers=region_rivers,
        river_names=dict(enumerate(names.rivers)),
    )
    return {
        "cells": cell_rows(terrain, regions.cell_region),
        "regions": region_rows(regions, descriptions=descriptions, rivers=region_rivers),
        "biomes": biome_rows(biomes),
        "rivers": river_rows(terrain.rivers, names.rivers),
        "lakes": lake_rows(terrain.lakes, names.lakes),
        "locations": location_rows(tree),
    }


def summary() -> WorldSummary:
    tables = golden_tables()
    return summarize_world(
        **{name: tables[name] for name in ("cells", "regions", "biomes", "rivers", "lakes")}
    )


def test_tiny_world_summary_is_unchanged(snapshot: SnapshotAssertion) -> None:
    assert summary().markdown(title="Golden tiny world, seed 1") == snapshot


def test_tiny_world_prose_is_unchanged(snapshot: SnapshotAssertion) -> None:
    regions = golden_tables()["regions"]
    assert dict(zip(regions["name"], regions["description"], strict=True)) == snapshot


def test_summary_figures_are_consistent() -> None:
    result = summary()
    assert result.biome_area["land_share"].sum() == pytest.approx(1.0)
    assert result.regions.height == golden_tables()["regions"].height
    assert result.overview["regions"] == result.regions.height
    assert result.biome_area["cells"].sum() == golden_tables()["cells"]["is_land"].sum()


def test_stored_rows_rebuild_the_same_terrain() -> None:
    """What the regions stage reads back is what the terrain stage wrote."""
    tables = golden_tables()
    config = catalog.world_config(preset="tiny", seed=SEED)
    rebuilt = terrain_from_rows(
        tables["cells"],
        tables["rivers"],
        tables["lakes"],
        width_km=config.terrain.width_km,
        height_km=config.terrain.height_km,
    )
    assert cell_rows(rebuilt, tables["cells"]["region_id"].to_numpy()).equals(tables["cells"])
