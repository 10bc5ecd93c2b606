"""GeoJSON assembly and the rendered map: stable documents, correct pixels, stable PNG bytes."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from worldloom.infrastructure.cartography import (
    render_map,
)
from worldloom.infrastructure.cartography.render import COAST_RGB, RIVER_RGB, ROAD_RGB


def two_cell_map(**overrides: Any) -> dict[str, Any]:
    """A 100 x 50 km map: a western land cell, an eastern one, then sea in the far east."""
    arguments: dict[str, Any] = {
        "points": np.array([[20.0, 25.0], [50.0, 25.0], [85.0, 25.0]]),
        "width_km": 100.0,
        "height_km": 50.0,
        "cell_rgb": np.array([[200, 40, 40], [40, 200, 40], [40, 40, 200]], dtype=np.uint8),
        "cell_region": np.array([0, 1, -1]),
        "cell_is_land": np.array([True, True, False]),
        "rivers": [],
        "image_width": 200,
    }
    arguments.update(overrides)
    return arguments


def decode(png: bytes) -> NDArray[np.uint8]:
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    assert image.mode == "RGB"
    return np.asarray(image)


def test_map_is_a_png_of_the_requested_width_and_map_aspect() -> None:
    pixels = decode(render_map(**two_cell_map(image_width=321)))

    assert pixels.shape == (160, 321, 3)


def test_map_pixels_show_cells_borders_and_coast() -> None:
    pixels = decode(render_map(**two_cell_map()))

    # Cell boundaries are at x = 35 km (regions 0|1) and x = 67.5 km (land|sea): 2 px per km.
    assert pixels[50, 20].tolist() == [200, 40, 40]
    assert pixels[50, 100].tolist() == [40, 200, 40]
    assert pixels[50, 190].tolist() == [40, 40, 200]
    assert pixels[:, 69].tolist() == [[100, 20, 20]] * 100  # border: darkened, one column
    assert pixels[:, 68].tolist() == [[200, 40, 40]] * 100
    assert pixels[:, 70].tolist() == [[40, 200, 40]] * 100
    assert pixels[:, 134].tolist() == [list(COAST_RGB)] * 100  # coast on the land side
    assert pixels[:, 135].tolist() == [[40, 40, 200]] * 100


def test_rivers_markers_and_labels_are_drawn() -> None:
    river = (np.array([[10.0, 10.0], [10.0, 40.0]]), 3.0)
    plain = decode(render_map(**two_cell_map()))
    drawn = decode(
        render_map(
            **two_cell_map(
                rivers=[river], markers=[(50.0, 10.0, "Ostwick")], labels=[(50, 40, "X")]
            )
        )
    )

    assert drawn[50, 20].tolist() == list(RIVER_RGB)
    assert (drawn[10:40, 95:140] != plain[10:40, 95:140]).any()  # marker and its name
    assert (drawn[70:90, 90:110] != plain[70:90, 90:110]).any()  # label


def test_relief_lights_slopes_facing_north_west() -> None:
    # A plane rising toward the south-east faces the north-western sun; its negation faces away.
    sites = np.array([[x + 0.5, y + 0.5] for y in range(0, 40, 2) for x in range(0, 80, 2)])
    facing_north_west = sites[:, 0] + sites[:, 1]  # rises toward the south-east
    grey = np.full((len(sites), 3), 128, dtype=np.uint8)
    common: dict[str, Any] = {
        "points": sites,
        "width_km": 80.0,
        "height_km": 40.0,
        "cell_rgb": grey,
        "cell_region": np.full(len(sites), -1),
        "cell_is_land": np.ones(len(sites), dtype=bool),
        "rivers": [],
        "image_width": 160,
    }
    lit = decode(render_map(**common, cell_elevation=facing_north_west))
    shaded = decode(render_map(**common, cell_elevation=-facing_north_west))
    flat = decode(render_map(**common, cell_elevation=np.zeros(len(sites))))

    centre = (slice(20, 60), slice(40, 120))
    assert lit[centre].mean() > 140
    assert shaded[centre].mean() < 110
    assert flat[centre].tolist() == [[[128] * 3] * 80] * 40


def test_same_inputs_give_identical_png_bytes() -> None:
    rng = np.random.default_rng(3)
    count = 2000
    sites = rng.random((count, 2)) * [120.0, 80.0]
    arguments: dict[str, Any] = {
        "points": sites,
        "width_km": 120.0,
        "height_km": 80.0,
        "cell_rgb": rng.integers(0, 256, (count, 3), dtype=np.uint8),
        "cell_region": rng.integers(-1, 6, count),
        "cell_is_land": rng.random(count) < 0.6,
        "rivers": [(sites[:5], 2.5)],
        "markers": [(60.0, 40.0, "Ostwick")],
        "labels": [(30.0, 20.0, "Aldmere")],
        "cell_elevation": rng.random(count),
        "image_width": 300,
    }

    first = render_map(**arguments)
    second = render_map(**{**arguments, "points": sites.copy()})

    assert first == second
    assert decode(first).shape == (200, 300, 3)


def test_map_refuses_mismatched_cell_arrays() -> None:
    with pytest.raises(ValueError, match=r"cell_region must have shape \(3,\)"):
        render_map(**two_cell_map(cell_region=np.array([0, 1])))


def test_roads_and_sized_markers_are_drawn() -> None:
    road = (np.array([[10.0, 10.0], [10.0, 40.0]]), 3.0)
    plain = decode(render_map(**two_cell_map()))
    small = decode(render_map(**two_cell_map(markers=[(50.0, 25.0, "")], marker_sizes=[0.5])))
    large = decode(render_map(**two_cell_map(markers=[(50.0, 25.0, "")], marker_sizes=[3.0])))
    with_road = decode(render_map(**two_cell_map(roads=[road])))

    assert with_road[50, 20].tolist() == list(ROAD_RGB)
    assert (small != plain).sum() < (large != plain).sum()
    with pytest.raises(ValueError, match="1 marker sizes for 2 markers"):
        render_map(**two_cell_map(markers=[(1.0, 1.0, "a"), (2.0, 2.0, "b")], marker_sizes=[1.0]))
