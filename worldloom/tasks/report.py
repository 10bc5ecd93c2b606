"""World reports: the Polars summary, read from the store, published as Prefect artifacts."""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from worldloom.infrastructure.analytics import (
    EconomySummary,
    PeopleSummary,
    WorldSummary,
    markdown_text,
    summarize_economy,
    summarize_people,
    summarize_world,
)
from worldloom.infrastructure.cartography.price_chart import render_price_chart
from worldloom.infrastructure.settings import Settings
from worldloom.infrastructure.store import open_store
from worldloom.tasks import catalog
from worldloom.tasks.world import load_world, world_db


def world_summary(home: str, world_id: str) -> tuple[str, WorldSummary]:
    """The world's name and summary, read from its database (read-only)."""
    with open_store(world_db(home, world_id), read_only=True) as store:
        world = load_world(store, world_id)
        tables = {
            name: store.read(name, world_id)
            for name in ("cells", "regions", "biomes", "rivers", "lakes")
        }
        lore = str(store.read("worlds", world_id)["lore"][0])
    return world.name, summarize_world(**tables, lore=lore)


def people_summary(home: str, world_id: str) -> PeopleSummary | None:
    """Population pyramid, culture/religion shares and faction power; None before people."""
    with open_store(world_db(home, world_id), read_only=True) as store:
        tables = {
            name: store.read(name, world_id)
            for name in ("population_groups", "cultures", "religions", "factions")
        }
    if tables["population_groups"].height == 0:
        return None
    return summarize_people(
        **tables, age_bands=[band.key for band in catalog.character_table().age_bands]
    )


def economy_summary(home: str, world_id: str) -> EconomySummary | None:
    """Price index, volatility, shortages, money, professions and trade; None before economy."""
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
    )


@task(name="publish-economy-report", cache_policy=NO_CACHE)
def publish_economy_report(*, home: str, world_id: str) -> str | None:
    """Publish the economy summary (markdown) and draw its price chart; returns the chart path."""
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
    create_markdown_artifact(
        markdown=f"# Economy of {world_id}\n\n{summary.markdown()}\nPrice chart: `{chart}`\n",
        key=f"{_artifact_key(world_id)}-economy",
        description=f"Prices, shortages, professions and trade of {world_id}",
    )
    return str(chart)


@task(name="publish-world-report", cache_policy=NO_CACHE)
def publish_world_report(*, home: str, world_id: str, snapshot: str) -> str:
    """Publish the world and people summaries (markdown) and regions and factions (tables)."""
    name, summary = world_summary(home, world_id)
    markdown = summary.markdown(title=f"{name} ({world_id})")
    markdown += f"\nSnapshot: `{Path(snapshot)}`\n"
    key = _artifact_key(world_id)
    create_markdown_artifact(
        markdown=markdown, key=f"{key}-summary", description=f"World summary of {name}"
    )
    create_table_artifact(
        table=summary.regions.to_dicts(),
        key=f"{key}-regions",
        description=f"Regions of {markdown_text(name)}",
    )
    people = people_summary(home, world_id)
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


def _artifact_key(world_id: str) -> str:
    """Artifact keys allow lowercase letters, digits and dashes only."""
    return "".join(c if c.isalnum() else "-" for c in world_id.lower())
