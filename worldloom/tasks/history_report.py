"""The simulate flow's small tasks: where a run is to end, and the history report (a markdown
artifact, an events table and the timeline chart)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from worldloom.infrastructure.analytics.history import HistorySummary, summarize_history
from worldloom.infrastructure.cartography.history_chart import render_timeline_chart
from worldloom.infrastructure.settings import Settings
from worldloom.infrastructure.store import StoreError, open_store
from worldloom.tasks import catalog
from worldloom.tasks.world_record import load_world, world_db

MAX_DAYS = 365 * 10_000
"""The longest run asked for at once (ten thousand years): beyond it is a typo."""


def check_duration(*, days: int | None, until_tick: int | None) -> None:
    """Exactly one of a positive number of days (at most `MAX_DAYS`) or a target tick.

    Raises:
        ValueError: neither, both, or a duration out of range.
    """
    if (days is None) == (until_tick is None):
        raise ValueError("give exactly one of --years, --days or --until-tick")
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise ValueError(f"--days must be 1 to {MAX_DAYS} (10,000 years), got {days}")
    if until_tick is not None and not 0 <= until_tick <= MAX_DAYS:
        raise ValueError(f"--until-tick must be 0 to {MAX_DAYS}, got {until_tick}")


def check_years(years: int, *, days_per_year: int) -> None:
    """A positive number of years, at most `MAX_DAYS` days in all.

    Raises:
        ValueError: a number of years out of range, named as the user gave it.
    """
    most = MAX_DAYS // days_per_year
    if not 1 <= years <= most:
        raise ValueError(f"--years must be 1 to {most:,}, got {years}")


@task(name="simulation-target", cache_policy=NO_CACHE)
def simulation_target(
    *, home: str, world_id: str, days: int | None, until_tick: int | None
) -> tuple[int, int]:
    """The world's tick and the tick the run ends at (its tick + `days`, or `until_tick`).

    Raises:
        ValueError: a bad duration (see `check_duration`).
        StoreError: the world has no people or economy yet, or is past `until_tick`.
    """
    check_duration(days=days, until_tick=until_tick)
    with open_store(world_db(home, world_id), read_only=True) as store:
        tick = load_world(store, world_id).tick
        ready = (
            # Counted, not read: a world made before the tables it reads gained columns opens
            # read-only unmigrated (the first segment's write migrates it).
            store.next_id("population_groups", world_id, "settlement_id") > 0
            and store.next_id("economy_agents", world_id, "agent_id") > 0
        )
    if not ready:
        raise StoreError(
            f"world {world_id!r} has no people or no economy yet: generate it (or run its "
            "people and economy stages) before simulating"
        )
    until = tick + days if days is not None else int(until_tick or 0)
    if until < tick:
        raise StoreError(f"world {world_id!r} is already at tick {tick}, past {until}")
    return tick, until


def history_summary(home: str, world_id: str) -> HistorySummary | None:
    """The world's history; None before it has lived a year."""
    with open_store(world_db(home, world_id), read_only=True) as store:
        events = store.read("events", world_id)
        population = store.read("population_history", world_id)
    if population.height == 0:
        return None
    return summarize_history(
        events=events,
        population_history=population,
        days_per_year=catalog.calendar().days_per_year,
    )


@task(name="publish-history-report", cache_policy=NO_CACHE)
def publish_history_report(*, home: str, world_id: str) -> str | None:
    """Publish the timeline (markdown), the most important events (a table) and draw the
    timeline chart; returns the chart's path."""
    summary = history_summary(home, world_id)
    if summary is None:
        return None
    last_year = int(summary.timeline["year"].cast(pl.Int64).max() or 0)  # type: ignore[arg-type]
    folder = Settings(home=Path(home)).reports_dir / world_id
    folder.mkdir(parents=True, exist_ok=True)
    chart = render_timeline_chart(
        summary.timeline,
        folder / f"timeline-year{last_year:05d}.png",
        title=f"History of {world_id} to year {last_year}",
    )
    key = "".join(c if c.isalnum() else "-" for c in world_id.lower())
    create_markdown_artifact(
        markdown=f"# History of {world_id}\n\n{summary.markdown()}\nTimeline chart: `{chart}`\n",
        key=f"{key}-history",
        description=f"Population, wars and the most important events of {world_id}",
    )
    create_table_artifact(
        table=summary.top_events.to_dicts(),
        key=f"{key}-top-events",
        description=f"The most important events of {world_id}",
    )
    return str(chart)
