"""Factions: states grown from their capitals over the region graph, with provinces and a
government form; guilds, religious orders, bandits and criminal groups; who leads each."""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from worldloom.systems.faction.leader import choose_leaders
from worldloom.systems.faction.organization import (
    FactionNamer,
    FactionRow,
    found_guilds,
    found_orders,
    found_outlaws,
    leading_faith,
)
from worldloom.systems.faction.table import FACTION_KINDS, FactionTable, Government
from worldloom.systems.naming import NameBases
from worldloom.systems.region import Region
from worldloom.systems.religion import Religions
from worldloom.systems.rng import Seeds

NO_STATE = -1


@dataclass(frozen=True, slots=True, eq=False)
class Factions:
    """A world's factions, as frames ready to store.

    Attributes:
        factions: faction_id Int32, kind String (state|order|guild|criminals|bandits),
            form String (government, profession, order or outlaw form), name String,
            seat_settlement_id Int32 (-1 for bandits, seated in a region), seat_region_id
            Int32, state_id Int32 (the state holding the seat; a state's own id; -1 in
            unclaimed land), culture_id Int32, religion_id Int32 (-1 when none),
            people Int64, territory_regions Int32, territory_km2 Float64, power Float64,
            leader_npc_id Int64 (-1 when no notable fits).
        provinces: region_id Int32, faction_id Int32, name String, is_core Boolean (the
            capital's region) — one row per claimed region; unreachable regions have none.
    """

    factions: pl.DataFrame
    provinces: pl.DataFrame


def generate_factions(
    regions: Sequence[Region],
    *,
    settlements: pl.DataFrame,
    region_cultures: pl.DataFrame,
    cultures: pl.DataFrame,
    religions: Religions,
    npcs: pl.DataFrame,
    seeds: Seeds,
    table: FactionTable,
    name_bases: NameBases,
) -> Factions:
    """States (one per capital) and the other powers of a world, with their leaders.

    Each state grows from its capital's region over region adjacency, always claiming the
    cheapest unclaimed neighbour of any state (danger and foreign culture cost more, a
    state's drawn expansionism divides its costs), so territories are contiguous, never
    overlap, stay on their land mass, and cover every region some capital can reach.

    Args:
        regions: the world's regions (ids are positions).
        settlements: settlement_id, region_id, name, tier, population, coastal.
        region_cultures: region_id, culture_id.
        cultures: culture_id, name, name_base.
        religions: the world's religions (follower shares pick each seat's faith).
        npcs: npc_id, settlement_id, age, notable, notable_role (leaders come from here).
        seeds: the world's seed tree.
        table: the faction seed table.
        name_bases: culture name bases for faction names.
    """
    towns = settlements.sort("settlement_id")
    region_culture = np.full(len(regions), -1, dtype=np.int64)
    region_culture[region_cultures["region_id"].to_numpy()] = region_cultures["culture_id"]
    capitals = towns.filter(pl.col("tier") == "capital")
    owner = grow_states(
        regions,
        capital_regions=capitals["region_id"].to_list(),
        capital_ids=capitals["settlement_id"].to_list(),
        region_culture=region_culture,
        seeds=seeds,
        table=table,
    )
    faith_of = leading_faith(religions)
    organized = set(religions.religions.filter(pl.col("kind") == "organized")["religion_id"])
    namer = FactionNamer(cultures, name_bases)
    rows: list[FactionRow] = []
    for state, capital in enumerate(capitals.iter_rows(named=True)):
        land = np.flatnonzero(owner == state)
        rng = seeds.stream("faction.state", capital["settlement_id"])
        culture = int(region_culture[capital["region_id"]])
        faith = faith_of.get(capital["settlement_id"], -1)
        government = _government(
            table,
            rng,
            regions=land.size,
            cultures=np.unique(region_culture[land]).size,
            coastal=bool(capital["coastal"]),
            organized=faith in organized,
            base=namer.base(culture),
        )
        name = namer.name(
            government.names, rng, culture, capital=capital["name"], culture=namer.title(culture)
        )
        people = int(towns.filter(pl.col("region_id").is_in(land.tolist()))["population"].sum())
        rows.append(
            FactionRow(
                kind="state",
                form=government.key,
                name=name,
                seat_settlement=capital["settlement_id"],
                seat_region=capital["region_id"],
                culture_id=culture,
                religion_id=faith,
                people=people,
            )
        )
    rows += found_orders(religions, towns, seeds=seeds, table=table, namer=namer)
    for found in (found_guilds, found_outlaws):
        rows += found(
            regions, towns, region_culture, faith_of, seeds=seeds, table=table, namer=namer
        )
    return _assemble(rows, regions, owner, towns, npcs, seeds=seeds, table=table)


def grow_states(
    regions: Sequence[Region],
    *,
    capital_regions: Sequence[int],
    capital_ids: Sequence[int],
    region_culture: NDArray[np.int64],
    seeds: Seeds,
    table: FactionTable,
) -> NDArray[np.int64]:
    """The state (index into the capitals) owning each region, or NO_STATE where none reach.

    A multi-source Dijkstra: a region goes to whichever state reaches it most cheaply, and
    only through regions that state already holds, which keeps every territory connected.
    Where two capitals share a region, the first listed claims it.
    """
    owner = np.full(len(regions), NO_STATE, dtype=np.int64)
    rules = table.territory
    low, high = (float(x) for x in rules["expansionism"])
    drive = [seeds.stream("faction.expansion", c).uniform(low, high) for c in capital_ids]
    culture = [int(region_culture[r]) for r in capital_regions]
    heap = [(0.0, state, region) for state, region in enumerate(capital_regions)]
    heapq.heapify(heap)
    while heap:
        cost, state, region = heapq.heappop(heap)
        if owner[region] != NO_STATE:
            continue
        owner[region] = state
        for near in regions[region].neighbors:
            if owner[near] == NO_STATE:
                step = float(rules["step"]) + float(rules["danger"]) * regions[near].danger_level
                if region_culture[near] != culture[state]:
                    step += float(rules["foreign_culture"])
                heapq.heappush(heap, (cost + step / drive[state], state, near))
    return owner


def _government(
    table: FactionTable,
    rng: np.random.Generator,
    *,
    regions: int,
    cultures: int,
    coastal: bool,
    organized: bool,
    base: str,
) -> Government:
    """Draw a government form among those that fit the state's size, mix, coast and faith."""
    weight = np.array(
        [
            g.weight
            * (g.coastal if coastal else 1.0)
            * (g.organized if organized else 1.0)
            * g.bases.get(base, 1.0)
            for g in table.governments
        ]
    )
    # A state squeezed out of its own capital's region still needs a form: count it as one.
    size = max(regions, 1)
    fits = np.array(
        [
            g.min_regions <= size <= g.max_regions and cultures >= g.min_cultures
            for g in table.governments
        ]
    )
    if (weight * fits).sum() > 0:
        weight = weight * fits
    return table.governments[int(rng.choice(weight.size, p=weight / weight.sum()))]


def _assemble(
    rows: list[FactionRow],
    regions: Sequence[Region],
    owner: NDArray[np.int64],
    towns: pl.DataFrame,
    npcs: pl.DataFrame,
    *,
    seeds: Seeds,
    table: FactionTable,
) -> Factions:
    """Ids in kind order, the state holding each seat, power figures and leaders."""
    order = {kind: i for i, kind in enumerate(FACTION_KINDS)}
    # States come first in `rows` and keep their capital order, so state index == faction id.
    rows = sorted(rows, key=lambda row: order[row.kind])
    states = sum(row.kind == "state" for row in rows)
    claimed = np.flatnonzero(owner >= 0)
    regions_held = np.zeros(len(rows), dtype=np.int64)
    regions_held[:states] = np.bincount(owner[claimed], minlength=states)[:states]
    km2 = np.zeros(len(rows))
    area = np.array([region.area_km2 for region in regions])
    km2[:states] = np.bincount(owner[claimed], weights=area[claimed], minlength=states)[:states]
    ids = np.arange(len(rows))
    seat_state = owner[[row.seat_region for row in rows]]
    people = np.array([row.people for row in rows], dtype=np.int64)
    frame = pl.DataFrame(
        {
            "faction_id": pl.Series(ids, dtype=pl.Int32),
            "kind": [row.kind for row in rows],
            "form": [row.form for row in rows],
            "name": [row.name for row in rows],
            "seat_settlement_id": pl.Series([row.seat_settlement for row in rows], dtype=pl.Int32),
            "seat_region_id": pl.Series([row.seat_region for row in rows], dtype=pl.Int32),
            "state_id": pl.Series(np.where(ids < states, ids, seat_state), dtype=pl.Int32),
            "culture_id": pl.Series([row.culture_id for row in rows], dtype=pl.Int32),
            "religion_id": pl.Series([row.religion_id for row in rows], dtype=pl.Int32),
            "people": pl.Series(people, dtype=pl.Int64),
            "territory_regions": pl.Series(regions_held, dtype=pl.Int32),
            "territory_km2": km2,
            # Power: headcount with diminishing returns, and land to draw on for states.
            "power": np.sqrt(people) * (1.0 + 0.25 * regions_held),
        }
    )
    provinces = pl.DataFrame(
        {
            "region_id": pl.Series(claimed, dtype=pl.Int32),
            "faction_id": pl.Series(owner[claimed], dtype=pl.Int32),
            "name": [regions[r].name for r in claimed.tolist()],
            "is_core": [rows[int(owner[r])].seat_region == r for r in claimed.tolist()],
        }
    )
    leaders = choose_leaders(frame, provinces, towns, npcs, seeds=seeds, table=table)
    return Factions(frame.with_columns(leader_npc_id=leaders), provinces)
