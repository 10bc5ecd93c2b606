"""The world's GeoJSON as GIS clients read it: WGS84 lon/lat, north up, true areas, valid layers.

Real tiny worlds (terrain, regions, lakes, places and routes built in-process) are written the way
the snapshot writes them and read back with geopandas and pyogrio (GDAL).
"""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path
from typing import Any

import geopandas
import numpy as np
import polars as pl
import pyogrio
import pytest
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import shape

from tests.worlds import build_world
from worldloom.infrastructure.cartography import (
    FEATURE_KINDS,
    MapProjection,
    build_geojson,
    world_geojson,
)
from worldloom.systems.places import generate_places
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog
from worldloom.tasks.tables import (
    biome_rows,
    cell_rows,
    lake_rows,
    poi_rows,
    region_rows,
    river_rows,
    route_rows,
    settlement_rows,
)

WORLDS = {
    "tiny": (5, {}),
    "5000-km": (7, {"terrain.width_km": 5_000.0, "terrain.aspect_ratio": 1.0}),
}
"""The tiny preset (seed 5 has two lakes) and the large preset's 5,000 km width on a square map,
the farthest any preset reaches from the projection's centre."""

AREA_TOLERANCE = 2e-4
"""Outlines are snapped to a 1 m grid in km before projection: about 1e-4 of a two-cell lake."""

EQUAL_AREA = "+proj=laea +lat_0=0 +lon_0=0 +ellps=WGS84 +units=km +no_defs"
"""A Lambert azimuthal equal-area CRS centred on the map, written independently of the code."""


@cache
def world(name: str) -> tuple[dict[str, pl.DataFrame], dict[str, Any]]:
    seed, overrides = WORLDS[name]
    built = build_world(seed, overrides=overrides)
    places = generate_places(
        built.terrain,
        built.regions,
        seeds=Seeds(seed),
        biomes=catalog.biome_table(),
        rules=catalog.place_rules(),
        name_bases=catalog.name_bases(),
        settlements=40,
        taken_names=[r.name for r in built.regions.regions],
    )
    tables = {
        "cells": cell_rows(built.terrain, built.regions.cell_region),
        "regions": region_rows(
            built.regions, descriptions=built.descriptions, rivers=built.region_rivers
        ),
        "biomes": biome_rows(catalog.biome_table()),
        "rivers": river_rows(built.terrain.rivers, built.waters.rivers),
        "lakes": lake_rows(built.terrain.lakes, built.waters.lakes),
        "settlements": settlement_rows(places),
        "pois": poi_rows(places),
        "routes": route_rows(places),
    }
    mesh = built.terrain.mesh
    return tables, world_geojson(tables, width_km=mesh.width_km, height_km=mesh.height_km)


def encode(collection: dict[str, Any]) -> bytes:
    """As the snapshot writer encodes world.geojson."""
    text = json.dumps(collection, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode()


def written(tmp_path: Path, name: str) -> Path:
    path = tmp_path / "world.geojson"
    path.write_bytes(encode(world(name)[1]))
    return path


def features_of(collection: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [f for f in collection["features"] if f["properties"]["kind"] == kind]


@pytest.mark.parametrize("name", WORLDS)
def test_gdal_reads_a_valid_wgs84_layer(tmp_path: Path, name: str) -> None:
    collection = world(name)[1]
    path = written(tmp_path, name)

    info = pyogrio.read_info(path, force_feature_count=True, force_total_bounds=True)
    frame = geopandas.read_file(path, engine="pyogrio")

    assert info["driver"] == "GeoJSON"
    assert info["crs"] == "EPSG:4326"
    assert info["features"] == len(collection["features"]) == len(frame)
    assert frame.crs == "EPSG:4326"
    assert frame.geometry.notna().all()
    assert frame.geometry.is_valid.all()
    west, south, east, north = frame.total_bounds
    box_west, box_south, box_east, box_north = collection["bbox"]
    assert box_west <= west < east <= box_east
    assert box_south <= south < north <= box_north
    assert np.abs(frame.total_bounds).max() < 45
    if importlib.util.find_spec("matplotlib") is None:
        # What geopandas' plot() checks for a geographic CRS: 1 / cos(mid-latitude).
        aspect = 1 / np.cos(np.radians((south + north) / 2))
        assert 0 < aspect < np.inf
    else:  # pragma: no cover - matplotlib is not a dependency
        import matplotlib

        matplotlib.use("Agg")
        assert frame.plot() is not None


@pytest.mark.parametrize("name", WORLDS)
def test_areas_in_an_equal_area_projection_match_the_map(tmp_path: Path, name: str) -> None:
    tables, _ = world(name)
    frame = geopandas.read_file(written(tmp_path, name), engine="pyogrio")
    areas = frame[frame["kind"].isin(["region", "lake"])].to_crs(EQUAL_AREA)

    assert len(areas) == tables["regions"].height + tables["lakes"].height
    relative = areas.geometry.area / areas["area_km2"] - 1
    assert relative.abs().max() < AREA_TOLERANCE
    regions = areas[areas["kind"] == "region"]
    assert regions.geometry.area.sum() == pytest.approx(
        tables["regions"]["area_km2"].sum(), rel=2e-5
    )


@pytest.mark.parametrize("name", WORLDS)
def test_north_is_up_and_east_is_right(tmp_path: Path, name: str) -> None:
    tables, _ = world(name)
    frame = geopandas.read_file(written(tmp_path, name), engine="pyogrio")
    towns = frame[frame["kind"] == "settlement"].set_index("settlement_id")
    table = tables["settlements"].to_pandas().set_index("settlement_id").loc[towns.index]
    regions = frame[frame["kind"] == "region"].set_index("region_id")
    centres = tables["regions"].to_pandas().set_index("region_id").loc[regions.index]

    northmost, southmost = table["y"].idxmin(), table["y"].idxmax()
    westmost, eastmost = table["x"].idxmin(), table["x"].idxmax()
    assert towns.geometry.y[northmost] > towns.geometry.y[southmost]
    assert towns.geometry.x[eastmost] > towns.geometry.x[westmost]
    assert np.corrcoef(table["y"], towns.geometry.y)[0, 1] < -0.99
    assert np.corrcoef(table["x"], towns.geometry.x)[0, 1] > 0.99
    inner = regions.geometry.representative_point()
    assert inner.y[centres["center_y"].idxmin()] > inner.y[centres["center_y"].idxmax()]
    assert inner.x[centres["center_x"].idxmax()] > inner.x[centres["center_x"].idxmin()]


@pytest.mark.parametrize("name", WORLDS)
def test_the_proj_member_takes_a_runtime_back_to_map_km(tmp_path: Path, name: str) -> None:
    tables, collection = world(name)
    frame = geopandas.read_file(written(tmp_path, name), engine="pyogrio")
    member = collection["worldloom"]
    towns = frame[frame["kind"] == "settlement"].to_crs(member["proj"])
    table = tables["settlements"].to_pandas().set_index("settlement_id")
    expected = table.loc[towns["settlement_id"], ["x", "y"]].to_numpy()

    got = np.column_stack([towns.geometry.x, towns.geometry.y])
    assert np.abs(got - expected).max() < 1e-3  # 1 m
    back = MapProjection(width_km=member["width_km"], height_km=member["height_km"])
    lonlat = np.array([f["geometry"]["coordinates"] for f in features_of(collection, "settlement")])
    ids = [f["properties"]["settlement_id"] for f in features_of(collection, "settlement")]
    assert np.abs(back.to_km(lonlat) - table.loc[ids, ["x", "y"]].to_numpy()).max() < 1e-3


def test_lakes_are_polygons_with_their_facts() -> None:
    tables, collection = world("tiny")
    lakes = features_of(collection, "lake")

    assert tables["lakes"].height == 2
    assert [f["properties"]["lake_id"] for f in lakes] == tables["lakes"]["lake_id"].to_list()
    assert {f["geometry"]["type"] for f in lakes} <= {"Polygon", "MultiPolygon"}
    row = tables["lakes"].row(0, named=True)
    assert lakes[0]["id"] == f"lake-{row['lake_id']}"
    assert lakes[0]["properties"] == {
        "kind": "lake",
        "lake_id": row["lake_id"],
        "name": row["name"],
        "area_km2": round(row["area_km2"], 1),
        "surface_m": round(row["surface_m"], 1),
        "endorheic": row["endorheic"],
    }
    # Lake cells belong to no region: lakes fill holes in the land, sharing its edges.
    land = shapely.union_all([shape(f["geometry"]) for f in features_of(collection, "region")])
    holes = shapely.Polygon(shape(lakes[1]["geometry"]).exterior).difference(land)
    assert all(land.intersection(shape(f["geometry"])).area < 1e-12 for f in lakes)
    assert holes.symmetric_difference(shape(lakes[1]["geometry"])).area < 1e-12


def test_ids_are_unique_and_name_their_own_table() -> None:
    tables, collection = world("tiny")
    features = collection["features"]
    kinds = [f["properties"]["kind"] for f in features]

    assert len({f["id"] for f in features}) == len(features)
    assert kinds == sorted(kinds, key=FEATURE_KINDS.index)
    assert set(kinds) == set(FEATURE_KINDS)
    for feature in features:
        kind = feature["properties"]["kind"]
        assert "id" not in feature["properties"]
        assert feature["id"] == f"{kind}-{feature['properties'][f'{kind}_id']}"
    assert len(features_of(collection, "settlement")) == tables["settlements"].height
    assert len(features_of(collection, "poi")) == tables["pois"].height
    poi_kinds = {f["properties"]["poi_kind"] for f in features_of(collection, "poi")}
    assert poi_kinds == set(tables["pois"]["kind"])


def test_collection_follows_rfc_7946() -> None:
    _, collection = world("tiny")
    member = collection["worldloom"]

    assert set(collection) == {"type", "bbox", "worldloom", "features"}  # no crs member
    assert set(member) == {
        "projection",
        "ellipsoid",
        "proj",
        "width_km",
        "height_km",
        "scale",
        "note",
    }
    assert (member["width_km"], member["height_km"], member["scale"]) == (700.0, 437.5, 1.0)
    assert collection["bbox"] == MapProjection(width_km=700.0, height_km=437.5).bbox()
    for feature in collection["features"]:
        if feature["properties"]["kind"] not in ("region", "lake"):
            continue
        for rings in _rings(feature):
            assert shapely.LinearRing(rings[0]).is_ccw  # exterior counter-clockwise
            assert not any(shapely.LinearRing(ring).is_ccw for ring in rings[1:])
    coordinates = shapely.get_coordinates([shape(f["geometry"]) for f in collection["features"]])
    assert (np.round(coordinates, 6) == coordinates).all()
    assert any(len(rings) > 1 for f in features_of(collection, "region") for rings in _rings(f))


def _rings(feature: dict[str, Any]) -> list[list[Any]]:
    geometry = feature["geometry"]
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def test_same_world_gives_identical_bytes() -> None:
    tables, collection = world("tiny")
    again = world_geojson(tables, width_km=700.0, height_km=437.5)

    assert encode(again) == encode(collection)


SQUARE_WITH_HOLE = {
    "type": "Polygon",
    "coordinates": [
        [[100, 100], [300, 100], [300, 300], [100, 300], [100, 100]],
        [[150, 150], [150, 250], [250, 250], [250, 150], [150, 150]],
    ],
}
PROJECTION = MapProjection(width_km=400.0, height_km=400.0)


def test_holes_run_clockwise_and_long_edges_follow_the_curve() -> None:
    collection = build_geojson(
        projection=PROJECTION,
        regions=[{"id": 1, "geometry": SQUARE_WITH_HOLE, "properties": {}}],
    )
    rings = collection["features"][0]["geometry"]["coordinates"]

    assert shapely.LinearRing(rings[0]).is_ccw
    assert not shapely.LinearRing(rings[1]).is_ccw
    assert len(rings[0]) > 5 * 4  # 200 km sides cut into 25 km pieces
    laea = Transformer.from_crs("EPSG:4326", EQUAL_AREA, always_xy=True)
    area = shapely.transform(shape(collection["features"][0]["geometry"]), _via(laea)).area
    assert area == pytest.approx(200 * 200 - 100 * 100, rel=1e-6)


def _via(transformer: Transformer) -> Any:
    return lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))


def test_features_are_sorted_whatever_the_input_order() -> None:
    items = {
        "regions": [
            {"id": 2, "geometry": SQUARE_WITH_HOLE, "properties": {"name": "B", "z": 1}},
            {"id": 1, "geometry": SQUARE_WITH_HOLE, "properties": {"name": "A"}},
        ],
        "rivers": [{"id": 1, "coordinates": [(1.0, 1.0), (2.3333333, 3.0)], "properties": {}}],
        "routes": [{"id": 4, "coordinates": [(1.0, 1.0), (8.0, 1.0)], "properties": {}}],
        "settlements": [{"id": 3, "coordinate": (8.0, 1.0), "properties": {}}],
        "pois": [
            {"id": 9, "coordinate": (2.0, 2.0), "properties": {"poi_kind": "ruin"}},
            {"id": 5, "coordinate": (3.0, 2.0), "properties": {}},
        ],
    }
    forward = build_geojson(projection=PROJECTION, **items)
    backward = build_geojson(
        projection=PROJECTION, **{key: value[::-1] for key, value in items.items()}
    )

    assert encode(forward) == encode(backward)
    ids = [f["id"] for f in forward["features"]]
    assert ids == ["region-1", "region-2", "river-1", "route-4", "settlement-3", "poi-5", "poi-9"]
    assert list(forward["features"][1]["properties"]) == ["kind", "region_id", "name", "z"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"pois": [{"id": 1, "coordinate": (1, 1)}, {"id": 1, "coordinate": (2, 2)}]},
            "poi id 1 appears twice",
        ),
        ({"pois": [{"id": 1, "coordinate": (0, 0), "properties": {"kind": "x"}}]}, "kind"),
        ({"lakes": [{"id": 1, "geometry": SQUARE_WITH_HOLE, "properties": {"lake_id": 2}}]}, "id"),
        ({"rivers": [{"id": 1, "coordinates": [1.0, 2.0], "properties": {}}]}, "bad geometry"),
        ({"routes": [{"id": 1, "coordinates": [(1.0, 2.0)]}]}, "two points"),
        ({"settlements": [{"id": 1, "coordinate": (float("nan"), 1.0)}]}, "finite"),
        (
            {"regions": [{"id": 1, "geometry": {"type": "Point", "coordinates": [0, 0]}}]},
            "expected a Polygon",
        ),
    ],
    ids=[
        "duplicate-id",
        "reserved-kind",
        "reserved-id",
        "flat-river",
        "one-point-route",
        "nan",
        "point-region",
    ],
)
def test_bad_features_are_refused(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_geojson(projection=PROJECTION, **arguments)


@pytest.mark.parametrize(
    ("width", "height"), [(700.0, 437.5), (5_000.0, 3_125.0), (5_000.0, 5_000.0)]
)
def test_projection_is_proj_laea_and_inverts(width: float, height: float) -> None:
    projection = MapProjection(width_km=width, height_km=height)
    xy = np.random.default_rng(0).random((500, 2)) * [width, height]
    corners = np.array([[0.0, 0.0], [width, height], [width / 2, height / 2]])
    crs = CRS.from_user_input(projection.proj_string())
    reference = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

    lonlat = projection.to_lonlat(np.vstack([xy, corners]))
    expected = np.column_stack(reference.transform(*np.vstack([xy, corners]).T))
    assert np.abs(lonlat - expected).max() < 1e-9
    assert np.abs(projection.to_km(lonlat[:-3]) - xy).max() < 1e-5  # 1 cm
    north_west, south_east, centre = lonlat[-3:]
    assert north_west[0] < 0 < north_west[1]
    assert south_east[1] < 0 < south_east[0]
    assert centre.tolist() == [0.0, 0.0]
    assert projection.scale == 1.0


def test_a_map_larger_than_a_hemisphere_is_shrunk_to_fit() -> None:
    projection = MapProjection(width_km=20_000.0, height_km=20_000.0)
    xy = np.array([[0.0, 0.0], [20_000.0, 20_000.0], [1_234.5, 17_000.0]])

    assert 0.5 < projection.scale < 1
    assert np.abs(projection.bbox()).max() < 90
    crs = CRS.from_user_input(projection.proj_string())
    back = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    lonlat = projection.to_lonlat(xy)
    assert np.abs(np.column_stack(back.transform(*lonlat.T)) - xy).max() < 1e-5
    assert np.abs(projection.to_km(lonlat) - xy).max() < 1e-5


def test_projection_refuses_an_empty_map() -> None:
    with pytest.raises(ValueError, match="map size must be positive"):
        MapProjection(width_km=0.0, height_km=10.0)
