"""A year of history: what the world's systems did, written as one chain of events.

`chronicle_year` takes the world as the year began, what the economy's year left (each
market's hunger and food prices) and what the war and chaos rooms say happened during it
(`Happening`s), and returns the world as the year ends with every change explained by an event:
famines from hunger (caused by the harvests that failed), the tier-1 population's year (deaths
raised and births lowered by hunger, dear food, war and plague; migration away from them),
settlements passing size marks, faiths (conversions to the ruler's faith, holy sites desecrated
and consecrated again: `keep_faiths`), tier-2 people's births, marriages, deaths and
successions, faiths split by wars between states that keep them (`split_faiths`), and the
economy's hooks for the next year (routes cut by war, markets closed by
sieges, harvests lost to drought and flood).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import polars as pl

from worldloom.systems.history.chronicle import Happening, Hooks, WorldYear, YearRecord
from worldloom.systems.history.cohort import Conditions, Move, Tally, advance_cohorts
from worldloom.systems.history.faith import Blow, Struck, convert_people, keep_faiths
from worldloom.systems.history.log import EventLog
from worldloom.systems.history.person import advance_people
from worldloom.systems.history.rules import HistoryRules
from worldloom.systems.history.schism import split_faiths
from worldloom.systems.people import NotableRole
from worldloom.systems.rng import Seeds

Int = np.ndarray[Any, np.dtype[np.int64]]
Float = np.ndarray[Any, np.dtype[np.float64]]
BOOM_BIRTHS = 50
"""A year of at least this many births, twice the deaths, is a baby boom."""
DEARTH_INDEX = 2.0
"""Food at this multiple of its worth at a year's end is a dearth."""
RUIN_SHARE = 0.4
"""A market whose bankruptcies over a year come to this share of its agents (and to
`RUIN_LEAST` at least) saw its merchants ruined."""
RUIN_LEAST = 4
RAIDS = ("bandit_raid", "monster_attack")
"""The chaos events that may desecrate the holy sites in the wilds of the region they strike."""


def chronicle_year(
    world: WorldYear,
    *,
    happenings: Sequence[Happening],
    at_war_realms: frozenset[int],
    killed: Mapping[int, int],
    hooks: Hooks,
    struck: Mapping[int, int] | None = None,
    killings: Mapping[int, int] | None = None,
    rules: HistoryRules,
    roles: Mapping[str, NotableRole],
    seeds: Seeds,
    first_event_id: int,
) -> YearRecord:
    """The world at the year's end, and the events that explain how it got there.

    Args:
        happenings: the war and chaos rooms' events of the year, causes first.
        at_war_realms: states at war during the year.
        killed: settlement id -> people killed there in battle or siege (men of fighting
            age first).
        struck: settlement id -> people killed there by disasters, raids and plague
            (everyone alike).
        killings: settlement id -> the position in `happenings` of the first that killed
            its people (`killed`): their deaths follow from it.
        hooks: the next year's economy hooks the war and chaos rooms ask for.
        roles: the notable roles by name, whose places pass on (`pass_roles`).
        first_event_id: the next free event id.
    """
    last = world.first_tick + world.days - 1
    log = EventLog(rules.events, first_event_id, earlier_tick=world.first_tick)
    ids = _log_happenings(log, happenings)
    region = world.places.region
    plague, plague_event = _plagues(happenings, ids, region)
    at_war = np.isin(world.places.realm, np.fromiter(at_war_realms, np.int64)).astype(float)
    killed_arr = np.zeros(region.size, dtype=np.int64)
    struck_arr = np.zeros(region.size, dtype=np.int64)
    for settlement, count in killed.items():
        killed_arr[settlement] = count
    for settlement, count in (struck or {}).items():
        struck_arr[settlement] = count
    famine_event = _famines(log, world, rules=rules, tick=last)
    _ruins(log, world, happenings, ids, tick=last)
    dear = rules.dearth_of(world.food_index)
    dearth = np.where(world.market_of >= 0, dear[np.maximum(world.market_of, 0)], 0.0)
    felt = rules.hardship_of(world.hardship)
    conditions = Conditions(felt, at_war, plague, killed_arr, struck_arr, dearth)
    cohort_year = advance_cohorts(
        world.cohorts,
        conditions=conditions,
        neighbours=world.places.neighbours,
        rules=rules,
        seeds=seeds,
        year=world.year,
    )
    causes = {
        s: tuple(e for e in (famine_event.get(s), plague_event.get(s)) if e is not None)
        for s in range(region.size)
    }
    _tally_events(log, cohort_year.tally, region=region, causes=causes, tick=last)
    _move_events(
        log,
        cohort_year.moves,
        region=region,
        why={"plague": plague_event, "hunger": famine_event},
        rules=rules,
        tick=last,
    )
    struck_faiths = _struck(happenings, ids)
    faith_year = keep_faiths(
        cohort_year.cohorts,
        world.faiths,
        struck=struck_faiths,
        region_of=region,
        rules=rules.faith,
        log=log,
        seeds=seeds,
        year=world.year,
        last_tick=last,
        days_per_year=world.days,
    )
    # A death follows from the plague there (when it came first) or the lost harvest.
    death_causes = {("plague", s): (e, log.tick_of(e)) for s, e in plague_event.items()}
    for settlement, position in (killings or {}).items():
        death_causes[("war", settlement)] = (ids[position], log.tick_of(ids[position]))
    for settlement, home in enumerate(region.tolist()):
        failed = world.harvest_failures.get(home)
        if failed is not None:
            death_causes[("famine", settlement)] = (failed, world.first_tick - 1)
    people = advance_people(
        world.npcs,
        world.vitals,
        leaders=world.leaders,
        roles=roles,
        tiers=world.places.tier,
        conditions=conditions,
        cohorts=cohort_year.tally,
        region_of=region,
        rules=rules,
        seeds=seeds,
        year=world.year,
        first_tick=world.first_tick,
        days=world.days,
        log=log,
        causes=death_causes,
        everyone=world.everyone,
    )
    npcs = convert_people(
        people.npcs,
        ~people.npcs["npc_id"].is_in(
            people.vitals.filter(pl.col("died_tick") >= 0)["npc_id"].implode()
        ),
        world.faiths,
        struck=struck_faiths,
        region_of=region,
        rules=rules.faith,
        log=log,
        seeds=seeds,
        year=world.year,
        tick=last,
    )
    split = split_faiths(
        faith_year.cohorts,
        npcs,
        world.faiths,
        [replace(s, cause=ids[s.cause] if s.cause >= 0 else -1 - s.cause) for s in world.strife],
        rules=rules.faith,
        log=log,
        seeds=seeds,
        year=world.year,
        tick=last,
    )
    _hook_events(log, hooks, tick=last, region=region)
    return YearRecord(
        cohorts=split.cohorts,
        tally=cohort_year.tally,
        npcs=split.npcs,
        vitals=people.vitals,
        leaders=people.leaders,
        successions=people.successions,
        moves=cohort_year.moves,
        events=log.rows,
        conditions=conditions,
        hooks=hooks,
        sites=faith_year.sites,
        schisms=split.schisms,
    )


def _plagues(
    happenings: Sequence[Happening], ids: Sequence[int], region: Int
) -> tuple[Float, dict[int, int]]:
    """Plague severity per settlement id (its region's worst of the year), and the plague
    event each settlement suffered."""
    plague = np.zeros(region.size)
    plague_event: dict[int, int] = {}
    for happening, event in zip(happenings, ids, strict=True):
        if happening.kind != "plague":
            continue
        hit = region == happening.actors.get("region_id", -1)
        plague[hit] = np.maximum(plague[hit], float(happening.payload["severity"]))
        for settlement in np.flatnonzero(hit).tolist():
            plague_event[settlement] = event
    return plague, plague_event


def _struck(happenings: Sequence[Happening], ids: Sequence[int]) -> Struck:
    """Each settlement's last occupation of the year, each region's first raid, with the
    realm wronged and the one that struck: an occupation's or a raid's faction struck its other
    faction; a monster's attack names only the realm it struck."""
    occupied: dict[int, Blow] = {}
    raided: dict[int, Blow] = {}
    for happening, event in zip(happenings, ids, strict=True):
        actors = happening.actors
        if "other_faction_id" in actors:
            blow = Blow(event, actors["other_faction_id"], actors.get("faction_id", -1))
        else:
            blow = Blow(event, actors.get("faction_id", -1))
        if happening.kind == "settlement_occupied":
            occupied[actors["settlement_id"]] = blow
        elif happening.kind in RAIDS and "region_id" in actors:
            raided.setdefault(actors["region_id"], blow)
    return Struck(occupied, raided)


def _famines(log: EventLog, world: WorldYear, *, rules: HistoryRules, tick: int) -> dict[int, int]:
    """A famine where a market's hunger ran past what people bear (caused by the harvest its
    region lost, if it did), a dearth where its food costs twice its worth; returns the famine
    event of every settlement trading at a famished market."""
    famine_event: dict[int, int] = {}
    region = world.places.region
    for m, settlement in enumerate(world.market_settlement.tolist()):
        place = {"settlement_id": settlement, "region_id": int(region[settlement])}
        hardship = float(world.hardship[settlement])
        if hardship >= rules.migration["famine_hardship"]:
            failed = world.harvest_failures.get(place["region_id"])
            event = log.add(
                "famine",
                tick=tick,
                payload={"hunger": round(hardship * 5, 3), "hardship": round(hardship, 3)},
                causes=() if failed is None else (failed,),
                actors=place,
            )
            for served in np.flatnonzero(world.market_of == m).tolist():
                famine_event[served] = event
        if world.food_index[m] >= DEARTH_INDEX:
            index = round(float(world.food_index[m]), 3)
            log.add("dearth", tick=tick, payload={"index": index}, actors=place)
    return famine_event


def _ruins(
    log: EventLog,
    world: WorldYear,
    happenings: Sequence[Happening],
    ids: Sequence[int],
    *,
    tick: int,
) -> None:
    """A market whose bankruptcies reached `RUIN_SHARE` of its agents saw its merchants
    ruined (caused by the year's price shock there, if one struck)."""
    shocks = {
        happening.actors.get("settlement_id"): event
        for happening, event in zip(happenings, ids, strict=True)
        if happening.kind == "price_shock"
    }
    region = world.places.region
    for m, settlement in enumerate(world.market_settlement.tolist()):
        bankrupt = int(world.ruined[m])
        if bankrupt < max(RUIN_LEAST, RUIN_SHARE * int(world.market_agents[m])):
            continue
        shock = shocks.get(settlement)
        log.add(
            "merchant_ruined",
            tick=tick,
            payload={"bankruptcies": bankrupt, "agents": int(world.market_agents[m])},
            causes=() if shock is None else (shock,),
            settlement_id=settlement,
            region_id=int(region[settlement]),
        )


def _tally_events(
    log: EventLog,
    tally: Tally,
    *,
    region: Int,
    causes: Mapping[int, tuple[int, ...]],
    tick: int,
) -> None:
    """Each peopled settlement's year in numbers, its size marks and baby booms."""
    for s in np.flatnonzero((tally.start > 0) | (tally.end > 0)).tolist():
        place = {"settlement_id": s, "region_id": int(region[s])}
        start, end = int(tally.start[s]), int(tally.end[s])
        births, deaths = int(tally.births[s]), int(tally.deaths[s])
        log.add(
            "population_year",
            tick=tick,
            payload={
                "population_start": start,
                "births": births,
                "deaths": deaths,
                "immigrants": int(tally.immigrants[s]),
                "emigrants": int(tally.emigrants[s]),
                "population_end": end,
            },
            causes=causes.get(s, ()),
            actors=place,
        )
        _size_marks(log, tick=tick, start=start, end=end, place=place)
        if births >= 2 * max(deaths, 1) and births >= BOOM_BIRTHS:
            payload = {"births": births, "deaths": deaths}
            log.add("baby_boom", tick=tick, payload=payload, actors=place)


def _move_events(
    log: EventLog,
    moves: Sequence[Move],
    *,
    region: Int,
    why: Mapping[str, Mapping[int, int]],
    rules: HistoryRules,
    tick: int,
) -> None:
    """Moves of enough people: refugees from war, else a migration with its reason (caused by
    the famine or plague it fled)."""
    for move in moves:
        if move.people < rules.migration["event_people"]:
            continue
        cause = why.get(move.reason, {}).get(move.source)
        place = {"settlement_id": move.source, "region_id": int(region[move.source])}
        payload: dict[str, Any] = {"to_settlement_id": move.target, "people": move.people}
        if move.reason == "war":
            kind = "refugees"
        else:
            kind = "migration"
            payload["reason"] = move.reason
        log.add(
            kind,
            tick=tick,
            payload=payload,
            causes=() if cause is None else (cause,),
            actors=place,
        )


def _log_happenings(log: EventLog, happenings: Sequence[Happening]) -> list[int]:
    ids: list[int] = []
    for happening in happenings:
        causes = tuple(ids[c] if c >= 0 else -1 - c for c in happening.causes)
        ids.append(
            log.add(
                happening.kind,
                tick=happening.tick,
                payload=happening.payload,
                causes=causes,
                importance=happening.importance,
                actors=happening.actors,
            )
        )
    return ids


def _size_marks(
    log: EventLog, *, tick: int, start: int, end: int, place: Mapping[str, int]
) -> None:
    """A settlement passing a power of two of people (64 and up) grew or declined; one that
    lost its last person is abandoned."""
    if end == 0 and start > 0:
        log.add(
            "settlement_abandoned", tick=tick, payload={"population_before": start}, actors=place
        )
        return
    low, high = (start, end) if end > start else (end, start)
    marks = [1 << b for b in range(6, 40) if low < (1 << b) <= high]
    if not marks:
        return
    mark = marks[-1] if end > start else marks[0]
    kind = "settlement_grown" if end > start else "settlement_declined"
    log.add(kind, tick=tick, payload={"population": end, "mark": mark}, actors=place)


def _hook_events(log: EventLog, hooks: Hooks, *, tick: int, region: Int) -> None:
    """The next year's economy hooks, each an event (so every change has one)."""
    for r in hooks.failed_regions:
        log.add("harvest_failed", tick=tick, payload={"resource": "grain"}, region_id=int(r))
    for s, reason in hooks.closed_settlements:
        log.add(
            "market_closed",
            tick=tick,
            payload={"reason": reason},
            settlement_id=int(s),
            region_id=int(region[int(s)]),
        )
    for a, b in hooks.cut_realms:
        log.add(
            "trade_route_cut",
            tick=tick,
            payload={"reason": "war"},
            faction_id=int(a),
            other_faction_id=int(b),
        )
