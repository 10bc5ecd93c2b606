"""The cell mesh: coverage, neighbours, areas and component labelling."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from tests.strategies import small_terrain_configs, world_seeds
from worldloom.systems.rng import Seeds
from worldloom.systems.world import TerrainConfig
from worldloom.systems.world_generation import NO_CELL, Mesh, generate_mesh
from worldloom.systems.world_generation.mesh import label_components


def assert_valid_mesh(mesh: Mesh, config: TerrainConfig) -> None:
    n = mesh.size
    # Rows x columns is the grid product nearest `cells`: within half a column of it.
    assert abs(n - config.cells) <= 0.5 * np.sqrt(config.cells * config.aspect_ratio) + 1
    x, y = mesh.points[:, 0], mesh.points[:, 1]
    assert (x > 0).all()
    assert (x < config.width_km).all()
    assert (y > 0).all()
    assert (y < config.height_km).all()

    indptr, indices = mesh.neighbor_indptr, mesh.neighbor_indices
    assert indptr[0] == 0
    assert indptr[-1] == indices.size
    rows = np.repeat(np.arange(n), np.diff(indptr))
    assert (indices != rows).all(), "self-loop"
    # A corner cell can border a single cell (its other sides are the map's edges).
    assert (np.diff(indptr) >= 1).all(), "an isolated cell"
    same_row = rows[1:] == rows[:-1]
    assert (indices[1:][same_row] > indices[:-1][same_row]).all(), "rows not strictly sorted"
    forward = set(zip(rows.tolist(), indices.tolist(), strict=True))
    assert forward == {(b, a) for a, b in forward}, "neighbours not symmetric"

    area = config.width_km * config.height_km
    assert mesh.area_km2.sum() == pytest.approx(area, rel=1e-6)
    assert (mesh.area_km2 > 0).all()


@pytest.mark.parametrize("aspect", [1.0, 1.6, 3.0])
def test_mesh_covers_the_map(aspect: float) -> None:
    config = TerrainConfig(cells=3_000, width_km=1_200, aspect_ratio=aspect)
    mesh = generate_mesh(config, seeds=Seeds(11))
    assert_valid_mesh(mesh, config)
    # A cell this close to an edge must touch it; a cell this far in never does.
    spacing = np.sqrt(config.width_km * config.height_km / mesh.size)
    x, y = mesh.points[:, 0], mesh.points[:, 1]
    edge_distance = np.minimum.reduce([x, config.width_km - x, y, config.height_km - y])
    assert mesh.is_border[edge_distance < 0.05 * spacing].all()
    assert not mesh.is_border[edge_distance > 1.6 * spacing].any()


@settings(max_examples=15, deadline=None)
@given(config=small_terrain_configs(), seed=world_seeds)
def test_mesh_is_valid_for_any_config(config: TerrainConfig, seed: int) -> None:
    assert_valid_mesh(generate_mesh(config, seeds=Seeds(seed)), config)


def test_mesh_depends_on_seed_only() -> None:
    config = TerrainConfig(cells=2_000, width_km=800)
    a, b = generate_mesh(config, seeds=Seeds(1)), generate_mesh(config, seeds=Seeds(1))
    c = generate_mesh(config, seeds=Seeds(2))
    for field in ("points", "neighbor_indptr", "neighbor_indices", "area_km2", "is_border"):
        assert np.array_equal(getattr(a, field), getattr(b, field)), field
    assert not np.array_equal(a.points, c.points)


def test_label_components_orders_by_size_then_first_cell() -> None:
    mesh = generate_mesh(TerrainConfig(cells=1_000, width_km=500), seeds=Seeds(3))
    x = mesh.points[:, 0]
    # Three vertical stripes separated by gaps: widths 20%, 35%, 20% of the map.
    stripes = ((x > 50) & (x < 150)) | ((x > 200) & (x < 375)) | ((x > 425) & (x < 475))
    labels = label_components(mesh, stripes)
    assert (labels[~stripes] == NO_CELL).all()
    assert set(labels[stripes].tolist()) == {0, 1, 2}
    assert (labels[(x > 200) & (x < 375)] == 0).all()
    assert (labels[(x > 50) & (x < 150)] == 1).all()
    assert (labels[(x > 425) & (x < 475)] == 2).all()


def test_label_components_of_empty_mask() -> None:
    mesh = generate_mesh(TerrainConfig(cells=1_000, width_km=500), seeds=Seeds(3))
    assert (label_components(mesh, np.zeros(mesh.size, dtype=bool)) == NO_CELL).all()
