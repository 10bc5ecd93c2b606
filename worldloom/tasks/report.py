"""World reports: the Polars summary, read from the store, published as Prefect artifacts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

from worldloom.infrastructure.analytics import (
    EconomySummary,
    GearSummary,
    PeopleSummary,
    WorldSummary,
    markdown_text,
    summarize_economy,
    summarize_gear,
    summarize_people,
    summarize_world,
)
from worldloom.infrastructure.cartography.preview import markdown_image
from worldloom.infrastructure.cartography.price_chart import render_health_chart, render_price_chart
from worldloom.infrastructure.settings import Settings
from worldloom.infrastructure.snapshot import MAP_FILE
from worldloom.infrastructure.store import open_store
from worldloom.systems.gear import (
    DANGER_LEVELS,
    ItemMaker,
    Pricing,
    expected_room_value,
    loot_rooms,
)
from worldloom.tasks import catalog
from worldloom.tasks.world_record import load_world, world_db

_WORLD_READS: dict[str, tuple[str, ...] | None] = {
    "cells": ("cell_id", "area_km2", "is_land", "biome_id"),
    "regions": None,
    "biomes": None,
    "rivers": ("river_id", "name", "length_km"),
    "lakes": ("lake_id",),
}
"""What the world summary reads: not the cells' neighbours nor the rivers' and lakes' cells."""
_PEOPLE_TABLES = ("population_groups", "cultures", "religions", "factions")


def world_summary(home: str, world_id: str) -> tuple[str, WorldSummary]:
    """The world's name and summary, read from its database (read-only)."""
    name, summary, _ = world_and_people_summaries(home, world_id, people=False)
    return name, summary


def people_summary(home: str, world_id: str) -> PeopleSummary | None:
    """Population pyramid, culture/religion shares and faction power; None before people."""
    with open_store(world_db(home, world_id), read_only=True) as store:
        tables = {name: store.read(name, world_id) for name in _PEOPLE_TABLES}
    return _people_summary(tables)


def world_and_people_summaries(
    home: str, world_id: str, *, people: bool = True
) -> tuple[str, WorldSummary, PeopleSummary | None]:
    """The world's name, its summary and (with `people`) its people's, read in one read-only
    open of its database (an open costs about a tenth of a second)."""
    with open_store(world_db(home, world_id), read_only=True) as store:
        world = load_world(store, world_id)
        tables = {
            name: store.read(name, world_id, columns=columns)
            for name, columns in _WORLD_READS.items()
        }
        lore = str(store.read("worlds", world_id)["lore"][0])
        groups = {name: store.read(name, world_id) for name in _PEOPLE_TABLES} if people else {}
    summary = summarize_world(**tables, lore=lore)
    return world.name, summary, _people_summary(groups) if people else None


def _people_summary(tables: dict[str, pl.DataFrame]) -> PeopleSummary | None:
    if tables["population_groups"].height == 0:
        return None
    return summarize_people(
        **tables, age_bands=[band.key for band in catalog.character_table().age_bands]
    )


def economy_summary(home: str, world_id: str) -> EconomySummary | None:
    """Health by year, price index, volatility, shortages, money, professions and trade; None
    before economy."""
    with open_store(world_db(home, world_id), read_only=True) as store:
        tables = {
            name: store.read(name, world_id)
            for name in (
                "market_prices",
                "role_stats",
                "money_supply",
                "economy_ledger",
                "caravans",
                "goods",
                "economy_health",
            )
        }
    if tables["market_prices"].height == 0:
        return None
    return summarize_economy(
        prices=tables["market_prices"],
        roles=tables["role_stats"],
        money=tables["money_supply"],
        ledger=tables["economy_ledger"],
        caravans=tables["caravans"],
        goods=tables["goods"],
        health=tables["economy_health"],
    )


_GEAR_READS: dict[str, tuple[str, ...] | None] = {
    "pois": None,
    "sublocations": None,
    "poi_loot": None,
    "encounters": None,
    "npcs": ("npc_id", "profession"),
    "stat_blocks": ("npc_id", "level", "hp", "ac"),
    "equipment": ("npc_id", "slot", "value"),
    "casters": None,
    "artifacts": None,
    "item_history": None,
    "market_goods": None,
    "recipes": None,
}
"""What the gear summary reads: only the columns it uses of the tables with a row per NPC
(or several: equipment), the largest a world has."""


def gear_summary(home: str, world_id: str) -> GearSummary | None:
    """Loot and difficulty curves, professions at arms, magic, artifacts; None before gear."""
    with open_store(world_db(home, world_id), read_only=True) as store:
        tables = {
            name: store.read(name, world_id, columns=columns)
            for name, columns in _GEAR_READS.items()
        }
    if tables["stat_blocks"].height == 0:
        return None
    pois, subs = tables["pois"], tables["sublocations"]
    rooms = loot_rooms(pois, subs)
    recipes = tables["recipes"]
    daily = (recipes["labor"] / recipes["time"]).to_numpy()
    wage = float(np.median(daily)) if daily.size else 1.0
    return summarize_gear(
        pois=pois,
        rooms=rooms.select("sublocation_id", "poi_id"),
        poi_loot=tables["poi_loot"],
        encounters=tables["encounters"],
        npcs=tables["npcs"],
        stat_blocks=tables["stat_blocks"],
        equipment=tables["equipment"],
        casters=tables["casters"],
        artifacts=tables["artifacts"],
        item_history=tables["item_history"],
        expected_loot=_expected_loot(rooms, tables["market_goods"]),
        day_wage=wage,
    )


def _expected_loot(rooms: pl.DataFrame, market_goods: pl.DataFrame) -> pl.DataFrame:
    """The loot table's expected copper per room at each danger, over the world's mix of room
    and site kinds, at the mean of its markets' prices."""
    goods = catalog.goods_table()
    pricing = Pricing.from_market_goods(market_goods, goods=goods)
    maker = ItemMaker.build(goods, gear=catalog.gear_table(), magic=catalog.magic_table())
    mix = rooms.group_by("poi_kind", "room_kind").len().rows()
    total = sum(count for _, _, count in mix) or 1
    curve = sum(
        (
            count
            * expected_room_value(
                catalog.loot_table(),
                goods=goods,
                maker=maker,
                unit_price=pricing.price.mean(axis=0),
                price_index=pricing.index,
                poi_kind=kind,
                room_kind=room,
            )
            for kind, room, count in mix
        ),
        start=np.zeros(DANGER_LEVELS),
    )
    dangers = np.arange(1, DANGER_LEVELS + 1, dtype=np.int32)
    return pl.DataFrame({"danger": dangers, "expected_copper": curve / total})


@task(
    name="publish-gear-report",
    cache_policy=NO_CACHE,
    task_run_name="publish-gear-report · {world_id}",
)
def publish_gear_report(*, home: str, world_id: str) -> str | None:
    """Publish the gear summary (markdown) and the sites' difficulty (table)."""
    summary = gear_summary(home, world_id)
    if summary is None:
        return None
    markdown = f"# Gear, loot and encounters of {world_id}\n\n{summary.markdown()}"
    key = _artifact_key(world_id)
    create_markdown_artifact(
        markdown=markdown,
        key=f"{key}-gear",
        description=f"Loot value and encounter difficulty by danger in {world_id}",
    )
    create_table_artifact(
        table=summary.sites.to_dicts(),
        key=f"{key}-sites",
        description=f"Encounter difficulty and treasure per site of {world_id}",
    )
    return markdown


@task(
    name="publish-economy-report",
    cache_policy=NO_CACHE,
    task_run_name="publish-economy-report · {world_id}",
)
def publish_economy_report(*, home: str, world_id: str) -> str | None:
    """Publish the economy summary (markdown), its health by year (a table) and draw its
    price and health charts; returns the price chart's path."""
    summary = economy_summary(home, world_id)
    if summary is None:
        return None
    last_tick = int(summary.world_index["tick"].to_numpy().max(initial=0))
    folder = Settings(home=Path(home)).reports_dir / world_id
    folder.mkdir(parents=True, exist_ok=True)
    chart = render_price_chart(
        summary.world_index,
        summary.key_prices,
        folder / f"prices-tick{last_tick:06d}.png",
        title=f"Prices of {world_id} to day {last_tick}",
    )
    health_chart = render_health_chart(
        summary.health_series,
        folder / f"health-tick{last_tick:06d}.png",
        title=f"Economy health of {world_id} to day {last_tick}",
    )
    key = _artifact_key(world_id)
    charts = "\n\n".join(
        f"{markdown_image(title, path.read_bytes())}\n\n{title}: `{path}`"
        for title, path in (("Price chart", chart), ("Health chart", health_chart))
    )
    create_markdown_artifact(
        markdown=f"# Economy of {world_id}\n\n{summary.markdown()}\n{charts}\n",
        key=f"{key}-economy",
        description=f"Health, prices, shortages, professions and trade of {world_id}",
    )
    create_table_artifact(
        table=summary.health.to_dicts(),
        key=f"{key}-economy-health",
        description=f"Economy health by year of {world_id}",
    )
    return str(chart)


@task(
    name="publish-world-report",
    cache_policy=NO_CACHE,
    task_run_name="publish-world-report · {world_id}",
)
def publish_world_report(*, home: str, world_id: str, snapshot: str) -> str:
    """Publish the world and people summaries (markdown) and regions and factions (tables)."""
    name, summary, people = world_and_people_summaries(home, world_id)
    markdown = summary.markdown(title=f"{name} ({world_id})")
    markdown += f"\nSnapshot: `{snapshot}`\n"
    key = _artifact_key(world_id)
    create_markdown_artifact(
        markdown=markdown, key=f"{key}-summary", description=f"World summary of {name}"
    )
    create_table_artifact(
        table=summary.regions.to_dicts(),
        key=f"{key}-regions",
        description=f"Regions of {markdown_text(name)}",
    )
    if people is not None:
        create_markdown_artifact(
            markdown=f"# People of {markdown_text(name)}\n\n" + people.markdown(),
            key=f"{key}-people",
            description=f"Population pyramid, cultures, religions and factions of {name}",
        )
        create_table_artifact(
            table=people.factions.to_dicts(),
            key=f"{key}-factions",
            description=f"Strongest factions of {markdown_text(name)}",
        )
    return markdown


@task(name="publish-map", cache_policy=NO_CACHE, task_run_name="publish-map · {world_id}")
def publish_map(*, world_id: str, snapshot: str) -> str:
    """Publish the snapshot's map as a markdown artifact the UI shows as a picture."""
    markdown = f"# Map of {world_id}\n\n{_map_image(world_id, snapshot)}\n"
    create_markdown_artifact(
        markdown=markdown, key=f"{_artifact_key(world_id)}-map", description=f"Map of {world_id}"
    )
    return markdown


REPORTS: tuple[tuple[str, str], ...] = (
    ("summary", "World summary"),
    ("map", "Map"),
    ("regions", "Regions"),
    ("people", "People"),
    ("factions", "Factions"),
    ("economy", "Economy"),
    ("economy-health", "Economy health by year"),
    ("gear", "Gear, loot and encounters"),
    ("sites", "Sites"),
)
"""The artifacts of a world (key suffix, title) the overview links to, when they exist."""


@task(
    name="publish-world-overview",
    cache_policy=NO_CACHE,
    task_run_name="publish-world-overview · {world_id}",
)
def publish_world_overview(*, home: str, world_id: str, snapshot: str, location: str) -> str:
    """Publish, on the run that generated the world, its summary with the map and links to
    every report its stages published (which sit on the stages' own runs)."""
    name, summary = world_summary(home, world_id)
    key = _artifact_key(world_id)
    wanted = [f"{key}-{suffix}" for suffix, _ in REPORTS]
    with get_client(sync_client=True) as client:
        found = {
            artifact.key
            for artifact in client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=wanted))
            )
        }
    links = [
        f"- [{title}](/artifacts/key/{key}-{suffix})"
        for suffix, title in REPORTS
        if f"{key}-{suffix}" in found
    ]
    markdown = "\n\n".join(
        [
            f"# {markdown_text(name)} ({world_id})",
            _map_image(world_id, snapshot),
            "## Reports\n\n" + "\n".join(links),
            f"Snapshot: `{location}`",
            summary.markdown(title="Summary"),
        ]
    )
    create_markdown_artifact(
        markdown=markdown, key=f"{key}-world", description=f"{name}: summary, map and reports"
    )
    return markdown


def _map_image(world_id: str, snapshot: str) -> str:
    return markdown_image(f"Map of {world_id}", (Path(snapshot) / MAP_FILE).read_bytes())


def _artifact_key(world_id: str) -> str:
    """Artifact keys allow lowercase letters, digits and dashes only."""
    return "".join(c if c.isalnum() else "-" for c in world_id.lower())
