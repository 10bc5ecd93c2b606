"""Faction leaders: a notable NPC of fitting role from each faction's seat or territory."""

from __future__ import annotations

import polars as pl

from worldloom.systems.draw import keyed_uniform
from worldloom.systems.faction.table import FactionTable
from worldloom.systems.rng import Seeds

_SHORTLIST = 8
"""Candidates kept per faction: enough that NPCs already leading another faction can be
skipped, few enough that the final pick is a short loop whatever the NPC count."""


def choose_leaders(
    factions: pl.DataFrame,
    provinces: pl.DataFrame,
    settlements: pl.DataFrame,
    npcs: pl.DataFrame,
    *,
    seeds: Seeds,
    table: FactionTable,
) -> pl.Series:
    """The leader of every faction, or -1 when no notable of a fitting role lives there.

    A state draws on its whole territory, bandits on their region's settlements, the rest
    on their seat. Candidates rank by role (the table lists the most fitting first), then
    by living at the seat itself, then by a draw keyed on (faction, NPC); factions pick in
    id order (states first) and no NPC leads two factions.

    Args:
        factions: faction_id, kind, seat_settlement_id, seat_region_id.
        provinces: region_id, faction_id (the states' territory).
        settlements: settlement_id, region_id.
        npcs: npc_id, settlement_id, notable, notable_role (filtered and joined, never looped).
        seeds: the world's seed tree.
        table: the faction seed table (`leaders`).

    Returns:
        leader_npc_id (Int64), aligned with the rows of `factions`.
    """
    towns = settlements.select(
        pl.col("settlement_id").cast(pl.Int32), pl.col("region_id").cast(pl.Int32)
    )
    seats = factions.select("faction_id", "kind", "seat_settlement_id", "seat_region_id")
    by_territory = (
        seats.filter(pl.col("kind") == "state")
        .join(provinces.select("faction_id", "region_id"), on="faction_id")
        .join(towns, on="region_id")
    )
    by_region = seats.filter(pl.col("kind") == "bandits").join(
        towns, left_on="seat_region_id", right_on="region_id"
    )
    by_seat = seats.filter(~pl.col("kind").is_in(["state", "bandits"])).with_columns(
        settlement_id=pl.col("seat_settlement_id")
    )
    columns = ["faction_id", "kind", "settlement_id", "seat_settlement_id"]
    places = pl.concat([frame.select(columns) for frame in (by_territory, by_region, by_seat)])
    roles = pl.DataFrame(
        [
            (kind, role, rank)
            for kind, fitting in table.leaders.items()
            for rank, role in enumerate(fitting)
        ],
        schema={"kind": pl.String, "notable_role": pl.String, "role_rank": pl.Int32},
        orient="row",
    )
    notables = npcs.filter(pl.col("notable")).select(
        "npc_id", pl.col("settlement_id").cast(pl.Int32), "notable_role"
    )
    candidates = (
        places.with_columns(pl.col("settlement_id").cast(pl.Int32))
        .join(roles, on="kind")
        .join(notables, on=["settlement_id", "notable_role"])
    )
    luck = keyed_uniform(
        candidates["faction_id"].to_numpy(),
        candidates["npc_id"].to_numpy(),
        seeds=seeds,
        system="faction.leader",
    )
    shortlist = (
        candidates.with_columns(
            away=pl.col("settlement_id") != pl.col("seat_settlement_id"), luck=luck
        )
        .sort(["faction_id", "role_rank", "away", "luck", "npc_id"])
        .group_by("faction_id", maintain_order=True)
        .head(_SHORTLIST)
    )
    chosen: dict[int, int] = {}
    taken: set[int] = set()
    for faction_id, npc_id in shortlist.select("faction_id", "npc_id").iter_rows():
        if faction_id not in chosen and npc_id not in taken:
            chosen[faction_id] = npc_id
            taken.add(npc_id)
    return pl.Series(
        "leader_npc_id",
        [chosen.get(f, -1) for f in factions["faction_id"].to_list()],
        dtype=pl.Int64,
    )
