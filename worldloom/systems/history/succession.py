"""Successions: when a ruler dies in the year, the seat passes to an heir (an adult child,
else the spouse, else the seat's oldest grown notable, else its oldest grown person) or stands
empty, each with its event caused by the death; heirs become notables with the ruler's role.

Every other notable's place (a priest's, a merchant's, a guild master's, a town's ruler who
leads no faction) passes too when they die or leave it for a seat (`pass_roles`): to their
eldest adult child at home, else to the richest grown person there of the role's trade; a
place still empty at a year's end (no one could take it, or the settlement grew into a tier
that keeps more) goes to the richest of the trade then (`empty_places`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from worldloom.systems.history.log import EventLog
from worldloom.systems.people import NotableRole

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
    alive_after: Int,
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
    living = np.isin(ids, alive_after) & (age >= 16)
    # Candidates are taken eldest first, the smaller id first among the same age: each row's
    # rank in that order, so that a few candidates are ranked without reordering everyone.
    rank = np.empty(ids.size, dtype=np.int64)
    rank[np.lexsort((ids, -age))] = np.arange(ids.size)

    def first(mask: np.ndarray[Any, np.dtype[np.bool_]]) -> int:
        rows = np.flatnonzero(mask)
        return int(ids[rows[np.argmin(rank[rows])]]) if rows.size else -1

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
        elif spouse is not None and np.isin(int(spouse), alive_after):
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


@dataclass(frozen=True, slots=True)
class Vacancy:
    """A notable's place left in their settlement, by a death or a seat taken (`cause`), or
    found empty (no previous holder, no cause: -1)."""

    previous_id: int
    role: str
    settlement_id: int
    tick: int
    cause: int


def vacancies(
    npcs: pl.DataFrame,
    *,
    dead: Mapping[int, int],
    died_tick: Mapping[int, int],
    leaders: Leaders,
    successions: tuple[Succession, ...],
) -> tuple[Vacancy, ...]:
    """The notables' places left during the year (`npcs` as it began, `dead`: npc -> death
    event): those of the notables who died, but for the factions' leaders (theirs is a
    succession), and those of the notables who took a seat (one place, however many seats:
    the first); by day, then previous id."""
    holders = {
        int(npc): (str(role), int(home))
        for npc, role, home in npcs.filter(
            pl.col("notable").fill_null(False)
            & pl.col("notable_role").is_not_null()
            & pl.col("settlement_id").is_not_null()
        )
        .select("npc_id", "notable_role", "settlement_id")
        .iter_rows()
    }
    seated = {int(leader) for leader in leaders.leader}
    left = [
        Vacancy(npc, *holders[npc], died_tick[npc], event)
        for npc, event in dead.items()
        if npc in holders and npc not in seated
    ]
    left += [
        Vacancy(s.npc_id, *holders[s.npc_id], s.tick, s.event_id)
        for s in successions
        if s.npc_id in holders and holders[s.npc_id][0] != "ruler"
    ]
    first: dict[int, Vacancy] = {}
    for vacancy in sorted(left, key=lambda v: (v.tick, v.cause)):
        first.setdefault(vacancy.previous_id, vacancy)
    return tuple(sorted(first.values(), key=lambda v: (v.tick, v.previous_id)))


def empty_places(
    npcs: pl.DataFrame,
    tiers: Sequence[str],
    *,
    roles: Mapping[str, NotableRole],
    alive_after: Int,
    tick: int,
) -> tuple[Vacancy, ...]:
    """The places of each settlement's tier's notables (`roles`' counts; a ruler's is a
    faction's seat, not counted) that no one alive at the year's end holds, found on `tick`:
    a place whose holder could not be followed, or that has none since the settlement grew;
    by settlement, then role."""
    if not tiers:
        return ()
    # The few thousand notables are looked up among the living, not the living (a quarter of
    # a million ids) made into a frame's column to look them up in.
    notables = npcs.filter(pl.col("notable").fill_null(False))
    living = np.isin(notables["npc_id"].to_numpy(), alive_after)
    held = notables.filter(living).group_by("settlement_id", "notable_role").len()
    holders = {(int(s), str(r)): int(n) for s, r, n in held.iter_rows() if s is not None}
    return tuple(
        Vacancy(-1, name, settlement, tick, -1)
        for settlement, tier in enumerate(tiers)
        for name, role in sorted(roles.items())
        if name != "ruler"
        for _ in range(role.counts.get(tier, 0) - holders.get((settlement, name), 0))
    )


def pass_roles(
    npcs: pl.DataFrame,
    left: tuple[Vacancy, ...],
    *,
    roles: Mapping[str, NotableRole],
    alive_after: Int,
    region_of: Int,
    log: EventLog,
) -> pl.DataFrame:
    """`npcs` with each place `left` taken, in its order, by someone of its settlement alive at
    the year's end, of the role's age and no notable yet: the previous holder's eldest child,
    else the richest of the role's trade (the eldest, then the smaller id, among equals); each
    with a `role_passed` event caused by the death or succession. A role `roles` does not
    know asks for age 16 and no trade."""
    if not left:
        return npcs
    # Only the places' settlements' people can take them: a year's places are in a tenth of
    # the settlements or fewer, and the rest of the table need not be read or sorted.
    near = npcs.filter(pl.col("settlement_id").fill_null(-1).is_in([v.settlement_id for v in left]))
    ids = near["npc_id"].to_numpy().astype(np.int64)
    age = near["age"].fill_null(0).to_numpy().astype(np.int64)
    parents = np.stack([near[c].fill_null(-1).to_numpy().astype(np.int64)
                        for c in ("father_id", "mother_id")])  # fmt: skip
    home = near["settlement_id"].fill_null(-1).to_numpy().astype(np.int64)
    trade = near["profession"].fill_null("").to_numpy()
    wealth = near["wealth"].fill_null(0).to_numpy().astype(np.int64)
    free = np.isin(ids, alive_after) & ~near["notable"].fill_null(False).to_numpy().astype(bool)
    # Each settlement's rows, eldest first (then the smaller id).
    by_home = np.lexsort((ids, -age, home))
    starts = np.searchsorted(home[by_home], [v.settlement_id for v in left], side="left")
    ends = np.searchsorted(home[by_home], [v.settlement_id for v in left], side="right")
    taken: dict[int, str] = {}
    for vacancy, start, end in zip(left, starts.tolist(), ends.tolist(), strict=True):
        role = roles.get(vacancy.role)
        rows = by_home[start:end]
        rows = rows[free[rows] & (age[rows] >= (role.min_age if role else 16))]
        child = (
            rows[(parents[:, rows] == vacancy.previous_id).any(axis=0)]
            if vacancy.previous_id >= 0
            else rows[:0]
        )
        skilled = rows[trade[rows] == role.profession] if role else rows[:0]
        if child.size:
            heir, relation = int(child[0]), "child"
        elif skilled.size:
            # The richest; stable, so the eldest (then the smaller id) among equals.
            heir, relation = int(skilled[np.argsort(-wealth[skilled], kind="stable")[0]]), "trade"
        else:
            continue
        free[heir] = False
        taken[int(ids[heir])] = vacancy.role
        s = vacancy.settlement_id
        log.add(
            "role_passed",
            tick=vacancy.tick,
            payload={"previous_id": vacancy.previous_id, "role": vacancy.role,
                     "relation": relation},
            causes=(vacancy.cause,) if vacancy.cause >= 0 else (),
            npc_id=int(ids[heir]),
            actors={"settlement_id": s, "region_id": int(region_of[s])},
        )  # fmt: skip
    if not taken:
        return npcs
    heirs = pl.Series(list(taken), dtype=npcs["npc_id"].dtype)
    role_of = pl.col("npc_id").replace_strict(heirs, list(taken.values()), default=None)
    is_heir = pl.col("npc_id").is_in(heirs.implode())
    return npcs.with_columns(
        pl.when(is_heir).then(True).otherwise(pl.col("notable")).alias("notable"),
        pl.when(is_heir).then(role_of).otherwise(pl.col("notable_role")).alias("notable_role"),
    )
