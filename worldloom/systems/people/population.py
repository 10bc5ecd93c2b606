"""Tier-1 population: every settlement's people counted by age band, sex, culture, religion and
profession, as Victoria 3's pops and Dwarf Fortress's abstract site populations."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from numpy.typing import NDArray

from worldloom.systems.people.character import CharacterTable
from worldloom.systems.people.culture import TIERS, CultureRules, Cultures
from worldloom.systems.region import RegionMap
from worldloom.systems.rng import Seeds

SEXES = ("female", "male")
NO_RELIGION = -1
SETTLEMENT_SCHEMA: dict[str, pl.DataType] = {
    "settlement_id": pl.Int32(),
    "region_id": pl.Int32(),
    "cell_id": pl.Int32(),
    "name": pl.String(),
    "tier": pl.String(),
    "population": pl.Int64(),
    "coastal": pl.Boolean(),
}
"""The settlements frame the places stage hands over (ids 0..n-1)."""
POPULATION_SCHEMA: dict[str, pl.DataType] = {
    "settlement_id": pl.Int32(),
    "age_band": pl.String(),
    "sex": pl.String(),
    "culture_id": pl.Int32(),
    "religion_id": pl.Int32(),
    "profession": pl.String(),
    "count": pl.Int64(),
}
_JITTER = 0.25
"""Spread (log scale) of each settlement's profession mix around the table's: no two villages
of a region work quite alike."""


def generate_population(
    settlements: pl.DataFrame,
    *,
    seeds: Seeds,
    region_map: RegionMap,
    cultures: Cultures,
    culture_rules: CultureRules,
    table: CharacterTable,
    religion_shares: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Count every settlement's people by age band, sex, culture, religion and profession.

    Age bands and sexes follow the table's pyramid; children follow the child profession and
    adults a mix weighted by the profession table, the region's resources, the settlement's
    tier and coast, jittered per settlement. A settlement's own region's culture dominates, with
    a tier-dependent share from neighbouring regions' cultures. Counts are rounded by largest
    remainder, first over (age band, sex, profession) and then over (culture, religion) within
    each of those, so every settlement's counts sum exactly to its population.

    Args:
        settlements: `SETTLEMENT_SCHEMA` rows.
        seeds: the world's seed tree.
        region_map: the world's regions (for resources and neighbours).
        cultures: the culture of every region.
        culture_rules: minority shares by tier.
        table: age bands and professions.
        religion_shares: optional (settlement_id, religion_id Int32, share Float64) rows summing
            to 1 per settlement; without it everyone's religion_id is -1.

    Returns:
        `POPULATION_SCHEMA` rows with count > 0, sorted by settlement, age band, sex, culture,
        religion and profession (table order).

    Raises:
        ValueError: a missing column, an unknown tier or region, or bad religion shares.
    """
    _check_settlements(settlements, len(region_map.regions))
    frame = settlements.sort("settlement_id")
    jobs = _job_shares(frame, seeds=seeds, region_map=region_map, table=table)
    people = _apportion(
        frame.select("settlement_id", pl.col("population").alias("total")),
        jobs,
        group=["settlement_id"],
        order=["band", "sex", "job"],
    )
    beliefs = _belief_shares(frame, region_map, cultures, culture_rules, religion_shares)
    counted = _apportion(
        people.rename({"count": "total"}),
        beliefs,
        group=["settlement_id", "band", "sex", "job"],
        order=["culture_id", "religion_id"],
    )
    return _label(counted, table)


def sort_population(frame: pl.DataFrame, table: CharacterTable) -> pl.DataFrame:
    """Tier-1 rows (stored ones, say) in `generate_population`'s order: by settlement, age
    band, sex and profession in table order, then culture and religion. NPCs are drawn from
    the rows in this order.

    Raises:
        polars.exceptions.InvalidOperationError: an age band, sex or profession the table
            does not know.
    """
    bands = [b.key for b in table.age_bands]
    jobs = list(table.profession_keys)
    return frame.sort(
        "settlement_id",
        pl.col("age_band").replace_strict(bands, range(len(bands))),
        pl.col("sex").replace_strict(list(SEXES), range(len(SEXES))),
        pl.col("profession").replace_strict(jobs, range(len(jobs))),
        "culture_id",
        "religion_id",
    )


def _label(frame: pl.DataFrame, table: CharacterTable) -> pl.DataFrame:
    """Swap the integer codes used for ordering for the public string labels."""
    bands = pl.Series([b.key for b in table.age_bands], dtype=pl.String)
    jobs = pl.Series(table.profession_keys, dtype=pl.String)
    return frame.select(
        pl.col("settlement_id").cast(pl.Int32),
        bands.gather(frame["band"]).alias("age_band"),
        pl.Series(SEXES, dtype=pl.String).gather(frame["sex"]).alias("sex"),
        pl.col("culture_id").cast(pl.Int32),
        pl.col("religion_id").cast(pl.Int32),
        jobs.gather(frame["job"]).alias("profession"),
        pl.col("count").cast(pl.Int64),
    )


def _check_settlements(settlements: pl.DataFrame, region_count: int) -> None:
    if missing := sorted(set(SETTLEMENT_SCHEMA) - set(settlements.columns)):
        raise ValueError(f"settlements frame lacks columns: {', '.join(missing)}")
    if unknown := sorted(set(settlements["tier"].unique().to_list()) - set(TIERS)):
        raise ValueError(f"settlements with unknown tiers: {', '.join(map(str, unknown))}")
    regions = settlements["region_id"]
    if settlements.height and (regions.min() < 0 or regions.max() >= region_count):  # type: ignore[operator]  # polars min/max of an integer column are ints
        raise ValueError("settlements refer to regions that do not exist")
    if settlements.height and settlements["population"].min() < 0:  # type: ignore[operator]  # as above
        raise ValueError("settlements with negative population")


def _job_shares(
    frame: pl.DataFrame, *, seeds: Seeds, region_map: RegionMap, table: CharacterTable
) -> pl.DataFrame:
    """(settlement_id, band, sex, job, share): the joint (age band, sex, profession) mix."""
    n, professions = frame.height, table.professions
    rank = np.array([TIERS.index(t) for t in frame["tier"].to_list()], dtype=np.int64)
    minimum = np.array([TIERS.index(p.min_tier) for p in professions], dtype=np.int64)
    resources = [region_map.regions[r].resources for r in frame["region_id"].to_list()]
    has = np.array(
        [
            [not p.resources or not p.resources.isdisjoint(own) for p in professions]
            for own in resources
        ],
        dtype=bool,
    ).reshape(n, len(professions))
    weight = np.array([p.weight for p in professions]) * np.power(
        np.array([p.urban for p in professions]), (rank[:, None] - minimum).clip(0)
    )
    coastal = frame["coastal"].to_numpy()[:, None]
    weight = weight * np.where(coastal, np.array([p.coastal for p in professions]), 1.0)
    weight = weight * (rank[:, None] >= minimum) * has * _jitter(frame, seeds, len(professions))
    weight = weight / weight.sum(axis=1, keepdims=True)
    child = len(professions)
    rows = []
    for band_index, band in enumerate(table.age_bands):
        for sex in range(len(SEXES)):
            share = band.share / len(SEXES)
            if band_index == 0:  # the youngest band is the children's
                rows.append(
                    _long(frame, band_index, sex, np.array([child]), np.full((n, 1), share))
                )
            else:
                rows.append(_long(frame, band_index, sex, np.arange(child), weight * share))
    return pl.concat(rows).filter(pl.col("share") > 0)


def _jitter(frame: pl.DataFrame, seeds: Seeds, count: int) -> NDArray[np.float64]:
    """Per-settlement multiplicative noise, each from the settlement's own stream."""
    return np.array(
        [
            np.exp(_JITTER * seeds.stream("population", sid).standard_normal(count))
            for sid in frame["settlement_id"].to_list()
        ]
    ).reshape(frame.height, count)


def _long(
    frame: pl.DataFrame, band: int, sex: int, jobs: NDArray[np.int64], share: NDArray[np.float64]
) -> pl.DataFrame:
    n = frame.height
    return pl.DataFrame(
        {
            "settlement_id": np.repeat(frame["settlement_id"].to_numpy(), jobs.size),
            "band": np.full(n * jobs.size, band, dtype=np.int32),
            "sex": np.full(n * jobs.size, sex, dtype=np.int32),
            "job": np.tile(jobs, n).astype(np.int32),
            "share": share.reshape(-1),
        }
    )


def _belief_shares(
    frame: pl.DataFrame,
    region_map: RegionMap,
    cultures: Cultures,
    rules: CultureRules,
    religion_shares: pl.DataFrame | None,
) -> pl.DataFrame:
    """(settlement_id, culture_id, religion_id, share): culture and religion, independent."""
    rows: dict[str, list[float]] = {"settlement_id": [], "culture_id": [], "share": []}
    for sid, region_id, tier in frame.select("settlement_id", "region_id", "tier").iter_rows():
        own = cultures.region_culture[region_id]
        others = sorted(
            {cultures.region_culture[n] for n in region_map.regions[region_id].neighbors} - {own}
        )
        minority = rules.minority_share[tier] if others else 0.0
        for culture_id, share in [
            (own, 1 - minority),
            *((o, minority / len(others)) for o in others),
        ]:
            rows["settlement_id"].append(sid)
            rows["culture_id"].append(culture_id)
            rows["share"].append(share)
    culture = pl.DataFrame(
        rows, schema={"settlement_id": pl.Int32, "culture_id": pl.Int32, "share": pl.Float64}
    )
    religion = _religions(frame, religion_shares)
    return (
        culture.join(religion, on="settlement_id")
        .select(
            "settlement_id",
            "culture_id",
            "religion_id",
            (pl.col("share") * pl.col("religion_share")).alias("share"),
        )
        .filter(pl.col("share") > 0)
    )


def _religions(frame: pl.DataFrame, shares: pl.DataFrame | None) -> pl.DataFrame:
    ids = frame.select("settlement_id")
    if shares is None:
        return ids.with_columns(
            pl.lit(NO_RELIGION, dtype=pl.Int32).alias("religion_id"),
            pl.lit(1.0).alias("religion_share"),
        )
    given = shares.select(
        pl.col("settlement_id").cast(pl.Int32),
        pl.col("religion_id").cast(pl.Int32),
        pl.col("share").cast(pl.Float64).alias("religion_share"),
    )
    if given.filter(pl.col("religion_share") < 0).height:
        raise ValueError("religion shares must not be negative")
    sums = ids.join(
        given.group_by("settlement_id").agg(pl.col("religion_share").sum()),
        on="settlement_id",
        how="left",
    )
    bad = sums.filter(
        pl.col("religion_share").is_null() | ((pl.col("religion_share") - 1).abs() > 1e-6)
    )
    if bad.height:
        raise ValueError(
            f"religion shares must sum to 1 for every settlement; {bad.height} do not "
            f"(first: settlement {bad['settlement_id'][0]})"
        )
    return given


def _apportion(
    totals: pl.DataFrame, shares: pl.DataFrame, *, group: Sequence[str], order: Sequence[str]
) -> pl.DataFrame:
    """Split each group's `total` over its share rows by largest remainder (Hamilton's method).

    Ties in remainder go to the row first in `order`, so the result depends only on the input.
    """
    key = list(group)
    frame = totals.join(shares, on="settlement_id").sort([*key, *order])
    return _round(frame, key)


def _round(frame: pl.DataFrame, key: list[str]) -> pl.DataFrame:
    expected = pl.col("total") * pl.col("share") / pl.col("share").sum().over(key)
    frame = frame.with_columns(expected.alias("expected"))
    frame = frame.with_columns(
        pl.col("expected").floor().cast(pl.Int64).alias("base"),
    ).with_columns((pl.col("expected") - pl.col("base")).alias("remainder"))
    deficit = pl.col("total") - pl.col("base").sum().over(key)
    place = pl.col("remainder").rank("ordinal", descending=True).over(key)
    return (
        frame.with_columns((pl.col("base") + (place <= deficit).cast(pl.Int64)).alias("count"))
        .filter(pl.col("count") > 0)
        .drop("total", "share", "expected", "base", "remainder")
    )
