"""Foundation tables: the world, its reference tables, terrain, regions, locations, runs."""

from __future__ import annotations

from worldloom.infrastructure.store.schema.table import declare

WORLDS = declare(
    "worlds",
    (),
    """
    name VARCHAR NOT NULL
    seed UBIGINT NOT NULL
    preset VARCHAR NOT NULL
    config_json VARCHAR NOT NULL
    config_hash VARCHAR NOT NULL
    width_km DOUBLE NOT NULL
    height_km DOUBLE NOT NULL
    tick BIGINT NOT NULL
    lore VARCHAR NOT NULL DEFAULT ''
    """,
)
BIOMES = declare(
    "biomes",
    ("biome_id",),
    """
    biome_id SMALLINT NOT NULL
    key VARCHAR NOT NULL
    name VARCHAR NOT NULL
    color VARCHAR NOT NULL
    habitability DOUBLE NOT NULL
    movement_cost DOUBLE NOT NULL
    danger INTEGER NOT NULL
    resources VARCHAR[] NOT NULL
    is_water BOOLEAN NOT NULL
    """,
)
CALENDAR_MONTHS = declare(
    "calendar_months",
    ("month",),
    """
    month INTEGER NOT NULL
    name VARCHAR NOT NULL
    days INTEGER NOT NULL
    season VARCHAR NOT NULL
    """,
)
CELLS = declare(
    "cells",
    ("cell_id",),
    """
    cell_id INTEGER NOT NULL
    x DOUBLE NOT NULL
    y DOUBLE NOT NULL
    area_km2 DOUBLE NOT NULL
    elevation_m REAL NOT NULL
    is_land BOOLEAN NOT NULL
    is_lake BOOLEAN NOT NULL
    is_border BOOLEAN NOT NULL
    temperature_c REAL NOT NULL
    precipitation_mm REAL NOT NULL
    flow_to INTEGER NOT NULL
    discharge_m3s REAL NOT NULL
    river_id INTEGER NOT NULL
    lake_id INTEGER NOT NULL
    landmass_id INTEGER NOT NULL
    biome_id SMALLINT NOT NULL
    region_id INTEGER NOT NULL
    neighbors INTEGER[] NOT NULL
    """,
    references={
        "river_id": "rivers",
        "lake_id": "lakes",
        "biome_id": "biomes",
        "region_id": "regions",
        "flow_to": "cells.cell_id",
    },
)
RIVERS = declare(
    "rivers",
    ("river_id",),
    """
    river_id INTEGER NOT NULL
    name VARCHAR NOT NULL
    ends_in VARCHAR NOT NULL
    parent_id INTEGER NOT NULL
    discharge_m3s DOUBLE NOT NULL
    length_km DOUBLE NOT NULL
    source_cell INTEGER NOT NULL
    mouth_cell INTEGER NOT NULL
    cells INTEGER[] NOT NULL
    """,
    references={
        "parent_id": "rivers.river_id",
        "source_cell": "cells.cell_id",
        "mouth_cell": "cells.cell_id",
    },
)
LAKES = declare(
    "lakes",
    ("lake_id",),
    """
    lake_id INTEGER NOT NULL
    name VARCHAR NOT NULL
    surface_m DOUBLE NOT NULL
    area_km2 DOUBLE NOT NULL
    outlet_cell INTEGER NOT NULL
    endorheic BOOLEAN NOT NULL
    cells INTEGER[] NOT NULL
    """,
    references={
        "outlet_cell": "cells.cell_id",
    },
)
REGIONS = declare(
    "regions",
    ("region_id",),
    """
    region_id INTEGER NOT NULL
    name VARCHAR NOT NULL
    description VARCHAR NOT NULL DEFAULT ''
    name_base VARCHAR NOT NULL
    landmass_id INTEGER NOT NULL
    seed_cell INTEGER NOT NULL
    center_x DOUBLE NOT NULL
    center_y DOUBLE NOT NULL
    cell_count INTEGER NOT NULL
    area_km2 DOUBLE NOT NULL
    dominant_biome_id SMALLINT NOT NULL
    climate VARCHAR NOT NULL
    mean_temperature_c DOUBLE NOT NULL
    mean_precipitation_mm DOUBLE NOT NULL
    mean_elevation_m DOUBLE NOT NULL
    max_elevation_m DOUBLE NOT NULL
    coastal BOOLEAN NOT NULL
    river_count INTEGER NOT NULL
    rivers INTEGER[] NOT NULL DEFAULT []
    danger_level INTEGER NOT NULL
    resources VARCHAR[] NOT NULL
    neighbors INTEGER[] NOT NULL
    """,
    references={
        "seed_cell": "cells.cell_id",
        "dominant_biome_id": "biomes.biome_id",
    },
)
LOCATIONS = declare(
    "locations",
    ("location_id",),
    """
    location_id BIGINT NOT NULL
    parent_id BIGINT
    kind VARCHAR NOT NULL
    ref_id BIGINT NOT NULL
    name VARCHAR NOT NULL
    depth INTEGER NOT NULL
    """,
    references={
        "parent_id": "locations.location_id",
    },
)
RUNS = declare(
    "runs",
    ("run_id",),
    """
    run_id VARCHAR NOT NULL
    flow VARCHAR NOT NULL
    parameters_hash VARCHAR NOT NULL
    parameters_json VARCHAR NOT NULL
    code_version VARCHAR NOT NULL
    started_at TIMESTAMPTZ NOT NULL
    finished_at TIMESTAMPTZ
    status VARCHAR NOT NULL
    error VARCHAR
    """,
    exported=False,
)
