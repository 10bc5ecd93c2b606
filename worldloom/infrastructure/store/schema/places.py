"""Places tables: settlements, points of interest, sub-locations, routes."""

from __future__ import annotations

from worldloom.infrastructure.store.schema.table import declare

SETTLEMENTS = declare(
    "settlements",
    ("settlement_id",),
    """
    settlement_id INTEGER NOT NULL -- A place id: the population rank, 0 the largest.
    name VARCHAR NOT NULL -- The settlement's name.
    tier VARCHAR NOT NULL -- Size class: capital, city, town, village or hamlet.
    population INTEGER NOT NULL -- [people] Inhabitants.
    cell_id INTEGER NOT NULL -- The cell it stands on (cells).
    region_id INTEGER NOT NULL -- The region it lies in (regions).
    landmass_id INTEGER NOT NULL -- The land mass it lies on (cells.landmass_id).
    x DOUBLE NOT NULL -- [km] East of the map's west edge (its cell's centre).
    y DOUBLE NOT NULL -- [km] South of the map's north edge (its cell's centre).
    is_port BOOLEAN NOT NULL -- A coastal port; sea lanes (routes of kind sea) link the ports.
    score DOUBLE NOT NULL -- [score] Suitability of its site (see the table description).
    description VARCHAR NOT NULL DEFAULT '' -- A paragraph on the place, its faith and its ruler.
    tick BIGINT NOT NULL DEFAULT 0 -- [tick] The day the row describes.
    """,
    description=(
        "Settlements, from capitals to hamlets. Settlement ids are population ranks and share "
        "one id space with pois.poi_id (a place id): POI ids continue after the last "
        "settlement's. There is one capital per political core (about one per four regions). "
        "score is the site's suitability: the biome's habitability plus bonuses for a river, "
        "confluence, lake shore, coast and harbour, less penalties for height and harsh "
        "temperature, plus a little noise; the best sites were settled first."
    ),
    references={
        "cell_id": "cells",
        "region_id": "regions",
    },
)
POIS = declare(
    "pois",
    ("poi_id",),
    """
    poi_id INTEGER NOT NULL -- A place id, numbered after the settlements' ids.
    kind VARCHAR NOT NULL -- What it is, e.g. dungeon, shrine, inn (see the table description).
    name VARCHAR NOT NULL -- The place's name.
    cell_id INTEGER NOT NULL -- The cell it stands on (cells).
    region_id INTEGER NOT NULL -- The region it lies in (regions).
    landmass_id INTEGER NOT NULL -- The land mass it lies on (cells.landmass_id).
    x DOUBLE NOT NULL -- [km] East of the map's west edge (its cell's centre).
    y DOUBLE NOT NULL -- [km] South of the map's north edge (its cell's centre).
    danger_level INTEGER NOT NULL -- [level] 1 (safe) to 10 (deadly).
    interior VARCHAR NOT NULL -- What lies inside: dungeon, lair, ruin, building or none.
    """,
    description=(
        "Points of interest other than settlements, one per cell at most; their ids continue "
        "after the settlements' (one id space of places). kind is one of dungeon, ruin, "
        "shrine, temple, lair, mine, landmark, battlefield, camp, volcano, cave, necropolis, "
        "sacred_grove, brigand_camp, pirate_cove, inn, lighthouse, waterfall, bridge, "
        "monster_lair, watchtower, hermitage (data/pois.toml)."
    ),
    references={
        "cell_id": "cells",
        "region_id": "regions",
    },
)
SUBLOCATIONS = declare(
    "sublocations",
    ("sublocation_id",),
    """
    sublocation_id INTEGER NOT NULL -- The sub-location's id; a parent's id precedes its children's.
    place_id INTEGER NOT NULL -- The settlement or POI it is in (settlement_id or poi_id).
    parent_id INTEGER -- The sub-location it is in (sublocations); null when directly in the place.
    category VARCHAR NOT NULL -- district, building, level or room.
    kind VARCHAR NOT NULL -- What it is, e.g. "market quarter", "tavern", "crypt", "level".
    name VARCHAR NOT NULL -- Display name: the kind capitalised, or "Level 2", "Ground floor".
    depth INTEGER NOT NULL -- 1 directly in the place, 2 inside a district or level.
    """,
    description=(
        "What lies inside places: districts and buildings of settlements (by tier, ports add "
        "a harbour district), levels and rooms of POIs that have an interior (deeper for more "
        "dangerous places). Kinds come from data/pois.toml."
    ),
    references={
        "parent_id": "sublocations.sublocation_id",
    },
)
ROUTES = declare(
    "routes",
    ("route_id",),
    """
    route_id INTEGER NOT NULL -- The route's id: settlement links, then sea lanes, then POI trails.
    kind VARCHAR NOT NULL -- road, trail or sea (a sea lane between two ports).
    start_place INTEGER NOT NULL -- The settlement or POI it starts at (a place id).
    end_place INTEGER -- The place it ends at; null when it ends on another route (a junction).
    start_cell INTEGER NOT NULL -- First cell of the path (cells.cell_id).
    end_cell INTEGER NOT NULL -- Last cell of the path (cells.cell_id).
    length_km DOUBLE NOT NULL -- [km] Length along its cells.
    travel_days DOUBLE NOT NULL -- [days] Travel time (see the table description).
    cells INTEGER[] NOT NULL -- The path's cells (cells.cell_id), from start to end.
    """,
    description=(
        "Roads between settlements, trails out to remote places and sea lanes between ports, "
        "each a path of neighbouring cells. Travel takes 30 km a day by road, 20 by trail and "
        "120 at sea; rough land slows roads and trails by its biome's movement_cost."
    ),
    references={
        "start_cell": "cells.cell_id",
        "end_cell": "cells.cell_id",
    },
)
