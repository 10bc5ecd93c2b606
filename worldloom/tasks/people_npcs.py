"""The people stage's NPCs in batches of whole regions: the batches, their draws (run side by
side, on threads or Dask workers, each writing its rows to a Parquet file of its own, as DuckDB
has one writer) and the one task that saves them all.

The draws never open the world's database: the task that plans the batches leaves what they
read (the world's record, its settlements, cultures and population) in Parquet files beside
them, so the run keeps its world open throughout (a Dask worker could not open a file another
process writes) and a worker's batch reads a few small files rather than the database."""

from __future__ import annotations

import json
import os
import shutil
from functools import lru_cache
from pathlib import Path

import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from worldloom.systems.people import (
    NamePool,
    batch_regions,
    generate_npcs,
    name_pool,
    npc_schema,
    plan_npcs,
    sort_population,
)
from worldloom.systems.people.culture import Culture
from worldloom.systems.rng import Seeds
from worldloom.tasks.people import (
    CULTURE_TABLES,
    GENERATED,
    Stored,
    people_tables,
    read_stored,
    save,
)
from worldloom.tasks.world_record import WorldRecord

NPCS_PER_BATCH = 2_000
"""A batch closes once its regions plan this many NPCs (or a `MAX_BATCHES`th of the world's):
never a task per settlement."""
MAX_BATCHES = 32
"""At most about this many batches a world (unless the flow asks for fewer): each reads the
stage's tables again, so a large world draws in batches of tens of thousands rather than in
hundreds of small ones."""

DRAWN_FROM = ("settlements", *CULTURE_TABLES, "population_groups")
"""The tables a batch draws from (with the world's record), staged for the batches."""

BatchResult = dict[str, str | int]
"""What a batch hands on: the Parquet file its rows are in (`path`) and how many (`rows`)."""


def staging_dir(home: str, world_id: str) -> Path:
    """Where the batches leave their rows until they are saved (under the home, so a Dask
    worker on this machine finds it)."""
    return Path(home) / "staging" / world_id


@task(name="people-npc-batches", cache_policy=NO_CACHE)
def plan_npc_batches(*, home: str, world_id: str, most: int = MAX_BATCHES) -> list[list[int]]:
    """The regions each NPC batch draws, in region order: batches of `NPCS_PER_BATCH` NPCs, or
    of a `most`th of the world's if that is larger (whole regions, so about `most` at most).
    What the batches read is staged for them (`staged_inputs`)."""
    stored = read_stored(home, world_id, DRAWN_FROM[1:])
    _stage_inputs(home, world_id, stored)
    places = stored.places()
    plan = _plan(stored)
    size = max(NPCS_PER_BATCH, -(-int(plan["npcs"].sum()) // max(1, most)))
    return [list(b) for b in batch_regions(plan, places, npcs_per_batch=size)]


@task(name="people-npcs", cache_policy=NO_CACHE)
def draw_npc_batch(*, home: str, world_id: str, regions: list[int]) -> BatchResult:
    """Draw the NPCs of the settlements in `regions` and leave them in a Parquet file of the
    batch's own (written whole, then renamed into place)."""
    stored = staged_inputs(home, world_id)
    tables = people_tables()
    places = stored.places()
    mine = places.filter(pl.col("region_id").is_in(regions))["settlement_id"]
    plan = _plan(stored).filter(pl.col("settlement_id").is_in(mine.implode()))
    population = stored.rows["population_groups"].filter(
        pl.col("settlement_id").is_in(mine.implode())
    )
    npcs = generate_npcs(
        places,
        sort_population(population.drop("tick"), tables.characters),
        seeds=stored.seeds,
        plan=plan,
        table=tables.characters,
        names=[_name_pool(stored.world.config.seed, c) for c in stored.cultures().cultures],
    )
    folder = staging_dir(home, world_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"npcs-regions-{regions[0]}-{regions[-1]}.parquet"
    partial = path.with_suffix(".partial")
    npcs.write_parquet(partial)
    os.replace(partial, path)
    return {"path": str(path), "rows": npcs.height}


@task(name="people-save-npcs", cache_policy=NO_CACHE)
def save_npcs(*, home: str, world_id: str, batches: list[BatchResult]) -> dict[str, int]:
    """Save every batch's NPCs in one transaction, in id order, whatever order they ran in."""
    drawn = [pl.read_parquet(str(batch["path"])) for batch in batches]
    schema = npc_schema(people_tables().characters)
    npcs = pl.concat(drawn) if drawn else pl.DataFrame(schema=schema)
    written = save(home, world_id, {"npcs": npcs.sort("npc_id").with_columns(GENERATED)})
    get_run_logger().info("people: %d NPCs from %d batches", written["npcs"], len(batches))
    return written


def _inputs_dir(home: str, world_id: str) -> Path:
    return staging_dir(home, world_id) / "inputs"


def _stage_inputs(home: str, world_id: str, stored: Stored) -> None:
    """Leave `stored` (the world's record and the `DRAWN_FROM` tables) for the batches: each
    table in a Parquet file, the record in `world.json`, written whole and renamed into place,
    the record last (a folder without it is not staged)."""
    folder = _inputs_dir(home, world_id)
    folder.mkdir(parents=True, exist_ok=True)
    for name in DRAWN_FROM:
        partial = folder / f"{name}.partial"
        stored.rows[name].write_parquet(partial)
        os.replace(partial, folder / f"{name}.parquet")
    partial = folder / "world.partial"
    partial.write_text(json.dumps(stored.world.as_row()))
    os.replace(partial, folder / "world.json")


def staged_inputs(home: str, world_id: str) -> Stored:
    """What `plan_npc_batches` staged for the batches, as `read_stored` would have read it.

    Raises:
        FileNotFoundError: nothing is staged for the world (its batches were not planned in
            this generation).
    """
    folder = _inputs_dir(home, world_id)
    world = WorldRecord.from_row(json.loads((folder / "world.json").read_text()))
    return Stored(world, {name: pl.read_parquet(folder / f"{name}.parquet") for name in DRAWN_FROM})


def clear_staging(home: str, world_id: str) -> None:
    """Remove the batches' files (once the stage is done, or before a fresh generation)."""
    shutil.rmtree(staging_dir(home, world_id), ignore_errors=True)


def _plan(stored: Stored) -> pl.DataFrame:
    """The whole world's NPC plan (ids run on over all settlements, so every batch needs it)."""
    return plan_npcs(
        stored.places(),
        target_npcs=stored.world.config.population.npcs,
        table=people_tables().characters,
    )


@lru_cache(maxsize=256)
def _name_pool(seed: int, culture: Culture) -> NamePool:
    """A culture's names, drawn once a process: every batch of a world draws the same pools (a
    large world's ~30 batches each drew every culture's: ~2 s of Markov names)."""
    return name_pool(culture, seeds=Seeds(seed), name_bases=people_tables().name_bases)
