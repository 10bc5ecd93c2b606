"""Steering by motif: which arcs a reader sees first, and the tone a place's prompts take."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from worldloom.systems.narrative.motif.score import MotifScores

STATUS_FACTOR = {"complete": 1.0, "in_progress": 0.8, "ended": 0.6}
"""How much an arc's status weighs: a finished story first, then one still unfolding."""
RECENCY_DAYS = 3650.0
"""An arc this many days older than the newest arc counts half as much (10 years)."""


@dataclass(frozen=True, slots=True)
class Tone:
    """The dominant motifs of a scope, strongest first, and a phrase for prompts."""

    motifs: tuple[str, ...]
    phrase: str


def scope_scores(scores: MotifScores, *, region_id: int | None) -> pl.DataFrame:
    """The motif scores of a region (motif, score, events), or the world's when `region_id`
    is None or the region has none."""
    if region_id is not None:
        region = scores.regions.filter(pl.col("region_id") == region_id)
        if region.height:
            return region.drop("region_id")
    return scores.world


def surface_arcs(
    arcs: pl.DataFrame, scores: MotifScores, *, region_id: int | None, k: int
) -> pl.DataFrame:
    """The `k` arcs a reader of a scope should see first, highest priority first.

    priority = importance x (1/2 + fit/2) x status x recency, where

    - fit (0..1) is how well the arc's themes match the scope's (the region's, else the
      world's): the mean of its themes' scope scores weighted 1, 1/2, 1/3... by rank, over
      the scope's top score (an arc of the scope's leading theme alone has fit 1);
    - status is 1 for a complete arc, 0.8 in progress, 0.6 ended (`STATUS_FACTOR`);
    - recency is `0.5 ** ((newest last_tick - last_tick) / RECENCY_DAYS)`.

    Ties go to the later arc, then the smaller arc_id.

    Args:
        arcs: `arcs` rows with `motifs` filled (`MotifScores.arcs`).
        scores: The motif scores.
        region_id: The scope: a region, or None for the whole world.
        k: How many arcs to return (all when fewer).

    Returns:
        The chosen arcs' rows, with `fit` and `priority` columns added.
    """
    scope = scope_scores(scores, region_id=region_id)
    top = float(scope["score"].max()) if scope.height else 0.0  # type: ignore[arg-type]
    weights = pl.DataFrame(
        {"motif": scope["motif"], "motif_score": scope["score"] / top if top else scope["score"]}
    )
    themes = (
        arcs.select("arc_id", "motifs")
        .explode("motifs")
        .drop_nulls("motifs")
        .with_columns((1.0 / (pl.int_range(pl.len()).over("arc_id") + 1)).alias("rank_weight"))
        .join(weights, left_on="motifs", right_on="motif", how="left")
        .group_by("arc_id")
        .agg(
            (
                (pl.col("motif_score").fill_null(0.0) * pl.col("rank_weight")).sum()
                / pl.col("rank_weight").sum()
            ).alias("fit")
        )
    )
    newest = pl.col("last_tick").max()
    recency = pl.lit(0.5).pow((newest - pl.col("last_tick")).cast(pl.Float64) / RECENCY_DAYS)
    status = pl.col("status").replace_strict(STATUS_FACTOR, default=0.6, return_dtype=pl.Float64)
    return (
        arcs.join(themes, on="arc_id", how="left")
        .with_columns(pl.col("fit").fill_null(0.0))
        .with_columns(
            (
                pl.col("importance").cast(pl.Float64) * (0.5 + pl.col("fit") / 2) * status * recency
            ).alias("priority")
        )
        .sort(["priority", "last_tick", "arc_id"], descending=[True, True, False])
        .head(k)
    )


def tone(scores: MotifScores, *, region_id: int | None) -> Tone:
    """The dominant motifs of a region (or the world's when None or it has no scores) and
    their tone words joined, e.g. `Tone(("war", "plague"), "war-weary, grim")`.

    A motif is dominant when it scores at least `dominant_share` of the top motif's score;
    at most `dominant_max` are named (the motif table's settings). A scope with no motif is
    the table's `quiet_tone`.
    """
    table = scores.table
    scope = scope_scores(scores, region_id=region_id).sort(
        ["score", "motif"], descending=[True, False]
    )
    if not scope.height:
        return Tone((), table.quiet_tone)
    top = float(scope["score"][0])
    dominant = tuple(
        str(m)
        for m in scope.filter(pl.col("score") >= top * table.dominant_share)["motif"].head(
            table.dominant_max
        )
    )
    return Tone(dominant, ", ".join(table.tone_of(m) for m in dominant))
