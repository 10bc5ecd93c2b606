"""Foundation tables: the world, its reference tables, terrain, regions, locations, runs."""

from __future__ import annotations

from worldloom.infrastructure.store.schema.table import declare

WORLDS = declare(
    "worlds",
    (),
    """
    name VARCHAR NOT NULL -- The world's name (given, or drawn from the seed).
    seed UBIGINT NOT NULL -- The seed every random stream of the world derives from.
    preset VARCHAR NOT NULL -- The preset the config started from: tiny, small, medium or large.
    config_json VARCHAR NOT NULL -- The full world config (preset plus overrides) as JSON.
    config_hash VARCHAR NOT NULL -- sha256 (hex) of the config's canonical JSON.
    width_km DOUBLE NOT NULL -- [km] Width of the map, west to east.
    height_km DOUBLE NOT NULL -- [km] Height of the map, north to south.
    tick BIGINT NOT NULL -- [tick] The world's clock: days the economy has run (0 before it).
    lore VARCHAR NOT NULL DEFAULT '' -- A few paragraphs on the world; '' before the regions stage.
    """,
    description="The world itself: one row, its identity, config and clock. A tick is one day.",
)
BIOMES = declare(
    "biomes",
    ("biome_id",),
    """
    biome_id SMALLINT NOT NULL -- The biome's id (its position in data/biomes.toml).
    key VARCHAR NOT NULL -- Stable key, e.g. ocean, lake, taiga, hot_desert, wetland.
    name VARCHAR NOT NULL -- Display name, e.g. "Temperate Forest".
    color VARCHAR NOT NULL -- Map colour as "#rrggbb".
    habitability DOUBLE NOT NULL -- [score] How readily people settle here, 0 (never) to 1.
    movement_cost DOUBLE NOT NULL -- [score] Travel effort as a multiple of open grassland's (>= 1).
    danger INTEGER NOT NULL -- [level] Hazards of the land itself, 0 (none) to 10.
    resources VARCHAR[] NOT NULL -- Resource keys the biome yields (see the table description).
    is_water BOOLEAN NOT NULL -- True for the ocean and lake biomes.
    """,
    description=(
        "The biome reference table (data/biomes.toml): ocean, lake, glacier, tundra, taiga, "
        "temperate_forest, temperate_rainforest, grassland, steppe, shrubland, hot_desert, "
        "cold_desert, savanna, tropical_seasonal_forest, tropical_rainforest, wetland. "
        "Resource keys anywhere in the world: fish, salt, furs, game, peat, timber, herbs, "
        "grain, stone, gems, ore."
    ),
)
CALENDAR_MONTHS = declare(
    "calendar_months",
    ("month",),
    """
    month INTEGER NOT NULL -- The month's number in the year, from 1.
    name VARCHAR NOT NULL -- The month's name, e.g. Deepfrost.
    days INTEGER NOT NULL -- [days] Length of the month.
    season VARCHAR NOT NULL -- Northern-hemisphere season: winter, spring, summer or autumn.
    """,
    description="The world calendar's months in order (data/calendar.toml); one tick is one day.",
)
CELLS = declare(
    "cells",
    ("cell_id",),
    """
    cell_id INTEGER NOT NULL -- The cell's id, 0..n-1.
    x DOUBLE NOT NULL -- [km] East of the map's west edge (the cell centre).
    y DOUBLE NOT NULL -- [km] South of the map's north edge (the cell centre).
    area_km2 DOUBLE NOT NULL -- [km2] Area of the cell's Voronoi polygon, clipped to the map.
    elevation_m REAL NOT NULL -- [m] Height above sea level; negative under the sea.
    is_land BOOLEAN NOT NULL -- Above sea level and not under a lake.
    is_lake BOOLEAN NOT NULL -- Under a lake (see lake_id).
    is_border BOOLEAN NOT NULL -- The cell's polygon touches the map edge.
    temperature_c REAL NOT NULL -- [°C] Mean annual temperature.
    precipitation_mm REAL NOT NULL -- [mm/year] Mean annual precipitation.
    flow_to INTEGER -- Downstream cell (cells.cell_id); null at sea and in endorheic lakes.
    discharge_m3s REAL NOT NULL -- [m3/s] Water flowing out of the cell.
    river_id INTEGER -- The river through the cell (rivers); null when it is on no river.
    lake_id INTEGER -- The lake covering the cell (lakes); null when it is not a lake cell.
    landmass_id INTEGER -- Connected land mass, 0 the largest; null for sea and lake cells.
    biome_id SMALLINT NOT NULL -- The cell's biome (biomes).
    region_id INTEGER -- The cell's region (regions); null for sea and lake cells.
    neighbors INTEGER[] NOT NULL -- Ids of the adjacent cells (cells.cell_id), ascending.
    """,
    description=(
        "The terrain mesh: one row per Voronoi cell of jittered points. Coordinates are km "
        "from the map's north-west corner, x growing east and y growing south. A confluence "
        "cell belongs to the river that continues through it. region_id is null until the "
        "regions stage has run."
    ),
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
    river_id INTEGER NOT NULL -- The river's id: rank by discharge at the mouth, 0 the greatest.
    name VARCHAR NOT NULL -- The river's name.
    ends_in VARCHAR NOT NULL -- Where it ends: sea, lake or river (a tributary).
    parent_id INTEGER -- The river a tributary flows into (rivers); null unless ends_in is river.
    discharge_m3s DOUBLE NOT NULL -- [m3/s] Flow at its last river cell, before the mouth.
    length_km DOUBLE NOT NULL -- [km] Length along its cells, source to mouth.
    source_cell INTEGER NOT NULL -- First cell (cells.cell_id): where the river rises.
    mouth_cell INTEGER NOT NULL -- Last cell (cells.cell_id): in the sea, a lake or its parent.
    cells INTEGER[] NOT NULL -- The river's cells (cells.cell_id), ordered source to mouth.
    """,
    description=(
        "Rivers from source to mouth; at a confluence the inflow with the most water keeps "
        "the river and the others end there as tributaries."
    ),
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
    lake_id INTEGER NOT NULL -- The lake's id, numbered by its lowest cell id.
    name VARCHAR NOT NULL -- The lake's name.
    surface_m DOUBLE NOT NULL -- [m] Elevation of the water surface above sea level.
    area_km2 DOUBLE NOT NULL -- [km2] Surface area: the sum of its cells' areas.
    outlet_cell INTEGER -- Land cell the lake drains into (cells.cell_id); null when endorheic.
    endorheic BOOLEAN NOT NULL -- True for a salt lake without outlet (outlet_cell is null).
    cells INTEGER[] NOT NULL -- The lake's cells (cells.cell_id), ascending.
    """,
    description="Standing water filling a depression; endorheic (salt) lakes have no outlet.",
    references={
        "outlet_cell": "cells.cell_id",
    },
)
REGIONS = declare(
    "regions",
    ("region_id",),
    """
    region_id INTEGER NOT NULL -- The region's id, 0..n-1.
    name VARCHAR NOT NULL -- The region's name (the LLM stage may have renamed it).
    description VARCHAR NOT NULL DEFAULT '' -- A paragraph describing the region.
    name_base VARCHAR NOT NULL -- Name base its names come from (see the table description).
    landmass_id INTEGER NOT NULL -- The land mass it lies on (cells.landmass_id).
    seed_cell INTEGER NOT NULL -- The cell the region grew from (cells.cell_id).
    center_x DOUBLE NOT NULL -- [km] x of the seed cell, the region's centre.
    center_y DOUBLE NOT NULL -- [km] y of the seed cell, the region's centre.
    cell_count INTEGER NOT NULL -- [count] Cells in the region.
    area_km2 DOUBLE NOT NULL -- [km2] Area of the region.
    dominant_biome_id SMALLINT NOT NULL -- The biome covering most of its area (biomes).
    climate VARCHAR NOT NULL -- Climate label, e.g. "semi-arid cool temperate" (see description).
    mean_temperature_c DOUBLE NOT NULL -- [°C] Area-weighted mean annual temperature.
    mean_precipitation_mm DOUBLE NOT NULL -- [mm/year] Area-weighted mean annual precipitation.
    mean_elevation_m DOUBLE NOT NULL -- [m] Area-weighted mean elevation.
    max_elevation_m DOUBLE NOT NULL -- [m] Elevation of its highest cell.
    coastal BOOLEAN NOT NULL -- The region touches the sea (lakes do not count).
    river_count INTEGER NOT NULL -- [count] Rivers with a cell in the region.
    rivers INTEGER[] NOT NULL DEFAULT [] -- River ids through it (rivers), greatest discharge first.
    danger_level INTEGER NOT NULL -- [level] 1 (safe farmland) to 10 (deadly wilds).
    resources VARCHAR[] NOT NULL -- Resource keys its land yields (see biomes), sorted.
    neighbors INTEGER[] NOT NULL -- Ids of the regions it borders by land (regions), ascending.
    """,
    description=(
        "Contiguous land areas grown from seed cells over travel cost; every land cell is in "
        "one. name_base is one of nordhaven, sylvane, khazrak, sarrani, valorean, mirekin. "
        "climate is polar, or subarctic, cool temperate, warm temperate, subtropical or "
        "tropical, with an arid, semi-arid or wet prefix when dry or wet. resources are those "
        "of the biomes covering 12% or more of it, plus fish on the coast and ore and stone "
        "above 1200 m."
    ),
    references={
        "seed_cell": "cells.cell_id",
        "dominant_biome_id": "biomes.biome_id",
    },
)
LOCATIONS = declare(
    "locations",
    ("location_id",),
    """
    location_id BIGINT NOT NULL -- kind code << 40 | ref_id (see the table description).
    parent_id BIGINT -- The enclosing location (locations.location_id); null for the world.
    kind VARCHAR NOT NULL -- world, region, cell, poi (a settlement or POI) or sublocation.
    ref_id BIGINT NOT NULL -- The id in the kind's own table (location_id & (2^40 - 1)).
    name VARCHAR NOT NULL -- The location's name; "cell <id>" for cells.
    depth INTEGER NOT NULL -- Steps below the world: regions 1, land cells and places 2, inside 3+.
    """,
    description=(
        "The location tree: world > region > cell, and world > region > place > "
        "sub-location. A location id packs the kind into its high bits: kind code = "
        "location_id >> 40 (0 world, 1 region, 2 cell, 3 poi, 4 sublocation) and ref_id = "
        "location_id & (2^40 - 1), which is 0 for the world, regions.region_id, cells.cell_id, "
        "a place id (settlements.settlement_id or pois.poi_id: kind poi covers both) or "
        "sublocations.sublocation_id. Sea and lake cells hang directly under the world (depth 1)."
    ),
    references={
        "parent_id": "locations.location_id",
    },
)
RUNS = declare(
    "runs",
    ("run_id",),
    """
    run_id VARCHAR NOT NULL -- The flow run's id (Prefect's, or a UUID outside Prefect).
    flow VARCHAR NOT NULL -- What ran, e.g. generate-world, terrain, economy, export-snapshot.
    parameters_hash VARCHAR NOT NULL -- sha256 (hex) of parameters_json.
    parameters_json VARCHAR NOT NULL -- The run's parameters as sorted JSON.
    code_version VARCHAR NOT NULL -- Version of the code that ran (package, git, source, lock).
    started_at TIMESTAMPTZ NOT NULL -- When the run began (UTC).
    finished_at TIMESTAMPTZ -- When it ended (UTC); null while it runs.
    status VARCHAR NOT NULL -- running, completed, failed or aborted (its process died).
    error VARCHAR -- Why it failed or was aborted; null otherwise.
    """,
    description="Provenance: one row per flow run that touched the world (not exported).",
    exported=False,
)
