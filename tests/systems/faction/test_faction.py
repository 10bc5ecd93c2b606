"""Factions: one state per capital over contiguous, disjoint territory on its own land mass;
guilds, orders and outlaws where the rules put them; leaders are fitting local notables."""

from __future__ import annotations

import copy

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.powers import ISLET, PowersWorld, grid_regions, powers_world
from worldloom.infrastructure.seed_data import read_toml
from worldloom.systems.faction import (
    NO_STATE,
    Factions,
    FactionTable,
    generate_factions,
    grow_states,
)
from worldloom.systems.region import Region
from worldloom.systems.religion import generate_religions
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog


def factions_of(world: PowersWorld, seed: int) -> Factions:
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
    return generate_factions(
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


def connected(regions: tuple[Region, ...], members: set[int]) -> bool:
    if not members:
        return True
    start = min(members)
    seen, frontier = {start}, [start]
    while frontier:
        for near in regions[frontier.pop()].neighbors:
            if near in members and near not in seen:
                seen.add(near)
                frontier.append(near)
    return seen == members


@given(seed=st.integers(min_value=0, max_value=2**32))
@settings(max_examples=5, deadline=None)
def test_same_seed_gives_identical_frames(seed: int) -> None:
    first, second = factions_of(powers_world(), seed), factions_of(powers_world(), seed)
    assert first.factions.equals(second.factions)
    assert first.provinces.equals(second.provinces)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_states_hold_disjoint_contiguous_territory_on_their_land_mass(seed: int) -> None:
    world = powers_world()
    result = factions_of(world, seed)
    provinces = result.provinces
    assert provinces["region_id"].is_unique().all(), "a region in two states"
    assert provinces["region_id"].is_in(list(range(len(world.regions)))).all()
    states = result.factions.filter(pl.col("kind") == "state")
    assert set(provinces["faction_id"]) <= set(states["faction_id"])
    for state in states.iter_rows(named=True):
        land = set(provinces.filter(pl.col("faction_id") == state["faction_id"])["region_id"])
        assert state["seat_region_id"] in land
        assert connected(world.regions, land)
        assert {world.regions[r].landmass_id for r in land} == {
            world.regions[state["seat_region_id"]].landmass_id
        }
        assert state["territory_regions"] == len(land)
        assert state["state_id"] == state["faction_id"]
    # Every region a capital can reach is claimed; the capital-less islet is not.
    assert set(provinces["region_id"]) == set(range(len(world.regions))) - {ISLET}
    core = provinces.filter(pl.col("is_core"))
    assert sorted(core["region_id"]) == sorted(states["seat_region_id"])


def test_every_capital_seats_exactly_one_state() -> None:
    world = powers_world()
    states = factions_of(world, 4).factions.filter(pl.col("kind") == "state")
    capitals = world.settlements.filter(pl.col("tier") == "capital")["settlement_id"]
    assert sorted(states["seat_settlement_id"]) == sorted(capitals)
    assert states["seat_settlement_id"].is_unique().all()
    assert states["name"].is_unique().all()


@given(
    capitals=st.lists(st.integers(min_value=0, max_value=22), min_size=1, max_size=8),
    seed=st.integers(min_value=0, max_value=2**16),
)
@settings(max_examples=40, deadline=None)
def test_growth_is_contiguous_disjoint_and_covers_reachable_land(
    capitals: list[int], seed: int
) -> None:
    regions = grid_regions()
    culture = np.array([r % 3 for r in range(len(regions))], dtype=np.int64)
    owner = grow_states(
        regions,
        capital_regions=capitals,
        capital_ids=list(range(len(capitals))),
        region_culture=culture,
        seeds=Seeds(seed),
        table=catalog.faction_table(),
    )
    masses_with_capital = {regions[c].landmass_id for c in capitals}
    for region in regions:
        assert (owner[region.region_id] != NO_STATE) == (region.landmass_id in masses_with_capital)
    for state, capital in enumerate(capitals):
        land = set(np.flatnonzero(owner == state).tolist())
        # A capital sharing its region with an earlier one holds nothing; others hold home.
        assert (capital in land) == (capitals.index(capital) == state)
        assert connected(regions, land)


def test_guilds_orders_and_outlaws_follow_their_rules() -> None:
    world = powers_world()
    result = factions_of(world, 5)
    factions = result.factions
    table = catalog.faction_table()
    tier = dict(world.settlements.select("settlement_id", "tier").iter_rows())
    coastal = dict(world.settlements.select("settlement_id", "coastal").iter_rows())
    profession = {p.key: p for p in table.professions}
    guilds = factions.filter(pl.col("kind") == "guild")
    assert guilds.height > 0
    for guild in guilds.iter_rows(named=True):
        seat = guild["seat_settlement_id"]
        assert tier[seat] in table.guilds["per_tier"]
        needs = profession[guild["form"]].resources
        land = set(world.regions[guild["seat_region_id"]].resources)
        land |= {"coast"} if coastal[seat] else set()
        assert not needs or needs & land
    per_seat = guilds.group_by("seat_settlement_id").len()
    for seat, count in per_seat.iter_rows():
        assert count <= table.guilds["per_tier"][tier[seat]]
    for band in factions.filter(pl.col("kind") == "bandits").iter_rows(named=True):
        region = world.regions[band["seat_region_id"]]
        assert region.danger_level >= table.outlaws["bandit_danger"]
        assert band["seat_settlement_id"] == -1
        if band["form"] == "pirates":
            assert region.coastal
    for gang in factions.filter(pl.col("kind") == "criminals").iter_rows(named=True):
        assert tier[gang["seat_settlement_id"]] in table.outlaws["criminal_tiers"]
    assert factions["name"].is_unique().all()
    kinds = factions["kind"].to_list()
    order = ["state", "order", "guild", "criminals", "bandits"]
    assert kinds == sorted(kinds, key=order.index), "ids are handed out in kind order"


def test_one_order_per_organized_faith_seated_in_its_holy_city() -> None:
    world = powers_world()
    religions = generate_religions(
        world.regions,
        settlements=world.settlements,
        pois=world.pois,
        region_cultures=world.region_cultures,
        cultures=world.cultures,
        seeds=Seeds(6),
        table=catalog.religion_table(),
        name_bases=catalog.name_bases(),
    )
    orders = factions_of(world, 6).factions.filter(pl.col("kind") == "order")
    organized = religions.religions.filter(pl.col("kind") == "organized")
    assert sorted(orders["religion_id"]) == sorted(organized["religion_id"])
    holy = dict(organized.select("religion_id", "origin_settlement_id").iter_rows())
    for order in orders.iter_rows(named=True):
        assert order["seat_settlement_id"] == holy[order["religion_id"]]


@pytest.mark.parametrize("seed", [1, 7])
def test_leaders_are_fitting_notables_of_the_seat_or_territory(seed: int) -> None:
    world = powers_world()
    result = factions_of(world, seed)
    table = catalog.faction_table()
    npcs = world.npcs.join(
        world.settlements.select("settlement_id", "region_id"), on="settlement_id"
    )
    by_id = {row["npc_id"]: row for row in npcs.iter_rows(named=True)}
    land = result.provinces.group_by("faction_id").agg(pl.col("region_id"))
    territory = {f: set(r) for f, r in land.iter_rows()}
    led = result.factions.filter(pl.col("leader_npc_id") >= 0)
    assert led.height > result.factions.height // 2
    assert led["leader_npc_id"].is_unique().all(), "one NPC leads two factions"
    for faction in led.iter_rows(named=True):
        npc = by_id[faction["leader_npc_id"]]
        assert npc["notable"]
        assert npc["notable_role"] in table.leaders[faction["kind"]]
        if faction["kind"] == "state":
            assert npc["region_id"] in territory[faction["faction_id"]]
        elif faction["kind"] == "bandits":
            assert npc["region_id"] == faction["seat_region_id"]
        else:
            assert npc["settlement_id"] == faction["seat_settlement_id"]
    # A capital with a ruler in it is ruled from there, by its most fitting role.
    for state in result.factions.filter(pl.col("kind") == "state").iter_rows(named=True):
        rulers = npcs.filter(
            pl.col("notable"),
            pl.col("notable_role") == "ruler",
            pl.col("settlement_id") == state["seat_settlement_id"],
        )
        if rulers.height:
            assert state["leader_npc_id"] in set(rulers["npc_id"])


def test_no_notables_means_no_leaders() -> None:
    world = powers_world()
    quiet = PowersWorld(
        world.regions,
        world.settlements,
        world.pois,
        world.region_cultures,
        world.cultures,
        world.npcs.with_columns(notable=pl.lit(value=False)),
    )
    assert (factions_of(quiet, 1).factions["leader_npc_id"] == -1).all()


ROLES = ("ruler", "priest", "merchant", "guild_master", "adventurer")


def test_bad_faction_tables_are_refused() -> None:
    raw = copy.deepcopy(read_toml("factions.toml"))
    del raw["leaders"]["bandits"]
    with pytest.raises(ValueError, match=r"leaders\.bandits"):
        FactionTable.from_mapping(raw, notable_roles=ROLES)
    raw = copy.deepcopy(read_toml("factions.toml"))
    raw["governments"]["monarchy"]["names"] = ["Kingdom of {planet}"]
    with pytest.raises(ValueError, match="unknown planet"):
        FactionTable.from_mapping(raw, notable_roles=ROLES)
    raw = copy.deepcopy(read_toml("factions.toml"))
    raw["territory"]["expansionism"] = [2.0, 1.0]
    with pytest.raises(ValueError, match="expansionism"):
        FactionTable.from_mapping(raw, notable_roles=ROLES)
    raw = copy.deepcopy(read_toml("factions.toml"))
    raw["leaders"]["guild"] = ["guildmaster"]  # a role no notable holds: no guild gets a leader
    with pytest.raises(ValueError, match=r"leaders\.guild: \['guildmaster'\] are not notable"):
        FactionTable.from_mapping(raw, notable_roles=ROLES)


def test_guilds_are_led_by_guild_masters_where_there_are_some() -> None:
    world = powers_world()
    result = factions_of(world, 1).factions
    led = result.filter(pl.col("kind") == "guild").join(
        world.npcs.select(pl.col("npc_id").alias("leader_npc_id"), "notable_role"),
        on="leader_npc_id",
    )
    assert "guild_master" in set(led["notable_role"])
