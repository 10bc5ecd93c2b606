"""A year's end for the simulate task: the world read for the rooms (chaos, war, population,
people) and the year lived (`roll_year`, then `chronicle_year`); its rows to store are
`history_rows`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from worldloom.infrastructure.store import RowRange, WorldStore
from worldloom.systems.chaos import ChaosInputs, ChaosState
from worldloom.systems.economy import EconomyRules, EconomyRun, MarketLayout
from worldloom.systems.history import (
    Cohorts,
    Everyone,
    Leaders,
    Places,
    WorldYear,
    YearRecord,
    chronicle_year,
)
from worldloom.systems.history.faith import Faiths, HolySites
from worldloom.systems.history.schism import Strife
from worldloom.systems.history.year import RolledYear, Rooms, roll_year
from worldloom.systems.rng import Seeds
from worldloom.systems.tension_war import WarInputs, WarState, start_war_state
from worldloom.tasks import catalog
from worldloom.tasks.history_kept import LIVING

CHAOS_TABLES = ("chaos_state", "chaos_load", "chaos_recent", "chaos_discovered")
WAR_TABLES = (
    "war_factions",
    "war_pairs",
    "war_settlements",
    "war_regions",
    "war_soldiers",
    "war_wars",
    "war_tributes",
    "war_counters",
)
DEAD = ("npc_vitals", RowRange(after={"died_tick": -1}))
"""The people who died: their npcs and npc_vitals rows no year changes (nor reads whole)."""
SOME_COLUMNS = {"cells": ("cell_id", "region_id", "neighbors")}
"""Of the tables a year reads and never writes, the columns it needs where there are many."""
FIGHTING_BANDS = (1, 2)
"""Age bands (16-29, 30-44) levies are raised from."""


@dataclass(frozen=True, slots=True)
class YearWorld:
    """The tables a year's end reads."""

    tables: dict[str, pl.DataFrame]
    """The tables the rooms read; npcs and npc_vitals hold the living only."""
    next_event: int
    harvest_failures: dict[int, int]
    everyone: Everyone
    """Everyone of the npcs table, the dead too."""

    def __getitem__(self, name: str) -> pl.DataFrame:
        return self.tables[name]


def load_year(
    store: WorldStore,
    world_id: str,
    *,
    year_start: int,
    living: Mapping[str, pl.DataFrame] | None = None,
) -> YearWorld:
    """What the year starting at `year_start` ends with, read from the store (but the
    `living`'s npcs and npc_vitals rows, if the run kept them: `history_kept`)."""
    names = (
        "settlements", "regions", "provinces", "factions", "population_groups", "pois",
        "routes", "cells", "diplomacy", "religion_relations", "religions", "chaos_events",
        "war_events", "holy_sites", "religion_shares", "deities", "cultures", *CHAOS_TABLES,
        *WAR_TABLES,
    )  # fmt: skip
    ends = store.read("events", world_id, where={"tick": year_start - 1})
    failed = ends.filter(pl.col("type") == "harvest_failed").select("region_id", "event_id")
    # The dead keep their rows as they are: a year reads and revises the living's alone.
    if living is None:
        living = {name: store.read(name, world_id, unless_in=DEAD) for name in LIVING}
    known = store.read("npcs", world_id, columns=("npc_id", "profession"))
    return YearWorld(
        tables={name: store.read(name, world_id, columns=SOME_COLUMNS.get(name)) for name in names}
        | dict(living),
        next_event=store.next_id("events", world_id, "event_id"),
        harvest_failures={int(r): int(e) for r, e in failed.rows()},
        everyone=Everyone(
            ids=known["npc_id"].to_numpy().astype(np.int64),
            professions=known["profession"],
            names=store.read(
                "npcs", world_id, columns=("culture_id", "sex", "name"), distinct=True
            ),
        ),
    )


def live_year(
    world: YearWorld,
    run: EconomyRun,
    rules: EconomyRules,
    layout: MarketLayout,
    *,
    seeds: Seeds,
    year: int,
    personality: str | None,
) -> tuple[YearRecord, RolledYear]:
    """The year's chaos and wars, then its population and people, as one chain of events."""
    calendar = catalog.calendar()
    days = calendar.days_per_year
    settlements = world["settlements"]
    n = settlements.height
    region = settlements["region_id"].to_numpy().astype(np.int64)
    realm_of = dict(world["provinces"].select("region_id", "faction_id").rows())
    realm = np.array([realm_of.get(int(r), -1) for r in region], dtype=np.int64)
    cohorts = _cohorts(world["population_groups"])
    war_inputs = _war_inputs(world, cohorts)
    rooms = Rooms(
        chaos_table=catalog.chaos_table(),
        war_table=catalog.war_table(),
        chaos_inputs=_chaos_inputs(world, realm_of),
        war_inputs=war_inputs,
        personality=personality,
    )
    earlier_war = dict(world["war_events"].select("record_id", "event_id").rows())
    rolled = roll_year(
        _chaos_state(world),
        _war_state(world, war_inputs),
        rooms=rooms,
        first_tick=year * days,
        calendar=calendar,
        seeds=seeds,
        earlier_chaos=dict(world["chaos_events"].select("record_id", "event_id").rows()),
        earlier_war=earlier_war,
    )
    market_settlement = layout.settlement_id.astype(np.int64)
    market_of = np.full(n, -1, dtype=np.int64)
    for m, (own, served) in enumerate(zip(market_settlement, layout.served, strict=True)):
        market_of[served.astype(np.int64)] = m
        market_of[int(own)] = m
    agents = _market_agents(run, n_markets=market_settlement.size)
    hardship = _market_hardship(run, agents=agents)
    year_world = WorldYear(
        year=year,
        first_tick=year * days,
        days=days,
        places=Places(
            region=region,
            realm=realm,
            neighbours=_neighbours(world["routes"], n),
            tier=tuple(settlements["tier"].to_list()),
        ),
        cohorts=cohorts,
        npcs=world["npcs"],
        vitals=_vitals_in(world["npc_vitals"]),
        leaders=_leaders(world["factions"]),
        hardship=np.where(market_of >= 0, hardship[np.maximum(market_of, 0)], 0.0),
        market_settlement=market_settlement,
        market_of=market_of,
        food_index=_food_index(run, rules),
        ruined=run.state.bankrupt,
        market_agents=agents,
        harvest_failures=world.harvest_failures,
        faiths=_faiths(world, rolled.war_state, n, hostility=war_inputs.religion_hostility),
        everyone=world.everyone,
        strife=_strife(world, rolled, earlier_war=earlier_war),
    )
    record = chronicle_year(
        year_world,
        happenings=rolled.happenings,
        at_war_realms=rolled.at_war_realms,
        killed=rolled.killed,
        struck=rolled.struck,
        killings=rolled.killings,
        hooks=rolled.hooks,
        rules=catalog.history_rules(),
        roles=catalog.notable_roles(),
        seeds=seeds,
        first_event_id=world.next_event,
    )
    return record, rolled


# -- what the rooms read ------------------------------------------------------------------------


def _cohorts(groups: pl.DataFrame) -> Cohorts:
    bands = catalog.history_rules().bands
    professions = tuple(sorted({*groups["profession"].unique().to_list(), "child", "laborer"}))
    index = {p: i for i, p in enumerate(professions)}
    return Cohorts(
        settlement=groups["settlement_id"].to_numpy().astype(np.int64),
        band=groups["age_band"]
        .replace_strict({b: i for i, b in enumerate(bands)})
        .to_numpy()
        .astype(np.int64),
        sex=(groups["sex"] == "male").to_numpy().astype(np.int64),
        culture=groups["culture_id"].to_numpy().astype(np.int64),
        religion=groups["religion_id"].to_numpy().astype(np.int64),
        profession=groups["profession"].replace_strict(index).to_numpy().astype(np.int64),
        count=groups["count"].to_numpy().astype(np.int64),
        professions=professions,
    )


def _war_inputs(world: YearWorld, cohorts: Cohorts) -> WarInputs:
    """The world as the war room sees it: factions, neighbouring regions, settlements with
    their people of fighting age and guards, roads, faiths' hostility."""
    factions = world["factions"].sort("faction_id")
    regions = world["regions"].sort("region_id")
    settlements = world["settlements"].sort("settlement_id")
    n = settlements.height
    fighting = np.isin(cohorts.band, FIGHTING_BANDS)
    guard = cohorts.professions.index("guard") if "guard" in cohorts.professions else -1

    def per_settlement(mask: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return np.bincount(cohorts.settlement[mask], cohorts.count[mask], minlength=n)

    cells = world["cells"].select("cell_id", "region_id", "neighbors").drop_nulls("region_id")
    # Neighbouring regions: the pairs (low, high) of regions whose cells touch, in order.
    other = cells.select(pl.col("cell_id").alias("neighbor"), pl.col("region_id").alias("other"))
    touching = (
        cells.select("region_id", pl.col("neighbors").alias("neighbor"))
        .explode("neighbor")
        .join(other, on="neighbor")
        .filter(pl.col("other") != pl.col("region_id"))
        .select(
            pl.min_horizontal("region_id", "other").alias("a"),
            pl.max_horizontal("region_id", "other").alias("b"),
        )
        .unique()
        .sort("a", "b")
    )
    a, b = touching["a"].to_list(), touching["b"].to_list()
    roads = world["routes"].filter(
        (pl.col("kind") == "road") & pl.col("end_place").is_not_null()
        & (pl.col("start_place") < n) & (pl.col("end_place") < n)
    )  # fmt: skip
    return WarInputs.of(
        faction_ids=factions["faction_id"],
        faction_is_state=factions["kind"] == "state",
        faction_seat_settlement=factions["seat_settlement_id"].fill_null(-1),
        faction_seat_region=factions["seat_region_id"],
        faction_culture=factions["culture_id"],
        faction_religion=factions["religion_id"].fill_null(-1),
        faction_leader=factions["leader_npc_id"].fill_null(-1),
        region_ids=regions["region_id"],
        region_a=a,
        region_b=b,
        settlement_ids=settlements["settlement_id"],
        settlement_region=settlements["region_id"],
        settlement_tier=settlements["tier"],
        settlement_population=settlements["population"],
        settlement_men=per_settlement(fighting & (cohorts.sex == 1)),
        settlement_women=per_settlement(fighting & (cohorts.sex == 0)),
        settlement_guards=per_settlement(cohorts.profession == guard),
        road_start=roads["start_place"],
        road_end=roads["end_place"],
        road_days=roads["travel_days"],
        religion_hostility=_hostility(world),
    )


def _hostility(world: YearWorld) -> np.ndarray[Any, np.dtype[np.float64]]:
    """[religion, religion]: how hostile each faith is to each other, 0-100."""
    faiths = world["religions"].height
    hostility = np.zeros((max(faiths, 1), max(faiths, 1)))
    for x, y, h in world["religion_relations"].select("a_id", "b_id", "hostility").rows():
        hostility[x, y] = hostility[y, x] = h
    return hostility


def _faiths(
    world: YearWorld, war: WarState, n: int, *, hostility: np.ndarray[Any, np.dtype[np.float64]]
) -> Faiths:
    """Who holds each settlement as the year ends (the war room's owners) and their faith, the
    faiths' `hostility` (`_hostility`, as the war room read it), the holy sites as the year
    began."""
    ruler = np.full(n, -1, dtype=np.int64)
    ruler[war.settlement_ids.astype(np.int64)] = war.settlement_owner
    faith_of = dict(
        world["factions"].select("faction_id", pl.col("religion_id").fill_null(-1)).rows()
    )
    sites = world["holy_sites"].sort("poi_id")

    def column(name: str) -> np.ndarray[Any, np.dtype[np.int64]]:
        return sites[name].fill_null(-1).to_numpy().astype(np.int64)

    return Faiths(
        ruler=ruler,
        state_faith=np.array([faith_of.get(int(f), -1) for f in ruler], dtype=np.int64),
        of_state=faith_of,
        hostility=hostility,
        sites=HolySites(
            poi=column("poi_id"),
            religion=column("religion_id"),
            settlement=column("settlement_id"),
            region=column("region_id"),
            desecrated_tick=column("desecrated_tick"),
            desecrated_event=column("desecrated_event_id"),
        ),
    )


def _war_state(world: YearWorld, inputs: WarInputs) -> WarState:
    if world["war_counters"].height == 0:
        return start_war_state(inputs, diplomacy=world["diplomacy"], provinces=world["provinces"])
    return WarState.from_frames({name: world[name] for name in WAR_TABLES})


def _chaos_state(world: YearWorld) -> ChaosState:
    if world["chaos_state"].height == 0:
        return ChaosState.start()
    return ChaosState.from_frames({name: world[name] for name in CHAOS_TABLES})


def _chaos_inputs(world: YearWorld, realm_of: dict[int, int]) -> ChaosInputs:
    regions = world["regions"].sort("region_id")
    region_ids = regions["region_id"].to_numpy()
    bandits = dict(
        world["factions"]
        .filter(pl.col("kind") == "bandits")
        .sort("faction_id")
        .unique("seat_region_id", keep="first", maintain_order=True)
        .select("seat_region_id", "faction_id")
        .rows()
    )
    settlements, pois, routes = world["settlements"], world["pois"], world["routes"]
    place_region = dict(settlements.select("settlement_id", "region_id").rows()) | dict(
        pois.select("poi_id", "region_id").rows()
    )
    return ChaosInputs.of(
        region_ids=region_ids,
        region_danger=regions["danger_level"],
        region_faction=[realm_of.get(int(r), -1) for r in region_ids],
        region_bandits=[bandits.get(int(r), -1) for r in region_ids],
        settlement_ids=settlements["settlement_id"],
        settlement_region=settlements["region_id"],
        settlement_population=settlements["population"],
        poi_ids=pois["poi_id"],
        poi_region=pois["region_id"],
        poi_kind=pois["kind"],
        route_ids=routes["route_id"],
        route_region=[place_region.get(int(p), -1) for p in routes["start_place"]],
    )


def _neighbours(routes: pl.DataFrame, n: int) -> tuple[tuple[int, ...], ...]:
    """Settlements joined by a route, per settlement id (place ids below n are settlements)."""
    near: list[set[int]] = [set() for _ in range(n)]
    for a, b in routes.select("start_place", "end_place").drop_nulls().rows():
        if a < n and b < n and a != b:
            near[a].add(b)
            near[b].add(a)
    return tuple(tuple(sorted(s)) for s in near)


def _market_agents(run: EconomyRun, *, n_markets: int) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Per market: its agents as the run ends."""
    market = run.state.market
    return np.bincount(market[market >= 0], minlength=n_markets).astype(np.int64)


def _market_hardship(
    run: EconomyRun, *, agents: np.ndarray[Any, np.dtype[np.int64]]
) -> np.ndarray[Any, Any]:
    """Per market: its `agents`' hunger as a share of going bust (5 rations), mean."""
    state = run.state
    at = state.market >= 0
    starving = np.clip(state.hunger[at] / 5.0, 0, 1)
    total = np.bincount(state.market[at], weights=starving, minlength=agents.size)
    return np.asarray(np.round(total / np.maximum(agents, 1), 6), dtype=np.float64)


def _food_index(run: EconomyRun, rules: EconomyRules) -> np.ndarray[Any, Any]:
    foods = rules.foods
    index = run.state.price[:, foods] / rules.value[foods][None, :]
    return np.asarray(index.mean(axis=1), dtype=np.float64)


def _vitals_in(vitals: pl.DataFrame) -> pl.DataFrame:
    return vitals.select(
        pl.col("npc_id").cast(pl.Int64),
        pl.col("born_tick").fill_null(-1).cast(pl.Int64),
        pl.col("died_tick").fill_null(-1).cast(pl.Int64),
        pl.col("death_cause").fill_null(""),
    )


def _leaders(factions: pl.DataFrame) -> Leaders:
    return Leaders(
        faction_id=factions["faction_id"].to_numpy().astype(np.int64),
        leader=factions["leader_npc_id"].fill_null(-1).to_numpy().astype(np.int64),
        seat=factions["seat_settlement_id"].fill_null(-1).to_numpy().astype(np.int64),
    )


def _strife(
    world: YearWorld, rolled: RolledYear, *, earlier_war: dict[int, int]
) -> tuple[Strife, ...]:
    """The wars under way as the year ends, with their sides' seats and their latest record
    as a happening of the year (its position) or an earlier year's event (-1 - its id, from
    `earlier_war`: record id -> event id)."""
    seats = {
        int(f): (-1 if s is None else int(s), -1 if r is None else int(r))
        for f, s, r in world["factions"]
        .select("faction_id", "seat_settlement_id", "seat_region_id")
        .rows()
    }
    this_year = dict(rolled.war_records)
    return tuple(
        Strife(
            war=war.war_id,
            sides=(war.attacker, war.defender),
            seats=(seats[war.attacker], seats[war.defender]),
            cause=this_year[war.last_record]
            if war.last_record in this_year
            else -1 - earlier_war[war.last_record],
        )
        for war in rolled.war_state.wars
    )
