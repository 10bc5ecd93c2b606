"""The prose stage: region names and descriptions and world lore, rewritten through the LLM.

The regions stage already wrote procedural text; here each entity asks the LLM gateway
(cache -> provider -> that procedural text as the fallback), so a dead or slow provider costs
nothing but the prose. Every call is recorded in `llm_calls`.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path
from typing import Any

import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from worldloom.infrastructure.llm import CallRecord, GatewayLimits, LLMGateway, open_gateway
from worldloom.infrastructure.settings import Settings
from worldloom.infrastructure.store import open_store, table_frame
from worldloom.prompts.lore import LORE_PROMPT, WorldFacts, WorldLore
from worldloom.prompts.region import REGION_PROMPT, RegionFacts, RegionText
from worldloom.systems.prose import rename_descriptions, rename_regions_in_tree, renamer
from worldloom.systems.region import describe_relief
from worldloom.systems.rng import Seeds
from worldloom.tasks.people_prose import PEOPLE_TABLES, returning, rewrite_people_prose
from worldloom.tasks.world import load_world, world_db

_LISTED = 12
"""The prompts take at most this many names per list (their facts models bound them)."""
_LORE_REGIONS = 24


def gateway_for(settings: Settings, provider: str) -> LLMGateway:
    """A gateway with the run's budgets, caching under the Worldloom home."""
    return open_gateway(
        provider,
        cache_dir=settings.llm_cache_dir,
        limits=GatewayLimits(
            max_calls=settings.llm_max_calls,
            max_tokens=settings.llm_max_tokens,
            timeout_s=settings.llm_timeout_s,
        ),
    )


@task(name="write-prose", cache_policy=NO_CACHE)
def write_prose_stage(*, home: str, world_id: str, llm: str, run_id: str) -> dict[str, int]:
    """Rewrite region names and descriptions and the world's lore through `llm`.

    Regions go one at a time, in id order, so each new name is checked against every name
    already in the world. Returns how many calls ended as llm / cache / fallback.
    """
    path = world_db(home, world_id)
    with open_store(path, read_only=True) as store:
        world = load_world(store, world_id)
        tables = {
            name: store.read(name, world_id)
            for name in (
                "regions",
                "rivers",
                "biomes",
                "worlds",
                "locations",
                "prose_baseline",
            )
        }
        tables |= {
            name: store.read(name, world_id, where=where) for name, where in PEOPLE_TABLES.items()
        }
    regions, rivers = tables["regions"], tables["rivers"]
    baseline = dict(
        tables["prose_baseline"].select("entity", pl.struct("name", "text")).iter_rows()
    )
    biome_names = {b: n.lower() for b, n in tables["biomes"].select("biome_id", "name").iter_rows()}
    river_names = dict(rivers.select("river_id", "name").iter_rows())
    seeds = Seeds(world.config.seed)
    entities = [f"region {region_id}" for region_id in regions["region_id"]]
    # Facts come from the procedural baseline, not from whatever a previous run renamed
    # things to: a re-run then asks the same questions and is answered from the cache.
    base_names = [baseline[entity]["name"] for entity in entities]
    names = list(base_names)
    descriptions = [baseline[entity]["text"] for entity in entities]
    with gateway_for(Settings(home=Path(home)), llm) as gateway:
        for index, row in enumerate(regions.iter_rows(named=True)):
            procedural = RegionText(name=base_names[index], description=descriptions[index])
            facts = _region_facts(
                row,
                base_names=base_names,
                names=names,
                index=index,
                biome_names=biome_names,
                river_names=river_names,
            )
            seed = int(seeds.stream("llm.region", row["seed_cell"]).integers(2**31))
            text = gateway.generate(
                REGION_PROMPT, facts, fallback=returning(procedural), seed=seed
            ).value
            names[index], descriptions[index] = text.name, text.description
        stored_lore = baseline["world"]["text"]
        # Our own stored text: the world name may be a user's free choice outside the LLM's
        # name pattern, and the lore was validated when it was written.
        lore_fallback = WorldLore.model_construct(world_name=world.name, lore=stored_lore)
        lore = gateway.generate(
            LORE_PROMPT,
            _world_facts(regions, base_names, biome_names, rivers),
            fallback=returning(lore_fallback),
            seed=int(seeds.stream("llm.world").integers(2**31)),
        ).value.lore
        entities.append("world")
        people = None
        if tables["people_prose_baseline"].height:  # the people stage has run
            people = rewrite_people_prose(
                gateway,
                tables,
                regions=regions.with_columns(pl.Series("name", base_names)),
                seeds=seeds,
            )
            entities.extend(people.entities)
        calls = gateway.drain_records()
    # Text (procedural or written from the facts) names regions as the baseline did; carry
    # the new names into every description and the lore so no text names a stale region.
    rename = renamer({old: new for old, new in zip(base_names, names, strict=True) if old != new})
    descriptions = [rename(text) for text in descriptions]
    lore = rename(lore)
    described = {} if people is None else rename_descriptions(people.tables, rename)
    with open_store(path) as store:
        store.replace_rows(
            world_id,
            {
                **described,
                "regions": regions.with_columns(
                    pl.Series("name", names), pl.Series("description", descriptions)
                ),
                "worlds": tables["worlds"].with_columns(pl.lit(lore).alias("lore")),
                "locations": rename_regions_in_tree(
                    tables["locations"], regions["region_id"], names
                ),
            },
        )
        store.append_rows(world_id, "llm_calls", call_rows(calls, run_id, entities))
    outcomes: dict[str, int] = dict(Counter(call.outcome for call in calls))
    get_run_logger().info("prose via %s: %s", llm, outcomes)
    return outcomes


def _region_facts(
    row: dict[str, Any],
    *,
    base_names: list[str],
    names: list[str],
    index: int,
    biome_names: dict[int, str],
    river_names: dict[int, str],
) -> RegionFacts:
    return RegionFacts(
        biome=biome_names[row["dominant_biome_id"]],
        climate=row["climate"],
        terrain=describe_relief(
            mean_elevation_m=row["mean_elevation_m"], max_elevation_m=row["max_elevation_m"]
        ),
        coastal=row["coastal"],
        danger_level=row["danger_level"],
        neighbours=tuple(base_names[n] for n in row["neighbors"][:_LISTED]),
        rivers=tuple(river_names[r] for r in row["rivers"][:_LISTED]),
        resources=tuple(r.replace("_", " ") for r in row["resources"][:_LISTED]),
        # Every other region's name, as written so far this run: a new name must differ.
        used_names=tuple(name for i, name in enumerate(names) if i != index),
    )


def _world_facts(
    regions: pl.DataFrame, names: list[str], biome_names: dict[int, str], rivers: pl.DataFrame
) -> WorldFacts:
    largest = regions.with_columns(pl.Series("name", names)).sort(
        ["area_km2", "region_id"], descending=[True, False]
    )
    return WorldFacts(
        regions=tuple(largest["name"][:_LORE_REGIONS]),
        biomes=tuple(dict.fromkeys(biome_names[b] for b in largest["dominant_biome_id"]))[:_LISTED],
        climates=tuple(dict.fromkeys(largest["climate"]))[:8],
        rivers=tuple(
            rivers.sort(["discharge_m3s", "river_id"], descending=[True, False])["name"][:_LISTED]
        ),
    )


def call_rows(calls: list[CallRecord], run_id: str, entities: list[str]) -> pl.DataFrame:
    """The run's `llm_calls` rows: each call's record, under the entity it was made for."""
    if len(calls) != len(entities):  # the gateway records exactly one call per generate()
        raise RuntimeError(f"{len(calls)} call records for {len(entities)} entities")
    records = {
        field.name: [getattr(call, field.name) for call in calls]
        for field in dataclasses.fields(CallRecord)
    }
    return table_frame(
        "llm_calls",
        {
            "run_id": [run_id] * len(calls),
            "call_seq": range(len(calls)),
            "stage": ["prose"] * len(calls),
            "entity": entities,
            **records,
        },
    )
