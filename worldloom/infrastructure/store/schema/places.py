"""Places tables: settlements, points of interest, sub-locations, routes."""

from __future__ import annotations

from worldloom.infrastructure.store.schema.table import declare

SETTLEMENTS = declare(
    "settlements",
    ("settlement_id",),
    """
    settlement_id INTEGER NOT NULL
    name VARCHAR NOT NULL
    tier VARCHAR NOT NULL
    population INTEGER NOT NULL
    cell_id INTEGER NOT NULL
    region_id INTEGER NOT NULL
    landmass_id INTEGER NOT NULL
    x DOUBLE NOT NULL
    y DOUBLE NOT NULL
    is_port BOOLEAN NOT NULL
    score DOUBLE NOT NULL
    description VARCHAR NOT NULL DEFAULT ''
    """,
    references={
        "cell_id": "cells",
        "region_id": "regions",
    },
)
"""Settlement ids are population ranks and share one id space with `pois` (a place id)."""
POIS = declare(
    "pois",
    ("poi_id",),
    """
    poi_id INTEGER NOT NULL
    kind VARCHAR NOT NULL
    name VARCHAR NOT NULL
    cell_id INTEGER NOT NULL
    region_id INTEGER NOT NULL
    landmass_id INTEGER NOT NULL
    x DOUBLE NOT NULL
    y DOUBLE NOT NULL
    danger_level INTEGER NOT NULL
    interior VARCHAR NOT NULL
    """,
    references={
        "cell_id": "cells",
        "region_id": "regions",
    },
)
SUBLOCATIONS = declare(
    "sublocations",
    ("sublocation_id",),
    """
    sublocation_id INTEGER NOT NULL
    place_id INTEGER NOT NULL
    parent_id INTEGER NOT NULL
    category VARCHAR NOT NULL
    kind VARCHAR NOT NULL
    name VARCHAR NOT NULL
    depth INTEGER NOT NULL
    """,
    references={
        "parent_id": "sublocations.sublocation_id",
    },
)
"""`place_id` is a settlement or POI id; `parent_id` another sub-location, -1 for none."""
ROUTES = declare(
    "routes",
    ("route_id",),
    """
    route_id INTEGER NOT NULL
    kind VARCHAR NOT NULL
    start_place INTEGER NOT NULL
    end_place INTEGER NOT NULL
    start_cell INTEGER NOT NULL
    end_cell INTEGER NOT NULL
    length_km DOUBLE NOT NULL
    travel_days DOUBLE NOT NULL
    cells INTEGER[] NOT NULL
    """,
    references={
        "start_cell": "cells.cell_id",
        "end_cell": "cells.cell_id",
    },
)
"""Roads, trails and sea lanes; an end place of -1 is a junction on another route."""
