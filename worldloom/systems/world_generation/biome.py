"""Biomes: a validated temperature x precipitation table and the per-cell classification."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from worldloom.systems.world_generation.model import BoolArray, FloatArray

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True, slots=True)
class Biome:
    """One biome and what it means for settlement, travel and trade."""

    biome_id: int
    key: str
    name: str
    color: str
    """"#rrggbb"."""
    habitability: float
    """0..1: how readily people settle here."""
    movement_cost: float
    """>= 1: travel effort relative to open grassland."""
    danger: int
    """0..10: hazards of the land itself."""
    resources: tuple[str, ...]
    is_water: bool


@dataclass(frozen=True, slots=True)
class WetlandRule:
    """Wet, low ground along big rivers becomes wetland, whatever the table says."""

    biome_id: int
    min_precipitation_mm: float
    max_elevation_m: float
    min_discharge_m3s: float
    min_temperature_c: float
    """Frozen ground stays tundra or ice however wet it is."""


@dataclass(frozen=True, slots=True)
class BiomeTable:
    """The biomes and the climate table that picks one for each land cell.

    `matrix[t][p]` is the biome id for temperature band `t` (between
    `temperature_edges_c[t]` and `[t + 1]`) and precipitation band `p`.
    """

    biomes: tuple[Biome, ...]
    temperature_edges_c: tuple[float, ...]
    precipitation_edges_mm: tuple[float, ...]
    matrix: tuple[tuple[int, ...], ...]
    sea_id: int
    lake_id: int
    wetland: WetlandRule

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> BiomeTable:
        """Build and validate a table from its parsed TOML (see `data/biomes.toml`).

        Raises:
            ValueError: a missing or malformed field, a duplicate id or key, a matrix that does
                not match its band edges, or a matrix entry that is not a land biome; the
                message names the problem.
        """
        biomes = tuple(_parse_biome(i, raw) for i, raw in enumerate(_list(table, "biome")))
        _require_unique("biome_id", [b.biome_id for b in biomes])
        _require_unique("key", [b.key for b in biomes])
        by_key = {b.key: b for b in biomes}
        rules = _mapping(table, "classification")
        t_edges = _edges(rules, "temperature_edges_c")
        p_edges = _edges(rules, "precipitation_edges_mm")
        rows = _list(rules, "matrix")
        if len(rows) != len(t_edges) - 1:
            raise ValueError(
                f"biome matrix has {len(rows)} rows but temperature_edges_c defines "
                f"{len(t_edges) - 1} bands"
            )
        matrix = []
        for t, row in enumerate(rows):
            if not isinstance(row, list) or len(row) != len(p_edges) - 1:
                raise ValueError(
                    f"biome matrix row {t} must list {len(p_edges) - 1} biomes "
                    f"(one per precipitation band)"
                )
            matrix.append(tuple(_land_biome(by_key, key, f"matrix[{t}]").biome_id for key in row))
        wet = _mapping(rules, "wetland")
        return cls(
            biomes=biomes,
            temperature_edges_c=t_edges,
            precipitation_edges_mm=p_edges,
            matrix=tuple(matrix),
            sea_id=_water_biome(by_key, rules.get("sea"), "sea").biome_id,
            lake_id=_water_biome(by_key, rules.get("lake"), "lake").biome_id,
            wetland=WetlandRule(
                biome_id=_land_biome(by_key, wet.get("biome"), "wetland.biome").biome_id,
                min_precipitation_mm=_number(wet, "min_precipitation_mm"),
                max_elevation_m=_number(wet, "max_elevation_m"),
                min_discharge_m3s=_number(wet, "min_discharge_m3s"),
                min_temperature_c=_number(wet, "min_temperature_c"),
            ),
        )

    def by_id(self, biome_id: int) -> Biome:
        """The biome with this id.

        Raises:
            KeyError: no biome has this id.
        """
        for biome in self.biomes:
            if biome.biome_id == biome_id:
                return biome
        raise KeyError(f"no biome with id {biome_id}")

    def classify(
        self,
        *,
        temperature_c: FloatArray,
        precipitation_mm: FloatArray,
        elevation_m: FloatArray,
        discharge_m3s: FloatArray,
        is_sea: BoolArray,
        is_lake: BoolArray,
    ) -> NDArray[np.int16]:
        """The biome id of every cell.

        Args:
            temperature_c: mean annual temperature per cell.
            precipitation_mm: annual precipitation per cell.
            elevation_m: elevation per cell (for wetlands, which need low ground).
            discharge_m3s: water flowing out of each cell (wetlands line big rivers).
            is_sea: sea cells, which get the sea biome.
            is_lake: lake cells, which get the lake biome.

        Raises:
            ValueError: a temperature or precipitation is NaN.
        """
        if np.isnan(temperature_c).any() or np.isnan(precipitation_mm).any():
            raise ValueError("cannot classify a biome for a NaN temperature or precipitation")
        # Inner edges only: searchsorted then yields band 0 below the first and the last band
        # above the last, including -inf and +inf.
        t_band = np.searchsorted(np.asarray(self.temperature_edges_c[1:-1]), temperature_c, "right")
        p_band = np.searchsorted(
            np.asarray(self.precipitation_edges_mm[1:-1]), precipitation_mm, "right"
        )
        biome = np.asarray(self.matrix, dtype=np.int16)[t_band, p_band]
        rule = self.wetland
        wet = (
            (precipitation_mm >= rule.min_precipitation_mm)
            & (elevation_m <= rule.max_elevation_m)
            & (discharge_m3s >= rule.min_discharge_m3s)
            & (temperature_c >= rule.min_temperature_c)
        )
        biome = np.where(wet, np.int16(rule.biome_id), biome)
        biome = np.where(is_lake, np.int16(self.lake_id), biome)
        result: NDArray[np.int16] = np.where(is_sea, np.int16(self.sea_id), biome).astype(np.int16)
        return result


def _parse_biome(index: int, raw: Any) -> Biome:
    where = f"biome[{index}]"
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where} must be a table")
    key = raw.get("key")
    if not isinstance(key, str) or not _KEY.match(key):
        raise ValueError(f"{where}.key must be a snake_case string, got {key!r}")
    where = f"biome {key!r}"
    biome_id = raw.get("biome_id")
    if not isinstance(biome_id, int) or isinstance(biome_id, bool) or not 0 <= biome_id < 2**15:
        raise ValueError(f"{where}: biome_id must be an integer in 0..32767, got {biome_id!r}")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{where}: name must be a non-empty string")
    color = raw.get("color")
    if not isinstance(color, str) or not _COLOR.match(color):
        raise ValueError(f"{where}: color must look like '#rrggbb', got {color!r}")
    habitability = _number(raw, "habitability", where)
    if not 0.0 <= habitability <= 1.0:
        raise ValueError(f"{where}: habitability must be within 0..1, got {habitability}")
    movement_cost = _number(raw, "movement_cost", where)
    if not movement_cost >= 1.0:
        raise ValueError(f"{where}: movement_cost must be at least 1, got {movement_cost}")
    danger = raw.get("danger")
    if not isinstance(danger, int) or isinstance(danger, bool) or not 0 <= danger <= 10:
        raise ValueError(f"{where}: danger must be an integer within 0..10, got {danger!r}")
    resources = raw.get("resources")
    if not isinstance(resources, list) or not all(
        isinstance(r, str) and _KEY.match(r) for r in resources
    ):
        raise ValueError(f"{where}: resources must be a list of snake_case strings")
    is_water = raw.get("is_water")
    if not isinstance(is_water, bool):
        raise ValueError(f"{where}: is_water must be true or false")
    return Biome(
        biome_id=biome_id,
        key=key,
        name=name,
        color=color,
        habitability=habitability,
        movement_cost=movement_cost,
        danger=danger,
        resources=tuple(resources),
        is_water=is_water,
    )


def _require_unique(field: str, values: Sequence[object]) -> None:
    seen: set[object] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"duplicate biome {field} {value!r}")
        seen.add(value)


def _mapping(table: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = table.get(name)
    if not isinstance(value, Mapping):
        raise ValueError(f"biome table needs a [{name}] table")
    return value


def _list(table: Mapping[str, Any], name: str) -> list[Any]:
    value = table.get(name)
    if not isinstance(value, list) or not value:
        raise ValueError(f"biome table needs a non-empty list {name!r}")
    return value


def _number(table: Mapping[str, Any], name: str, where: str = "biome table") -> float:
    value = table.get(name)
    if not isinstance(value, int | float) or isinstance(value, bool) or math.isnan(value):
        raise ValueError(f"{where}: {name} must be a number, got {value!r}")
    return float(value)


def _edges(table: Mapping[str, Any], name: str) -> tuple[float, ...]:
    raw = _list(table, name)
    edges = tuple(_number({name: v}, name) for v in raw)
    if len(edges) < 2 or edges[0] != -math.inf or edges[-1] != math.inf:
        raise ValueError(f"{name} must run from -inf to inf so every climate has a band")
    if any(b <= a for a, b in itertools.pairwise(edges)):
        raise ValueError(f"{name} must be strictly increasing, got {list(edges)}")
    return edges


def _land_biome(by_key: Mapping[str, Biome], key: object, where: str) -> Biome:
    biome = by_key.get(key) if isinstance(key, str) else None
    if biome is None:
        raise ValueError(f"{where} names unknown biome {key!r}")
    if biome.is_water:
        raise ValueError(f"{where} names water biome {key!r}, but needs a land biome")
    return biome


def _water_biome(by_key: Mapping[str, Biome], key: object, where: str) -> Biome:
    biome = by_key.get(key) if isinstance(key, str) else None
    if biome is None:
        raise ValueError(f"classification.{where} names unknown biome {key!r}")
    if not biome.is_water:
        raise ValueError(f"classification.{where} names land biome {key!r}, but needs water")
    return biome
