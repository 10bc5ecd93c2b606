"""What quests stand on: the world's frames (`QuestWorld`), the quest book, and lookups by id."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from worldloom.infrastructure.store.schema.narrative import QUEST_STEPS, QUESTS


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

    `tick` is -1 for a new world; the integrator keeps it (narrative_state.tick) between runs.
    """

    quests: pl.DataFrame
    quest_steps: pl.DataFrame
    tick: int = -1

    @classmethod
    def empty(cls) -> QuestBook:
        """A book with no quests, for a new world."""
        return cls(
            QUESTS.frame({c: [] for c in QUESTS.schema}),
            QUEST_STEPS.frame({c: [] for c in QUEST_STEPS.schema}),
        )


@dataclass(frozen=True, slots=True)
class Person:
    """One person's row: where they live, what they do, their kin."""

    settlement_id: int | None
    profession: str
    notable: bool
    role: str | None
    wealth: int
    kin: tuple[int, ...]
    born_tick: int | None


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

    people: Mapping[int, Person]
    died: Mapping[int, int]
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
    prices: Mapping[tuple[int, str], float]
    seats: Mapping[int, int]
    leaders: Mapping[int, int]

    def alive(self, npc_id: int | None, tick: int) -> bool:
        """Whether `npc_id` is a person of the world who was born and not dead at `tick`."""
        if npc_id is None or npc_id not in self.people:
            return False
        born = self.people[npc_id].born_tick
        died = self.died.get(npc_id)
        return (born is None or born <= tick) and (died is None or died > tick)

    def price(self, settlement_id: int, good: str) -> float:
        """The good's price in the settlement's market, else its items' mean value, else 1."""
        if (settlement_id, good) in self.prices:
            return self.prices[(settlement_id, good)]
        values = [v for g, _, v in self.items.values() if g == good]
        return sum(values) / len(values) if values else 1.0


def build_atlas(world: QuestWorld, *, levels: Mapping[str, int]) -> Atlas:
    """Index the world's frames by id (people, places, POIs with their monsters, items, prices);
    `levels` rates an encounter's difficulty band 1..10."""
    npcs = world.npcs.sort("npc_id")
    born = npcs["born_tick"] if "born_tick" in npcs.columns else pl.Series([None] * npcs.height)
    children: dict[int, list[int]] = defaultdict(list)
    for child, father, mother in npcs.select("npc_id", "father_id", "mother_id").iter_rows():
        for parent in (father, mother):
            if parent is not None:
                children[parent].append(child)
    people: dict[int, Person] = {}
    rows = npcs.select(
        "npc_id", "settlement_id", "profession", "notable", "notable_role", "wealth",
        "father_id", "mother_id", "spouse_id",
    )  # fmt: skip
    for (npc, home, job, notable, role, wealth, father, mother, spouse), b in zip(
        rows.iter_rows(), born, strict=True
    ):
        kin = tuple(k for k in (father, mother, spouse, *children.get(npc, ())) if k is not None)
        people[npc] = Person(home, job or "", bool(notable), role, int(wealth or 0), kin, b)
    residents: dict[tuple[int, str], list[int]] = defaultdict(list)
    order = sorted(people, key=lambda n: (not people[n].notable, -people[n].wealth, n))
    for npc in order:
        person = people[npc]
        if person.settlement_id is None:
            continue
        for key in {person.profession, person.role or ""} - {""}:
            residents[(person.settlement_id, key)].append(npc)
    notables: dict[int, list[int]] = defaultdict(list)
    for npc in sorted(people):
        home = people[npc].settlement_id
        if people[npc].notable and home is not None:
            notables[home].append(npc)
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
        died=dict(world.dead.select("npc_id", "died_tick").iter_rows()),
        residents={k: tuple(v) for k, v in residents.items()},
        notables={k: tuple(v) for k, v in notables.items()},
        settlement_region=dict(world.settlements.select("settlement_id", "region_id").iter_rows()),
        region_settlements={k: tuple(v) for k, v in region_settlements.items()},
        region_danger=dict(world.regions.select("region_id", "danger_level").iter_rows()),
        pois=pois,
        monster_names=dict(names.iter_rows()) if names is not None else {},
        items=items,
        by_category={k: tuple(v) for k, v in by_category.items()},
        prices={
            (s, g): float(p)
            for s, g, p in world.prices.select("settlement_id", "good", "price").iter_rows()
        },
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
