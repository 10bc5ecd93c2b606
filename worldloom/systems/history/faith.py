"""Faiths over a year (`keep_faiths`): people take up the faith of the state that holds their
settlement, holy sites fall to conquerors of a hostile faith and to raiders, and a desecrated
site is consecrated again by the faith its neighbours follow, each change an event.

Conversions: of the people of a settlement held by a state who are not of its faith, a share
(`state_rate`, less the more hostile the two faiths are: `resistance` x hostility / 100) takes
it up each year, drawn per cohort. Each settlement's year of conversions is a `conversion`
event (a footnote, importance 1, below `event_people` people), caused by the settlement's
occupation when that happened this year. Tier-2 people (`convert_people`) take up their
state's faith at the same rates, each drawn from their own id and the year, each conversion an
event of its own (importance 1, the type's for notables).

A holy site in a settlement occupied by a state whose faith is at least
`desecrate_hostility` hostile to the site's is desecrated (caused by the occupation); one in
the wilds of a region a bandit raid or monster attack struck is, with chance
`raid_desecration` (caused by the raid). A site desecrated at least `reconsecrate_years`
years ago is consecrated again by the faith most people of its settlement (in the wilds: of
its region) follow at the year's end, caused by its desecration: `holy_site_founded`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import polars as pl

from worldloom.systems.draw import keyed_uniform
from worldloom.systems.history.cohort import Cohorts, cohort_rows, merge_cohorts
from worldloom.systems.history.log import EventLog
from worldloom.systems.rng import Seeds

Int = np.ndarray[Any, np.dtype[np.int64]]
Float = np.ndarray[Any, np.dtype[np.float64]]
NONE = -1
"""No ruler, no faith, no settlement, not desecrated: in the integer arrays here."""


@dataclass(frozen=True, slots=True)
class HolySites:
    """holy_sites as arrays, in poi id order: the faith keeping each (the one it was kept by,
    while desecrated), where it stands, and its desecration (tick and event; -1 while kept)."""

    poi: Int
    religion: Int
    settlement: Int
    region: Int
    desecrated_tick: Int
    desecrated_event: Int


@dataclass(frozen=True, slots=True)
class Faiths:
    """The faiths as a year ends: by settlement id, the state holding it and its faith (-1:
    none); the faiths' hostility to each other ([religion, religion], 0-100); the holy sites
    as the year began; each state's faith."""

    ruler: Int
    state_faith: Int
    hostility: Float
    sites: HolySites
    of_state: Mapping[int, int] = field(default_factory=dict)
    """Each state's faith (faction id -> religion id, -1 none)."""


@dataclass(frozen=True, slots=True)
class Blow:
    """An event that may desecrate: its id, the realm it wronged and the one that struck
    (faction ids; -1 for none, as a monster's attack)."""

    event: int
    wronged: int = NONE
    striker: int = NONE


@dataclass(frozen=True, slots=True)
class Struck:
    """The year's events that bear on faiths: settlement id -> its (last) occupation (the
    realm it was taken from, the one that took it), region id -> the (first) raid or monster
    attack on it (the realm it struck, the raiders)."""

    occupied: Mapping[int, Blow]
    raided: Mapping[int, Blow]


@dataclass(frozen=True, slots=True)
class FaithYear:
    """The cohorts after the year's conversions, and the holy sites at its end."""

    cohorts: Cohorts
    sites: HolySites


def keep_faiths(
    cohorts: Cohorts,
    faiths: Faiths,
    *,
    struck: Struck,
    region_of: Int,
    rules: Mapping[str, float],
    log: EventLog,
    seeds: Seeds,
    year: int,
    last_tick: int,
    days_per_year: int,
) -> FaithYear:
    """The year's desecrations, conversions and consecrations (see the module), logged."""
    sites = _desecrate(faiths, struck, rules=rules, log=log, seeds=seeds, year=year)
    converted = _convert(
        cohorts, faiths, struck, region_of=region_of, rules=rules, log=log, seeds=seeds, year=year,
        tick=last_tick,
    )  # fmt: skip
    sites = _consecrate(
        sites,
        converted,
        region_of=region_of,
        after_days=int(rules["reconsecrate_years"]) * days_per_year,
        log=log,
        tick=last_tick,
    )
    return FaithYear(converted, sites)


def _desecrate(
    faiths: Faiths,
    struck: Struck,
    *,
    rules: Mapping[str, float],
    log: EventLog,
    seeds: Seeds,
    year: int,
) -> HolySites:
    """Sites kept until now that a hostile conqueror or a raid desecrates, in poi id order."""
    sites = faiths.sites
    kept = sites.desecrated_tick == NONE
    settlement = sites.settlement
    conqueror = np.where(settlement >= 0, faiths.state_faith[np.maximum(settlement, 0)], NONE)
    hostile = np.zeros(sites.poi.size, dtype=bool)
    known = conqueror >= 0
    hostile[known] = (
        faiths.hostility[sites.religion[known], conqueror[known]] >= rules["desecrate_hostility"]
    )
    occupied = np.isin(settlement, np.fromiter(struck.occupied, np.int64))
    by_conquest = kept & occupied & hostile & (conqueror != sites.religion)
    luck = keyed_uniform(sites.poi, seeds=seeds, system=f"history.faith.raid.{year}")
    raided = np.isin(sites.region, np.fromiter(struck.raided, np.int64)) & (settlement < 0)
    by_raid = kept & raided & (luck < rules["raid_desecration"])
    tick, event = sites.desecrated_tick.copy(), sites.desecrated_event.copy()
    for row in np.flatnonzero(by_conquest | by_raid).tolist():
        s = int(settlement[row])
        blow = struck.occupied[s] if by_conquest[row] else struck.raided[int(sites.region[row])]
        when = log.tick_of(blow.event)
        place = {"poi_id": int(sites.poi[row]), "region_id": int(sites.region[row])}
        if s >= 0:
            place["settlement_id"] = s
        # As the arcs read it: the realm wronged, and the one that did it.
        if blow.wronged >= 0:
            place["faction_id"] = blow.wronged
        if blow.striker >= 0:
            place["other_faction_id"] = blow.striker
        event[row] = log.add(
            "holy_site_desecrated",
            tick=when,
            payload={"religion_id": int(sites.religion[row])},
            causes=(blow.event,),
            actors=place,
        )
        tick[row] = when
    return replace(sites, desecrated_tick=tick, desecrated_event=event)


def _convert(
    cohorts: Cohorts,
    faiths: Faiths,
    struck: Struck,
    *,
    region_of: Int,
    rules: Mapping[str, float],
    log: EventLog,
    seeds: Seeds,
    year: int,
    tick: int,
) -> Cohorts:
    """Cohorts after a year's conversions to their state's faith, each settlement's logged."""
    target = faiths.state_faith[cohorts.settlement]
    eligible = (target >= 0) & (target != cohorts.religion)
    rate = np.zeros(cohorts.count.size)
    rate[eligible] = _rate(faiths, rules, cohorts.religion[eligible], target[eligible])
    converts = seeds.stream("history.faith.conversion", year).binomial(cohorts.count, rate)
    if not converts.any():
        return cohorts
    stayed = cohort_rows(cohorts, cohorts.count - converts)
    moved = cohort_rows(cohorts, converts, religion=target)
    after = merge_cohorts([stayed, moved], cohorts.professions)
    n = faiths.state_faith.size
    people = np.bincount(cohorts.settlement, weights=converts, minlength=n).astype(np.int64)
    # Each settlement's converts by the faith they left, counted at once (not a pass over
    # every cohort for each settlement that converted).
    moving = np.flatnonzero(converts)
    by_faith = np.zeros((people.size, int(cohorts.religion[moving].max()) + 1))
    np.add.at(by_faith, (cohorts.settlement[moving], cohorts.religion[moving]), converts[moving])
    left = by_faith.argmax(axis=1)
    for s in np.flatnonzero(people).tolist():
        _log_conversion(
            log, faiths, struck, region_of, settlement=s, faith=int(faiths.state_faith[s]),
            people=int(people[s]), left=int(left[s]), tick=tick,
            # A handful of converts is a footnote; the type's importance from `event_people`.
            importance=None if people[s] >= rules["event_people"] else 1,
        )  # fmt: skip
    return after


def _rate(faiths: Faiths, rules: Mapping[str, float], religion: Int, target: Int) -> Float:
    """The yearly chance of taking up `target` for followers of `religion`."""
    hostility = faiths.hostility[religion, target]
    return rules["state_rate"] * (1 - rules["resistance"] * hostility / 100)


def _log_conversion(
    log: EventLog,
    faiths: Faiths,
    struck: Struck,
    region_of: Int,
    *,
    settlement: int,
    faith: int,
    people: int,
    left: int,
    tick: int,
    importance: int | None,
    npc_id: int = NONE,
) -> None:
    """A settlement's year of conversions (or one person's: `npc_id`), caused by the
    settlement's occupation that year, if it fell."""
    cause = struck.occupied.get(settlement)
    actors = {
        "settlement_id": settlement,
        "region_id": int(region_of[settlement]),
        "faction_id": int(faiths.ruler[settlement]),
    }
    if npc_id >= 0:
        actors["npc_id"] = npc_id
    log.add(
        "conversion",
        tick=tick,
        payload={"religion_id": faith, "people": people, "from_religion_id": left},
        causes=() if cause is None else (cause.event,),
        importance=importance,
        actors=actors,
    )


def _consecrate(
    sites: HolySites,
    cohorts: Cohorts,
    *,
    region_of: Int,
    after_days: int,
    log: EventLog,
    tick: int,
) -> HolySites:
    """Sites desecrated `after_days` or more ago, consecrated by the faith most people around
    them follow (none where nobody lives)."""
    due = (sites.desecrated_tick >= 0) & (tick - sites.desecrated_tick >= after_days)
    if not due.any():
        return sites
    n_faiths = int(max(cohorts.religion.max(initial=0), sites.religion.max(initial=0))) + 1
    n_places = region_of.size
    by_settlement = np.zeros((n_places, n_faiths), dtype=np.int64)
    np.add.at(by_settlement, (cohorts.settlement, cohorts.religion), cohorts.count)
    by_region = np.zeros((int(region_of.max(initial=0)) + 1, n_faiths), dtype=np.int64)
    np.add.at(by_region, region_of, by_settlement)
    religion, desecrated = sites.religion.copy(), sites.desecrated_tick.copy()
    event = sites.desecrated_event.copy()
    for row in np.flatnonzero(due).tolist():
        s, r = int(sites.settlement[row]), int(sites.region[row])
        followers = by_settlement[s] if s >= 0 else by_region[r] if r < len(by_region) else None
        if followers is None or followers.sum() == 0:
            continue
        faith = int(followers.argmax())
        place = {"poi_id": int(sites.poi[row]), "region_id": r}
        if s >= 0:
            place["settlement_id"] = s
        log.add(
            "holy_site_founded",
            tick=tick,
            payload={"religion_id": faith, "previous_religion_id": int(sites.religion[row])},
            causes=(int(event[row]),),
            actors=place,
        )
        religion[row], desecrated[row], event[row] = faith, NONE, NONE
    return replace(sites, religion=religion, desecrated_tick=desecrated, desecrated_event=event)


def convert_people(
    npcs: pl.DataFrame,
    living: pl.Series,
    faiths: Faiths,
    *,
    struck: Struck,
    region_of: Int,
    rules: Mapping[str, float],
    log: EventLog,
    seeds: Seeds,
    year: int,
    tick: int,
) -> pl.DataFrame:
    """`npcs` after the year's conversions of the `living` (a mask over its rows) to the
    faith of the state holding their settlement, as `keep_faiths` converts the cohorts."""
    settlement = npcs["settlement_id"].fill_null(-1).to_numpy().astype(np.int64)
    religion = npcs["religion_id"].fill_null(-1).to_numpy().astype(np.int64)
    target = np.where(settlement >= 0, faiths.state_faith[np.maximum(settlement, 0)], NONE)
    eligible = living.to_numpy() & (target >= 0) & (religion >= 0) & (target != religion)
    rows = np.flatnonzero(eligible)
    rate = _rate(faiths, rules, religion[rows], target[rows])
    ids = npcs["npc_id"].to_numpy().astype(np.int64)
    luck = keyed_uniform(ids[rows], seeds=seeds, system=f"history.faith.npc.{year}")
    converts = rows[luck < rate]
    if converts.size == 0:
        return npcs
    notable = npcs["notable"].fill_null(False).to_numpy().astype(bool)
    for row in converts.tolist():
        _log_conversion(
            log, faiths, struck, region_of, settlement=int(settlement[row]),
            faith=int(target[row]), people=1, left=int(religion[row]), tick=tick,
            importance=None if notable[row] else 1, npc_id=int(ids[row]),
        )  # fmt: skip
    converted = np.zeros(npcs.height, dtype=bool)
    converted[converts] = True
    return npcs.with_columns(
        pl.when(pl.Series(converted))
        .then(pl.Series(target))
        .otherwise(pl.col("religion_id"))
        .cast(npcs["religion_id"].dtype)
        .alias("religion_id")
    )
