"""A golden tiny world: its summary is pinned, so any change to generation is a visible diff.

If a change to terrain, regions or naming is intended, refresh the pin with
`.venv/bin/pytest tests/tasks/test_golden_world.py --snapshot-update` and review the diff.
"""

from __future__ import annotations

from functools import cache

import polars as pl
import pytest
from syrupy.assertion import SnapshotAssertion

from tests.worlds import build_world
from worldloom.infrastructure.analytics import WorldSummary, summarize_world
from worldloom.systems.places import build_location_tree
from worldloom.tasks import catalog
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
    world = build_world(SEED)
    regions = world.regions
    tree = build_location_tree(
        world_name=world.name,
        region_names=[r.name for r in regions.regions],
        cell_region=regions.cell_region,
    )
    return {
        "cells": cell_rows(world.terrain, regions.cell_region),
        "regions": region_rows(
            regions, descriptions=world.descriptions, rivers=world.region_rivers
        ),
        "biomes": biome_rows(catalog.biome_table()),
        "rivers": river_rows(world.terrain.rivers, world.waters.rivers),
        "lakes": lake_rows(world.terrain.lakes, world.waters.lakes),
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
