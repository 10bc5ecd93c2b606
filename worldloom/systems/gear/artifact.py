"""Named artifacts (after Dwarf Fortress): masterworks of wondrous materials, each with a maker
and a history of owners, held by a living NPC or lying lost in a dungeon, lair or ruin room.

An owner chain only names people who could have held the artifact then: every NPC aged A at
the world's tick T was born by T - A years, and holds nothing before `min_owner_age`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from worldloom.systems.economy import GoodsTable
from worldloom.systems.gear.item import ItemMaker
from worldloom.systems.gear.table import GearTable
from worldloom.systems.naming import MarkovNamer, NameBases
from worldloom.systems.rng import Seeds

IntArray = NDArray[np.int64]
NOBODY = -1

HISTORY_SCHEMA = {
    "artifact_id": pl.Int32,
    "seq": pl.Int16,
    "tick": pl.Int64,
    "event": pl.String,
    "from_npc_id": pl.Int64,
    "to_npc_id": pl.Int64,
    "place_id": pl.Int32,
    "sublocation_id": pl.Int32,
}
"""One row per event that moved an artifact; -1 ids name nobody and no place."""
TRANSFERS = {"sold": 5.0, "gifted": 2.0, "stolen": 2.0}
"""How an artifact changes hands between strangers; within a family it is always a gift."""


@dataclass(frozen=True, slots=True)
class Artifact:
    """One artifact and where it is now (exactly one of holder and sublocation is set)."""

    artifact_id: int
    name: str
    good: int
    tier: int
    material: str
    material_value: float
    spell: int
    bonus: int
    maker_npc_id: int
    maker_name: str
    made_tick: int
    holder: int
    """Row of the holder in the candidates frame; NOBODY when lost."""
    slot: int
    """The holder's slot it is worn in (a position in the table's slots); -1 when lost."""
    room: int
    """Row in the rooms frame where it lies; -1 when held."""


@dataclass(frozen=True, slots=True)
class Forged:
    artifacts: tuple[Artifact, ...]
    history: pl.DataFrame


@dataclass(frozen=True, slots=True)
class Realm:
    """Who and where an artifact can belong to."""

    candidates: pl.DataFrame
    """Possible owners: npc_id, settlement_id, culture_id, age, father_id, mother_id,
    spouse_id, free_kg (capacity left), and slot_kg (what each slot's item weighs: an array,
    or a list, of one weight per slot)."""
    masters: pl.DataFrame
    """Living makers: npc_id, settlement_id, culture_id, age."""
    rooms: pl.DataFrame
    """Where lost ones lie: sublocation_id, poi_id, danger_level."""
    name_bases: tuple[str, ...]
    """Each culture's name base key, by culture id."""


def forge_artifacts(
    count: int,
    *,
    realm: Realm,
    tick: int,
    days_per_year: int,
    seeds: Seeds,
    table: GearTable,
    goods: GoodsTable,
    maker: ItemMaker,
    bases: NameBases,
) -> Forged:
    """Make up to `count` artifacts, each from its own stream `artifact.<attempt>`, and their
    histories; one that nobody could carry, in a world without rooms, is never made.

    Owners are distinct (an NPC holds at most one artifact) and only those whose free capacity
    bears it, in a slot that may hold it; the item they wore there is left at home.
    """
    rules = table.artifacts
    positions = goods.index()
    art_goods = list(rules.goods)
    materials = list(rules.materials)
    masterwork = int(np.argmax(maker.tier_value))
    cand = realm.candidates
    age = cand["age"].to_numpy().astype(np.int64)
    adult_at = tick - (age - rules.min_owner_age) * days_per_year
    holders = _Holders(
        free=cand["free_kg"].to_numpy() if cand.height else np.zeros(0),
        # One (candidates, slots) matrix: no Python list per candidate (seconds at 1M NPCs).
        slot_kg=cand["slot_kg"]
        .cast(pl.Array(pl.Float64, len(table.slots)))
        .to_numpy()
        .reshape(cand.height, len(table.slots)),
        open=adult_at <= tick,
    )
    known = _People(cand["npc_id"].to_numpy().astype(np.int64), adult_at, _Kin.of(cand))
    used_names: set[str] = set()
    namers: dict[str, MarkovNamer] = {}
    artifacts: list[Artifact] = []
    history: list[tuple[object, ...]] = []
    for attempt in range(count):
        rng = seeds.stream("artifact", attempt)
        key = art_goods[_pick(rng, [rules.goods[g] for g in art_goods])]
        good = positions[key]
        material = materials[int(rng.integers(len(materials)))]
        spell, bonus = _enchantment(rng, good, maker=maker)
        maker_npc, culture, made = _making(rng, realm, table=table, tick=tick, year=days_per_year)
        base = realm.name_bases[culture]
        if base not in namers:  # learnt once a base, not once an artifact
            namers[base] = MarkovNamer.learn(bases.get(base))
        namer = namers[base]
        maker_name = _maker_name(realm, maker_npc, namer, rng)
        name = _name(rng, key, namer=namer, used=used_names, table=table)
        slots = [s for s, slot in enumerate(table.slots) if key in slot.goods]
        wants_room = realm.rooms.height > 0 and rng.random() < rules.lost
        holder, slot, owners = (
            (NOBODY, -1, [])
            if wants_room
            else holders.place(rng, float(maker.weight_kg[good]), slots, extra=rules.max_owners)
        )
        room = _room(rng, realm.rooms) if holder == NOBODY and realm.rooms.height else -1
        if holder == NOBODY and room < 0:
            continue  # Nobody can carry it and there is nowhere for it to lie: never made.
        artifact_id = len(artifacts)
        history.extend(
            _chain(
                rng,
                artifact_id=artifact_id,
                made=made,
                maker_npc=maker_npc,
                owners=owners,
                known=known,
                realm=realm,
                room=room,
                tick=tick,
            )
        )
        artifacts.append(
            Artifact(
                artifact_id, name, good, masterwork, material, rules.materials[material],
                spell, bonus, maker_npc, maker_name, made, holder, slot, room,
            )
        )  # fmt: skip
    frame = pl.DataFrame(history, schema=HISTORY_SCHEMA, orient="row")
    return Forged(tuple(artifacts), frame)


@dataclass(frozen=True, slots=True)
class _Holders:
    """The candidates an artifact may go to; `open` clears as each takes one (the pool is
    this module's own working state, never an input)."""

    free: NDArray[np.float64]
    slot_kg: NDArray[np.float64]
    open: NDArray[np.bool_]

    def place(
        self, rng: np.random.Generator, kg: float, slots: list[int], *, extra: int
    ) -> tuple[int, int, list[int]]:
        """(holder row, slot, owners oldest first ending with the holder), or NOBODY when no
        open candidate can wear it: free capacity for it in a slot that takes it."""
        fits = np.zeros(self.open.size, dtype=np.bool_)
        for s in slots:
            fits |= self.free + self.slot_kg[:, s] >= kg
        choices = np.flatnonzero(fits & self.open)
        if choices.size == 0:
            return NOBODY, -1, []
        holder = int(choices[int(rng.integers(choices.size))])
        self.open[holder] = False
        slot = next(s for s in slots if self.free[holder] + self.slot_kg[holder, s] >= kg)
        earlier = np.flatnonzero(self.open)
        count = min(int(rng.integers(0, extra)), earlier.size)
        chosen = rng.choice(earlier, size=count, replace=False).tolist() if count else []
        return holder, slot, [*(int(o) for o in chosen), holder]


def _making(
    rng: np.random.Generator, realm: Realm, *, table: GearTable, tick: int, year: int
) -> tuple[int, int, int]:
    """(maker npc_id or NOBODY, the culture naming it, tick made): a living master's work
    made since they came of age, or a work of a maker long dead."""
    rules = table.artifacts
    if realm.masters.height > 0 and rng.random() < rules.living_maker:
        master = realm.masters.row(int(rng.integers(realm.masters.height)), named=True)
        earliest = tick - (int(master["age"]) - rules.min_owner_age) * year
        made = int(rng.integers(earliest, tick)) if earliest < tick else tick - 1
        return int(master["npc_id"]), int(master["culture_id"]), made
    years = int(rng.integers(rules.ancient_years[0], rules.ancient_years[1] + 1))
    made = tick - years * year - int(rng.integers(year))
    return NOBODY, int(rng.integers(len(realm.name_bases))), made


def _pick(rng: np.random.Generator, weights: list[float]) -> int:
    cumulative = np.cumsum(weights)
    return int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))


def _enchantment(rng: np.random.Generator, good: int, *, maker: ItemMaker) -> tuple[int, int]:
    effects = maker.enchant_effects[good]
    fitting = [i for i, e in enumerate(maker.spell_effect) if e in effects]
    spell = fitting[int(rng.integers(len(fitting)))] if fitting else -1
    return spell, int(rng.integers(2, maker.max_bonus + 1))


def _maker_name(realm: Realm, maker_npc: int, namer: MarkovNamer, rng: np.random.Generator) -> str:
    if maker_npc == NOBODY:
        return namer.generate(rng=rng, taken=frozenset())
    row = realm.masters.filter(pl.col("npc_id") == maker_npc).row(0, named=True)
    return str(row.get("name", "")) or namer.generate(rng=rng, taken=frozenset())


def _name(
    rng: np.random.Generator, key: str, *, namer: MarkovNamer, used: set[str], table: GearTable
) -> str:
    rules = table.artifacts
    while True:
        pattern = rules.names[int(rng.integers(len(rules.names)))]
        name = pattern.format(
            name=namer.generate(rng=rng, taken=frozenset(used)),
            adjective=rules.adjectives[int(rng.integers(len(rules.adjectives)))],
            noun=rules.nouns[key],
        )
        if name.lower() not in used:
            used.add(name.lower())
            return name


def _room(rng: np.random.Generator, rooms: pl.DataFrame) -> int:
    """A room to lie lost in, likelier the more dangerous its site (weight danger squared)."""
    danger = rooms["danger_level"].to_numpy().astype(np.float64)
    return _pick(rng, (danger**2).tolist())


def _chain(
    rng: np.random.Generator,
    *,
    artifact_id: int,
    made: int,
    maker_npc: int,
    owners: list[int],
    known: _People,
    realm: Realm,
    room: int,
    tick: int,
) -> list[tuple[object, ...]]:
    """The events from its making to where it is now, ticks never going back."""
    ids, adult_at, family = known.ids, known.adult_at, known.family
    rooms = realm.rooms
    events: list[tuple[object, ...]] = []
    place = NOBODY
    if maker_npc != NOBODY:
        place = int(realm.masters.filter(pl.col("npc_id") == maker_npc)["settlement_id"][0])
    events.append(("made", made, NOBODY, maker_npc, place, NOBODY))
    when, holder = made, maker_npc
    # Ancient work first passed out of memory: lost at a site, found there by its first owner.
    if owners and int(ids[owners[-1]]) == maker_npc:
        owners = []  # The maker kept their work: its making is its whole history.
    else:
        # Earlier owners in the order they came of age (never the maker); the holder last.
        earlier = [o for o in owners[:-1] if int(ids[o]) != maker_npc]
        owners = sorted(earlier, key=lambda o: int(adult_at[o])) + owners[-1:]
    if maker_npc == NOBODY and owners and rooms.height:
        site = int(rooms["poi_id"][_room(rng, rooms)])
        first = max(when + 1, int(adult_at[owners[0]]))
        lost_at = int(rng.integers(when + 1, first + 1)) if first > when + 1 else when + 1
        events.append(("lost", lost_at, NOBODY, NOBODY, site, NOBODY))
        found = max(lost_at, int(adult_at[owners[0]]))
        found = int(rng.integers(found, max(found, tick - len(owners)) + 1))
        events.append(("found", found, NOBODY, int(ids[owners[0]]), site, NOBODY))
        when, holder, owners = found, int(ids[owners[0]]), owners[1:]
    for k, owner in enumerate(owners):
        npc = int(ids[owner])
        earliest = max(when, int(adult_at[owner]))
        latest = max(earliest, tick - (len(owners) - k))
        when = int(rng.integers(earliest, latest + 1))
        kin = holder != NOBODY and family.related(holder, npc)
        kind = "gifted" if kin else list(TRANSFERS)[_pick(rng, list(TRANSFERS.values()))]
        events.append((kind, when, holder, npc, NOBODY, NOBODY))
        holder = npc
    if room >= 0:
        lost_at = int(rng.integers(when + 1, tick + 1)) if when + 1 <= tick else tick
        row = rooms.row(room, named=True)
        events.append(
            ("lost", lost_at, holder, NOBODY, int(row["poi_id"]), int(row["sublocation_id"]))
        )
    return [
        (artifact_id, seq, t, kind, frm, to, p, sub)
        for seq, (kind, t, frm, to, p, sub) in enumerate(events)
    ]


@dataclass(frozen=True, slots=True)
class _People:
    """The candidates' ids, the tick each came of age, and their kin."""

    ids: IntArray
    adult_at: IntArray
    family: _Kin


@dataclass(frozen=True, slots=True)
class _Kin:
    """The candidates' parents and spouses (a gift between kin), looked up by id when asked:
    a few hundred artifacts never need the whole realm's family tree."""

    ids: IntArray
    """Candidate ids, ascending."""
    links: IntArray
    """[candidate, father/mother/spouse] ids; negative for none."""

    @classmethod
    def of(cls, candidates: pl.DataFrame) -> _Kin:
        """The kin of `candidates` (npc_id, father_id, mother_id, spouse_id)."""
        rows = candidates.select("npc_id", "father_id", "mother_id", "spouse_id").sort("npc_id")
        links = rows.select(pl.exclude("npc_id").fill_null(NOBODY)).to_numpy()
        return cls(rows["npc_id"].to_numpy().astype(np.int64), links.astype(np.int64))

    def related(self, a: int, b: int) -> bool:
        """Whether either names the other as a parent or spouse (`b`, a candidate's kin, is
        theirs too: the tie goes both ways)."""
        return b in self._linked(a) or a in self._linked(b)

    def _linked(self, npc: int) -> list[int]:
        row = int(np.searchsorted(self.ids, npc))
        if row >= self.ids.size or self.ids[row] != npc:
            return []
        return [int(other) for other in self.links[row] if other >= 0]
