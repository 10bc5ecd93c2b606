"""Tier-1 population: totals conserved, deterministic, professions where the land and tier allow."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.people import character_table, culture_rules, cultures_for, world
from tests.strategies import settlement_frames, synthetic_settlements
from worldloom.systems.people import POPULATION_SCHEMA, TIERS, generate_population
from worldloom.systems.rng import Seeds

SEED = 3
REGIONS = len(world(SEED).regions.regions)


def _population(
    settlements: pl.DataFrame, *, seed: int = SEED, shares: pl.DataFrame | None = None
) -> pl.DataFrame:
    cultures, _ = cultures_for(SEED)
    return generate_population(
        settlements,
        seeds=Seeds(seed),
        region_map=world(SEED).regions,
        cultures=cultures,
        culture_rules=culture_rules(),
        table=character_table(),
        religion_shares=shares,
    )


@given(settlements=settlement_frames(region_count=REGIONS), seed=st.integers(0, 2**32))
@settings(max_examples=25, deadline=None)
def test_counts_sum_to_each_population_and_repeat_exactly(
    settlements: pl.DataFrame, seed: int
) -> None:
    population = _population(settlements, seed=seed)
    assert population.schema == pl.Schema(POPULATION_SCHEMA)
    assert population["count"].min() > 0  # type: ignore[operator]  # an Int64 column's min
    totals = population.group_by("settlement_id").agg(pl.col("count").sum())
    joined = settlements.join(totals, on="settlement_id", how="left").fill_null(0)
    assert joined["count"].to_list() == joined["population"].to_list()
    assert population.equals(_population(settlements, seed=seed))


def test_professions_follow_age_tier_and_resources() -> None:
    regions = world(SEED).regions.regions
    fishless = next(r.region_id for r in regions if "fish" not in r.resources)
    settlements = synthetic_settlements(
        list(TIERS), [120, 600, 4_000, 20_000, 40_000], [fishless] * 5, [False] * 5
    )
    population = _population(settlements)
    table = character_table()
    children = population.filter(pl.col("age_band") == table.age_bands[0].key)
    assert set(children["profession"]) == {"child"}
    adults = population.filter(pl.col("age_band") != table.age_bands[0].key)
    assert "child" not in set(adults["profession"])
    assert "fisher" not in set(population["profession"])  # no fish in the region
    minimum = {p.key: TIERS.index(p.min_tier) for p in table.professions}
    tiers = dict(enumerate(TIERS))
    for row in adults.select("settlement_id", "profession").unique().iter_rows():
        assert TIERS.index(tiers[row[0]]) >= minimum[row[1]], row
    # The age pyramid holds to within rounding in the big places.
    capital = population.filter(pl.col("settlement_id") == 4)
    share = capital.filter(pl.col("age_band") == "0-15")["count"].sum() / 40_000
    assert abs(share - table.age_bands[0].share) < 0.001


def test_hamlets_keep_to_one_culture_and_capitals_draw_neighbours() -> None:
    regions = world(SEED).regions.regions
    cultures, _ = cultures_for(SEED)
    mixed = next(
        r.region_id
        for r in regions
        if {cultures.region_culture[n] for n in r.neighbors}
        - {cultures.region_culture[r.region_id]}
    )
    settlements = synthetic_settlements(
        ["hamlet", "capital"], [100, 30_000], [mixed] * 2, [False] * 2
    )
    population = _population(settlements)
    by_place = population.group_by("settlement_id").agg(pl.col("culture_id").n_unique())
    assert dict(by_place.iter_rows()) == {0: 1, 1: by_place["culture_id"][1]}
    assert by_place.filter(pl.col("settlement_id") == 1)["culture_id"][0] > 1
    own = population.filter(
        (pl.col("settlement_id") == 1) & (pl.col("culture_id") == cultures.region_culture[mixed])
    )["count"].sum()
    assert abs(own / 30_000 - (1 - culture_rules().minority_share["capital"])) < 0.01


def test_religion_shares_are_followed_and_validated() -> None:
    settlements = synthetic_settlements(["city", "village"], [10_000, 300], [0, 1], [True, False])
    shares = pl.DataFrame(
        {"settlement_id": [0, 0, 1], "religion_id": [4, 7, 7], "share": [0.25, 0.75, 1.0]},
        schema={"settlement_id": pl.Int32, "religion_id": pl.Int32, "share": pl.Float64},
    )
    population = _population(settlements, shares=shares)
    city = population.filter(pl.col("settlement_id") == 0)
    # Rounding within each small (age, sex, profession) cell favours the majority a little.
    assert abs(city.filter(pl.col("religion_id") == 4)["count"].sum() - 2_500) <= 50
    assert set(population.filter(pl.col("settlement_id") == 1)["religion_id"]) == {7}
    assert set(_population(settlements)["religion_id"]) == {-1}
    with pytest.raises(ValueError, match="sum to 1"):
        _population(settlements, shares=shares.filter(pl.col("religion_id") != 4))


def test_bad_settlements_are_refused() -> None:
    good = synthetic_settlements(["town"], [1_000], [0], [False])
    with pytest.raises(ValueError, match="unknown tiers"):
        _population(good.with_columns(pl.lit("metropolis").alias("tier")))
    with pytest.raises(ValueError, match="regions that do not exist"):
        _population(good.with_columns(pl.lit(REGIONS, dtype=pl.Int32).alias("region_id")))
    with pytest.raises(ValueError, match="lacks columns: coastal"):
        _population(good.drop("coastal"))
