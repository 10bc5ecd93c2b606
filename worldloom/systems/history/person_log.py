"""A year of tier-2 people written down: their happenings (deaths, marriages, births, comings
of age) as events in the log, in the order of their days, and the changes of state they make.

`advance_people` draws the year's fates (`Fates`) for the people as it begins (`People`);
`write_year` logs them as four checked batches and says what changed: spouses, trades, the
newborns and the dead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from worldloom.systems.history.log import EventLog
from worldloom.systems.history.populace import Everyone

Int = np.ndarray[Any, np.dtype[np.int64]]
Bool = np.ndarray[Any, np.dtype[np.bool_]]


@dataclass(frozen=True, slots=True)
class People:
    """The npcs table as arrays, and who is alive as the year begins."""

    ids: Int
    alive: Bool
    age: Int
    female: Bool
    settlement: Int
    culture: Int
    spouse: Int
    father: Int
    mother: Int
    profession: list[str]
    child: Bool
    """Whose profession is a child's."""

    @classmethod
    def of(cls, npcs: pl.DataFrame, vitals: pl.DataFrame) -> People:
        """The people of `npcs` (in id order, as the store reads them) and their `vitals`.

        Raises:
            ValueError: `npcs` is not in ascending id order.
        """
        ids = npcs["npc_id"].to_numpy().astype(np.int64)
        if not (ids[1:] > ids[:-1]).all():
            raise ValueError("the npcs must come in ascending npc_id order, each once")
        dead = vitals.filter(pl.col("died_tick") >= 0)["npc_id"].to_numpy().astype(np.int64)

        def ints(column: str) -> Int:
            return npcs[column].fill_null(-1).to_numpy().astype(np.int64)

        alive = np.ones(ids.size, dtype=bool)
        died = _rows_of(ids, dead)
        alive[died[died >= 0]] = False
        return cls(
            ids=ids,
            alive=alive,
            age=ints("age"),
            female=(npcs["sex"] == "female").to_numpy(),
            settlement=ints("settlement_id"),
            culture=ints("culture_id"),
            spouse=ints("spouse_id"),
            father=ints("father_id"),
            mother=ints("mother_id"),
            profession=npcs["profession"].to_list(),
            child=(npcs["profession"] == "child").fill_null(False).to_numpy(),
        )

    def hold(self, values: Int, who: Bool) -> Bool:
        """Which of `values` are ids of the people `who` marks: `np.isin(values, ids[who])`
        by binary search in the ids (an isin sorts both: ~12 ms of a medium world's year)."""
        rows = _rows_of(self.ids, values)
        held = rows >= 0
        held[held] = who[rows[held]]
        return held


def _rows_of(ids: Int, values: Int) -> Int:
    """The row of each of `values` in the ascending `ids`, -1 where it is not one of them."""
    if not ids.size:
        return np.full(values.shape, -1, dtype=np.int64)
    at = np.minimum(np.searchsorted(ids, values), ids.size - 1)
    return np.where(ids[at] == values, at, -1)


@dataclass(frozen=True, slots=True)
class Fates:
    """What the year holds for each person: who dies (and of which cause index), which
    couples form (bride row, groom row), who bears a child, who comes of age."""

    dies: Bool
    cause: Int
    couples: list[tuple[int, int]]
    mothers: Int = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    of_age: Int = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


CAUSES = ("natural", "hunger", "war", "plague")
"""Death causes by index (a natural death is old age from 60, else sickness)."""


@dataclass(frozen=True, slots=True)
class WrittenYear:
    """The year's happenings once written: the people's spouses and trades after them, the
    newborns (mother row, father row, npc id, name, sex), births (id, tick) and deaths (id,
    tick, cause) in the order of their events, and each death's event by npc id."""

    spouse: Int
    profession: list[str]
    births: list[tuple[int, int, int, str, str]]
    born: list[tuple[int, int]]
    died: list[tuple[int, int, str]]
    death_event: dict[int, int]


def write_year(
    people: People,
    fates: Fates,
    *,
    day: Int,
    first_tick: int,
    log: EventLog,
    region_of: Int,
    causes: Mapping[tuple[str, int], tuple[int, int]],
    everyone: Everyone,
    names: Mapping[tuple[int, str], tuple[str, ...]],
    name_rng: np.random.Generator,
    sex_rng: np.random.Generator,
) -> WrittenYear:
    """The year's happenings as events in the order of their days (deaths, marriages, births,
    then comings of age on a day; by row within each), and the changes of state they make."""
    ids, settlement = people.ids, people.settlement
    dead = np.flatnonzero(fates.dies)
    brides = np.array([b for b, _ in fates.couples], dtype=np.int64)
    grooms = np.array([g for _, g in fates.couples], dtype=np.int64)
    # Births in their events' order: the names and sexes are drawn in it, the ids given in it.
    mothers = fates.mothers[np.lexsort((fates.mothers, day[2, fates.mothers]))]
    rows = (dead, brides, mothers, fates.of_age)
    ticks = [first_tick + day[k, r] for k, r in enumerate(rows)]

    def place(r: Int) -> dict[str, Int]:
        return {"settlement_id": settlement[r], "region_id": region_of[settlement[r]]}

    # Deaths, each of its cause where that cause's event came first.
    ages = people.age[dead].tolist()
    why = [_death_cause(c, a) for c, a in zip(fates.cause[dead].tolist(), ages, strict=True)]
    after = [
        causes.get(("famine" if w == "hunger" else w, s))
        for w, s in zip(why, settlement[dead].tolist(), strict=True)
    ]
    death_causes = [
        [] if c is None or c[1] > tick else [c[0]]
        for c, tick in zip(after, ticks[0].tolist(), strict=True)
    ]
    # Births: a child of the mother's culture, a given name in use there.
    sex = np.where(sex_rng.random(mothers.size) < 0.5, "female", "male").tolist()
    cultures = people.culture[mothers].tolist()
    pools = [
        names.get((c, x)) or names.get((c, "any")) or ("",)
        for c, x in zip(cultures, sex, strict=True)
    ]
    drawn = name_rng.integers(0, [len(p) for p in pools]).tolist() if pools else []
    given = [pool[d] for pool, d in zip(pools, drawn, strict=True)]
    fathers = np.searchsorted(ids, people.spouse[mothers])
    next_id = int(everyone.ids.max()) + 1 if everyone.ids.size else 0
    children = next_id + np.arange(mothers.size, dtype=np.int64)
    # Coming of age: the trade of the parent of one's sex (a laborer's, for none or a child).
    parents = np.where(people.female, people.mother, people.father)[fates.of_age]
    trades = [_trade_of(p) for p in everyone.professions_of(parents)]
    batches = [
        log.batch(
            "death",
            ticks=ticks[0],
            payload={"cause": why, "age": ages},
            causes=death_causes,
            actors={"npc_id": ids[dead], **place(dead)},
        ),
        log.batch(
            "marriage",
            ticks=ticks[1],
            payload={"groom_id": ids[grooms].tolist()},
            actors={"npc_id": ids[brides], **place(brides)},
        ),
        log.batch(
            "birth",
            ticks=ticks[2],
            payload={
                "mother_id": ids[mothers].tolist(),
                "father_id": ids[fathers].tolist(),
                "name": given,
                "sex": sex,
            },
            actors={"npc_id": children, **place(mothers)},
        ),
        log.batch(
            "coming_of_age",
            ticks=ticks[3],
            payload={"profession": trades},
            actors={"npc_id": ids[fates.of_age], **place(fates.of_age)},
        ),
    ]
    order = np.lexsort(
        (
            np.concatenate(rows),
            np.repeat(np.arange(4), [r.size for r in rows]),
            np.concatenate(ticks),
        )
    )
    death_ids = log.add_batches(batches, order)[0]
    spouse = people.spouse.copy()
    spouse[brides], spouse[grooms] = ids[grooms], ids[brides]
    profession = list(people.profession)
    for r, trade in zip(fates.of_age.tolist(), trades, strict=True):
        profession[r] = trade
    by_event = np.argsort(death_ids)
    died_ids = ids[dead][by_event].tolist()
    died = list(
        zip(died_ids, ticks[0][by_event].tolist(), [why[i] for i in by_event.tolist()], strict=True)
    )
    return WrittenYear(
        spouse=spouse,
        profession=profession,
        births=list(
            zip(mothers.tolist(), fathers.tolist(), children.tolist(), given, sex, strict=True)
        ),
        born=list(zip(children.tolist(), ticks[2].tolist(), strict=True)),
        died=died,
        death_event=dict(zip(died_ids, death_ids[by_event].tolist(), strict=True)),
    )


def _death_cause(index: int, age: int) -> str:
    """A death's cause by `CAUSES` index (a natural one is old age from 60, else sickness)."""
    why = CAUSES[index]
    return ("old_age" if age >= 60 else "sickness") if why == "natural" else why


def _trade_of(parent: str | None) -> str:
    """The trade a child takes up: its parent's, a laborer's for none or a child's."""
    return "laborer" if parent is None or parent == "child" else parent
