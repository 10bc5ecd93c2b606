"""Schisms over a year (`split_faiths`): a war between two states of one faith may split it.

For each war under way as the year ends between two states whose rulers keep the same faith,
with chance `schism_chance` a year (drawn from the war's id and the year), the side with fewer
of that faith's people in the settlements it holds (the defender on a tie) breaks away: the
state, and its people of that faith in the settlements it holds (cohorts and named people),
keep a new faith from then on, a heresy of the old one, with the next free religion id. None
where fewer than `schism_people` would follow it, and a faith or a state splits at most once a
year. Each is a `schism` event: the state breaking away (`faction_id`) from its enemy's faith
(`other_faction_id`), at its seat, caused by the war's latest event. What the new faith is
called, its gods and how it regards the others are the religion room's (`splinter_faith`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import polars as pl

from worldloom.systems.draw import keyed_uniform
from worldloom.systems.history.cohort import Cohorts
from worldloom.systems.history.faith import NONE, Faiths
from worldloom.systems.history.log import EventLog
from worldloom.systems.rng import Seeds

Int = np.ndarray[Any, np.dtype[np.int64]]


@dataclass(frozen=True, slots=True)
class Strife:
    """A war under way as the year ends between two states: its id, its sides (faction ids:
    attacker, defender), each side's seat (settlement id and region id), and its latest event
    as a `Happening` names its causes (a position among the year's happenings, or -1 - the
    event id of an earlier year's)."""

    war: int
    sides: tuple[int, int]
    seats: tuple[tuple[int, int], tuple[int, int]]
    cause: int


@dataclass(frozen=True, slots=True)
class Schism:
    """A faith split: the new faith (religion id) and the one it broke from, the state that
    broke away with its seat, its enemy, how many people followed it, and the event."""

    religion: int
    parent: int
    state: int
    seat: tuple[int, int]
    enemy: int
    people: int
    event: int


@dataclass(frozen=True, slots=True)
class SchismYear:
    """The cohorts and named people after the year's schisms, and the schisms."""

    cohorts: Cohorts
    npcs: pl.DataFrame
    schisms: tuple[Schism, ...]


def split_faiths(
    cohorts: Cohorts,
    npcs: pl.DataFrame,
    faiths: Faiths,
    strife: Sequence[Strife],
    *,
    rules: Mapping[str, float],
    log: EventLog,
    seeds: Seeds,
    year: int,
    tick: int,
) -> SchismYear:
    """The year's schisms (see the module), `strife` naming its causes by event id; new faiths
    take ids from the number of faiths there are."""
    next_faith = faiths.hostility.shape[0]
    religion = cohorts.religion.copy()
    npc_settlement = npcs["settlement_id"].fill_null(NONE).to_numpy().astype(np.int64)
    npc_religion = npcs["religion_id"].fill_null(NONE).to_numpy().astype(np.int64)
    wars = np.array([s.war for s in strife], dtype=np.int64)
    luck = keyed_uniform(wars, seeds=seeds, system=f"history.schism.{year}")
    # The faiths split and the states that broke away this year (ids of two kinds: apart).
    split: set[int] = set()
    broke_away: set[int] = set()
    schisms: list[Schism] = []
    for one, draw in sorted(zip(strife, luck.tolist(), strict=True), key=lambda s: s[0].war):
        faith = faiths.of_state.get(one.sides[0], NONE)
        if faith < 0 or faith != faiths.of_state.get(one.sides[1], NONE):
            continue
        if draw >= rules["schism_chance"]:
            continue
        if faith in split or broke_away.intersection(one.sides):
            continue
        followers = [
            (faiths.ruler[cohorts.settlement] == side) & (religion == faith) for side in one.sides
        ]
        people = [int(cohorts.count[f].sum()) for f in followers]
        side = 0 if people[0] < people[1] else 1  # the defender on a tie
        if people[side] < rules["schism_people"]:
            continue
        state, enemy = one.sides[side], one.sides[1 - side]
        new = next_faith + len(schisms)
        religion[followers[side]] = new
        held = (npc_settlement >= 0) & (faiths.ruler[np.maximum(npc_settlement, 0)] == state)
        npc_religion[held & (npc_religion == faith)] = new
        settlement, region = one.seats[side]
        event = log.add(
            "schism",
            tick=tick,
            payload={"religion_id": new, "parent_religion_id": faith, "people": people[side]},
            causes=(one.cause,),
            faction_id=state,
            other_faction_id=enemy,
            settlement_id=settlement,
            region_id=region,
        )
        schisms.append(Schism(new, faith, state, one.seats[side], enemy, people[side], event))
        split.add(faith)
        broke_away.add(state)
    if not schisms:
        return SchismYear(cohorts, npcs, ())
    kept = pl.when(pl.col("religion_id").is_not_null()).then(pl.Series(npc_religion))
    return SchismYear(
        replace(cohorts, religion=religion),
        npcs.with_columns(kept.cast(npcs["religion_id"].dtype).alias("religion_id")),
        tuple(schisms),
    )
