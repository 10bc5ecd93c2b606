"""What quests stand on: the world's frames (`QuestWorld`), the quest book, and lookups by id."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import polars as pl

from worldloom.systems.narrative.quest.frames import QUEST_STEPS_SCHEMA, QUESTS_SCHEMA
from worldloom.systems.order import stable_order


@dataclass(frozen=True, slots=True)
class QuestWorld:
    """The world's state the quests are built on, as the store holds it.

    Attributes:
        npcs: npc_id, settlement_id, profession, notable, notable_role, wealth, father_id,
            mother_id, spouse_id, and optionally born_tick (npc_vitals); the dead may be in it
            too (`dead` says from when they are gone).
        dead: npc_id, died_tick (npc_vitals rows with a death day).
        settlements: settlement_id, region_id, tier, population.
        pois: poi_id, kind, region_id, danger_level.
        encounters: poi_id, monster, count, difficulty (easy, medium, hard, deadly).
        monsters: monster, challenge, and optionally name.
        items: item_id, good, category, value.
        prices: settlement_id, good, price (market_goods by the market's settlement; places
            without a market at their region's).
        regions: region_id, danger_level.
        factions: faction_id, seat_settlement_id, leader_npc_id.
    """

    npcs: pl.DataFrame
    dead: pl.DataFrame
    settlements: pl.DataFrame
    pois: pl.DataFrame
    encounters: pl.DataFrame
    monsters: pl.DataFrame
    items: pl.DataFrame
    prices: pl.DataFrame
    regions: pl.DataFrame
    factions: pl.DataFrame


@dataclass(frozen=True, slots=True)
class QuestBook:
    """The quests offered so far and their steps, and the tick the book was written up to.

    Closed quests never change: a book may carry only the open quests and the latest one (its
    id numbers the next), and `offer_quests` returns those it was given, changed, and the new.
    `tick` is -1 for a new world; the integrator keeps it (narrative_state.tick) between runs.
    """

    quests: pl.DataFrame
    quest_steps: pl.DataFrame
    tick: int = -1

    @classmethod
    def empty(cls) -> QuestBook:
        """A book with no quests, for a new world."""
        return cls(pl.DataFrame(schema=QUESTS_SCHEMA), pl.DataFrame(schema=QUEST_STEPS_SCHEMA))


class Person(NamedTuple):
    """One person's row: where they live, what they do (a tuple, not a frozen dataclass: tens
    of thousands are built per call, and frozen __init__ is ~10x slower). Their kin are
    `People.kin`: only an event's actor's are asked for, and finding children cost more than
    the rest of the row."""

    settlement_id: int | None
    profession: str
    notable: bool
    role: str | None
    wealth: int
    born_tick: int | None


class Life(NamedTuple):
    """Someone's id and days: alive on the ticks in [born, died)."""

    npc_id: int
    born: int
    died: int


def living(lives: Iterable[Life], tick: int) -> list[int]:
    """The ids of `lives` alive on `tick`, in their order (what `People.alive` says, without
    finding each one's row again: boards ask about the same people every month)."""
    return [npc for npc, born, died in lives if born <= tick < died]


@dataclass(frozen=True, slots=True)
class Poi:
    """A point of interest with its danger and the monsters met there (kind, count, level)."""

    kind: str
    region_id: int
    danger: int
    monsters: tuple[tuple[str, int, int], ...]


@dataclass(frozen=True, slots=True)
class Atlas:
    """Lookups by id over a `QuestWorld`, built once per call."""

    people: People
    residents: Mapping[tuple[int, str], tuple[int, ...]]
    """(settlement, role or profession) -> people, notables first, then richest, then id."""
    notables: Mapping[int, tuple[int, ...]]
    settlement_region: Mapping[int, int]
    region_settlements: Mapping[int, tuple[int, ...]]
    """Region -> its settlements, most populous first."""
    region_danger: Mapping[int, int]
    pois: Mapping[int, Poi]
    monster_names: Mapping[str, str]
    items: Mapping[int, tuple[str, str, float]]
    """item_id -> good, category, value."""
    by_category: Mapping[str, tuple[int, ...]]
    prices: Prices
    seats: Mapping[int, int]
    leaders: Mapping[int, int]

    def alive(self, npc_id: int | None, tick: int) -> bool:
        """Whether `npc_id` is a person of the world who was born and not dead at `tick`."""
        return self.people.alive(npc_id, tick)

    def price(self, settlement_id: int, good: str) -> float:
        """The good's price in the settlement's market, else its items' mean value, else 1."""
        market = self.prices.of(settlement_id)
        if good in market:
            return market[good]
        values = [v for g, _, v in self.items.values() if g == good]
        return sum(values) / len(values) if values else 1.0


class Prices:
    """Prices by settlement and good, each settlement's read the first time it is asked about:
    a world prices every good in every settlement, and a call asks about a few hundred."""

    __slots__ = ("_frame", "_read", "_rows")

    def __init__(self, frame: pl.DataFrame) -> None:
        """`frame`: settlement_id, good, price (a good priced twice in a place: the last)."""
        frame = frame.filter(pl.col("settlement_id").is_not_null())
        if not frame["settlement_id"].is_sorted():
            frame = frame.sort("settlement_id", maintain_order=True)
        places, first, count = np.unique(
            frame["settlement_id"].to_numpy(), return_index=True, return_counts=True
        )
        # Settlement -> its first row and how many it has.
        spans = zip(first.tolist(), count.tolist(), strict=True)
        self._rows: dict[int, tuple[int, int]] = dict(zip(places.tolist(), spans, strict=True))
        self._frame = frame.select("good", pl.col("price").cast(pl.Float64))
        self._read: dict[int, dict[str, float]] = {}

    def of(self, settlement_id: int) -> Mapping[str, float]:
        """The settlement's prices by good (none for a place the frame does not price)."""
        market = self._read.get(settlement_id)
        if market is None:
            rows = self._frame.slice(*self._rows.get(settlement_id, (0, 0)))
            market = dict(zip(rows["good"].to_list(), rows["price"].to_list(), strict=True))
            self._read[settlement_id] = market
        return market


def build_atlas(
    world: QuestWorld,
    *,
    levels: Mapping[str, int],
    keys: Collection[str] | None = None,
    since: int | None = None,
) -> Atlas:
    """Index the world's frames by id (people, places, POIs with their monsters, items, prices);
    `levels` rates an encounter's difficulty band 1..10; `keys` are the roles and professions
    whose residents are indexed (None: every one); `since`: the first day the atlas is asked
    about, before which the people who died are left out (no one asks after them: they are
    neither alive nor anyone's giver, and they would crowd the living out of the residents'
    first places)."""
    npcs, dead = world.npcs, world.dead
    if since is not None:
        gone = dead.filter(pl.col("died_tick") < since)["npc_id"].implode()
        npcs = npcs.filter(~pl.col("npc_id").is_in(gone))
        dead = dead.filter(pl.col("died_tick") >= since)
    people, residents, notables = _index_people(npcs, dead, keys=keys)
    places = world.settlements.sort(["population", "settlement_id"], descending=[True, False])
    region_settlements: dict[int, list[int]] = defaultdict(list)
    for settlement, region in places.select("settlement_id", "region_id").iter_rows():
        region_settlements[region].append(settlement)
    met: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    for poi, monster, count, band in (
        world.encounters.sort(["poi_id", "monster"])
        .select("poi_id", "monster", "count", "difficulty")
        .iter_rows()
    ):
        met[poi].append((monster, int(count), levels.get(band, 5)))
    pois = {
        poi: Poi(kind, region, int(danger), tuple(met.get(poi, ())))
        for poi, kind, region, danger in world.pois.select(
            "poi_id", "kind", "region_id", "danger_level"
        ).iter_rows()
    }
    by_category: dict[str, list[int]] = defaultdict(list)
    items = {}
    for item, good, category, value in (
        world.items.sort("item_id").select("item_id", "good", "category", "value").iter_rows()
    ):
        items[item] = (good, category, float(value))
        by_category[category].append(item)
    names = world.monsters.select("monster", "name") if "name" in world.monsters.columns else None
    return Atlas(
        people=people,
        residents=residents,
        notables=notables,
        settlement_region=dict(world.settlements.select("settlement_id", "region_id").iter_rows()),
        region_settlements={k: tuple(v) for k, v in region_settlements.items()},
        region_danger=dict(world.regions.select("region_id", "danger_level").iter_rows()),
        pois=pois,
        monster_names=dict(names.iter_rows()) if names is not None else {},
        items=items,
        by_category={k: tuple(v) for k, v in by_category.items()},
        prices=Prices(world.prices),
        seats={
            f: s
            for f, s in world.factions.select("faction_id", "seat_settlement_id").iter_rows()
            if s is not None
        },
        leaders={
            f: n
            for f, n in world.factions.select("faction_id", "leader_npc_id").iter_rows()
            if n is not None
        },
    )


_PERSON = ("settlement_id", "profession", "notable", "notable_role", "wealth", "born_tick")
"""The columns a `Person` is built from (its kin besides)."""
_KIN = ("father_id", "mother_id", "spouse_id")
_ALWAYS = -(2**62)
"""The first day of someone whose birth no one recorded (born before every tick)."""
_NEVER = 2**62
"""The day of death of someone alive."""


class People(Mapping[int, Person]):
    """People by id, each built from its row the first time it is asked for: a world holds
    a hundred thousand, a year's boards ask for under a thousand, and turning every column
    into Python values cost more than the boards themselves."""

    __slots__ = ("_born", "_built", "_child", "_died", "_ids", "_notables", "_parent", "_rows")

    def __init__(self, frame: pl.DataFrame, dead: pl.DataFrame | None = None) -> None:
        """`frame`: npcs sorted by npc_id, with `_PERSON`'s columns (wealth without nulls) and
        father_id, mother_id, spouse_id; `dead`: npc_id, died_tick of those who died."""
        ids = frame["npc_id"].to_numpy()
        # Ids numbered from 0 without a gap, as a world numbers its people, are their rows;
        # others are searched by bisection (a dict of a hundred thousand cost more than the
        # lookups of a year).
        dense = ids.size == 0 or (ids[0] == 0 and ids[-1] == ids.size - 1)
        self._ids: range | list[int] = range(ids.size) if dense else ids.tolist()
        self._rows = frame.select(*_PERSON, *_KIN)
        # Each row's first and last day, as Python lists: boards ask who is alive ~10^5 times
        # a year, mostly about people never built.
        self._born: list[int] = frame["born_tick"].fill_null(_ALWAYS).to_list()
        # One shared "never" for all but the dead (those who died after the first board, a few
        # percent): a column of days made into a list made a Python number for each person.
        self._died: list[int] = [_NEVER] * ids.size
        if dead is not None and dead.height and ids.size:
            dead_ids = dead["npc_id"].to_numpy()
            rows = np.minimum(np.searchsorted(ids, dead_ids), ids.size - 1)
            known = ids[rows] == dead_ids
            days = dead["died_tick"].to_numpy()[known]
            for row, day in zip(rows[known].tolist(), days.tolist(), strict=True):
                self._died[row] = day
        # (parent, child) pairs by parent, so a parent's children are one slice (sorted when
        # their kin are asked for).
        fathers = frame.select("npc_id", "father_id").drop_nulls()
        mothers = frame.select("npc_id", "mother_id").drop_nulls()
        parents = np.concatenate([fathers["father_id"].to_numpy(), mothers["mother_id"].to_numpy()])
        children = np.concatenate([fathers["npc_id"].to_numpy(), mothers["npc_id"].to_numpy()])
        order = stable_order(parents)
        self._parent = parents[order]
        self._child = children[order]
        self._built: dict[int, Person] = {}
        # The notables (a few thousand of a hundred thousand): an arc asks whether its people
        # are, most of them commoners whose rows are never read otherwise.
        self._notables = frozenset(frame.filter(pl.col("notable"))["npc_id"].to_list())

    def alive(self, npc_id: object, tick: int) -> bool:
        """Whether `npc_id` is one of the people, born and not dead at `tick`."""
        row = self._row(npc_id)
        return row is not None and self._born[row] <= tick < self._died[row]

    def life(self, npc_id: int) -> Life | None:
        """`npc_id`'s days (died far in the future while alive), or None when it is no one's id."""
        row = self._row(npc_id)
        return None if row is None else Life(npc_id, self._born[row], self._died[row])

    def is_notable(self, npc_id: object) -> bool:
        """Whether `npc_id` is one of the people and notable (their `Person`'s `notable`)."""
        return npc_id in self._notables

    def lives(self, npc_ids: Iterable[int]) -> tuple[Life, ...]:
        """The days of those of `npc_ids` who are someone, in their order."""
        return tuple(life for npc in npc_ids if (life := self.life(npc)) is not None)

    def _children(self, npc_id: int) -> tuple[int, ...]:
        low, high = np.searchsorted(self._parent, [npc_id, npc_id + 1])
        return tuple(sorted(self._child[low:high].tolist()))

    def _row(self, npc_id: object) -> int | None:
        """The row of `npc_id`, or None when it is no one's id."""
        if not isinstance(npc_id, int):
            return None
        if isinstance(self._ids, range):
            return npc_id if 0 <= npc_id < len(self._ids) else None
        row = bisect_left(self._ids, npc_id)
        return row if row < len(self._ids) and self._ids[row] == npc_id else None

    def __getitem__(self, npc_id: int) -> Person:
        person = self._built.get(npc_id)
        if person is None:
            home, job, notable, role, wealth, born, *_ = self._rows.row(self._found(npc_id))
            person = Person(home, job or "", bool(notable), role, wealth, born)
            self._built[npc_id] = person
        return person

    def kin(self, npc_id: int) -> tuple[int, ...]:
        """`npc_id`'s father, mother and spouse (those recorded), then children by id.

        Raises:
            KeyError: `npc_id` is no one's id.
        """
        family = self._rows.row(self._found(npc_id))[len(_PERSON) :]
        return (*(p for p in family if p is not None), *self._children(npc_id))

    def _found(self, npc_id: int) -> int:
        row = self._row(npc_id)
        if row is None:
            raise KeyError(npc_id)
        return row

    def __contains__(self, npc_id: object) -> bool:
        return self._row(npc_id) is not None

    def __iter__(self) -> Iterator[int]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


def _index_people(
    npcs: pl.DataFrame, dead: pl.DataFrame | None = None, *, keys: Collection[str] | None = None
) -> tuple[People, dict[tuple[int, str], tuple[int, ...]], dict[int, tuple[int, ...]]]:
    """People by id with their kin and days (`dead`: npc_id, died_tick); residents by
    (settlement, role or profession), best first, for `keys` only (None: every one); notables
    by settlement, by id."""
    born = (
        npcs["born_tick"]
        if "born_tick" in npcs.columns
        else pl.Series("born_tick", [None] * npcs.height, dtype=pl.Int64)
    )
    frame = npcs.with_columns(born_tick=born, wealth=pl.col("wealth").fill_null(0).cast(pl.Int64))
    # The store reads people in id order: sorting a hundred thousand rows again costs.
    frame = frame if frame["npc_id"].is_sorted() else frame.sort("npc_id")
    people = People(frame, dead)
    housed = pl.col("settlement_id").is_not_null()
    named = pl.col("key").is_not_null() & (pl.col("key") != "")
    if keys is not None:
        # Ranks are only compared within a key, so the others' rows need no place in the order.
        wanted = pl.Series(sorted(keys), dtype=pl.String).implode()
        housed &= pl.col("profession").is_in(wanted) | pl.col("notable_role").is_in(wanted)
        named &= pl.col("key").is_in(wanted)
    ranked = (
        frame.filter(housed)
        .sort(["notable", "wealth", "npc_id"], descending=[True, True, False])
        .with_row_index("rank")
    )
    keyed = (
        pl.concat([
            ranked.select("rank", "npc_id", "settlement_id", key="profession"),
            ranked.select("rank", "npc_id", "settlement_id", key="notable_role"),
        ])
        .filter(named)
        .unique(["settlement_id", "key", "npc_id"])
        .group_by("settlement_id", "key")
        .agg(pl.col("npc_id").sort_by("rank"))
    )  # fmt: skip
    groups = zip(*_columns(keyed, "settlement_id", "key", "npc_id"), strict=True)
    residents = {(place, key): tuple(ids) for place, key, ids in groups}
    grouped = (
        frame.filter(pl.col("notable").fill_null(False) & pl.col("settlement_id").is_not_null())
        .group_by("settlement_id")
        .agg(pl.col("npc_id").sort())
    )
    notables = {place: tuple(ids) for place, ids in grouped.iter_rows()}
    return people, residents, notables


def _columns(frame: pl.DataFrame, *names: str) -> list[list[Any]]:
    """The columns as lists (zipped, they are the rows at a fraction of `iter_rows`' cost)."""
    return [frame[name].to_list() for name in names]
