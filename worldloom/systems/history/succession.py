"""Successions: when a ruler dies in the year, the seat passes to an heir (an adult child,
else the spouse, else the seat's oldest grown notable, else its oldest grown person) or stands
empty, each with its event caused by the death; heirs become notables with the ruler's role."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from worldloom.systems.history.log import EventLog

Int = np.ndarray[Any, np.dtype[np.int64]]


@dataclass(frozen=True, slots=True)
class Leaders:
    """Each faction's leader (npcs.npc_id, -1 for none) and its seat (settlement id, -1)."""

    faction_id: Int
    leader: Int
    seat: Int


@dataclass(frozen=True, slots=True)
class Succession:
    """A faction's seat changing hands: the heir (-1 when vacant), at a tick, by an event."""

    faction_id: int
    npc_id: int
    previous_id: int
    tick: int
    event_id: int
    relation: str


def succeed(
    npcs: pl.DataFrame,
    leaders: Leaders,
    *,
    dead: Mapping[int, int],
    alive_after: set[int],
    died_tick: Mapping[int, int],
    region_of: Int,
    log: EventLog,
) -> tuple[Leaders, tuple[Succession, ...]]:
    """Heirs for the factions whose leader died: an adult child, else the spouse, else the
    oldest grown notable of the seat, else its oldest grown person; else the seat stands empty."""
    leader = leaders.leader.copy()
    out: list[Succession] = []
    if not any(int(previous) in dead for previous in leaders.leader):
        return leaders, ()
    ids = npcs["npc_id"].to_numpy().astype(np.int64)
    age = npcs["age"].fill_null(0).to_numpy().astype(np.int64)
    father = npcs["father_id"].fill_null(-1).to_numpy().astype(np.int64)
    mother = npcs["mother_id"].fill_null(-1).to_numpy().astype(np.int64)
    settlement = npcs["settlement_id"].to_numpy().astype(np.int64)
    notable = npcs["notable"].fill_null(False).to_numpy().astype(bool)
    spouse_of = npcs["spouse_id"]
    alive = np.fromiter(alive_after, dtype=np.int64, count=len(alive_after))
    living = np.isin(ids, alive) & (age >= 16)
    # Candidates are taken eldest first, the smaller id first among the same age.
    eldest = np.lexsort((ids, -age))

    def first(mask: np.ndarray[Any, np.dtype[np.bool_]]) -> int:
        rows = eldest[mask[eldest]]
        return int(ids[rows[0]]) if rows.size else -1

    for i, (faction, previous, seat) in enumerate(
        zip(leaders.faction_id, leaders.leader, leaders.seat, strict=True)
    ):
        if int(previous) not in dead:
            continue
        prev = int(previous)
        child = first(living & ((father == prev) | (mother == prev)))
        spouse = spouse_of[int(np.flatnonzero(ids == prev)[0])]
        home = living & (settlement == int(seat))
        noble, elder = first(home & notable), first(home)
        heir, relation = -1, "none"
        if child >= 0:
            heir, relation = child, "child"
        elif spouse is not None and int(spouse) in alive_after:
            heir, relation = int(spouse), "spouse"
        elif noble >= 0:
            heir, relation = noble, "notable"
        elif elder >= 0:
            heir, relation = elder, "elder"
        tick = int(died_tick[prev])
        s = int(seat)
        place = {"settlement_id": s, "region_id": int(region_of[s])} if s >= 0 else {}
        if heir >= 0:
            event = log.add(
                "succession",
                tick=tick,
                payload={"previous_id": prev, "relation": relation},
                causes=(dead[prev],),
                npc_id=heir,
                faction_id=int(faction),
                actors=place,
            )
        else:
            event = log.add(
                "ruler_vacant",
                tick=tick,
                payload={"previous_id": prev},
                causes=(dead[prev],),
                faction_id=int(faction),
                actors=place,
            )
        leader[i] = heir
        out.append(Succession(int(faction), heir, prev, tick, event, relation))
    return Leaders(leaders.faction_id, leader, leaders.seat), tuple(out)


def crown(npcs: pl.DataFrame, successions: tuple[Succession, ...]) -> pl.DataFrame:
    """Heirs become notables with the ruler's role."""
    heirs = [s.npc_id for s in successions if s.npc_id >= 0]
    if not heirs:
        return npcs
    is_heir = pl.col("npc_id").is_in(heirs)
    return npcs.with_columns(
        pl.when(is_heir).then(True).otherwise(pl.col("notable")).alias("notable"),
        pl.when(is_heir)
        .then(pl.lit("ruler"))
        .otherwise(pl.col("notable_role"))
        .alias("notable_role"),
    )
