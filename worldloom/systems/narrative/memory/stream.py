"""Notables' memory streams: the events they took part in, witnessed, or heard of by rumor."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import polars as pl

from worldloom.systems.narrative.memory.frames import (
    HEARD_SCHEMA,
    MEMORY_SCHEMA,
    REFLECTION_SCHEMA,
)
from worldloom.systems.narrative.memory.reflection import reflect
from worldloom.systems.narrative.memory.rules import HOWS, MemoryRules
from worldloom.systems.narrative.names import Names
from worldloom.systems.narrative.rumor import event_payload, tell_event

PEOPLE = ("npc_id", "mother_id", "father_id", "groom_id", "previous_id")
"""The event column and payload keys that name a person."""
_PLACES = (
    ("faction", "faction_id"),
    ("faction", "other_faction_id"),
    ("settlement", "settlement_id"),
    ("region", "region_id"),
    ("poi", "poi_id"),
)
"""Entity columns whose ids become `kind:id` topic keywords (retrieval can ask for them)."""
_SEP = "\x1f"
_FAMILY_EVENTS = frozenset({"birth", "marriage", "death", "coming_of_age"})
"""Event types that are a family matter to a notable whose kin they name."""


@dataclass(frozen=True, slots=True)
class MemoryBook:
    """The memories and reflections tables as of a tick (`remember` reads every column of the
    memories but `how` and `text`, and of the reflections `reflection_id`, `npc_id` and
    `memory_ids`: the others may be left out, as an old world's text costs more to read than
    the rest).

    The memories may be those of the notables who can remember anything more alone (alive on
    the first day of the events and rumors `remember` is given): the dead's never change, and
    they are most of an old world's. Such a book says which id the next memory takes."""

    memories: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=MEMORY_SCHEMA))
    reflections: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=REFLECTION_SCHEMA)
    )
    next_memory_id: int | None = None
    """The id of the table's next memory (None: past the book's own)."""


class _Candidate(NamedTuple):
    """A memory a notable may keep (a tuple, not a frozen dataclass: a year's notables hear
    some ten thousand rumors, and a frozen dataclass's __init__ is several times slower)."""

    npc_id: int
    event_id: int
    tick: int
    how: str
    importance: int
    topics: tuple[str, ...]
    text: str


def remember(
    *,
    rules: MemoryRules,
    book: MemoryBook,
    events: pl.DataFrame,
    notables: pl.DataFrame,
    beliefs: pl.DataFrame,
    names: Names,
    until_tick: int,
) -> MemoryBook:
    """Add the memories of the events (and rumors) since the last run, and the reflections due.

    A notable took part in an event that names them (npc_id, or a payload's mother, father,
    groom or predecessor) or, at or above the faction floor, one of their faction's (its
    faction or other faction); witnessed one in their settlement at or above the witnessed
    floor, or one about their kin at any importance (kin: the children born to them and their
    spouses, and, in turn, their kin's children and spouses); heard of one when a rumor about
    it reached their settlement, at or above the heard floor. One memory per notable and event:
    the closest way of knowing wins. The dead remember nothing from their death day on.

    Args:
        events: the events recorded since the last run (the events table's columns).
        notables: `NOTABLE_SCHEMA`'s columns.
        beliefs: `HEARD_SCHEMA`'s columns: the rumors that reached settlements since the last
            run (`heard_rumors` builds it); rows heard after `until_tick` wait for a later run.
        until_tick: the world's tick now.

    Returns:
        The book's memories and reflections, unchanged, each followed by the rows this call
        adds (so the rows past the book's own are what a writer appends).
    """
    homes = {int(r["npc_id"]): r for r in notables.iter_rows(named=True)}
    circles = _Circles.of(homes, _kin_from(book.memories))
    fresh = events.filter(pl.col("tick") <= until_tick).sort("event_id")
    found = _events_known(rules, fresh, circles, names)
    heard = beliefs.filter(pl.col("heard_tick") <= until_tick)
    # A rumor of an event a notable knows closer (took part, witnessed: on or before the day
    # it was heard, so they outlive it if they outlive the rumor) or remembers already adds
    # no memory: most rumors heard, which are so left out before they are told.
    closer = pl.DataFrame(
        {"npc_id": [c.npc_id for c in found], "event_id": [c.event_id for c in found]},
        schema={"npc_id": pl.Int64(), "event_id": pl.Int64()},
    )
    known_before = pl.concat([book.memories.select("npc_id", "event_id"), closer])
    found += _rumors_heard(rules, heard.cast(HEARD_SCHEMA), circles, names, known=known_before)
    best: dict[tuple[int, int], _Candidate] = {}
    for candidate in found:
        key = (candidate.npc_id, candidate.event_id)
        held = best.get(key)
        if held is None or HOWS.index(candidate.how) < HOWS.index(held.how):
            best[key] = candidate
    known = book.memories.join(
        pl.DataFrame(
            {"npc_id": [k[0] for k in best], "event_id": [k[1] for k in best]},
            schema={"npc_id": pl.Int64(), "event_id": pl.Int64()},
        ),
        on=["npc_id", "event_id"],
    )
    for key in zip(known["npc_id"], known["event_id"], strict=True):
        del best[key]
    ordered = sorted(best.values(), key=lambda c: (c.tick, c.event_id, c.npc_id))
    start = (
        _next_id(book.memories["memory_id"]) if book.next_memory_id is None else book.next_memory_id
    )
    added = pl.DataFrame(
        {
            "memory_id": range(start, start + len(ordered)),
            "npc_id": [c.npc_id for c in ordered],
            "event_id": [c.event_id for c in ordered],
            "tick": [c.tick for c in ordered],
            "how": [c.how for c in ordered],
            "importance": [c.importance for c in ordered],
            # joined then split: Polars builds a list column from nested lists slowly
            "topics": pl.Series([_SEP.join(c.topics) for c in ordered], dtype=pl.String())
            .str.split(_SEP)
            .list.eval(pl.element().filter(pl.element() != "")),
            "text": [c.text for c in ordered],
        },
        schema=MEMORY_SCHEMA,
    )
    # Diagonal: a book read without how and text gets the new rows' after its own.
    memories = pl.concat([book.memories, added], how="diagonal")
    # A reflection is tipped by a memory: only the notables given one now may reflect.
    tipping = memories.filter(pl.col("npc_id").is_in(added["npc_id"].unique().implode()))
    reflections = reflect(rules=rules, memories=tipping, reflections=book.reflections, names=names)
    return MemoryBook(
        memories=memories, reflections=reflections, next_memory_id=start + len(ordered)
    )


def _next_id(ids: pl.Series) -> int:
    top = ids.max()
    return 0 if top is None else int(top) + 1  # type: ignore[arg-type]


def heard_rumors(
    *, beliefs: pl.DataFrame, rumors: pl.DataFrame, versions: pl.DataFrame, events: pl.DataFrame
) -> pl.DataFrame:
    """The `beliefs` frame `remember` takes, from rumor_beliefs rows and the rumor tables.

    Args:
        beliefs: the rumor_beliefs rows new since the last run.
        rumors: rumors (rumor_id, event_id); versions: rumor_versions (rumor_id, version, text);
            events: event_id, type and importance of the rumors' events.
    """
    return (
        beliefs.join(rumors.select("rumor_id", "event_id"), on="rumor_id")
        .join(versions.select("rumor_id", "version", "text"), on=["rumor_id", "version"])
        .join(events.select("event_id", "type", "importance"), on="event_id")
        .select(HEARD_SCHEMA.names())
        .cast(HEARD_SCHEMA)
        .sort("heard_tick", "event_id", "settlement_id")
    )


def _kin_from(memories: pl.DataFrame) -> dict[int, set[int]]:
    """Each notable's kin so far: the people named in their family memories."""
    kin: dict[int, set[int]] = defaultdict(set)
    family = memories.filter(pl.col("topics").list.eval(pl.element().is_in(["kin"])).list.any())
    for npc_id, topics in family.select("npc_id", "topics").iter_rows():
        kin[npc_id] |= {int(t[4:]) for t in topics if t.startswith("npc:")} - {npc_id}
    return kin


@dataclass(frozen=True, slots=True)
class _Circles:
    """Who among the notables lives where, belongs to which faction, and whose kin is whom."""

    homes: Mapping[int, Mapping[str, Any]]
    by_home: Mapping[int, list[int]]
    by_faction: Mapping[int, list[int]]
    relatives: dict[int, set[int]]  # a person -> the notables whose kin they are

    @classmethod
    def of(cls, homes: Mapping[int, Mapping[str, Any]], kin: Mapping[int, set[int]]) -> _Circles:
        by_home: dict[int, list[int]] = defaultdict(list)
        by_faction: dict[int, list[int]] = defaultdict(list)
        for npc_id, home in sorted(homes.items()):
            by_home[int(home["settlement_id"])].append(npc_id)
            if home["faction_id"] is not None:
                by_faction[int(home["faction_id"])].append(npc_id)
        relatives: dict[int, set[int]] = defaultdict(set)
        for notable, people in kin.items():
            for person in people:
                relatives[person].add(notable)
        return cls(homes, by_home, by_faction, relatives)

    def alive(self, npc_id: int, tick: int) -> bool:
        """Whether the notable `npc_id` lives on day `tick`."""
        died = self.homes[npc_id]["died_tick"]
        return died is None or tick < died

    def knowers(
        self, rules: MemoryRules, event: Mapping[str, Any], people: set[int]
    ) -> tuple[dict[int, str], set[int]]:
        """How each notable knows the event, and those it is a family matter to (a birth or a
        marriage adds its people to their kin)."""
        named = {p for p in people if p in self.homes}
        family = {n for p in people for n in self.relatives.get(p, ())} - named
        hows: dict[int, str] = dict.fromkeys(named, "took_part")
        if event["importance"] >= rules.floors["faction"]:
            for column in ("faction_id", "other_faction_id"):
                for npc_id in self.by_faction.get(event[column], ()):
                    hows.setdefault(npc_id, "took_part")
        hows |= {n: "witnessed" for n in family if n not in hows}
        if event["importance"] >= rules.floors["witnessed"]:
            for npc_id in self.by_home.get(event["settlement_id"], ()):
                hows.setdefault(npc_id, "witnessed")
        if event["type"] in {"birth", "marriage"}:
            for notable in named | family:
                for person in people - {notable}:
                    self.relatives[person].add(notable)
        return hows, named | family


def _events_known(
    rules: MemoryRules, events: pl.DataFrame, circles: _Circles, names: Names
) -> list[_Candidate]:
    """Events notables took part in or witnessed; births and marriages extend their kin."""
    found: list[_Candidate] = []
    for event in _maybe_known(rules, events, circles).iter_rows(named=True):
        payload = event_payload(event)
        people = _people(event, payload)
        hows, close = circles.knowers(rules, event, people)
        # The dead remember nothing from their death day on (most notables a town has had).
        tick = int(event["tick"])
        hows = {npc_id: how for npc_id, how in hows.items() if circles.alive(npc_id, tick)}
        if hows:
            told = tell_event(
                event,
                texts=rules.event_texts,
                names=names,
                numbers=frozenset(k for k, v in payload.items() if isinstance(v, int)),
            ).render(names)
            tokens = [f"npc:{p}" for p in sorted(people)]
            tokens += [f"{kind}:{event[c]}" for kind, c in _PLACES if event.get(c) is not None]
            found += _candidates(rules, event, told, tokens, hows, close, circles, names)
    return found


def _maybe_known(rules: MemoryRules, events: pl.DataFrame, circles: _Circles) -> pl.DataFrame:
    """The events (in their order) a notable may know or whose people may become kin: those at
    or above a floor, and those naming a notable or kin (kin as births and marriages among
    these extend it). The others are most of a year's, and `knowers` finds no one for them."""
    floor = min(rules.floors["faction"], rules.floors["witnessed"])
    decoded = events["payload"].str.json_decode(pl.Struct(dict.fromkeys(PEOPLE[1:], pl.String)))
    people = pl.DataFrame(
        [events["npc_id"].cast(pl.Int64)]
        + [decoded.struct.field(key).cast(pl.Int64, strict=False) for key in PEOPLE[1:]]
    )
    kinship = events["type"].is_in(["birth", "marriage"])
    close = set(circles.homes) | set(circles.relatives)
    while True:
        known = pl.Series(sorted(close), dtype=pl.Int64).implode()
        named = people.select(pl.any_horizontal(pl.all().is_in(known))).to_series()
        joined = set(people.filter(kinship & named).unpivot()["value"].drop_nulls().to_list())
        if joined <= close:
            return events.filter(named | (events["importance"] >= floor))
        close |= joined


def _people(event: Mapping[str, Any], payload: Mapping[str, Any]) -> set[int]:
    raw = [event.get("npc_id"), *(payload.get(key) for key in PEOPLE[1:])]
    return {int(p) for p in raw if isinstance(p, int) and not isinstance(p, bool)}


def _candidates(  # noqa: PLR0917 -- one event's parts, computed once for all who know it
    rules: MemoryRules,
    event: Mapping[str, Any],
    told: str,
    tokens: list[str],
    hows: Mapping[int, str],
    close: set[int],
    circles: _Circles,
    names: Names,
) -> Iterable[_Candidate]:
    base = rules.topics_of(str(event["type"]))
    for npc_id, how in sorted(hows.items()):
        is_kin = npc_id in close and event["type"] in _FAMILY_EVENTS
        bonus = rules.bonus[how] + (rules.kin_bonus if is_kin else 0)
        home = names.of("settlement", circles.homes[npc_id]["settlement_id"]) or "my home"
        template = rules.texts["kin" if is_kin and how == "witnessed" else how]
        yield _Candidate(
            npc_id=npc_id,
            event_id=int(event["event_id"]),
            tick=int(event["tick"]),
            how=how,
            importance=max(1, min(10, int(event["importance"]) + bonus)),
            topics=(*base, *(("kin",) if is_kin else ()), *tokens),
            text=template.format(event=told, settlement=home),
        )


def _rumors_heard(
    rules: MemoryRules,
    heard: pl.DataFrame,
    circles: _Circles,
    names: Names,
    *,
    known: pl.DataFrame,
) -> list[_Candidate]:
    """The notables at home where a rumor at or above the heard floor reached, alive that day,
    in the order the rumors were heard (then by notable), but for the (npc_id, event_id) pairs
    in `known`; a notable who heard of one event twice, the first time."""
    homes = pl.DataFrame(
        [
            (npc_id, settlement, circles.homes[npc_id]["died_tick"])
            for settlement, ids in circles.by_home.items()
            for npc_id in ids
        ],
        schema={"npc_id": pl.Int64(), "settlement_id": pl.Int32(), "died_tick": pl.Int64()},
        orient="row",
    )
    told = (
        heard.filter(pl.col("importance") >= rules.floors["heard"])
        .with_row_index("order")
        .join(homes, on="settlement_id")
        # Most notables a town has had are dead, and the dead hear nothing.
        .filter(pl.col("died_tick").is_null() | (pl.col("heard_tick") < pl.col("died_tick")))
        .join(known, on=["npc_id", "event_id"], how="anti")
        .sort("order", "npc_id")
        .unique(["npc_id", "event_id"], keep="first", maintain_order=True)
    )
    # Rows as tuples: as dicts by name, they cost twice as much.
    rows = told.select(
        "npc_id", "event_id", "heard_tick", "importance", "type", "text", "settlement_id"
    ).iter_rows()
    return [
        _Candidate(
            npc_id=npc_id,
            event_id=int(event_id),
            tick=int(tick),
            how="heard",
            importance=max(1, min(10, int(importance) + rules.bonus["heard"])),
            topics=rules.topics_of(str(kind)),
            text=rules.texts["heard"].format(
                rumor=text, settlement=names.of("settlement", settlement) or "my home"
            ),
        )
        for npc_id, event_id, tick, importance, kind, text, settlement in rows
    ]
