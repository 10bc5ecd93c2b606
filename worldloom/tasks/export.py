"""The export task: a world's tables, GeoJSON and map, written as a verified snapshot."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from worldloom.infrastructure.cartography import MAP_TABLES, world_geojson, world_map_png
from worldloom.infrastructure.provenance import code_version
from worldloom.infrastructure.settings import Settings
from worldloom.infrastructure.snapshot import (
    ColumnDoc,
    ReferenceEntry,
    SnapshotMeta,
    TableData,
    publish_snapshot,
    write_snapshot,
)
from worldloom.infrastructure.store import TABLES, Table, describe_tables, open_store
from worldloom.tasks.world_record import load_world, world_db


@task(name="export-snapshot", cache_policy=NO_CACHE, task_run_name="export-snapshot · {world_id}")
def export_snapshot(*, home: str, world_id: str, out_dir: str | None = None) -> str:
    """Write the world's current state as a snapshot; returns the snapshot folder."""
    keys = describe_tables()
    # The GeoJSON and the map are drawn in two threads (shapely, numpy and Pillow mostly leave
    # Python's lock) while the other tables are read and written.
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="export-map") as drawing:
        with open_store(world_db(home, world_id), read_only=True) as store:
            world = load_world(store, world_id)
            size = {
                "width_km": world.config.terrain.width_km,
                "height_km": world.config.terrain.height_km,
            }
            drawn = {name: store.read(name, world_id) for name in MAP_TABLES if name in keys}
            geojson = drawing.submit(world_geojson, drawn, **size)
            map_png = drawing.submit(world_map_png, drawn, **size)
            tables = {
                name: drawn[name] if name in drawn else store.read(name, world_id) for name in keys
            }
        snapshots_dir = Path(out_dir) if out_dir else Settings(home=Path(home)).snapshots_dir
        path = write_snapshot(
            snapshots_dir=snapshots_dir,
            meta=SnapshotMeta(
                world_id=world_id,
                world_name=world.name,
                seed=world.config.seed,
                preset=world.config.preset,
                config_hash=world.config.config_hash(),
                code_version=code_version(),
                tick=world.tick,
            ),
            tables={
                name: _table_data(
                    TABLES[name], frame.select(pl.lit(world_id).alias("world_id"), pl.all())
                )
                for name, frame in tables.items()
            },
            # Written after the tables, as the drawings end.
            geojson=geojson.result,
            map_png=map_png.result,
        )
    get_run_logger().info("snapshot %s", path)
    return str(path)


@task(
    name="upload-snapshot",
    cache_policy=NO_CACHE,
    task_run_name="upload-snapshot · {to}",
    # A store's hiccup is worth another try: an upload is all-or-nothing and idempotent.
    retries=2,
    retry_delay_seconds=[2, 10],
)
def upload_snapshot(*, snapshot: str, to: str) -> str:
    """Publish the snapshot folder on shared storage (`s3://bucket/prefix`, any fsspec URL;
    credentials and endpoint from the store's usual environment); returns its URL."""
    url = publish_snapshot(snapshot, to)
    get_run_logger().info("snapshot %s", url)
    return url


def _table_data(table: Table, frame: pl.DataFrame) -> TableData:
    """A table's rows with the data dictionary's description of it and its columns."""
    key = table.world_key
    return TableData(
        frame=frame,
        # `worlds` has one row per world: the snapshot keys it by its (implicit) world.
        primary_key=("world_id", *(key or ("name",))),
        description=table.description,
        columns=tuple(
            ColumnDoc(column.name, column.description, column.unit, nullable=column.nullable)
            for column in table.columns
        ),
        references=tuple(
            ReferenceEntry(ref.column, ref.table, ref.target) for ref in table.references
        ),
    )
