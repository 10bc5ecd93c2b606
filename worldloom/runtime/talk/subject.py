"""What an NPC talks about: their own facts, and the subject a topic picks from the snapshot
(a dangerous place for a quest, a danger, a dear good or a feud for a rumor, a named place)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from worldloom.prompts.dialogue import DialogueFacts, Topic
from worldloom.runtime.engine import SnapshotEngine
from worldloom.runtime.entities.lookup import name_of, one, state_of_region
from worldloom.runtime.errors import NotFoundError
from worldloom.systems.rng import Seeds

WALK_KM_A_DAY: Final = 30.0
"""A day's walk by road (as routes count travel)."""
NEARBY: Final = 6
"""Places considered for a topic, nearest first."""
QUEST_DANGER: Final = 3
"""The least danger worth a quest."""
_DIRECTIONS: Final = (
    "east",
    "north-east",
    "north",
    "north-west",
    "west",
    "south-west",
    "south",
    "south-east",
)
_STATUS_WORDS: Final = {
    "at_war": "at war",
    "enemy": "sworn enemies",
    "rival": "bitter rivals",
    "suspicious": "wary of each other",
}


@dataclass(frozen=True, slots=True)
class Speaker:
    """The NPC and their home, as the line needs them."""

    npc_id: int
    first_name: str
    full_name: str
    age: int
    sex: Literal["male", "female"]
    profession: str
    role: str
    traits: tuple[str, ...]
    home_id: int
    home: str
    home_kind: str
    region: str
    culture: str
    faith: str
    state: str
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class Subject:
    """What the line is about; `kind` none when the snapshot offers nothing for the topic."""

    kind: Literal["none", "place", "market", "feud"]
    name: str = ""
    what: str = ""
    """The place's kind or tier, or the good."""
    days: int | None = None
    direction: str = ""
    danger: int | None = None
    population: int | None = None
    region: str = ""
    detail: str = ""
    """Monsters met there, the good's price, or the feud's status in words."""
    other: str = ""
    """The market town, or the other party of a feud."""
    names: tuple[str, ...] = field(default=())


def read_speaker(engine: SnapshotEngine, npc_id: int) -> Speaker:
    """The NPC's facts, home, culture, faith and state.

    Raises:
        NotFoundError: No NPC of that id (or no settlements table to place them).
    """
    npc = one(engine, "npcs", "npc_id", npc_id, what="npc")
    home = one(engine, "settlements", "settlement_id", npc["settlement_id"], what="settlement")
    held = state_of_region(engine, home.get("region_id"))
    state = held["name"] if held else ""
    traits = tuple(t for t in (npc.get("trait_1"), npc.get("trait_2"), npc.get("trait_3")) if t)
    return Speaker(
        npc_id=npc_id,
        first_name=npc["name"],
        full_name=f"{npc['name']} {npc.get('family_name') or ''}".strip(),
        age=int(npc.get("age") or 0),
        sex="female" if npc.get("sex") == "female" else "male",
        profession=npc.get("profession") or "commoner",
        role=npc.get("notable_role") or "",
        traits=traits,
        home_id=home["settlement_id"],
        home=home["name"],
        home_kind=home.get("tier") or "settlement",
        region=name_of(engine, "regions", "region_id", home.get("region_id")) or "",
        culture=name_of(engine, "cultures", "culture_id", npc.get("culture_id")) or "",
        faith=name_of(engine, "religions", "religion_id", npc.get("religion_id")) or "",
        state=state,
        x=float(home.get("x") or 0.0),
        y=float(home.get("y") or 0.0),
    )


def pick_subject(
    engine: SnapshotEngine, speaker: Speaker, topic: Topic, place_id: int | None, seeds: Seeds
) -> Subject:
    """The subject of a topic, drawn from a stream named for the NPC and the topic.

    Candidates are listed cheaply (rows of places, kept per snapshot) and only the one drawn
    is looked into (its monsters, a market's prices, a feud).

    Raises:
        NotFoundError: `place_id` names no settlement or POI.
    """
    rng = seeds.stream("dialogue.subject", speaker.npc_id, topic)
    if topic == "greeting":
        return Subject(kind="none")
    if topic == "place" and place_id is not None:
        return _place(engine, speaker, place_id)
    if topic == "place":
        candidates: list[Callable[[], Subject | None]] = [
            _about(engine, speaker, row) for row in _nearby(engine, speaker, min_danger=0)
        ]
    elif topic == "quest":
        candidates = [
            _about(engine, speaker, row)
            for row in _nearby(engine, speaker, min_danger=QUEST_DANGER, pois_only=True)
        ]
    else:
        dangers = _nearby(engine, speaker, min_danger=QUEST_DANGER, pois_only=True)[:2]
        candidates = [
            *(_about(engine, speaker, row) for row in dangers),
            lambda: _dear_goods(engine, speaker),
            lambda: _feud(engine, speaker),
        ]
    while candidates:
        subject = candidates.pop(int(rng.integers(len(candidates))))()
        if subject is not None:
            return subject
    return Subject(kind="none")


def dialogue_facts(speaker: Speaker, topic: Topic, subject: Subject) -> DialogueFacts:
    """The prompt's facts: the speaker, and the subject as short statements."""
    return DialogueFacts(
        speaker=speaker.full_name,
        age=min(speaker.age, 150),
        sex=speaker.sex,
        profession=speaker.profession,
        role=speaker.role,
        traits=speaker.traits,
        home=speaker.home,
        home_kind=speaker.home_kind,
        region=speaker.region,
        culture=speaker.culture,
        faith=speaker.faith,
        state=speaker.state,
        topic=topic,
        subject=subject.name,
        subject_facts=subject_statements(subject),
        names=subject.names[:8],
    )


def subject_statements(subject: Subject) -> tuple[str, ...]:
    """A subject as the prompt lists it, e.g. ("a dungeon", "3 days' walk north-east")."""
    if subject.kind == "none":
        return ()
    if subject.kind == "market":
        return (f"{subject.what} is dear at the market of {subject.other}", subject.detail)
    if subject.kind == "feud":
        return (f"{subject.name} and {subject.other} are {subject.detail}",)
    statements = [f"a {subject.what}"]
    if subject.days is not None:
        statements.append(f"{_days(subject.days)} {subject.direction}".strip())
    if subject.population:
        statements.append(f"{subject.population} people live there")
    if subject.danger is not None:
        statements.append(f"danger {subject.danger} of 10")
    if subject.detail:
        statements.append(f"{subject.detail} were seen there")
    return tuple(statements)


def _place(engine: SnapshotEngine, speaker: Speaker, place_id: int) -> Subject:
    row = next((r for r in _places(engine) if r["place_id"] == place_id), None)
    if row is None:
        raise NotFoundError(f"world {engine.world_id!r} has no settlement or POI {place_id}")
    return _place_subject(engine, speaker, row)


def _places(engine: SnapshotEngine) -> list[dict[str, Any]]:
    """Every settlement and POI as a place (read once per snapshot)."""

    def build() -> list[dict[str, Any]]:
        places = []
        for table, key in (("settlements", "settlement_id"), ("pois", "poi_id")):
            if engine.has(table):
                for row in engine.rows(f'SELECT * FROM "{table}" ORDER BY {key}'):
                    places.append({**row, "place_id": row[key], "is_poi": table == "pois"})
        return places

    return engine.memo(("places",), build)


def _nearby(
    engine: SnapshotEngine, speaker: Speaker, *, min_danger: int, pois_only: bool = False
) -> list[dict[str, Any]]:
    """The nearest places (but home): POIs at least this dangerous, and settlements."""
    rows = [
        row
        for row in _places(engine)
        if row["place_id"] != speaker.home_id
        and (
            (row["is_poi"] and (row.get("danger_level") or 0) >= max(min_danger, 1))
            or (not row["is_poi"] and not pois_only)
        )
    ]
    rows.sort(key=lambda r: (_distance(speaker, r), r["place_id"]))
    return rows[:NEARBY]


def _about(
    engine: SnapshotEngine, speaker: Speaker, row: dict[str, Any]
) -> Callable[[], Subject | None]:
    return lambda: _place_subject(engine, speaker, row)


def _place_subject(engine: SnapshotEngine, speaker: Speaker, row: dict[str, Any]) -> Subject:
    is_poi = bool(row["is_poi"])
    monsters = _monsters_at(engine).get(row["place_id"], []) if is_poi else []
    region = name_of(engine, "regions", "region_id", row.get("region_id")) or ""
    return Subject(
        kind="place",
        name=row["name"],
        what=str(row.get("kind") if is_poi else row.get("tier") or "place").replace("_", " "),
        days=max(1, round(_distance(speaker, row) / WALK_KM_A_DAY)),
        direction=_direction(speaker, row),
        danger=row.get("danger_level") if is_poi else None,
        population=None if is_poi else row.get("population"),
        region=region,
        detail=" and ".join(_plural(m) for m in monsters),
        names=tuple(n for n in (row["name"], region, *monsters) if n),
    )


def _monsters_at(engine: SnapshotEngine) -> dict[int, list[str]]:
    """The two most numerous monster kinds met at each POI (read once per snapshot)."""

    def build() -> dict[int, list[str]]:
        if not (engine.has("encounters") and engine.has("monsters")):
            return {}
        found: dict[int, list[str]] = {}
        for row in engine.rows(
            'SELECT e.poi_id, m.name, sum(e.count) AS n FROM "encounters" e '
            'JOIN "monsters" m USING (monster) GROUP BY e.poi_id, m.name '
            "ORDER BY e.poi_id, n DESC, m.name"
        ):
            kinds = found.setdefault(row["poi_id"], [])
            if len(kinds) < 2:
                kinds.append(row["name"])
        return found

    return engine.memo(("monsters",), build)


def _dear_goods(engine: SnapshotEngine, speaker: Speaker) -> Subject | None:
    if not (engine.has("markets") and engine.has("market_goods") and engine.has("goods")):
        return None
    row = engine.row(
        "SELECT g.name AS good, mk.name AS market, round(m.price) AS price "
        'FROM "markets" mk JOIN "market_goods" m USING (market_id) JOIN "goods" g USING (good) '
        "WHERE mk.settlement_id = ? OR list_contains(mk.served, ?) "
        "ORDER BY m.price / g.value DESC, g.good LIMIT 1",
        [speaker.home_id, speaker.home_id],
    )
    if row is None:
        return None
    return Subject(
        kind="market",
        name=row["good"],
        what=row["good"].lower(),
        other=row["market"],
        detail=f"{int(row['price'])} copper a unit",
        names=(row["market"],),
    )


def _feud(engine: SnapshotEngine, speaker: Speaker) -> Subject | None:
    if not speaker.state or not (engine.has("diplomacy") and engine.has("factions")):
        return None
    row = engine.row(
        'SELECT a.name AS a, b.name AS b, d.status FROM "diplomacy" d '
        'JOIN "factions" a ON a.faction_id = d.a_id JOIN "factions" b ON b.faction_id = d.b_id '
        "WHERE (a.name = ? OR b.name = ?) AND d.status IN ('at_war', 'enemy', 'rival', "
        "'suspicious') ORDER BY d.tension DESC, d.a_id, d.b_id LIMIT 1",
        [speaker.state, speaker.state],
    )
    if row is None:
        return None
    other = row["b"] if row["a"] == speaker.state else row["a"]
    return Subject(
        kind="feud",
        name=speaker.state,
        other=other,
        detail=_STATUS_WORDS[row["status"]],
        names=(speaker.state, other),
    )


def _distance(speaker: Speaker, row: dict[str, Any]) -> float:
    return math.hypot(float(row.get("x") or 0) - speaker.x, float(row.get("y") or 0) - speaker.y)


def _direction(speaker: Speaker, row: dict[str, Any]) -> str:
    east = float(row.get("x") or 0) - speaker.x
    north = speaker.y - float(row.get("y") or 0)  # map y grows south
    if math.hypot(east, north) < 1:
        return ""
    sector = round(math.degrees(math.atan2(north, east)) / 45) % 8
    return _DIRECTIONS[sector]


def _days(days: int) -> str:
    return "a day's walk" if days == 1 else f"{days} days' walk"


def _plural(name: str) -> str:
    word = name.lower()
    if word.endswith(("s", "x", "ch", "sh")):
        return f"{word}es"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return f"{word[:-1]}ies"
    if word.endswith("f"):
        return f"{word[:-1]}ves"
    return f"{word}s"
