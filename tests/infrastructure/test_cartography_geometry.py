"""Voronoi cells and region outlines: exact tiling, nearest-site cells, valid outlines."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from numpy.typing import NDArray
from shapely.geometry import shape

from worldloom.infrastructure.cartography import cell_polygons, region_outlines

WIDTH, HEIGHT = 300.0, 180.0


def uniform(count: int, seed: int = 0) -> NDArray[np.float64]:
    return np.random.default_rng(seed).random((count, 2)) * [WIDTH, HEIGHT]


def clustered(count: int, seed: int = 1) -> NDArray[np.float64]:
    # Nothing near the edges: cells must still reach them.
    sites = np.random.default_rng(seed).normal([WIDTH / 2, HEIGHT / 2], [10, 6], (count, 2))
    return sites[(sites > 0).all(axis=1) & (sites[:, 0] < WIDTH) & (sites[:, 1] < HEIGHT)]


def grid(columns: int, rows: int) -> NDArray[np.float64]:
    # Every four neighbours are cocircular: the degenerate case for Voronoi vertices.
    xs, ys = np.meshgrid(
        (np.arange(columns) + 0.5) * WIDTH / columns, (np.arange(rows) + 0.5) * HEIGHT / rows
    )
    return np.column_stack([xs.ravel(), ys.ravel()])


SITE_SETS = {
    "uniform": uniform(2000),
    "clustered": clustered(400),
    "grid": grid(40, 25),
    "one": np.array([[10.0, 170.0]]),
    "two": np.array([[1.0, 1.0], [299.0, 179.0]]),
}


def wide_grid() -> tuple[NDArray[np.float64], float, float]:
    # Found by a randomised sweep: cocircular sites on a long thin map give cells that fold
    # back on themselves by a rounding error unless vertices are merged.
    width, height, side = 1452.5259738771165, 34.7887261428077, 54
    xs, ys = np.meshgrid(
        (np.arange(side) + 0.5) * width / side, (np.arange(side) + 0.5) * height / side
    )
    return np.column_stack([xs.ravel(), ys.ravel()]), width, height


def dense_centre() -> tuple[NDArray[np.float64], float, float]:
    # Found by a randomised sweep: with sites far from the edges, the two circumcentres of a
    # mirrored pair land a rounding error apart on the edge, one in each neighbouring cell.
    width, height = 1000.0, 600.0
    sites = np.random.default_rng(0).normal([500, 300], [30, 30], (5000, 2))
    return sites, width, height


MAPS = {
    **{name: (sites, WIDTH, HEIGHT) for name, sites in SITE_SETS.items()},
    "wide-grid": wide_grid(),
    "dense-centre": dense_centre(),
}


@pytest.mark.parametrize("name", MAPS)
def test_cells_tile_the_rectangle_exactly(name: str) -> None:
    sites, width, height = MAPS[name]
    cells = np.array(cell_polygons(sites, width, height))

    assert len(cells) == len(sites)
    assert shapely.area(cells).sum() == pytest.approx(width * height, rel=1e-9)
    bounds = shapely.bounds(cells)
    assert bounds[:, :2].min() >= 0.0
    assert (bounds[:, 2].max(), bounds[:, 3].max()) == (width, height)
    assert shapely.is_valid(cells).all()
    # Shared edges match exactly (no gaps, no overlaps), which the region union relies on.
    assert shapely.coverage_is_valid(cells)
    assert shapely.contains_xy(cells, sites[:, 0], sites[:, 1]).all()


@pytest.mark.parametrize("name", ["uniform", "clustered"])
def test_every_location_lies_in_the_cell_of_its_nearest_site(name: str) -> None:
    sites = SITE_SETS[name]
    cells = np.array(cell_polygons(sites, WIDTH, HEIGHT))
    probes = np.random.default_rng(9).random((3000, 2)) * [WIDTH, HEIGHT]

    distances = np.linalg.norm(probes[:, None, :] - sites[None, :, :], axis=2)
    nearest = distances.argmin(axis=1)
    # Skip probes that are almost equidistant from two sites: either cell is right there.
    ordered = np.sort(distances, axis=1)
    clear = ordered[:, 1] - ordered[:, 0] > 1e-6
    assert clear.mean() > 0.99
    inside = shapely.contains_xy(cells[nearest[clear]], probes[clear, 0], probes[clear, 1])
    assert inside.all()


@pytest.mark.parametrize(
    ("sites", "message"),
    [
        (np.array([[0.0, 5.0], [10.0, 10.0]]), "not strictly inside"),
        (np.array([[5.0, 5.0], [WIDTH + 1, 10.0]]), "not strictly inside"),
        (np.array([[5.0, 5.0], [5.0, 5.0]]), "distinct"),
        (np.array([[5.0, np.nan]]), "finite"),
        (np.array([1.0, 2.0, 3.0]), r"shape \(n, 2\)"),
    ],
    ids=["on-edge", "outside", "duplicate", "nan", "flat"],
)
def test_bad_sites_are_refused(sites: NDArray[np.float64], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cell_polygons(sites, WIDTH, HEIGHT)


def test_outlines_are_valid_unions_of_their_cells() -> None:
    sites = uniform(3000, seed=4)
    labels = (sites[:, 0] // 100).astype(np.int64) + 3 * (sites[:, 1] // 60).astype(np.int64)
    labels[np.random.default_rng(5).random(len(sites)) < 0.1] = -1
    cells = np.array(cell_polygons(sites, WIDTH, HEIGHT))

    outlines = region_outlines(sites, WIDTH, HEIGHT, labels)

    assert list(outlines) == sorted(set(labels.tolist()) - {-1})
    for label, geometry in outlines.items():
        outline = shape(geometry)
        assert outline.is_valid, label
        member_area = shapely.area(cells[labels == label]).sum()
        # Rounding vertices to 1 m moves the outline by at most ~0.5 m along its length.
        assert abs(outline.area - member_area) <= outline.length * 0.0005 + 1e-9, label
        for x, y in shapely.get_coordinates(outline):
            assert (round(x, 3), round(y, 3)) == (x, y)
    # Scattered unlabelled cells punch holes or split regions: both must be representable.
    assert {geometry["type"] for geometry in outlines.values()} <= {"Polygon", "MultiPolygon"}
    assert any(shape(g).interiors for g in outlines.values() if g["type"] == "Polygon") or any(
        g["type"] == "MultiPolygon" for g in outlines.values()
    )


def test_outlines_of_a_full_labelling_cover_the_map_without_overlap() -> None:
    sites = clustered(300)
    labels = (sites[:, 0] > WIDTH / 2).astype(np.int64) + 2 * (sites[:, 1] > HEIGHT / 2)

    outlines = [shape(g) for g in region_outlines(sites, WIDTH, HEIGHT, labels).values()]

    assert len(outlines) == 4
    assert sum(o.area for o in outlines) == pytest.approx(WIDTH * HEIGHT, rel=1e-6)
    assert shapely.union_all(outlines).area == pytest.approx(WIDTH * HEIGHT, rel=1e-6)


def test_disconnected_region_becomes_a_multipolygon() -> None:
    sites = grid(6, 1)
    labels = np.array([7, 7, -1, -1, 7, 3])

    outlines = region_outlines(sites, WIDTH, HEIGHT, labels)

    assert outlines[7]["type"] == "MultiPolygon"
    assert shape(outlines[7]).area == pytest.approx(WIDTH * HEIGHT / 2)
    assert outlines[3]["type"] == "Polygon"
    assert shape(outlines[3]).bounds == (250.0, 0.0, 300.0, 180.0)


def test_labels_must_match_the_sites() -> None:
    with pytest.raises(ValueError, match="labels must be 3 integers"):
        region_outlines(grid(3, 1), WIDTH, HEIGHT, np.array([0.5, 1.0, 2.0]))


def test_vertices_on_an_edge_a_rounding_error_apart_are_merged() -> None:
    from worldloom.infrastructure.cartography.geometry import _snap_to_edges

    # Two cells meeting at x = 5 whose shared bottom corner came out as two circumcentres.
    left = shapely.Polygon([(0, 0), (5.0000000000001, 1e-17), (5, 10), (0, 10)])
    right = shapely.Polygon([(5.0, -1e-17), (10, 0), (10, 10), (5, 10)])
    cells = np.array([left, right])
    assert not shapely.coverage_is_valid(cells)

    snapped = _snap_to_edges(cells, shapely.bounds(cells), 10.0, 10.0, 1e-8)

    assert shapely.coverage_is_valid(snapped)
    assert shapely.coverage_union_all(snapped).equals(shapely.box(0, 0, 10, 10))
