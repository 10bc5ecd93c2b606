"""Factions measured again at a year's end: the land states hold, their subjects and power."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

Int = np.ndarray[Any, np.dtype[np.int64]]
REGION_WEIGHT = 0.25
"""Power is sqrt(people) * (1 + this x regions held), as factions were founded with."""


def measure_factions(
    factions: pl.DataFrame,
    *,
    provinces: pl.DataFrame,
    region_area: pl.DataFrame,
    settlement_region: Int,
    population_start: Int,
    population_end: Int,
) -> pl.DataFrame:
    """The factions as the provinces and people now stand (`factions` left untouched).

    A state's territory is the provinces it holds (their count and area) and its people those
    living in them; any other faction seated in a settlement grows or shrinks with it (its
    members a steady share of the town), and bandits keep their bands. The state holding a
    seat follows the seat's region; a state stays its own. Power is recomputed from both.

    Args:
        factions: the factions table (faction_id, kind, seat_settlement_id, seat_region_id,
            state_id, people, territory_regions, territory_km2, power, ...).
        provinces: region_id -> faction_id of the state that holds it, as the year ends.
        region_area: region_id, area_km2.
        settlement_region: per settlement id, its region.
        population_start, population_end: per settlement id, its people as the year began
            and as it ends.
    """
    held = (
        provinces.join(region_area, on="region_id", how="left")
        .group_by("faction_id")
        .agg(pl.len().alias("_regions"), pl.col("area_km2").fill_null(0.0).sum().alias("_km2"))
    )
    holder = dict(provinces.select("region_id", "faction_id").rows())
    subjects: dict[int, int] = {}
    for region, people_there in zip(
        settlement_region.tolist(), population_end.tolist(), strict=True
    ):
        realm = holder.get(region)
        if realm is not None:
            subjects[realm] = subjects.get(realm, 0) + int(people_there)
    people: list[int] = []
    state: list[int | None] = []
    for row in factions.iter_rows(named=True):
        fid, seat = int(row["faction_id"]), row["seat_settlement_id"]
        if row["kind"] == "state":
            people.append(subjects.get(fid, 0))
            state.append(fid)
            continue
        state.append(holder.get(int(row["seat_region_id"])))
        if seat is None or population_start[seat] <= 0:
            people.append(int(row["people"]))
            continue
        scale = population_end[seat] / population_start[seat]
        people.append(max(1, round(int(row["people"]) * float(scale))) if scale > 0 else 0)
    is_state = pl.col("kind") == "state"
    return (
        factions.join(held, on="faction_id", how="left")
        .with_columns(
            pl.Series("people", people, dtype=pl.Int64),
            pl.Series("state_id", state, dtype=factions.schema["state_id"]),
            pl.when(is_state)
            .then(pl.col("_regions").fill_null(0))
            .otherwise(0)
            .cast(factions.schema["territory_regions"])
            .alias("territory_regions"),
            pl.when(is_state)
            .then(pl.col("_km2").fill_null(0.0))
            .otherwise(0.0)
            .cast(factions.schema["territory_km2"])
            .alias("territory_km2"),
        )
        .with_columns(
            (
                pl.col("people").cast(pl.Float64).sqrt()
                * (1.0 + REGION_WEIGHT * pl.col("territory_regions"))
            )
            .cast(factions.schema["power"])
            .alias("power")
        )
        .select(factions.columns)
    )
