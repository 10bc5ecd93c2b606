"""Motif scores: the themes of the world, each region and each arc, weighed from their events."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from worldloom.systems.narrative.motif.table import MotifTable

MOTIFS_SCHEMA = pl.Schema({"motif": pl.String(), "score": pl.Float64(), "events": pl.Int32()})
"""The `motifs` table's rows (schema/narrative.py, MOTIFS)."""
REGION_MOTIFS_SCHEMA = pl.Schema(
    {"region_id": pl.Int32(), "motif": pl.String(), "score": pl.Float64(), "events": pl.Int32()}
)
"""The `region_motifs` table's rows (schema/narrative.py, REGION_MOTIFS)."""


@dataclass(frozen=True, slots=True)
class MotifScores:
    """The themes of a world's history.

    Attributes:
        world: `motifs` rows, strongest first; scores sum to 1 (no rows when no event
            carries a motif).
        regions: `region_motifs` rows by region, strongest first; each region's scores sum
            to 1. Events with no region count in the world's scores only.
        arcs: The arcs frame handed in, its `motifs` column filled: each arc's themes,
            strongest first (at most `MotifTable.arc_motifs`; empty when none of its events
            carries one).
        table: The motif table they were scored with (tone words, dominance).
    """

    world: pl.DataFrame
    regions: pl.DataFrame
    arcs: pl.DataFrame
    table: MotifTable


def score_motifs(
    *, table: MotifTable, events: pl.DataFrame, arcs: pl.DataFrame, arc_events: pl.DataFrame
) -> MotifScores:
    """Score every motif over the whole event log, per world, region and arc.

    An event carrying a motif adds `weight x importance_base ** (importance - 1)` to it (the
    heaviest carrier when several of one motif match); a scope's score for a motif is its
    share of the scope's total. All sums are of integers (weights in thousandths), so the
    result is exact and the same whatever the order of the rows: it depends only on the set
    of events, not on how they were read.

    Args:
        table: The motif table.
        events: The whole event log (columns event_id, type, importance, region_id, payload
            at least).
        arcs: The `arcs` rows; returned with `motifs` filled.
        arc_events: The `arc_events` rows (arc_id, event_id at least).

    Returns:
        The world's, the regions' and the arcs' motifs.
    """
    carried = carry_motifs(table=table, events=events)
    return MotifScores(
        world=_shares(carried, ()).select(MOTIFS_SCHEMA.names()).cast(MOTIFS_SCHEMA),
        regions=_shares(carried.filter(pl.col("region_id").is_not_null()), ("region_id",))
        .select(REGION_MOTIFS_SCHEMA.names())
        .cast(REGION_MOTIFS_SCHEMA),
        arcs=_arc_motifs(table, carried, arcs, arc_events),
        table=table,
    )


def carry_motifs(*, table: MotifTable, events: pl.DataFrame) -> pl.DataFrame:
    """Every (event, motif) an event carries: event_id, region_id, motif, say (an integer).

    Args:
        table: The motif table.
        events: Event rows (event_id, type, importance, region_id, payload).
    """
    carriers = pl.DataFrame(
        [
            (motif.key, c.event_type, c.weight, c.field, c.equals)
            for motif in table.motifs
            for c in motif.carriers
        ],
        schema={
            "motif": pl.String(),
            "type": pl.String(),
            "weight": pl.Int64(),
            "field": pl.String(),
            "equals": pl.String(),
        },
        orient="row",
    )
    rows = events.select(
        pl.col("event_id").cast(pl.Int64),
        pl.col("type").cast(pl.String),
        pl.col("importance").cast(pl.Int64),
        pl.col("region_id").cast(pl.Int32),
        pl.col("payload").cast(pl.String),
    ).join(carriers, on="type", how="inner")
    fields = sorted({c.field for m in table.motifs for c in m.carriers if c.field is not None})
    value = pl.coalesce(
        pl.lit(None, dtype=pl.String),
        *(
            pl.when(pl.col("field") == name).then(
                pl.col("payload").str.json_path_match(f"$.{name}")
            )
            for name in fields
        ),
    )
    matched = rows.filter(pl.col("field").is_null() | (value == pl.col("equals")))
    # Negative ids stand for "none" in some frames; treat them as no region.
    region = pl.when(pl.col("region_id") >= 0).then(pl.col("region_id"))
    return (
        matched.group_by("event_id", "motif")
        .agg(
            region.first().alias("region_id"),
            pl.col("importance").first(),
            pl.col("weight").max(),
        )
        .select(
            "event_id",
            "region_id",
            "motif",
            (
                pl.col("weight")
                * pl.lit(table.importance_base, dtype=pl.Int64).pow(
                    pl.col("importance").clip(1, 10) - 1
                )
            ).alias("say"),
        )
    )


def _shares(carried: pl.DataFrame, keys: tuple[str, ...]) -> pl.DataFrame:
    sums = carried.group_by(*keys, "motif").agg(
        pl.col("say").sum(), pl.col("event_id").n_unique().alias("events")
    )
    total = pl.col("say").sum().over(keys) if keys else pl.col("say").sum()
    return sums.with_columns((pl.col("say") / total).alias("score")).sort(
        [*keys, "say", "motif"], descending=[*(False for _ in keys), True, False]
    )


def _arc_motifs(
    table: MotifTable, carried: pl.DataFrame, arcs: pl.DataFrame, arc_events: pl.DataFrame
) -> pl.DataFrame:
    ranked = (
        arc_events.select(pl.col("arc_id").cast(pl.Int64), pl.col("event_id").cast(pl.Int64))
        .unique()
        .join(carried.select("event_id", "motif", "say"), on="event_id", how="inner")
        .group_by("arc_id", "motif")
        .agg(pl.col("say").sum())
        .sort(["arc_id", "say", "motif"], descending=[False, True, False])
        .group_by("arc_id", maintain_order=True)
        .agg(pl.col("motif").head(table.arc_motifs).alias("themes"))
    )
    columns = arcs.columns
    return (
        arcs.join(ranked, on="arc_id", how="left")
        .with_columns(
            pl.col("themes").fill_null(pl.lit([], dtype=pl.List(pl.String))).alias("motifs")
        )
        .select(columns)
    )
