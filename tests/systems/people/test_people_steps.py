"""The people stage split into steps: NPC batches by region give the rows of one draw, and what
a step stores reads back as what the next step needs (cultures, Tier-1 order)."""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.people import build_people, character_table, cultures_for, world
from tests.strategies import settlement_frames, synthetic_settlements
from worldloom.systems.people import (
    Cultures,
    batch_regions,
    generate_npcs,
    sort_population,
)
from worldloom.systems.rng import Seeds

SEED = 5
REGIONS = len(world(SEED).regions.regions)


def _settlements() -> pl.DataFrame:
    return synthetic_settlements(
        ["hamlet", "village", "town", "city", "capital", "village"],
        [40, 450, 3_000, 9_000, 25_000, 200],
        [0, 1, 2, 3, 4, 0],
        [False, True, True, False, True, False],
    )


@given(
    settlements=settlement_frames(region_count=REGIONS, max_size=14),
    target=st.integers(0, 6_000),
    size=st.integers(1, 3_000),
)
@settings(max_examples=15, deadline=None)
def test_batches_of_regions_draw_the_npcs_of_one_draw(
    settlements: pl.DataFrame, target: int, size: int
) -> None:
    people = build_people(SEED, settlements, target_npcs=target)
    batches = batch_regions(people.plan, settlements, npcs_per_batch=size)
    planned = people.plan.join(settlements.select("settlement_id", "region_id"), on="settlement_id")
    per_region = planned.group_by("region_id").agg(pl.col("npcs").sum())
    wanted = sorted(per_region.filter(pl.col("npcs") > 0)["region_id"].to_list())
    # Whole regions, in order, each once; every batch but the last holds at least `size`.
    assert [r for batch in batches for r in batch] == wanted
    held = dict(per_region.iter_rows())
    assert all(sum(held[r] for r in batch) >= size for batch in batches[:-1])
    assert all(sum(held[r] for r in batch[:-1]) < size for batch in batches)
    # Each batch reads its own settlements' stored rows, in any order: the rows are the same.
    rows = people.population.sample(fraction=1.0, shuffle=True, seed=7)
    drawn = []
    for batch in batches:
        mine = settlements.filter(pl.col("region_id").is_in(list(batch)))["settlement_id"]
        drawn.append(
            generate_npcs(
                settlements,
                sort_population(
                    rows.filter(pl.col("settlement_id").is_in(mine.implode())), character_table()
                ),
                seeds=Seeds(SEED),
                plan=people.plan.filter(pl.col("settlement_id").is_in(mine.implode())),
                table=character_table(),
                names=people.pools,
            )
        )
    together = pl.concat(drawn).sort("npc_id") if drawn else people.npcs.clear()
    assert together.equals(people.npcs)


def test_a_batch_holds_at_least_one_npc() -> None:
    people = build_people(SEED, _settlements(), target_npcs=100)
    with pytest.raises(ValueError, match="at least one NPC, got 0"):
        batch_regions(people.plan, _settlements(), npcs_per_batch=0)


def test_stored_population_rows_sort_back_into_drawing_order() -> None:
    people = build_people(SEED, _settlements(), target_npcs=500)
    shuffled = people.population.sample(fraction=1.0, shuffle=True, seed=3)
    assert not shuffled.equals(people.population)
    assert sort_population(shuffled, character_table()).equals(people.population)


def test_cultures_read_back_from_their_tables() -> None:
    cultures, _ = cultures_for(SEED)
    back = Cultures.from_tables(
        cultures.table().reverse(), cultures.regions().sample(fraction=1.0, shuffle=True, seed=1)
    )
    assert back.table().equals(cultures.table())
    assert back.regions().equals(cultures.regions())
    assert back.region_culture == cultures.region_culture
    # Expansionism only priced the spread: it is not stored, and says so.
    assert all(math.isnan(c.expansionism) for c in back.cultures)
    assert [(c.key, c.name_base, c.type) for c in back.cultures] == [
        (c.key, c.name_base, c.type) for c in cultures.cultures
    ]


@pytest.mark.parametrize(
    ("cultures", "regions", "needle"),
    [
        ({"culture_id": [1]}, {"region_id": [0], "culture_id": [1]}, "culture ids must be 0..n-1"),
        ({"culture_id": [0]}, {"region_id": [1], "culture_id": [0]}, "every region 0..n-1"),
        ({"type": ["wizardly"]}, {"region_id": [0], "culture_id": [0]}, "unknown culture type"),
    ],
)
def test_cultures_from_bad_tables_are_refused(
    cultures: dict[str, list[object]], regions: dict[str, list[int]], needle: str
) -> None:
    row: dict[str, list[object]] = {
        "culture_id": [0],
        "key": ["k"],
        "name": ["N"],
        "name_base": ["k"],
        "type": ["generic"],
        "hearth_region_id": [0],
    }
    with pytest.raises(ValueError, match=needle):
        Cultures.from_tables(pl.DataFrame(row | cultures), pl.DataFrame(regions))
