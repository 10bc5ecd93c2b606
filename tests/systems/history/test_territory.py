"""Factions measured at a year's end: a state's land and people follow its provinces, a town's
guild follows the town."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worldloom.systems.history.territory import measure_factions

AREA = pl.DataFrame({"region_id": [0, 1, 2, 3], "area_km2": [100.0, 200.0, 300.0, 400.0]})
SETTLEMENT_REGION = np.array([0, 1, 2, 3, 3], dtype=np.int64)


def _factions() -> pl.DataFrame:
    """Two states (0 holds regions 0-1, 1 holds 2), a guild seated in settlement 3 (region 3,
    no state's), bandits roaming region 1. Figures as founded (stale on purpose)."""
    return pl.DataFrame(
        {
            "faction_id": pl.Series([0, 1, 2, 3], dtype=pl.Int32),
            "kind": ["state", "state", "guild", "bandits"],
            "seat_settlement_id": pl.Series([0, 2, 3, None], dtype=pl.Int32),
            "seat_region_id": pl.Series([0, 2, 3, 1], dtype=pl.Int32),
            "state_id": pl.Series([0, 1, None, 0], dtype=pl.Int32),
            "people": pl.Series([999, 999, 40, 30], dtype=pl.Int64),
            "territory_regions": pl.Series([9, 9, 0, 0], dtype=pl.Int32),
            "territory_km2": [9.0, 9.0, 0.0, 0.0],
            "power": [1.0, 1.0, 1.0, 1.0],
            "name": ["A", "B", "C", "D"],
        }
    )


def _provinces(holder: dict[int, int]) -> pl.DataFrame:
    regions = sorted(holder)
    return pl.DataFrame(
        {
            "region_id": pl.Series(regions, dtype=pl.Int32),
            "faction_id": pl.Series([holder[r] for r in regions], dtype=pl.Int32),
            "is_core": [False] * len(regions),
        }
    )


def _measure(holder: dict[int, int], start: list[int], end: list[int]) -> pl.DataFrame:
    return measure_factions(
        _factions(),
        provinces=_provinces(holder),
        region_area=AREA,
        settlement_region=SETTLEMENT_REGION,
        population_start=np.array(start, dtype=np.int64),
        population_end=np.array(end, dtype=np.int64),
    )


def test_an_occupied_province_moves_its_land_and_people_to_its_new_holder() -> None:
    people = [100, 50, 70, 200, 200]
    before = _measure({0: 0, 1: 0, 2: 1}, people, people)
    after = _measure({0: 0, 1: 1, 2: 1, 3: 1}, people, people)  # 1 takes region 1, settles 3
    rows = {r["faction_id"]: r for r in before.iter_rows(named=True)}
    assert (rows[0]["territory_regions"], rows[0]["territory_km2"], rows[0]["people"]) == (
        2, 300.0, 150,
    )  # fmt: skip
    assert (rows[1]["territory_regions"], rows[1]["people"]) == (1, 70)
    rows = {r["faction_id"]: r for r in after.iter_rows(named=True)}
    assert (rows[0]["territory_regions"], rows[0]["territory_km2"], rows[0]["people"]) == (
        1, 100.0, 100,
    )  # fmt: skip
    assert (rows[1]["territory_regions"], rows[1]["territory_km2"], rows[1]["people"]) == (
        3, 900.0, 520,
    )  # fmt: skip
    # The guild's seat is now in state 1's land; the bandits roam region 1, now 1's too.
    assert (rows[2]["state_id"], rows[3]["state_id"]) == (1, 1)
    assert rows[1]["power"] == pytest.approx(np.sqrt(520) * 1.75)
    assert rows[2]["territory_regions"] == 0
    assert after.columns == _factions().columns
    assert after.schema == _factions().schema


def test_a_guild_follows_its_town_and_bandits_keep_their_band() -> None:
    out = _measure({0: 0}, [10, 10, 10, 200, 5], [10, 10, 10, 100, 5])
    rows = {r["faction_id"]: r for r in out.iter_rows(named=True)}
    assert rows[2]["people"] == 20
    assert rows[2]["state_id"] is None
    assert rows[3]["people"] == 30
    # A state holding no land has no subjects; an emptied town no members.
    assert (rows[1]["territory_regions"], rows[1]["people"], rows[1]["power"]) == (0, 0, 0.0)
    emptied = _measure({0: 0}, [10, 10, 10, 200, 5], [10, 10, 10, 0, 5])
    assert emptied.filter(pl.col("faction_id") == 2)["people"].item() == 0
    unpeopled = _measure({0: 0}, [10, 10, 10, 0, 5], [10, 10, 10, 0, 5])
    assert unpeopled.filter(pl.col("faction_id") == 2)["people"].item() == 40


@given(
    holder=st.lists(st.integers(0, 1), min_size=4, max_size=4),
    people=st.lists(st.integers(0, 10_000), min_size=5, max_size=5),
)
@settings(max_examples=50, deadline=None)
def test_states_hold_exactly_the_provinces_and_their_people(
    holder: list[int], people: list[int]
) -> None:
    held = dict(enumerate(holder))
    out = _measure(held, people, people)
    provinces = _provinces(held)
    states = out.filter(pl.col("kind") == "state")
    assert states["territory_regions"].sum() == provinces.height
    assert states["territory_km2"].sum() == pytest.approx(1000.0)
    assert states["people"].sum() == sum(people)
    for fid, regions, km2 in states.select(
        "faction_id", "territory_regions", "territory_km2"
    ).rows():
        mine = provinces.filter(pl.col("faction_id") == fid)["region_id"].to_list()
        assert regions == len(mine)
        assert km2 == pytest.approx(sum(100.0 * (r + 1) for r in mine))
