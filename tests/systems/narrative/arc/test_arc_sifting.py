"""Sifting a hand-built log with planted stories: exactly those arcs, in any windows."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worldloom.infrastructure.store.schema.narrative import (
    ARC_EVENTS,
    ARC_PARTIALS,
    ARC_ROLES,
    ARCS,
)
from worldloom.systems.history import EventCatalog
from worldloom.systems.narrative.arc import (
    ARC_EVENTS_SCHEMA,
    ARC_PARTIALS_SCHEMA,
    ARC_ROLES_SCHEMA,
    ARCS_SCHEMA,
    ArcBook,
    ArcPatterns,
    sift_arcs,
)
from worldloom.systems.narrative.names import Names

Log = Callable[[Sequence[Any]], pl.DataFrame]

PLANTED = [
    (10, "border_incident", {"faction_id": 1, "other_faction_id": 2}, {}),  # 0 war
    (20, "border_incident", {"faction_id": 2, "other_faction_id": 1}, {}),  # 1 war (either way)
    (30, "succession", {"faction_id": 3, "npc_id": 1}, {"relation": "child"}),  # 2 crisis
    (60, "border_incident", {"faction_id": 1, "other_faction_id": 3}, {}),  # 3 crisis
    (100, "war_declared", {"faction_id": 1, "other_faction_id": 2, "cause_ids": [1]}, {}),
    (100, "settlement_grown", {"settlement_id": 6}, {"mark": 128}),  # 5 rise of Dunmere
    (150, "battle", {"faction_id": 1, "other_faction_id": 2}, {}),  # 6 war
    (
        200,
        "siege_begun",
        {"faction_id": 1, "other_faction_id": 2, "settlement_id": 3},
        {"siege_id": 7},
    ),
    (230, "siege_ended", {"settlement_id": 3, "cause_ids": [7]}, {"siege_id": 7, "taken": False}),
    (300, "peace", {"faction_id": 1, "other_faction_id": 2}, {}),  # 9 war complete
    (400, "settlement_grown", {"settlement_id": 4}, {"mark": 64}),  # 10 Bywater rises...
    (500, "famine", {"settlement_id": 4, "region_id": 7}, {}),  # 11 ...unless a famine
    (600, "settlement_grown", {"settlement_id": 4}, {"mark": 128}),  # 12 a new partial
    (700, "plague", {"settlement_id": 5}, {"deaths": 30}),  # 13 in progress
    (900, "settlement_grown", {"settlement_id": 6}, {"mark": 256}),  # 14 Dunmere rose
    (2000, "omen", {}, {}),  # 15 the log goes on: the crisis's window closes
]


def _sift(patterns: ArcPatterns, log: pl.DataFrame, names: Names, cuts: Sequence[int]) -> ArcBook:
    book = ArcBook()
    bounds = [0, *sorted(cuts), log.height]
    for start, end in itertools.pairwise(bounds):
        book = sift_arcs(patterns=patterns, book=book, events=log[start:end], names=names)
    return book


@pytest.fixture(scope="module")
def planted(patterns: ArcPatterns, make_log: Log, names: Names) -> ArcBook:
    return _sift(patterns, make_log(PLANTED), names, [])


def test_the_planted_stories_and_only_they_are_found(
    patterns: ArcPatterns, planted: ArcBook
) -> None:
    def arc_id(first: int, name: str) -> int:
        return first * 64 + patterns.index(name)

    expected = {
        arc_id(0, "war_to_peace"): ("war_to_peace", "complete", 4, [0, 1, 4, 6, 7, 9]),
        arc_id(2, "succession_crisis"): ("succession_crisis", "ended", 2, [2, 3]),
        arc_id(5, "town_rose"): ("town_rose", "complete", 2, [5, 14]),
        arc_id(7, "siege_and_fall"): ("siege_and_fall", "ended", 1, [7]),
        arc_id(13, "plague_recovery"): ("plague_recovery", "in_progress", 1, [13]),
    }
    found = {
        row["arc_id"]: (row["pattern"], row["status"], row["stage"])
        for row in planted.arcs.iter_rows(named=True)
    }
    assert found == {k: v[:3] for k, v in expected.items()}
    for arc, (*_, events) in expected.items():
        rows = planted.arc_events.filter(pl.col("arc_id") == arc)
        assert sorted(rows["event_id"]) == events


def test_an_unless_below_the_surface_leaves_nothing_and_a_new_partial_waits(
    patterns: ArcPatterns, planted: ArcBook
) -> None:
    rose = planted.partials.filter(pl.col("pattern") == "town_rose")
    assert rose["event_ids"].to_list() == [[12]]
    assert planted.arcs.filter(pl.col("arc_id") == 10 * 64 + patterns.index("town_rose")).is_empty()
    assert planted.last_event_id == len(PLANTED) - 1
    assert planted.tick == 2000


def test_titles_and_summaries_name_the_roles(patterns: ArcPatterns, planted: ArcBook) -> None:
    war = planted.arcs.filter(pl.col("pattern") == "war_to_peace").row(0, named=True)
    assert war["title"] == "The war of Aldmark and Brenholt"
    assert war["summary"] == (
        "Blood was spilt on the border between Aldmark and Brenholt from year 1 (2 clashes). "
        "In year 1 Aldmark declared war on Brenholt. 2 battles and sieges followed. "
        "Peace was made in year 1."
    )
    assert war["importance"] == 9
    assert war["motifs"] == []
    crisis = planted.arcs.filter(pl.col("pattern") == "succession_crisis").row(0, named=True)
    assert crisis["title"] == "The troubled succession of Corvath"
    assert crisis["summary"] == (
        "The ruler of Corvath died in year 1 and the seat passed on. "
        "Within months Corvath was fighting Aldmark."
    )
    siege = planted.arcs.filter(pl.col("pattern") == "siege_and_fall").row(0, named=True)
    assert siege["summary"].endswith("The siege was lifted and Ashford held.")
    roles = planted.arc_roles.filter(pl.col("arc_id") == war["arc_id"])
    assert roles.select("role", "faction_id").rows() == [("attacker", 1), ("defender", 2)]


def test_an_unnamed_entity_is_never_given_an_invented_name(
    patterns: ArcPatterns, make_log: Log
) -> None:
    book = _sift(patterns, make_log(PLANTED), Names(), [])
    war = book.arcs.filter(pl.col("pattern") == "war_to_peace").row(0, named=True)
    assert war["title"] == "The war of a realm and a realm"


def test_every_arc_event_and_role_is_in_the_input(planted: ArcBook, make_log: Log) -> None:
    log = make_log(PLANTED)
    assert set(planted.arc_events["event_id"]) <= set(log["event_id"])
    ids = {c: set(log[c].drop_nulls()) for c in ARC_ROLES_SCHEMA.names()[2:]}
    ids["faction_id"] |= set(log["other_faction_id"].drop_nulls())
    payload_ids = {v for p in log["payload"] for v in json.loads(p).values() if type(v) is int}
    for row in planted.arc_roles.iter_rows(named=True):
        named = [(c, row[c]) for c in ARC_ROLES_SCHEMA.names()[2:] if row[c] is not None]
        assert len(named) == 1
        column, value = named[0]
        assert value in ids.get(column, set()) | payload_ids


def test_the_frames_have_the_tables_schemas(planted: ArcBook) -> None:
    assert ARCS.schema == ARCS_SCHEMA == planted.arcs.schema
    assert ARC_EVENTS.schema == ARC_EVENTS_SCHEMA == planted.arc_events.schema
    assert ARC_ROLES.schema == ARC_ROLES_SCHEMA == planted.arc_roles.schema
    assert ARC_PARTIALS.schema == ARC_PARTIALS_SCHEMA == planted.partials.schema


def test_events_already_read_are_ignored(
    patterns: ArcPatterns, planted: ArcBook, make_log: Log, names: Names
) -> None:
    again = sift_arcs(patterns=patterns, book=planted, events=make_log(PLANTED), names=names)
    assert again is planted


@settings(max_examples=12, deadline=None)
@given(cuts=st.lists(st.integers(min_value=1, max_value=len(PLANTED) - 1), max_size=5))
def test_windows_of_the_planted_log_give_the_same_book(
    patterns: ArcPatterns, make_log: Log, names: Names, planted: ArcBook, cuts: list[int]
) -> None:
    _assert_same(_sift(patterns, make_log(PLANTED), names, cuts), planted)


_TYPES = [
    "border_incident",
    "war_declared",
    "battle",
    "peace",
    "siege_begun",
    "siege_ended",
    "settlement_occupied",
    "settlement_grown",
    "famine",
    "plague",
    "baby_boom",
    "settlement_abandoned",
    "succession",
    "ruler_vacant",
    "treaty_signed",
    "harvest_failed",
    "migration",
    "bandit_raid",
]


@st.composite
def _logs(draw: st.DrawFn, catalog: EventCatalog) -> list[Any]:
    events: list[Any] = []
    tick = 0
    for event_id in range(draw(st.integers(min_value=1, max_value=40))):
        kind = draw(st.sampled_from(_TYPES))
        tick = max(0, tick + draw(st.integers(min_value=-30, max_value=600)))
        small = st.integers(min_value=0, max_value=2)
        actors = {c: draw(small) for c in ("faction_id", "other_faction_id", "settlement_id")}
        actors |= {"region_id": draw(small), "npc_id": draw(small)}
        actors["cause_ids"] = draw(st.lists(st.integers(0, max(0, event_id - 1)), max_size=2))
        if not event_id:
            actors["cause_ids"] = []
        values = {
            "int": small,
            "float": st.sampled_from([0.0, 50.0, 150.0]),
            "bool": st.booleans(),
            "str": st.sampled_from(["war", "hunger", "plague", "child", "vassalage"]),
        }
        payload = {f.name: draw(values[f.kind]) for f in catalog[kind].payload}
        events.append((tick, kind, actors, payload))
    return events


@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_any_split_of_a_random_log_gives_the_same_book(
    patterns: ArcPatterns, catalog: EventCatalog, make_log: Log, names: Names, data: Any
) -> None:
    log = make_log(data.draw(_logs(catalog)))
    cuts = data.draw(st.lists(st.integers(min_value=0, max_value=log.height), max_size=3))
    _assert_same(_sift(patterns, log, names, cuts), _sift(patterns, log, names, []))


def _assert_same(left: ArcBook, right: ArcBook) -> None:
    for name in ("arcs", "arc_events", "arc_roles", "partials"):
        assert getattr(left, name).equals(getattr(right, name)), name
    assert (left.last_event_id, left.tick) == (right.last_event_id, right.tick)
