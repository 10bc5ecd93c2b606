"""The biome table: validation of its data, and classification over the whole climate range."""

from __future__ import annotations

import bisect
import copy
import math
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import climate_values
from worldloom.systems.world_generation import BiomeTable

BIOMES_TOML = Path(__file__).parents[3] / "worldloom" / "data" / "biomes.toml"


def raw_table() -> dict[str, Any]:
    with BIOMES_TOML.open("rb") as file:
        return tomllib.load(file)


TABLE = BiomeTable.from_mapping(raw_table())
LAND_IDS = {b.biome_id for b in TABLE.biomes if not b.is_water}


def classify_one(
    table: BiomeTable,
    temperature: float,
    precipitation: float,
    *,
    elevation: float = 1_000.0,
    discharge: float = 0.0,
    sea: bool = False,
    lake: bool = False,
) -> int:
    return int(
        table.classify(
            temperature_c=np.array([temperature]),
            precipitation_mm=np.array([precipitation]),
            elevation_m=np.array([elevation]),
            discharge_m3s=np.array([discharge]),
            is_sea=np.array([sea]),
            is_lake=np.array([lake]),
        )[0]
    )


def expected_by_scan(temperature: float, precipitation: float) -> int:
    """The band each value falls in, found the slow way: edges[i] <= value < edges[i + 1]."""
    t_band = bisect.bisect_right(TABLE.temperature_edges_c, temperature) - 1
    p_band = bisect.bisect_right(TABLE.precipitation_edges_mm, precipitation) - 1
    t_band = min(t_band, len(TABLE.temperature_edges_c) - 2)
    p_band = min(p_band, len(TABLE.precipitation_edges_mm) - 2)
    return TABLE.matrix[t_band][p_band]


def test_shipped_table_has_the_expected_biomes() -> None:
    keys = {b.key for b in TABLE.biomes}
    assert 12 <= len(LAND_IDS) <= 16
    assert {"glacier", "tundra", "taiga", "hot_desert", "tropical_rainforest", "wetland"} <= keys
    assert TABLE.by_id(TABLE.sea_id).key == "ocean"
    assert TABLE.by_id(TABLE.lake_id).key == "lake"
    reachable = {b for row in TABLE.matrix for b in row} | {TABLE.wetland.biome_id}
    assert reachable == LAND_IDS, "a land biome no climate can produce"


@given(temperature=climate_values, precipitation=climate_values)
def test_every_climate_maps_to_exactly_one_land_biome(
    temperature: float, precipitation: float
) -> None:
    biome = classify_one(TABLE, temperature, precipitation)
    assert biome in LAND_IDS
    assert biome == expected_by_scan(temperature, precipitation)


@pytest.mark.parametrize(
    ("temperature", "precipitation", "key"),
    [
        (-30.0, 100.0, "glacier"),
        (-10.0, 300.0, "tundra"),  # an edge belongs to the band above it
        (-10.0001, 300.0, "glacier"),
        (0.0, 800.0, "taiga"),
        (8.0, 1_200.0, "temperate_forest"),
        (8.0, 3_000.0, "temperate_rainforest"),
        (15.0, 700.0, "grassland"),
        (25.0, 100.0, "hot_desert"),
        (0.0, 100.0, "cold_desert"),
        (25.0, 700.0, "savanna"),
        (25.0, 1_800.0, "tropical_rainforest"),
        (math.inf, math.inf, "tropical_rainforest"),
        (-math.inf, -math.inf, "glacier"),
    ],
)
def test_climates_classify_as_expected(temperature: float, precipitation: float, key: str) -> None:
    assert TABLE.by_id(classify_one(TABLE, temperature, precipitation)).key == key


def test_wet_low_ground_on_big_rivers_is_wetland() -> None:
    rule = TABLE.wetland
    wet = {"elevation": rule.max_elevation_m - 1, "discharge": rule.min_discharge_m3s + 1}
    p = rule.min_precipitation_mm + 1
    assert classify_one(TABLE, 15.0, p, **wet) == rule.biome_id
    assert classify_one(TABLE, 15.0, p, elevation=rule.max_elevation_m + 1, discharge=1e4) != (
        rule.biome_id
    )
    assert classify_one(TABLE, 15.0, p, elevation=0.0, discharge=rule.min_discharge_m3s - 1) != (
        rule.biome_id
    )
    assert classify_one(TABLE, 15.0, rule.min_precipitation_mm - 1, **wet) != rule.biome_id
    assert classify_one(TABLE, rule.min_temperature_c - 1, p, **wet) != rule.biome_id


def test_water_cells_get_water_biomes() -> None:
    assert classify_one(TABLE, 15.0, 800.0, sea=True) == TABLE.sea_id
    assert classify_one(TABLE, 15.0, 800.0, lake=True) == TABLE.lake_id
    assert classify_one(TABLE, -40.0, 800.0, lake=True) == TABLE.lake_id


def test_nan_climate_is_rejected() -> None:
    with pytest.raises(ValueError, match="NaN"):
        classify_one(TABLE, math.nan, 800.0)


def test_by_id_of_unknown_biome() -> None:
    with pytest.raises(KeyError, match="999"):
        TABLE.by_id(999)


def _biome(table: dict[str, Any], key: str) -> dict[str, Any]:
    return next(b for b in table["biome"] if b["key"] == key)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(table: dict[str, Any]) -> None:
        *parents, leaf = path.split(".")
        node = table
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[leaf] = value

    return apply


BAD_TABLES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    (
        "duplicate id",
        lambda t: _biome(t, "tundra").update(biome_id=2),
        "duplicate biome biome_id 2",
    ),
    (
        "duplicate key",
        lambda t: _biome(t, "tundra").update(key="taiga"),
        "duplicate biome key 'taiga'",
    ),
    (
        "missing row",
        lambda t: t["classification"]["matrix"].pop(),
        "matrix has 5 rows but temperature_edges_c defines 6",
    ),
    (
        "short row",
        lambda t: t["classification"]["matrix"][2].pop(),
        "row 2 must list 6 biomes",
    ),
    (
        "unknown biome",
        lambda t: t["classification"]["matrix"][3].__setitem__(1, "jungle"),
        r"matrix\[3\] names unknown biome 'jungle'",
    ),
    (
        "water in matrix",
        lambda t: t["classification"]["matrix"][0].__setitem__(0, "ocean"),
        r"matrix\[0\] names water biome 'ocean'",
    ),
    (
        "open-ended edges",
        _set("classification.temperature_edges_c", [-50.0, -10.0, -3.0, 4.0, 12.0, 20.0, math.inf]),
        "temperature_edges_c must run from -inf to inf",
    ),
    (
        "unsorted edges",
        _set(
            "classification.precipitation_edges_mm",
            [-math.inf, 250.0, 1000.0, 500.0, 1500.0, 2500.0, math.inf],
        ),
        "precipitation_edges_mm must be strictly increasing",
    ),
    ("bad colour", _set("biome.3.color", "green"), "biome 'tundra': color"),
    ("habitability", _set("biome.3.habitability", 1.5), "biome 'tundra': habitability"),
    ("movement", _set("biome.3.movement_cost", 0.5), "biome 'tundra': movement_cost"),
    ("danger", _set("biome.3.danger", 11), "biome 'tundra': danger"),
    ("resource", _set("biome.3.resources", ["Furs"]), "biome 'tundra': resources"),
    ("key case", _set("biome.3.key", "Tundra"), r"biome\[3\].key must be a snake_case"),
    ("sea is land", _set("classification.sea", "tundra"), "classification.sea names land biome"),
    ("no wetland", _set("classification.wetland.biome", "marsh"), "wetland.biome names unknown"),
    ("no biomes", _set("biome", []), "non-empty list 'biome'"),
]


@pytest.mark.parametrize(
    ("mutate", "message"), [(m, msg) for _, m, msg in BAD_TABLES], ids=[n for n, _, _ in BAD_TABLES]
)
def test_bad_tables_are_rejected_with_the_problem_named(
    mutate: Callable[[dict[str, Any]], None], message: str
) -> None:
    table = copy.deepcopy(raw_table())
    mutate(table)
    with pytest.raises(ValueError, match=message):
        BiomeTable.from_mapping(table)


@given(st.permutations(range(16)))
def test_biome_order_in_the_file_does_not_matter(order: list[int]) -> None:
    table = raw_table()
    table["biome"] = [table["biome"][i] for i in order]
    shuffled = BiomeTable.from_mapping(table)
    assert shuffled.matrix == TABLE.matrix
    assert shuffled.wetland == TABLE.wetland
    assert {b.biome_id: b for b in shuffled.biomes} == {b.biome_id: b for b in TABLE.biomes}
