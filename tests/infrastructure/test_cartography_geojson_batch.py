"""GeoJSON features placed all together give what placing each alone gives, and a malformed
item is still named when others of its kind are fine."""

from __future__ import annotations

from typing import Any

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import shape

from worldloom.infrastructure.cartography import MapProjection, build_geojson
from worldloom.infrastructure.cartography.geojson import _placed

PROJECTION = MapProjection(width_km=4000.0, height_km=3000.0)
X = st.floats(0.5, 3999.5, allow_nan=False)
Y = st.floats(0.5, 2999.5, allow_nan=False)
POINT = st.tuples(X, Y)


def features_one_by_one(**items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each item in a collection of its own, so that none is placed with another."""
    return [
        feature
        for kind, listed in items.items()
        for item in listed
        for feature in build_geojson(projection=PROJECTION, **{kind: [item]})["features"]
    ]


@settings(max_examples=40, deadline=None)
@given(
    places=st.lists(POINT, max_size=12, unique=True),
    lines=st.lists(st.lists(POINT, min_size=2, max_size=6, unique=True), max_size=6),
)
def test_items_placed_together_are_placed_as_each_alone(
    places: list[tuple[float, float]], lines: list[list[tuple[float, float]]]
) -> None:
    # In the collection's order of kinds, each kind's items by id.
    items = {
        "regions": [
            {
                "id": i,
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[(x, y), (x + 300, y), (x + 300, y + 200), (x, y)]],
                },
            }
            for i, (x, y) in enumerate(places[:3])
            if x < 3600 and y < 2700
        ],
        "routes": [{"id": i, "coordinates": line} for i, line in enumerate(lines)],
        "settlements": [
            {"id": i, "coordinate": xy, "properties": {}} for i, xy in enumerate(places)
        ],
    }
    together = build_geojson(projection=PROJECTION, **items)["features"]
    assert together == features_one_by_one(**items)
    # ... and as the one-at-a-time placement (the path that names a malformed item) places it.
    alone = [
        *(shape(item["geometry"]) for item in items["regions"]),
        *(shapely.linestrings(item["coordinates"]) for item in items["routes"]),
        *(shapely.points(item["coordinate"]) for item in items["settlements"]),
    ]
    assert [f["geometry"] for f in together] == [_placed(g, PROJECTION) for g in alone]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {
                "settlements": [
                    {"id": 1, "coordinate": (1.0, 1.0)},
                    {"id": 2, "coordinate": (float("nan"), 1.0)},
                ]
            },
            "settlement 2: bad geometry: .*finite",
        ),
        (
            {
                "rivers": [
                    {"id": 1, "coordinates": [(1, 1), (2, 2)]},
                    {"id": 2, "coordinates": [(1, 1)]},
                ]
            },
            "river 2: bad geometry: a line needs two points",
        ),
        (
            {
                "lakes": [
                    {
                        "id": 3,
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [[(1, 1), (1.00001, 1), (1.00001, 1.00001), (1, 1)]],
                        },
                    }
                ]
            },
            "lake 3: bad geometry: the area vanishes",
        ),
        (
            {
                "regions": [
                    {
                        "id": 4,
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [[(1, 1), (float("inf"), 1), (2, 2), (1, 1)]],
                        },
                    }
                ]
            },
            "region 4: bad geometry: coordinates must be finite",
        ),
    ],
    ids=["nan-after-a-good-place", "short-line-after-a-good-one", "vanishing-lake", "inf-region"],
)
def test_a_malformed_item_among_good_ones_is_named(
    arguments: dict[str, list[dict[str, Any]]], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build_geojson(projection=PROJECTION, **arguments)
