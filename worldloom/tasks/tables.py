"""Domain values <-> table rows: how terrain, regions and locations are laid out in the store."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from worldloom.infrastructure.store import table_frame
from worldloom.systems.places import LocationKind, LocationTree, Places
from worldloom.systems.region import Region, RegionMap
from worldloom.systems.world import Calendar
from worldloom.systems.world_generation import BiomeTable, Terrain
from worldloom.systems.world_generation.model import Lake, Mesh, River


def biome_rows(biomes: BiomeTable) -> pl.DataFrame:
    rows = biomes.biomes
    return table_frame(
        "biomes",
        {
            "biome_id": [b.biome_id for b in rows],
            "key": [b.key for b in rows],
            "name": [b.name for b in rows],
            "color": [b.color for b in rows],
            "habitability": [b.habitability for b in rows],
            "movement_cost": [b.movement_cost for b in rows],
            "danger": [b.danger for b in rows],
            "resources": [list(b.resources) for b in rows],
            "is_water": [b.is_water for b in rows],
        },
    )


def calendar_rows(calendar: Calendar) -> pl.DataFrame:
    return table_frame(
        "calendar_months",
        {
            "month": list(range(1, len(calendar.months) + 1)),
            "name": [month.name for month in calendar.months],
            "days": [month.days for month in calendar.months],
            "season": [month.season for month in calendar.months],
        },
    )


def cell_rows(terrain: Terrain, cell_region: np.ndarray[Any, Any] | None = None) -> pl.DataFrame:
    """One row per cell; `region_id` is -1 until the regions stage assigns it."""
    mesh = terrain.mesh
    n = mesh.size
    return table_frame(
        "cells",
        {
            "cell_id": np.arange(n, dtype=np.int32),
            "x": mesh.points[:, 0],
            "y": mesh.points[:, 1],
            "area_km2": mesh.area_km2,
            "elevation_m": terrain.elevation_m,
            "is_land": terrain.is_land,
            "is_lake": terrain.is_lake,
            "is_border": mesh.is_border,
            "temperature_c": terrain.temperature_c,
            "precipitation_mm": terrain.precipitation_mm,
            "flow_to": terrain.flow_to,
            "discharge_m3s": terrain.discharge_m3s,
            "river_id": terrain.river_id,
            "lake_id": terrain.lake_id,
            "landmass_id": terrain.landmass_id,
            "biome_id": terrain.biome_id,
            "region_id": (np.full(n, -1, dtype=np.int32) if cell_region is None else cell_region),
            "neighbors": _split(mesh.neighbor_indices, mesh.neighbor_indptr),
        },
    )


def river_rows(rivers: tuple[River, ...], names: tuple[str, ...]) -> pl.DataFrame:
    return table_frame(
        "rivers",
        {
            "river_id": [r.river_id for r in rivers],
            "name": list(names),
            "ends_in": [r.ends_in for r in rivers],
            "parent_id": [r.parent_id for r in rivers],
            "discharge_m3s": [r.discharge_m3s for r in rivers],
            "length_km": [r.length_km for r in rivers],
            "source_cell": [r.cells[0] for r in rivers],
            "mouth_cell": [r.cells[-1] for r in rivers],
            "cells": [list(r.cells) for r in rivers],
        },
    )


def lake_rows(lakes: tuple[Lake, ...], names: tuple[str, ...]) -> pl.DataFrame:
    return table_frame(
        "lakes",
        {
            "lake_id": [lake.lake_id for lake in lakes],
            "name": list(names),
            "surface_m": [lake.surface_m for lake in lakes],
            "area_km2": [lake.area_km2 for lake in lakes],
            "outlet_cell": [lake.outlet_cell for lake in lakes],
            "endorheic": [lake.outlet_cell < 0 for lake in lakes],
            "cells": [list(lake.cells) for lake in lakes],
        },
    )


def terrain_from_rows(
    cells: pl.DataFrame,
    rivers: pl.DataFrame,
    lakes: pl.DataFrame,
    *,
    width_km: float,
    height_km: float,
) -> Terrain:
    """Rebuild the terrain a later stage works on from its stored rows."""
    lengths = cells["neighbors"].list.len().to_numpy()
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    mesh = Mesh(
        points=cells.select("x", "y").to_numpy().astype(np.float64),
        width_km=width_km,
        height_km=height_km,
        neighbor_indptr=indptr,
        neighbor_indices=cells["neighbors"].explode().drop_nulls().to_numpy().astype(np.int32),
        area_km2=cells["area_km2"].to_numpy().astype(np.float64),
        is_border=cells["is_border"].to_numpy(),
    )

    def column(name: str, dtype: type[np.generic]) -> np.ndarray[Any, Any]:
        series = cells[name]
        # A stored null id is the terrain's -1 ("none") again.
        return (
            (series.fill_null(-1) if series.dtype.is_integer() else series).to_numpy().astype(dtype)
        )

    return Terrain(
        mesh=mesh,
        elevation_m=column("elevation_m", np.float32),
        is_land=column("is_land", np.bool_),
        is_lake=column("is_lake", np.bool_),
        temperature_c=column("temperature_c", np.float32),
        precipitation_mm=column("precipitation_mm", np.float32),
        flow_to=column("flow_to", np.int32),
        discharge_m3s=column("discharge_m3s", np.float32),
        river_id=column("river_id", np.int32),
        lake_id=column("lake_id", np.int32),
        landmass_id=column("landmass_id", np.int32),
        biome_id=column("biome_id", np.int16),
        rivers=tuple(
            River(
                river_id=row["river_id"],
                cells=tuple(row["cells"]),
                ends_in=row["ends_in"],
                discharge_m3s=row["discharge_m3s"],
                length_km=row["length_km"],
                parent_id=_id(row["parent_id"]),
            )
            for row in rivers.iter_rows(named=True)
        ),
        lakes=tuple(
            Lake(
                lake_id=row["lake_id"],
                cells=tuple(row["cells"]),
                surface_m=row["surface_m"],
                outlet_cell=_id(row["outlet_cell"]),
                area_km2=row["area_km2"],
            )
            for row in lakes.iter_rows(named=True)
        ),
    )


def region_rows(
    region_map: RegionMap, *, descriptions: list[str], rivers: list[tuple[int, ...]]
) -> pl.DataFrame:
    """One row per region; `rivers` lists each region's rivers, greatest first."""
    regions = region_map.regions
    return table_frame(
        "regions",
        {
            "region_id": [r.region_id for r in regions],
            "name": [r.name for r in regions],
            "description": descriptions,
            "name_base": [r.name_base for r in regions],
            "landmass_id": [r.landmass_id for r in regions],
            "seed_cell": [r.seed_cell for r in regions],
            "center_x": [r.center[0] for r in regions],
            "center_y": [r.center[1] for r in regions],
            "cell_count": [r.cell_count for r in regions],
            "area_km2": [r.area_km2 for r in regions],
            "dominant_biome_id": [r.dominant_biome_id for r in regions],
            "climate": [r.climate for r in regions],
            "mean_temperature_c": [r.mean_temperature_c for r in regions],
            "mean_precipitation_mm": [r.mean_precipitation_mm for r in regions],
            "mean_elevation_m": [r.mean_elevation_m for r in regions],
            "max_elevation_m": [r.max_elevation_m for r in regions],
            "coastal": [r.coastal for r in regions],
            "river_count": [r.river_count for r in regions],
            "rivers": [list(ids) for ids in rivers],
            "danger_level": [r.danger_level for r in regions],
            "resources": [list(r.resources) for r in regions],
            "neighbors": [list(r.neighbors) for r in regions],
        },
    )


def region_map_from_rows(cells: pl.DataFrame, regions: pl.DataFrame) -> RegionMap:
    """Rebuild the regions a later stage works on from their stored rows."""
    fields = set(Region.__dataclass_fields__) - {"center", "resources", "neighbors"}
    return RegionMap(
        cell_region=cells.sort("cell_id")["region_id"].fill_null(-1).to_numpy().astype(np.int32),
        regions=tuple(
            Region(
                **{key: row[key] for key in fields},
                center=(row["center_x"], row["center_y"]),
                resources=tuple(row["resources"]),
                neighbors=tuple(row["neighbors"]),
            )
            for row in regions.sort("region_id").iter_rows(named=True)
        ),
    )


def location_rows(tree: LocationTree) -> pl.DataFrame:
    return table_frame(
        "locations",
        {
            "location_id": tree.location_id,
            "parent_id": tree.parent_id,
            "kind": list(tree.kind),
            "ref_id": tree.ref_id,
            "name": list(tree.name),
            "depth": tree.depth,
        },
    )


def location_tree_from_rows(locations: pl.DataFrame) -> LocationTree:
    """Rebuild the stored location tree (rows in any order)."""
    rows = locations.sort("location_id")
    kinds: tuple[LocationKind, ...] = tuple(rows["kind"].to_list())
    return LocationTree(
        location_id=rows["location_id"].to_numpy().astype(np.int64),
        parent_id=rows["parent_id"].fill_null(-1).to_numpy().astype(np.int64),
        kind=kinds,
        ref_id=rows["ref_id"].to_numpy().astype(np.int64),
        name=tuple(rows["name"].to_list()),
        depth=rows["depth"].to_numpy().astype(np.int32),
    )


def settlement_rows(places: Places) -> pl.DataFrame:
    settlements = places.layout.settlements
    return table_frame(
        "settlements",
        {
            "settlement_id": [s.settlement_id for s in settlements],
            "name": [s.name for s in settlements],
            "tier": [s.tier for s in settlements],
            "population": [s.population for s in settlements],
            "cell_id": [s.cell for s in settlements],
            "region_id": [s.region_id for s in settlements],
            "landmass_id": [s.landmass_id for s in settlements],
            "x": [s.x for s in settlements],
            "y": [s.y for s in settlements],
            "is_port": [s.is_port for s in settlements],
            "score": [s.score for s in settlements],
            # Written by the people stage, which knows the faith and the ruler.
            "description": ["" for _ in settlements],
            # A generated world is at its first day; simulate moves it on.
            "tick": [0 for _ in settlements],
        },
    )


def poi_rows(places: Places) -> pl.DataFrame:
    pois = places.pois
    return table_frame(
        "pois",
        {
            "poi_id": [p.poi_id for p in pois],
            "kind": [p.kind for p in pois],
            "name": [p.name for p in pois],
            "cell_id": [p.cell for p in pois],
            "region_id": [p.region_id for p in pois],
            "landmass_id": [p.landmass_id for p in pois],
            "x": [p.x for p in pois],
            "y": [p.y for p in pois],
            "danger_level": [p.danger_level for p in pois],
            "interior": [p.interior for p in pois],
        },
    )


def sublocation_rows(places: Places) -> pl.DataFrame:
    subs = places.sublocations
    return table_frame(
        "sublocations",
        {
            "sublocation_id": [s.sublocation_id for s in subs],
            "place_id": [s.place_id for s in subs],
            "parent_id": [s.parent_id for s in subs],
            "category": [s.category for s in subs],
            "kind": [s.kind for s in subs],
            "name": [s.name for s in subs],
            "depth": [s.depth for s in subs],
        },
    )


def route_rows(places: Places) -> pl.DataFrame:
    routes = places.routes
    return table_frame(
        "routes",
        {
            "route_id": [r.route_id for r in routes],
            "kind": [r.kind for r in routes],
            "start_place": [r.start_place for r in routes],
            "end_place": [r.end_place for r in routes],
            "start_cell": [r.cells[0] for r in routes],
            "end_cell": [r.cells[-1] for r in routes],
            "length_km": [r.length_km for r in routes],
            "travel_days": [r.travel_days for r in routes],
            "cells": [list(r.cells) for r in routes],
        },
    )


def _id(value: int | None) -> int:
    """A stored id, or -1 for a null one (how the systems say "none")."""
    return -1 if value is None else value


def _split(values: np.ndarray[Any, Any], offsets: np.ndarray[Any, Any]) -> pl.Series:
    """CSR (values, offsets) -> a list column, without a Python loop per row."""
    lists = pa.ListArray.from_arrays(_int32_array(offsets), _int32_array(values))
    series = pl.from_arrow(lists)
    assert isinstance(series, pl.Series)
    return series.alias("neighbors")


def _int32_array(values: np.ndarray[Any, Any]) -> pa.Array:
    """`values` as an Arrow int32 array over their own buffer (`pa.array` on a numpy array
    imports pandas, ~0.3 s of a command's CPU, for nothing else in the pipeline needs it)."""
    contiguous = np.ascontiguousarray(values, dtype=np.int32)
    return pa.Array.from_buffers(pa.int32(), len(contiguous), [None, pa.py_buffer(contiguous)])


def prose_baseline_rows(
    region_map: RegionMap, descriptions: list[str], world_name: str, lore: str
) -> pl.DataFrame:
    """Procedural text per entity (`region <id>`, `world`), where the prose stage starts."""
    regions = region_map.regions
    return table_frame(
        "prose_baseline",
        {
            "entity": [f"region {r.region_id}" for r in regions] + ["world"],
            "name": [r.name for r in regions] + [world_name],
            "text": [*descriptions, lore],
        },
    )
