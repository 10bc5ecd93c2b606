"""Tier-2 people over a year: they age, marry, have children and die; a ruler's death is a
succession, another notable's place passes to an heir or one of the trade.

Everything is drawn from the people alive when the year begins, each from its own stream
keyed by the year: who dies, which couples form (willing brides and grooms of one settlement
and culture, paired in id order), which married women bear a child, and the day of the year
each happens on. How many die and how many are born in a settlement follow its cohorts' year
(`Tally`): the tier-2 people are some or all of its people, so they have their share of its
deaths and births, and the two tiers keep their proportion (a village whose every person is an
NPC stays so). Who dies is drawn by each one's rate (the band's, raised by the settlement's
hardship, war and plague: the likelier first); who bears a child among the married women of
age. The dead keep their rows (stories and gear still name them); `Vitals` say who was born
and who died when.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from worldloom.systems.history.cohort import Conditions, Tally
from worldloom.systems.history.log import EventLog
from worldloom.systems.history.person_log import CAUSES, Fates, People, write_year
from worldloom.systems.history.populace import Everyone
from worldloom.systems.history.rules import HistoryRules
from worldloom.systems.history.succession import (
    Leaders,
    Succession,
    crown,
    empty_places,
    pass_roles,
    succeed,
    vacancies,
)
from worldloom.systems.order import stable_order
from worldloom.systems.people import NotableRole
from worldloom.systems.rng import Seeds

Int = np.ndarray[Any, np.dtype[np.int64]]
FIGHTING_AGES = (16, 44)
"""The ages battles kill first (the cohorts' bands 16-29 and 30-44)."""
VITALS_SCHEMA = pl.Schema(
    {
        "npc_id": pl.Int64(),
        "born_tick": pl.Int64(),
        "died_tick": pl.Int64(),
        "death_cause": pl.String(),
    }
)
"""Who was born and who died during the simulation: -1 / '' where not (yet)."""


@dataclass(frozen=True, slots=True)
class PeopleYear:
    npcs: pl.DataFrame
    vitals: pl.DataFrame
    leaders: Leaders
    successions: tuple[Succession, ...]
    deaths: Mapping[int, int]
    """npc id -> the event of their death (this year)."""


def advance_people(
    npcs: pl.DataFrame,
    vitals: pl.DataFrame,
    *,
    leaders: Leaders,
    roles: Mapping[str, NotableRole],
    tiers: Sequence[str] = (),
    conditions: Conditions,
    cohorts: Tally,
    region_of: Int,
    rules: HistoryRules,
    seeds: Seeds,
    year: int,
    first_tick: int,
    days: int,
    log: EventLog,
    causes: Mapping[tuple[str, int], tuple[int, int]] | None = None,
    everyone: Everyone | None = None,
) -> PeopleYear:
    """One year of the tier-2 people; events go to `log` (births, deaths, marriages, coming
    of age, successions, notables' places passed on).

    Args:
        npcs: the npcs table's rows, in npc_id order.
        vitals: births and deaths so far (`VITALS_SCHEMA`).
        roles: the notable roles by name (`data/characters.toml`): a notable's place passes
            to someone of the role's age and trade (`pass_roles`).
        tiers: each settlement's tier: the places of its tier's notables still empty at the
            year's end are filled the same way (`empty_places`); none: they are not.
        cohorts: the cohorts' year per settlement id (`advance_cohorts`): its people as it
            began, their births and deaths, which the settlement's tier-2 people share.
        region_of: region id per settlement id (an event's place).
        first_tick: the year's first day; `days` its length.
        causes: ("plague" | "war" | "famine", settlement id) -> (event, tick): a death there
            of that cause on or after the tick follows from the event.
        everyone: the whole table's people, when `npcs` (and `vitals`) hold only some of
            them (the living: the dead neither change nor draw); None: `npcs` is everyone.
            The year is the same either way.

    Raises:
        ValueError: a person of `npcs` who is not among `everyone`.
    """
    everyone = Everyone.of(npcs) if everyone is None else everyone
    people = People.of(npcs, vitals)
    # Draws are made for everyone and each person takes theirs: the living alone draw alike.
    place, total = everyone.places(people.ids), everyone.ids.size
    fates = _draw_fates(
        people,
        conditions=conditions,
        cohorts=cohorts,
        rules=rules,
        seeds=seeds,
        year=year,
        place=place,
        total=total,
    )
    day = seeds.stream("history.person.day", year).integers(0, days, (4, total))[:, place]
    survives = people.alive & ~fates.dies
    written = write_year(
        people,
        fates,
        day=day,
        first_tick=first_tick,
        log=log,
        region_of=region_of,
        causes=causes or {},
        everyone=everyone,
        names=_name_pools(everyone.names),
        name_rng=seeds.stream("history.person.name", year),
        sex_rng=seeds.stream("history.person.sex", year),
    )
    updated = npcs.with_columns(
        pl.Series("age", np.where(survives, people.age + 1, people.age)).cast(npcs["age"].dtype),
        pl.Series("spouse_id", written.spouse)
        .set(pl.Series(written.spouse < 0), None)
        .cast(npcs["spouse_id"].dtype),
        pl.Series("profession", written.profession),
    )
    if written.births:
        updated = pl.concat([updated, _children(npcs, written.births)])
    born = np.array([b[2] for b in written.births], dtype=np.int64)
    alive_after = np.concatenate([people.ids[survives], born])
    died_tick = {i: t for i, t, _ in written.died}
    leaders_after, successions = succeed(
        updated,
        leaders,
        dead=written.death_event,
        alive_after=alive_after,
        died_tick=died_tick,
        region_of=region_of,
        log=log,
    )
    updated = pass_roles(
        crown(updated, successions),
        vacancies(
            npcs,
            dead=written.death_event,
            died_tick=died_tick,
            leaders=leaders,
            successions=successions,
        ),
        roles=roles,
        alive_after=alive_after,
        region_of=region_of,
        log=log,
    )
    updated = pass_roles(
        updated,
        empty_places(
            updated, tiers, roles=roles, alive_after=alive_after, tick=first_tick + days - 1
        ),
        roles=roles,
        alive_after=alive_after,
        region_of=region_of,
        log=log,
    )
    vitals_after = _vitals(vitals, written.born, written.died)
    return PeopleYear(updated, vitals_after, leaders_after, successions, written.death_event)


def _draw_fates(
    people: People,
    *,
    conditions: Conditions,
    cohorts: Tally,
    rules: HistoryRules,
    seeds: Seeds,
    year: int,
    place: Int,
    total: int,
) -> Fates:
    p, mod = rules.people, rules.modifiers
    age, s = people.age, people.settlement
    base = rules.death_rate[rules.band_of_age(age)]
    hardship = conditions.hardship[s]
    dearth = conditions.dearth_or_none()[s]
    parts = np.stack(
        [
            base,
            base * (mod["hardship_deaths"] * hardship + mod["dearth_deaths"] * dearth),
            base * mod["war_deaths"] * conditions.at_war[s],
            base * mod["plague_deaths"] * conditions.plague[s],
        ]
    )
    rate = parts.sum(axis=0).clip(0, mod["max_death_rate"])
    draw = seeds.stream("history.person.death", year).random((2, total))[:, place]
    deaths, births, killed = _shares(
        people, cohorts, conditions.killed, seeds.stream("history.person.share", year)
    )
    # Each one's death comes at an exponential time of its rate: the first `deaths` of a
    # settlement die (a settlement without cohorts: those whose draw falls under their rate),
    # its killed in battle first, from its men of fighting age (then anyone left), as the
    # cohorts lose theirs.
    clock = -np.log1p(-draw[0]) / np.maximum(rate, 1e-12)
    fighting = people.alive & ~people.female & (age >= FIGHTING_AGES[0]) & (age <= FIGHTING_AGES[1])
    killed = np.minimum(killed, deaths)
    slain = _first(clock, s, killed, among=fighting)
    left = killed - np.bincount(s[slain], minlength=killed.size)
    slain |= _first(clock, s, left, among=people.alive & ~slain)
    rest = deaths - np.bincount(s[slain], minlength=deaths.size)
    dies = np.where(
        cohorts.start[s] > 0,
        slain | _first(clock, s, rest, among=people.alive & ~slain),
        people.alive & (draw[0] < rate),
    )
    share = np.cumsum(parts, axis=0) / np.maximum(parts.sum(axis=0), 1e-12)
    cause = (draw[1][None, :] > share).sum(axis=0).clip(0, 3).astype(np.int64)
    cause[slain] = CAUSES.index("war")
    survives = people.alive & ~dies
    # Marriages: willing brides and grooms of one settlement and culture, paired in id order.
    unwed = (people.spouse < 0) | ~people.hold(people.spouse, survives)
    grown = age >= p["marriage_min_age"]
    wish = seeds.stream("history.person.marriage", year).random(total)[place]
    willing = wish < p["marriage_chance"]
    female = people.female
    brides = np.flatnonzero(
        survives & female & unwed & grown & (age <= p["bride_max_age"]) & willing
    )
    grooms = np.flatnonzero(survives & ~female & unwed & grown & (age <= p["groom_max_age"]))
    # Each one's settlement and culture as Python ints at once, not numpy scalars one by one.
    waiting: dict[tuple[int, int], list[int]] = {}
    for row, home, culture in zip(
        grooms.tolist(), s[grooms].tolist(), people.culture[grooms].tolist(), strict=True
    ):
        waiting.setdefault((home, culture), []).append(row)
    couples: list[tuple[int, int]] = []
    for row, home, culture in zip(
        brides.tolist(), s[brides].tolist(), people.culture[brides].tolist(), strict=True
    ):
        queue = waiting.get((home, culture))
        if queue:
            couples.append((row, queue.pop(0)))
    # Births: the settlement's share, to married women whose husband lived to see the year
    # begin (fewer, when it has fewer such women), in the order of their draws.
    fertile = survives & female & people.hold(people.spouse, people.alive)
    fertile &= (age >= p["marriage_min_age"]) & (age <= p["mother_max_age"])
    drawn = seeds.stream("history.person.birth", year).random(total)[place]
    mothers = np.flatnonzero(_first(drawn, s, births, among=fertile))
    of_age = np.flatnonzero(survives & (age + 1 == p["coming_of_age"]) & people.child)
    return Fates(dies, cause, couples, mothers, of_age)


def _shares(
    people: People, cohorts: Tally, killed: Int, rng: np.random.Generator
) -> tuple[Int, Int, Int]:
    """Per settlement id: the tier-2 people's deaths, births and killed in battle (of the
    deaths), their share (living people of the settlement's cohorts as the year began) of the
    cohorts', rounded up or down at random so that they are the share on average."""
    n = cohorts.start.size
    living = np.bincount(people.settlement[people.alive], minlength=n)[:n]
    share = living / np.maximum(cohorts.start, 1)
    expected = share[None, :] * np.stack([cohorts.deaths, cohorts.births, killed])
    rounded = np.floor(expected + rng.random((3, n))).astype(np.int64)
    return rounded[0], rounded[1], rounded[2]


def _first(
    key: np.ndarray[Any, Any],
    settlement: Int,
    quota: Int,
    *,
    among: np.ndarray[Any, np.dtype[np.bool_]],
) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Rows `among` that are within the first `quota[settlement]` of their settlement by
    `key` (ties in row order)."""
    # A settlement with no quota chooses no one: its rows need no sorting (in peace no one is
    # killed in battle, and the sort by key is most of a year's fates).
    rows = np.flatnonzero(among & (quota[settlement] > 0))
    # Sorted by key, then grouped by settlement in a stable radix sort: the lexical sort of
    # both at once took twice as long.
    by_key = rows[_key_order(key[rows])]
    ordered = by_key[stable_order(settlement[by_key])]
    home = settlement[ordered]
    rank = np.arange(ordered.size) - np.searchsorted(home, home, side="left")
    chosen = np.zeros(among.size, dtype=bool)
    chosen[ordered[rank < quota[home]]] = True
    return chosen


def _key_order(key: np.ndarray[Any, Any]) -> np.ndarray[Any, np.dtype[np.intp]]:
    """The order that sorts `key`, ties in row order: a quicksort's, which is that order when
    no two keys are equal (the draws' clocks never are), else a stable sort's."""
    order = np.argsort(key)
    ranked = key[order]
    if not (ranked[1:] > ranked[:-1]).all():
        order = np.argsort(key, kind="stable")
    return order


def _name_pools(npcs: pl.DataFrame) -> dict[tuple[int, str], tuple[str, ...]]:
    """Given names in use, by culture and sex (sorted, so draws do not depend on row order)."""
    pools: dict[tuple[int, str], tuple[str, ...]] = {}
    grouped = npcs.group_by("culture_id", "sex").agg(pl.col("name").unique().sort())
    for culture, sex, names in grouped.iter_rows():
        pools[(int(culture), str(sex))] = tuple(names)
    for culture, names in (
        npcs.group_by("culture_id").agg(pl.col("name").unique().sort()).iter_rows()
    ):
        pools[(int(culture), "any")] = tuple(names)
    return pools


def _children(npcs: pl.DataFrame, births: list[tuple[int, int, int, str, str]]) -> pl.DataFrame:
    """Newborns, from (mother row, father row, npc id, name, sex): of the mother's place,
    culture and faith, the father's family and household, born with their mother's gifts
    (attributes), no skills, traits or coin yet."""
    mothers = [b[0] for b in births]
    fathers = npcs[[b[1] for b in births]]
    skills = [c for c in npcs.columns if c.startswith("skill_")]
    return npcs[mothers].with_columns(
        pl.Series("npc_id", [b[2] for b in births]).cast(npcs["npc_id"].dtype),
        pl.Series("name", [b[3] for b in births]),
        pl.Series("sex", [b[4] for b in births]),
        fathers["family_name"].alias("family_name"),
        fathers["household_id"].alias("household_id"),
        fathers["npc_id"].cast(npcs["father_id"].dtype).alias("father_id"),
        npcs[mothers]["npc_id"].cast(npcs["mother_id"].dtype).alias("mother_id"),
        pl.lit(0, npcs["age"].dtype).alias("age"),
        pl.lit("child").alias("profession"),
        *(pl.lit(None, npcs[c].dtype).alias(c) for c in ("trait_1", "trait_2", "trait_3")),
        pl.lit(None, npcs["spouse_id"].dtype).alias("spouse_id"),
        pl.lit(0, npcs["wealth"].dtype).alias("wealth"),
        pl.lit(False).alias("notable"),
        pl.lit(None, npcs["notable_role"].dtype).alias("notable_role"),
        *(pl.lit(0, npcs[c].dtype).alias(c) for c in skills),
    )


def _vitals(
    vitals: pl.DataFrame, born: list[tuple[int, int]], died: list[tuple[int, int, str]]
) -> pl.DataFrame:
    new_born = pl.DataFrame(
        {"npc_id": [b[0] for b in born], "born_tick": [b[1] for b in born]},
        schema={"npc_id": pl.Int64(), "born_tick": pl.Int64()},
    ).with_columns(died_tick=pl.lit(-1, pl.Int64), death_cause=pl.lit("", pl.String))
    rows = pl.concat([vitals.cast(VITALS_SCHEMA), new_born.select(VITALS_SCHEMA.names())])
    dead = pl.DataFrame(
        {"npc_id": [d[0] for d in died], "t": [d[1] for d in died], "c": [d[2] for d in died]},
        schema={"npc_id": pl.Int64(), "t": pl.Int64(), "c": pl.String()},
    )
    known = (
        rows.join(dead, on="npc_id", how="left")
        .with_columns(
            died_tick=pl.coalesce("t", "died_tick"), death_cause=pl.coalesce("c", "death_cause")
        )
        .select(VITALS_SCHEMA.names())
    )
    fresh = dead.join(rows, on="npc_id", how="anti").select(
        "npc_id",
        born_tick=pl.lit(-1, pl.Int64),
        died_tick="t",
        death_cause="c",
    )
    return pl.concat([known, fresh]).sort("npc_id")
