"""A tiny hand-built world for the quest tests: two regions, three settlements, two factions,
a handful of people, four POIs, one item per category, and an event builder."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import polars as pl
from hypothesis import strategies as st

from worldloom.infrastructure.seed_data import read_toml
from worldloom.infrastructure.store.schema.history import EVENTS
from worldloom.infrastructure.store.schema.narrative import ARC_ROLES, ARCS
from worldloom.systems.narrative.names import Names
from worldloom.systems.narrative.quest import QuestBook, QuestRules, QuestWorld, offer_quests
from worldloom.systems.rng import Seeds

RULES = QuestRules.from_mapping(read_toml("quests.toml"))

PEOPLE = [
    # npc_id, settlement, profession, notable_role, wealth, father, mother, spouse, born
    (1, 0, "noble", "ruler", 900, None, None, None, -9000),
    (2, 0, "merchant", "merchant", 500, None, None, None, -9000),
    (3, 1, "priest", "priest", 50, None, None, None, -9000),
    (4, 1, "adventurer", "adventurer", 80, None, None, None, -9000),
    (5, 2, "smith", "guild_master", 300, None, None, None, -9000),
    (10, 1, "laborer", None, 5, 11, None, 12, -7000),
    (11, 1, "farmer", None, 9, None, None, None, -9000),
    (12, 1, "farmer", None, 7, None, None, None, -7000),
    (13, 1, "child", None, 0, 10, 12, None, -100),
    (20, 2, "noble", "ruler", 800, None, None, None, -9000),
    (21, 2, "guard", None, 20, None, None, None, 200),
]
"""People of the world; 10 (killed in war on day 40) has a father 11, a wife 12 and a child 13;
21 is born on day 200."""
DEATHS = {10: 40}

NAMES = Names(
    npc={
        1: "Aldric",
        2: "Bera",
        3: "Cuthwin",
        4: "Dagna",
        5: "Eirik",
        10: "Fenn",
        11: "Gorm",
        12: "Hild",
        13: "Ivo",
        20: "Jarl",
        21: "Kell",
    },
    faction={0: "Westmark", 1: "Eastholt"},
    settlement={0: "Oakford", 1: "Millbrook", 2: "Stonegate"},
    region={0: "Greenvale", 1: "Ashmoor"},
    poi={100: "Goblin Hole", 101: "Old Keep", 102: "Red Camp", 103: "Still Shrine"},
    item={
        1: "Grain",
        2: "Iron Ore",
        3: "Bread",
        4: "Ale",
        5: "Candles",
        6: "Tunic",
        7: "Axe",
        8: "Spear",
        9: "Mail",
        10: "Herbs",
        11: "Potion",
        12: "Lumber",
    },
)
ITEMS = [
    (1, "grain", "raw", 3),
    (2, "iron_ore", "raw", 10),
    (3, "bread", "food", 2),
    (4, "ale", "drink", 3),
    (5, "candles", "luxury", 20),
    (6, "tunic", "clothing", 15),
    (7, "axe", "tool", 30),
    (8, "spear", "weapon", 40),
    (9, "mail", "armour", 300),
    (10, "healing_herbs", "reagent", 6),
    (11, "healing_potion", "potion", 50),
    (12, "lumber", "material", 5),
]


def world(deaths: dict[int, int] | None = None) -> QuestWorld:
    """The tiny world's frames, as the integrator builds them from the store; `deaths` (npc ->
    day) replaces DEATHS."""
    dead = DEATHS if deaths is None else deaths
    columns = (
        "npc_id",
        "settlement_id",
        "profession",
        "notable_role",
        "wealth",
        "father_id",
        "mother_id",
        "spouse_id",
        "born_tick",
    )
    npcs = pl.DataFrame([dict(zip(columns, p, strict=True)) for p in PEOPLE]).with_columns(
        notable=pl.col("notable_role").is_not_null()
    )
    return QuestWorld(
        npcs=npcs,
        dead=pl.DataFrame(
            {"npc_id": list(dead), "died_tick": list(dead.values())},
            schema={"npc_id": pl.Int64, "died_tick": pl.Int64},
        ),
        settlements=pl.DataFrame(
            {
                "settlement_id": [0, 1, 2],
                "region_id": [0, 0, 1],
                "tier": ["town", "village", "town"],
                "population": [1000, 300, 500],
            }
        ),
        pois=pl.DataFrame(
            {
                "poi_id": [100, 101, 102, 103],
                "kind": ["lair", "ruin", "brigand_camp", "shrine"],
                "region_id": [0, 1, 1, 0],
                "danger_level": [5, 3, 6, 1],
            }
        ),
        encounters=pl.DataFrame(
            {
                "poi_id": [100, 102],
                "monster": ["goblin", "bandit"],
                "count": [6, 4],
                "difficulty": ["medium", "deadly"],
            }
        ),
        monsters=pl.DataFrame({"monster": ["goblin", "bandit"], "challenge": [0.25, 0.125]}),
        items=pl.DataFrame(
            [dict(zip(("item_id", "good", "category", "value"), i, strict=True)) for i in ITEMS]
        ),
        prices=pl.DataFrame(
            {
                "settlement_id": [0, 0, 1, 2],
                "good": ["grain", "iron_ore", "grain", "grain"],
                "price": [2.0, 12.0, 3.0, 2.5],
            }
        ),
        regions=pl.DataFrame({"region_id": [0, 1], "danger_level": [2, 6]}),
        factions=pl.DataFrame(
            {"faction_id": [0, 1], "seat_settlement_id": [0, 2], "leader_npc_id": [1, 20]}
        ),
    )


def event(
    event_id: int,
    tick: int,
    kind: str,
    *,
    payload: dict[str, Any] | None = None,
    **actors: int | None,
) -> dict[str, Any]:
    """One events row; actors are npc_id, faction_id, other_faction_id, settlement_id,
    region_id and poi_id."""
    row: dict[str, Any] = dict.fromkeys(
        ("npc_id", "faction_id", "other_faction_id", "settlement_id", "region_id", "poi_id")
    )
    row.update(actors)
    return {
        "event_id": event_id,
        "tick": tick,
        "type": kind,
        "importance": 5,
        **row,
        "cause_ids": [],
        "payload": json.dumps(payload or {}),
    }


def events(rows: Sequence[dict[str, Any]]) -> pl.DataFrame:
    """An events frame (the events table's schema minus world_id)."""
    schema = pl.Schema({k: v for k, v in EVENTS.schema.items() if k != "world_id"})
    return pl.DataFrame(list(rows), schema=schema)


def arcs(rows: Sequence[tuple[int, str, str, int, int]] = ()) -> pl.DataFrame:
    """Arcs from (arc_id, pattern, status, start_tick, last_tick)."""
    return ARCS.frame(
        {
            "arc_id": [r[0] for r in rows],
            "pattern": [r[1] for r in rows],
            "status": [r[2] for r in rows],
            "stage": [1] * len(rows),
            "stages": [3] * len(rows),
            "start_tick": [r[3] for r in rows],
            "last_tick": [r[4] for r in rows],
            "importance": [5] * len(rows),
            "motifs": [[]] * len(rows),
            "title": ["t"] * len(rows),
            "summary": ["s"] * len(rows),
        }
    )


def arc_roles(rows: Sequence[tuple[int, str, str, int]] = ()) -> pl.DataFrame:
    """Arc roles from (arc_id, role, column, id)."""
    ids = ("npc_id", "faction_id", "settlement_id", "region_id", "poi_id")
    return ARC_ROLES.frame(
        {
            "arc_id": [r[0] for r in rows],
            "role": [r[1] for r in rows],
            **{c: [r[3] if r[2] == c else None for r in rows] for c in ids},
        }
    )


def run(
    rows: Sequence[dict[str, Any]],
    until: int,
    *,
    rules: QuestRules = RULES,
    book: QuestBook | None = None,
    arc_rows: pl.DataFrame | None = None,
    role_rows: pl.DataFrame | None = None,
    seed: int = 7,
    deaths: dict[int, int] | None = None,
) -> QuestBook:
    """offer_quests over the tiny world."""
    return offer_quests(
        rules=rules,
        book=book or QuestBook.empty(),
        world=world(deaths),
        events=events(rows),
        arcs=arc_rows if arc_rows is not None else arcs(),
        arc_roles=role_rows if role_rows is not None else arc_roles(),
        names=NAMES,
        until_tick=until,
        seeds=Seeds(seed),
    )


KINDS = (
    "bandit_raid",
    "monster_attack",
    "fire",
    "plague",
    "caravan_lost",
    "price_shock",
    "omen",
    "famine",
    "ruin_discovered",
    "ore_discovered",
    "settlement_occupied",
    "peace",
    "birth",
)


@st.composite
def event_lists(draw: st.DrawFn, *, max_tick: int = 400) -> list[dict[str, Any]]:
    """Events of trigger types (and some that trigger nothing) anywhere in the tiny world."""
    size = draw(st.integers(0, 14))
    rows = []
    for event_id in range(size):
        kind = draw(st.sampled_from(KINDS))
        settlement = draw(st.sampled_from([0, 1, 2, None]))
        region = {0: 0, 1: 0, 2: 1, None: draw(st.sampled_from([0, 1]))}[settlement]
        rows.append(
            event(
                event_id,
                draw(st.integers(0, max_tick)),
                kind,
                settlement_id=settlement,
                region_id=region,
                poi_id=draw(st.sampled_from([100, 101, 102, None])),
                npc_id=draw(st.sampled_from([1, 5, 10, None])),
                faction_id=0,
                other_faction_id=draw(st.sampled_from([1, None])),
                payload={"resource": draw(st.sampled_from(["ore", "grain", ""]))},
            )
        )
    rows.sort(key=lambda r: (r["tick"], r["event_id"]))
    return [{**row, "event_id": number} for number, row in enumerate(rows)]
