"""The places stage task: settlements, POIs, routes and sub-locations over the stored regions."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from worldloom.infrastructure.store import StoreError, open_store
from worldloom.systems.places import extend_location_tree, generate_places
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog
from worldloom.tasks.stages import downstream_tables
from worldloom.tasks.tables import (
    location_rows,
    location_tree_from_rows,
    poi_rows,
    region_map_from_rows,
    route_rows,
    settlement_rows,
    sublocation_rows,
)
from worldloom.tasks.world_record import load_terrain, load_world, world_db


@task(name="generate-places", cache_policy=NO_CACHE)
def generate_places_stage(*, home: str, world_id: str) -> dict[str, int]:
    """Place settlements, POIs and routes on the stored regions; extends the location tree."""
    path = world_db(home, world_id)
    with open_store(path) as store:
        world = load_world(store, world_id)
        regions = store.read("regions", world_id)
        if regions.height == 0:
            raise StoreError(f"world {world_id!r} has no regions yet: run the regions stage first")
        terrain = load_terrain(store, world)
        cells = store.read("cells", world_id)
        rivers, lakes = store.read("rivers", world_id), store.read("lakes", world_id)
        locations = store.read("locations", world_id)
    places = generate_places(
        terrain,
        region_map_from_rows(cells, regions),
        seeds=Seeds(world.config.seed),
        biomes=catalog.biome_table(),
        rules=catalog.place_rules(),
        name_bases=catalog.name_bases(),
        settlements=world.config.population.settlements,
        taken_names=[*regions["name"], *rivers["name"], *lakes["name"], world.name],
    )
    tree = extend_location_tree(
        location_tree_from_rows(locations),
        places=[(s.settlement_id, s.region_id, s.name) for s in places.layout.settlements]
        + [(p.poi_id, p.region_id, p.name) for p in places.pois],
        sublocations=places.sublocations,
    )
    with open_store(path) as store:
        written = store.replace_rows(
            world_id,
            {
                "settlements": settlement_rows(places),
                "pois": poi_rows(places),
                "routes": route_rows(places),
                "sublocations": sublocation_rows(places),
                "locations": location_rows(tree),
            },
            clear=downstream_tables("places"),
        )
    get_run_logger().info(
        "places: %d settlements, %d POIs, %d routes",
        written["settlements"],
        written["pois"],
        written["routes"],
    )
    return written
