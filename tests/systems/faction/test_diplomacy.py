"""Diplomacy: every pair once, statuses mutual where they should be, vassals paired with a much
stronger neighbour of their culture, wars only across tense borders; deterministic."""

from __future__ import annotations

import polars as pl
import pytest

from tests.powers import grid_regions, powers_world
from worldloom.systems.faction import (
    STATUSES,
    VASSAL_POWER_RATIO,
    WAR_TENSION,
    Diplomacy,
    generate_diplomacy,
    generate_factions,
)
from worldloom.systems.religion import generate_religions
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog

NO_RELATIONS = pl.DataFrame(
    {"a_id": [], "b_id": [], "hostility": []},
    schema={"a_id": pl.Int32, "b_id": pl.Int32, "hostility": pl.Int16},
)


def world_diplomacy(seed: int) -> tuple[pl.DataFrame, Diplomacy]:
    world = powers_world()
    religions = generate_religions(
        world.regions,
        settlements=world.settlements,
        pois=world.pois,
        region_cultures=world.region_cultures,
        cultures=world.cultures,
        seeds=Seeds(seed),
        table=catalog.religion_table(),
        name_bases=catalog.name_bases(),
    )
    factions = generate_factions(
        world.regions,
        settlements=world.settlements,
        region_cultures=world.region_cultures,
        cultures=world.cultures,
        religions=religions,
        npcs=world.npcs,
        seeds=Seeds(seed),
        table=catalog.faction_table(),
        name_bases=catalog.name_bases(),
    )
    diplomacy = generate_diplomacy(
        factions.factions,
        factions.provinces,
        world.regions,
        religion_relations=religions.relations,
        seeds=Seeds(seed),
    )
    return factions.factions, diplomacy


def empire_and_neighbours() -> tuple[pl.DataFrame, pl.DataFrame]:
    """A great state over grid rows 0-1 and five one-region states along row 2 (all bordering
    it): three weak ones of its culture, one too strong to bow, one of another culture."""
    provinces = pl.DataFrame(
        {
            "region_id": pl.Series(range(15), dtype=pl.Int32),
            "faction_id": pl.Series([0] * 10 + [1, 2, 3, 4, 5], dtype=pl.Int32),
        }
    )
    factions = pl.DataFrame(
        {
            "faction_id": pl.Series(range(6), dtype=pl.Int32),
            "kind": ["state"] * 6,
            "form": ["empire"] + ["principality"] * 5,
            "seat_region_id": pl.Series([7, 10, 11, 12, 13, 14], dtype=pl.Int32),
            "state_id": pl.Series(range(6), dtype=pl.Int32),
            "culture_id": pl.Series([0, 0, 0, 0, 0, 1], dtype=pl.Int32),
            "religion_id": pl.Series([-1] * 6, dtype=pl.Int32),
            "power": [1_000.0, 20.0, 25.0, 30.0, 400.0, 20.0],
        }
    )
    return factions, provinces


def check_vassals(factions: pl.DataFrame, diplomacy: Diplomacy) -> int:
    """Assert the vassal rules; return how many vassals there are."""
    power = dict(factions.select("faction_id", "power").iter_rows())
    culture = dict(factions.select("faction_id", "culture_id").iter_rows())
    kind = dict(factions.select("faction_id", "kind").iter_rows())
    directed = diplomacy.directed()
    vassals = directed.filter(pl.col("status") == "vassal")
    suzerains = set(vassals["to_id"])
    assert vassals["from_id"].is_unique().all(), "a vassal with two suzerains"
    assert not suzerains & set(vassals["from_id"]), "a vassal with vassals of its own"
    for vassal, lord, _, _, border in vassals.iter_rows():
        assert kind[vassal] == kind[lord] == "state"
        assert border
        assert culture[vassal] == culture[lord]
        assert power[lord] >= VASSAL_POWER_RATIO * power[vassal]
    return vassals.height


@pytest.mark.parametrize("seed", [1, 2])
def test_every_pair_appears_once_and_directed_statuses_mirror(seed: int) -> None:
    factions, diplomacy = world_diplomacy(seed)
    pairs = diplomacy.pairs
    n = factions.height
    assert pairs.height == n * (n - 1) // 2
    assert (pairs["a_id"] < pairs["b_id"]).all(), "self pairs or reversed pairs"
    assert pairs.select("a_id", "b_id").is_unique().all()
    assert set(pairs["status"]) <= set(STATUSES)
    assert pairs["tension"].is_between(0, 100).all()
    directed = diplomacy.directed()
    assert directed.height == 2 * pairs.height
    there = directed.select("from_id", "to_id", "status")
    back = there.rename({"from_id": "to_id", "to_id": "from_id", "status": "reply"})
    joined = there.join(back, on=["from_id", "to_id"])
    mirror = {"vassal": "suzerain", "suzerain": "vassal"}
    for status, reply in joined.select("status", "reply").iter_rows():
        assert reply == mirror.get(status, status)
    check_vassals(factions, diplomacy)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_wars_only_across_tense_shared_borders(seed: int) -> None:
    _, diplomacy = world_diplomacy(seed)
    wars = diplomacy.pairs.filter(pl.col("status") == "at_war")
    assert wars["shared_border"].all()
    assert (wars["tension"] >= WAR_TENSION).all()
    tense = diplomacy.pairs.filter(
        pl.col("shared_border"),
        pl.col("tension") >= WAR_TENSION,
        ~pl.col("status").is_in(["vassal", "suzerain"]),
    )
    assert (tense["status"] == "at_war").all()


def test_same_seed_same_matrix_whatever_the_row_order() -> None:
    factions, diplomacy = world_diplomacy(4)
    _, again = world_diplomacy(4)
    assert diplomacy.pairs.equals(again.pairs)
    provinces = pl.DataFrame(
        {"region_id": pl.Series([], dtype=pl.Int32), "faction_id": pl.Series([], dtype=pl.Int32)}
    )
    shuffled = factions.sample(fraction=1.0, shuffle=True, seed=5)
    one, two = (
        generate_diplomacy(
            frame, provinces, grid_regions(), religion_relations=NO_RELATIONS, seeds=Seeds(4)
        )
        for frame in (factions, shuffled)
    )
    assert one.pairs.equals(two.pairs)


def test_weak_neighbours_of_the_same_culture_become_vassals() -> None:
    factions, provinces = empire_and_neighbours()
    with_vassals = 0
    for seed in range(10):
        diplomacy = generate_diplomacy(
            factions, provinces, grid_regions(), religion_relations=NO_RELATIONS, seeds=Seeds(seed)
        )
        with_vassals += check_vassals(factions, diplomacy) >= 1
        directed = diplomacy.directed()
        # The 400-strong state may hold its weak neighbour 3 itself.
        assert set(directed.filter(pl.col("status") == "suzerain")["from_id"]) <= {0, 4}
        # Another culture, or a state too strong to bow, is never a vassal.
        assert not set(directed.filter(pl.col("status") == "vassal")["from_id"]) & {4, 5}
    # Three eligible neighbours at 60% each: a world without any vassal is rare.
    assert with_vassals >= 7


def test_a_culture_difference_raises_tension() -> None:
    factions, provinces = empire_and_neighbours()
    args = (provinces, grid_regions())
    same = generate_diplomacy(factions, *args, religion_relations=NO_RELATIONS, seeds=Seeds(1))
    differing = factions.with_columns(
        culture_id=pl.when(pl.col("faction_id") == 2).then(7).otherwise(pl.col("culture_id"))
    )
    changed = generate_diplomacy(differing, *args, religion_relations=NO_RELATIONS, seeds=Seeds(1))
    touched = (pl.col("a_id") == 2) | (pl.col("b_id") == 2)
    before = same.pairs.filter(touched, pl.col("a_id") != 5, pl.col("b_id") != 5)
    after = changed.pairs.filter(touched, pl.col("a_id") != 5, pl.col("b_id") != 5)
    assert (after["tension"] > before["tension"]).all()
    untouched = same.pairs.filter(~touched)
    assert untouched.equals(changed.pairs.filter(~touched))
