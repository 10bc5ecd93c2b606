"""Notables' memories: who took part, witnessed or heard; kin; the dead; windows equal one pass."""

from __future__ import annotations

from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.systems.narrative.memory.memory_world import heard_frame, memory_rules, notables_frame
from tests.systems.narrative.rumor.rumor_world import event_rows, world_names
from worldloom.infrastructure.store.schema.narrative import MEMORIES, REFLECTIONS
from worldloom.systems.narrative.memory import MemoryBook, MemoryRules, heard_rumors, remember
from worldloom.systems.narrative.memory.stream import _Circles, _maybe_known, _people
from worldloom.systems.narrative.rumor import event_payload

NAMES = world_names(3, npcs=30)
RULES = memory_rules()
NOTABLES = notables_frame([(10, 0, 0, None), (11, 1, 1, None), (12, 0, None, 50)])
EVENTS = event_rows(
    [
        {
            "tick": 1,
            "type": "battle",
            "importance": 6,
            "faction_id": 0,
            "other_faction_id": 1,
            "settlement_id": 2,
            "payload": {"deaths": 40},
        },
        {
            "tick": 2,
            "type": "border_incident",
            "importance": 4,
            "faction_id": 0,
            "other_faction_id": 1,
            "npc_id": 10,
        },
        {"tick": 3, "type": "fire", "importance": 4, "settlement_id": 0},
        {"tick": 4, "type": "fire", "importance": 3, "settlement_id": 0},
        {
            "tick": 5,
            "type": "birth",
            "importance": 1,
            "npc_id": 20,
            "settlement_id": 0,
            "payload": {"mother_id": 10, "father_id": 25},
        },
        {
            "tick": 6,
            "type": "coming_of_age",
            "importance": 1,
            "npc_id": 20,
            "settlement_id": 1,
            "payload": {"profession": "smith"},
        },
        {"tick": 60, "type": "fire", "importance": 5, "settlement_id": 0},
        {"tick": 61, "type": "death", "importance": 2, "npc_id": 26, "settlement_id": 1},
    ]
)
HEARD = heard_frame(
    [
        (0, "battle", 6, 0, 30, "F0 fought F1."),
        (99, "plague", 7, 1, 40, "Plague in S2: 500 dead."),
        (98, "fire", 5, 1, 41, "Fire in S2."),
        (97, "plague", 9, 1, 999, "Plague in S0."),
    ]
)


def _remember(
    events: pl.DataFrame = EVENTS,
    heard: pl.DataFrame = HEARD,
    *,
    until: int = 100,
    book: MemoryBook | None = None,
    rules: MemoryRules = RULES,
    notables: pl.DataFrame = NOTABLES,
) -> MemoryBook:
    return remember(
        rules=rules,
        book=book or MemoryBook(),
        events=events,
        notables=notables,
        beliefs=heard,
        names=NAMES,
        until_tick=until,
    )


def test_who_remembers_what_and_how() -> None:
    book = _remember()
    assert book.memories.schema == MEMORIES.schema
    assert book.reflections.schema == REFLECTIONS.schema
    got = book.memories.select("npc_id", "event_id", "how", "importance").rows()
    assert got == [
        (10, 0, "took_part", 8),  # their faction's battle; hearing of it later changes nothing
        (11, 0, "took_part", 8),
        (10, 1, "took_part", 6),  # named in it, below the faction floor
        (10, 2, "witnessed", 4),  # fire at home, at the witnessed floor
        (12, 2, "witnessed", 4),
        (10, 4, "took_part", 6),  # their child's birth: 1 + 2 + kin 3
        (10, 5, "witnessed", 4),  # their child came of age elsewhere: kin
        (12, 0, "heard", 5),  # heard of the battle at home, before they died
        (11, 99, "heard", 6),  # a plague heard of; the fire (5) is under the heard floor
        (10, 6, "witnessed", 5),  # the dead (12) remember nothing from their death day on
    ]
    assert book.memories["memory_id"].to_list() == list(range(10))
    theirs = book.memories.filter(pl.col("npc_id") != 12)
    texts = dict(zip(theirs["event_id"], theirs["text"], strict=False))
    assert texts[99] == "Word reached S1: Plague in S2: 500 dead."
    assert (
        texts[5]
        == "It touched my own family: N20 came of age in S1 and took up the trade of smith."
    )
    assert texts[0] == "I was part of it: F0 fought F1 near S2; 40 fell."
    topics = book.memories.filter(pl.col("event_id") == 4)["topics"].to_list()[0]
    assert topics[:4] == ["family", "birth", "child", "kin"]
    assert {"npc:10", "npc:20", "npc:25", "settlement:0"} <= set(topics)


def test_kin_carries_over_from_the_book() -> None:
    first = _remember(EVENTS.filter(pl.col("tick") <= 5), HEARD.clear(), until=5)
    later = event_rows([{"tick": 70, "type": "death", "importance": 2, "npc_id": 20}])
    later = later.with_columns(pl.lit(50, dtype=pl.Int64).alias("event_id"))
    book = _remember(later, HEARD.clear(), until=80, book=first)
    last = book.memories.row(-1, named=True)
    assert (last["npc_id"], last["event_id"], last["how"]) == (10, 50, "witnessed")
    assert last["text"] == "It touched my own family: N20 died."


def test_a_second_run_over_the_same_input_adds_nothing() -> None:
    once = _remember()
    assert _remember(book=once).memories.equals(once.memories)


def test_heard_rumors_joins_the_rumor_tables() -> None:
    beliefs = pl.DataFrame(
        {
            "rumor_id": [7, 7],
            "settlement_id": [1, 2],
            "version": [0, 1],
            "heard_tick": [9, 12],
            "confidence": [1.0, 0.6],
        }
    )
    rumors = pl.DataFrame(
        {"rumor_id": [7], "event_id": [70], "origin_settlement_id": [1], "start_tick": [9]}
    )
    versions = pl.DataFrame({"rumor_id": [7, 7], "version": [0, 1], "text": ["true", "false"]})
    events = pl.DataFrame({"event_id": [70], "type": ["plague"], "importance": [7]})
    heard = heard_rumors(beliefs=beliefs, rumors=rumors, versions=versions, events=events)
    assert heard.rows() == [(70, "plague", 7, 1, 9, "true"), (70, "plague", 7, 2, 12, "false")]


# -- properties ------------------------------------------------------------------------------

TYPES = ("battle", "fire", "birth", "marriage", "death", "plague", "succession")
LOW = memory_rules(reflection={"threshold": 12, "max_memories": 3})


@st.composite
def histories(draw: st.DrawFn) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    notables = notables_frame(
        [(10, 0, 0, draw(st.sampled_from([None, 150, 300]))), (11, 1, 1, None), (12, 0, 1, None)]
    )
    people = [10, 11, 12, 20, 21, 22, 23]
    rows: list[dict[str, Any]] = []
    for tick in sorted(draw(st.lists(st.integers(0, 400), max_size=25))):
        kind = draw(st.sampled_from(TYPES))
        payload: dict[str, Any] = {}
        if kind == "birth":
            payload = {"mother_id": draw(st.sampled_from(people)), "father_id": 21}
        elif kind == "marriage":
            payload = {"groom_id": draw(st.sampled_from(people))}
        rows.append(
            {
                "tick": tick,
                "type": kind,
                "importance": draw(st.integers(1, 9)),
                "npc_id": draw(st.sampled_from([None, *people])),
                "faction_id": draw(st.sampled_from([None, 0, 1])),
                "settlement_id": draw(st.sampled_from([None, 0, 1, 2])),
                "payload": payload,
            }
        )
    events = event_rows(rows)
    heard = [
        (
            int(e),
            "plague",
            draw(st.integers(4, 9)),
            draw(st.integers(0, 2)),
            t + draw(st.integers(0, 60)),
            "A rumor.",
        )
        for e, t in zip(events["event_id"], events["tick"], strict=True)
        if draw(st.booleans())
    ]
    return notables, events, heard_frame(heard)


@settings(max_examples=80, deadline=None)
@given(history=histories(), cut=st.integers(0, 460))
def test_windows_give_the_same_memories_as_one_pass(
    history: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame], cut: int
) -> None:
    notables, events, heard = history
    end = 500
    whole = _remember(events, heard, until=end, rules=LOW, notables=notables)
    first = _remember(
        events.filter(pl.col("tick") <= cut),
        heard.filter(pl.col("heard_tick") <= cut),
        until=cut,
        rules=LOW,
        notables=notables,
    )
    split = _remember(
        events.filter(pl.col("tick") > cut).reverse(),
        heard.filter(pl.col("heard_tick") > cut),
        until=end,
        book=first,
        rules=LOW,
        notables=notables,
    )
    assert split.memories.equals(whole.memories)
    assert split.reflections.equals(whole.reflections)

    def then(book: MemoryBook) -> MemoryBook:
        return _remember(
            events.filter(pl.col("tick") > cut),
            heard.filter(pl.col("heard_tick") > cut),
            until=end,
            book=book,
            rules=LOW,
            notables=notables,
        )

    # A book read without its texts adds the same rows.
    lean = MemoryBook(
        memories=first.memories.drop("how", "text"),
        reflections=first.reflections.select("reflection_id", "npc_id", "memory_ids"),
    )
    leaner = then(lean)
    added = leaner.memories.slice(first.memories.height).select(whole.memories.columns)
    assert added.equals(whole.memories.slice(first.memories.height))
    reflected = leaner.reflections.slice(first.reflections.height)
    assert reflected.equals(whole.reflections.slice(first.reflections.height))
    # So does a book of the memories of those alive as the second window opens alone.
    alive = notables.filter(pl.col("died_tick").is_null() | (pl.col("died_tick") > cut + 1))
    theirs = MemoryBook(
        memories=first.memories.filter(pl.col("npc_id").is_in(alive["npc_id"].implode())),
        reflections=first.reflections,
        next_memory_id=first.memories.height,
    )
    living = then(theirs)
    assert living.memories.slice(theirs.memories.height).equals(added)
    assert living.reflections.equals(whole.reflections)
    assert living.next_memory_id == whole.memories.height
    # The book's rows come first, unchanged: what follows them is what the call added.
    assert split.memories.head(first.memories.height).equals(first.memories)
    assert split.reflections.head(first.reflections.height).equals(first.reflections)
    memories = whole.memories
    ticks = dict(zip(events["event_id"], events["tick"], strict=True))
    died = dict(zip(notables["npc_id"], notables["died_tick"], strict=True))
    for row in memories.iter_rows(named=True):
        assert row["event_id"] in ticks
        assert row["tick"] >= ticks[row["event_id"]]
        assert died[row["npc_id"]] is None or row["tick"] < died[row["npc_id"]]
        assert 1 <= row["importance"] <= 10
    assert memories.select("npc_id", "event_id").is_unique().all()
    owner = dict(zip(memories["memory_id"], memories["npc_id"], strict=True))
    for row in whole.reflections.iter_rows(named=True):
        assert 1 <= len(row["memory_ids"]) <= 3
        assert {owner[m] for m in row["memory_ids"]} == {row["npc_id"]}
        assert row["source"] == "procedural"


@settings(max_examples=120, deadline=None)
@given(history=histories(), kin=st.lists(st.sampled_from([20, 21, 22, 23]), max_size=2))
def test_the_events_passed_over_are_known_to_no_one(
    history: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame], kin: list[int]
) -> None:
    notables, events, _ = history
    homes = {int(r["npc_id"]): r for r in notables.iter_rows(named=True)}
    circles = _Circles.of(homes, {10: set(kin)})
    ordered = events.sort("event_id")
    kept = set(_maybe_known(LOW, ordered, circles)["event_id"])
    for event in ordered.iter_rows(named=True):
        hows, close = circles.knowers(LOW, event, _people(event, event_payload(event)))
        if event["event_id"] not in kept:
            assert not hows
            assert not close


def test_people_who_became_kin_this_year_keep_their_later_events() -> None:
    born = {"type": "birth", "importance": 1, "npc_id": 20}
    events = event_rows(
        [
            {"tick": 1, **born, "payload": {"mother_id": 22, "father_id": 21}},
            {"tick": 2, **born, "npc_id": 22, "payload": {"mother_id": 10, "father_id": 23}},
            {"tick": 3, "type": "death", "importance": 1, "npc_id": 21},
            {"tick": 4, "type": "death", "importance": 1, "npc_id": 30},
        ]
    )
    homes = {int(r["npc_id"]): r for r in NOTABLES.iter_rows(named=True)}
    # 22 and 23 join the kin at the second birth, 21 then through the first (the births are
    # read again until no one joins: some may be kept that name no kin when read, none lost).
    kept = _maybe_known(LOW, events, _Circles.of(homes, {}))["event_id"].to_list()
    assert kept == [0, 1, 2]


def test_a_rumor_heard_twice_is_remembered_once_as_first_heard() -> None:
    heard = heard_frame(
        [
            (99, "plague", 7, 1, 45, "Plague in S2: 600 dead."),
            (99, "plague", 7, 1, 40, "Plague in S2: 500 dead."),
        ]
    ).sort("heard_tick")
    book = _remember(EVENTS.clear(), heard)
    got = book.memories.select("npc_id", "event_id", "tick", "how", "text").rows()
    assert got == [(11, 99, 40, "heard", "Word reached S1: Plague in S2: 500 dead.")]
