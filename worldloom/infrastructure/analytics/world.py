"""World analytics with Polars: a world's summary, area by biome, and region statistics."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from worldloom.infrastructure.analytics.markdown import (
    format_number,
    markdown_table,
    markdown_text,
)


@dataclass(frozen=True, slots=True)
class WorldSummary:
    """Headline figures plus two tables, as shown by `worldloom report` and flow artifacts."""

    overview: dict[str, int | float | str]
    biome_area: pl.DataFrame
    """biome, area_km2, land_share (0-1), cells; largest first."""
    regions: pl.DataFrame
    """One row per region: name, area, climate, dominant biome, danger, resources; largest first."""
    lore: str = ""

    def markdown(self, *, title: str) -> str:
        lines = [f"# {markdown_text(title)}", ""]
        if self.lore:
            lines += [f"> {markdown_text(self.lore)}", ""]
        lines += ["| figure | value |", "|---|---|"]
        lines += [
            f"| {markdown_text(key)} | {markdown_text(format_number(value))} |"
            for key, value in self.overview.items()
        ]
        lines += ["", "## Area by biome", "", markdown_table(self.biome_area)]
        lines += ["", "## Regions", "", markdown_table(self.regions)]
        return "\n".join(lines) + "\n"


def summarize_world(
    *,
    cells: pl.DataFrame,
    regions: pl.DataFrame,
    biomes: pl.DataFrame,
    rivers: pl.DataFrame,
    lakes: pl.DataFrame,
    lore: str = "",
) -> WorldSummary:
    """Summarise a world from its stored tables (as read from the store or a snapshot)."""
    land = cells.filter(pl.col("is_land"))
    land_area = float(land["area_km2"].sum())
    total_area = float(cells["area_km2"].sum())
    biome_area = (
        land.group_by("biome_id")
        .agg(pl.col("area_km2").sum(), pl.len().alias("cells"))
        .join(biomes.select("biome_id", pl.col("name").alias("biome")), on="biome_id")
        .with_columns(
            (pl.col("area_km2") / land_area if land_area else pl.lit(0.0)).alias("land_share")
        )
        .sort(["area_km2", "biome_id"], descending=[True, False])
        .select("biome", pl.col("area_km2").round(0), pl.col("land_share").round(4), "cells")
    )
    region_table = (
        regions.join(
            biomes.select(
                pl.col("biome_id").alias("dominant_biome_id"),
                pl.col("name").alias("dominant_biome"),
            ),
            on="dominant_biome_id",
        )
        .sort(["area_km2", "region_id"], descending=[True, False])
        .select(
            "region_id",
            "name",
            pl.col("area_km2").round(0),
            "climate",
            "dominant_biome",
            "danger_level",
            pl.col("resources").list.join(", ").alias("resources"),
            pl.col("neighbors").list.len().alias("neighbours"),
        )
    )
    overview: dict[str, int | float | str] = {
        "cells": cells.height,
        "land share": round(land_area / total_area, 4) if total_area else 0.0,
        "land area km2": round(land_area),
        "regions": regions.height,
        "rivers": rivers.height,
        "lakes": lakes.height,
    }
    if rivers.height:
        longest = rivers.sort(["length_km", "river_id"], descending=[True, False]).row(
            0, named=True
        )
        overview["longest river"] = f"{longest['name']} ({longest['length_km']:.0f} km)"
    if regions.height:
        stats = regions.select(
            pl.col("area_km2").median().alias("median"),
            pl.col("danger_level").mean().alias("danger"),
        ).row(0)
        overview["median region km2"] = round(stats[0])
        overview["mean danger"] = round(stats[1], 2)
    return WorldSummary(overview, biome_area, region_table, lore)


def summarize_llm_calls(calls: pl.DataFrame) -> dict[str, str]:
    """Recorded LLM calls in figures: outcomes, cache hit rate, fallbacks by reason, latency."""
    if calls.height == 0:
        return {"recorded calls": "0"}
    outcomes = dict(calls.group_by("outcome").len().sort("outcome").iter_rows())
    reasons = dict(
        calls.filter(pl.col("fallback_reason").is_not_null())
        .group_by("fallback_reason")
        .len()
        .sort("fallback_reason")
        .iter_rows()
    )
    figures = calls.select(
        pl.col("cache_hit").mean().alias("hit_rate"),
        pl.col("latency_ms").filter(pl.col("outcome") == "llm").median().alias("latency"),
    ).row(0, named=True)
    latency = figures["latency"]
    return {
        "recorded calls": f"{calls.height:,}",
        "outcomes": ", ".join(f"{k}={v}" for k, v in outcomes.items()),
        "cache hit rate": f"{figures['hit_rate']:.0%}",
        "fallback reasons": ", ".join(f"{k}={v}" for k, v in reasons.items()) or "none",
        "median model latency": "n/a" if latency is None else f"{latency:,.0f} ms",
        "tokens": f"{int(calls['prompt_tokens'].sum()):,} prompt, "
        f"{int(calls['completion_tokens'].sum()):,} completion",
    }
