"""History analytics with Polars: the population's curve, events per year, wars, top events."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from worldloom.infrastructure.analytics.markdown import markdown_table

TIMELINE_KINDS = {
    "wars": ("war_declared",),
    "battles": ("battle",),
    "plagues": ("plague",),
    "famines": ("famine",),
    "successions": ("succession", "ruler_vacant"),
}
"""Timeline columns counting events of these types a year."""


@dataclass(frozen=True, slots=True)
class HistorySummary:
    """Tables of a world's history, each ready for a Prefect table artifact or a CLI table."""

    timeline: pl.DataFrame
    """year, population, births, deaths, migrants, and the events of TIMELINE_KINDS a year."""
    event_counts: pl.DataFrame
    """type, system-agnostic count of every event type, most frequent first."""
    top_events: pl.DataFrame
    """The most important events: tick, year, type, importance, actors, payload."""
    wars: pl.DataFrame
    """Wars declared: tick, year, faction_id, other_faction_id, payload."""

    def markdown(self) -> str:
        parts = [
            ("Timeline", self.timeline),
            ("Most important events", self.top_events),
            ("Wars", self.wars),
            ("Events by type", self.event_counts),
        ]
        return "\n\n".join(f"## {t}\n\n{markdown_table(f)}" for t, f in parts) + "\n"


def summarize_history(
    *,
    events: pl.DataFrame,
    population_history: pl.DataFrame,
    days_per_year: int,
    top: int = 15,
) -> HistorySummary:
    """A world's history from its events and population accounts."""
    year = (pl.col("tick") // days_per_year).alias("year")
    people = population_history.group_by(year).agg(
        pl.col("population_end").sum().alias("population"),
        pl.col("births").sum(),
        pl.col("deaths").sum(),
        pl.col("emigrants").sum().alias("migrants"),
    )
    counts = [
        pl.col("type").is_in(list(types)).sum().alias(name)
        for name, types in TIMELINE_KINDS.items()
    ]
    per_year = events.group_by(year).agg(*counts) if events.height else None
    timeline = people
    if per_year is not None:
        timeline = people.join(per_year, on="year", how="full", coalesce=True)
    timeline = timeline.fill_null(0).sort("year")
    event_counts = (
        events.group_by("type")
        .agg(pl.len().alias("count"))
        .sort(["count", "type"], descending=[True, False])
        if events.height
        else pl.DataFrame({"type": [], "count": []}, schema={"type": pl.String, "count": pl.UInt32})
    )
    shown = [
        "tick",
        "type",
        "importance",
        "faction_id",
        "other_faction_id",
        "settlement_id",
        "npc_id",
        "payload",
    ]
    top_events = (
        events.sort(["importance", "event_id"], descending=[True, False])
        .head(top)
        .select(year, *shown)
    )
    wars = events.filter(pl.col("type") == "war_declared").select(
        year, "tick", "faction_id", "other_faction_id", "payload"
    )
    return HistorySummary(timeline, event_counts, top_events, wars)
