"""The matcher's rules on small patterns: keys, optional and repeated stages, windows, unless."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from worldloom.systems.history import EventCatalog
from worldloom.systems.narrative.arc import ArcBook, ArcPatterns, sift_arcs
from worldloom.systems.narrative.names import Names

Log = Callable[[Sequence[Any]], pl.DataFrame]


def _patterns(catalog: EventCatalog, *entries: dict[str, Any]) -> ArcPatterns:
    return ArcPatterns.from_mapping({"patterns": list(entries)}, events=catalog)


def _arcs(patterns: ArcPatterns, log: pl.DataFrame) -> list[tuple[Any, ...]]:
    book = sift_arcs(patterns=patterns, book=ArcBook(), events=log, names=Names())
    events = book.arc_events.group_by("arc_id", maintain_order=True).agg("event_id")
    joined = book.arcs.join(events, on="arc_id").sort("arc_id")
    return joined.select("pattern", "status", "stage", "event_id").rows()


GROWN = {"types": ["settlement_grown"], "bind": {"town": "settlement_id"}}


def test_one_open_match_per_key_and_one_match_per_event(
    catalog: EventCatalog, make_log: Log
) -> None:
    patterns = _patterns(
        catalog,
        {"name": "twice", "surface": 1, "stages": [GROWN | {"name": "a"}, GROWN | {"name": "b"}]},
    )
    grown = [
        (t, "settlement_grown", {"settlement_id": s}, {})
        for t, s in [(0, 1), (1, 1), (2, 1), (3, 2)]
    ]
    # Event 1 completes the first match (it does not also start one); 2 starts the next.
    assert _arcs(patterns, make_log(grown)) == [
        ("twice", "complete", 2, [0, 1]),
        ("twice", "in_progress", 1, [2]),
        ("twice", "in_progress", 1, [3]),
    ]


def test_optional_and_repeated_stages(catalog: EventCatalog, make_log: Log) -> None:
    stages = [
        {"name": "plague", "types": ["plague"], "bind": {"town": "settlement_id"}},
        {
            "name": "boom",
            "types": ["baby_boom"],
            "bind": {"town": "settlement_id"},
            "optional": True,
            "repeat": True,
        },
        {"name": "grown", "types": ["settlement_grown"], "bind": {"town": "settlement_id"}},
    ]
    patterns = _patterns(catalog, {"name": "recover", "stages": stages})
    log = [
        (0, "plague", {"settlement_id": 1}, {}),
        (1, "plague", {"settlement_id": 2}, {}),
        (2, "baby_boom", {"settlement_id": 1}, {}),
        (3, "baby_boom", {"settlement_id": 1}, {}),
        (4, "settlement_grown", {"settlement_id": 1}, {}),
        (5, "settlement_grown", {"settlement_id": 2}, {}),
    ]
    assert _arcs(patterns, make_log(log)) == [
        ("recover", "complete", 3, [0, 2, 3, 4]),
        ("recover", "complete", 3, [1, 5]),
    ]


def test_a_single_stage_pattern_completes_at_once_and_windows_end_matches(
    catalog: EventCatalog, make_log: Log
) -> None:
    patterns = _patterns(
        catalog,
        {
            "name": "omen",
            "stages": [{"name": "sign", "types": ["omen"], "bind": {"region": "region_id"}}],
        },
        {
            "name": "late",
            "stages": [
                GROWN | {"name": "a"},
                GROWN | {"name": "b", "within_days": 10},
            ],
        },
    )
    log = [
        (0, "omen", {"region_id": 1}, {}),
        (0, "settlement_grown", {"settlement_id": 1}, {}),
        (50, "settlement_grown", {"settlement_id": 1}, {}),
    ]
    assert _arcs(patterns, make_log(log)) == [
        ("omen", "complete", 1, [0]),
        ("late", "ended", 1, [1]),
        ("late", "in_progress", 1, [2]),
    ]


def test_unless_with_a_condition_and_a_stage_without_bound_variables(
    catalog: EventCatalog, make_log: Log
) -> None:
    stages = [
        {
            "name": "heir",
            "types": ["succession"],
            "bind": {"realm": "faction_id", "heir": "npc_id"},
        },
        {
            "name": "rival",
            "types": ["succession"],
            "bind": {"other": "npc_id"},
            "where": ["npc_id != heir"],
        },
    ]
    unless = [
        {
            "types": ["death"],
            "bind": {"heir": "npc_id"},
            "where": ["payload.cause == 'war'"],
            "between": ["heir", "rival"],
        }
    ]
    patterns = _patterns(catalog, {"name": "rivals", "stages": stages, "unless": unless})
    log = [
        (0, "succession", {"faction_id": 1, "npc_id": 10}, {}),
        (1, "death", {"npc_id": 10}, {"cause": "old_age"}),  # not war: the match lives
        (2, "succession", {"faction_id": 2, "npc_id": 10}, {}),  # same heir: fails !=
        (3, "succession", {"faction_id": 3, "npc_id": 11}, {}),
        (4, "death", {"npc_id": 10}, {"cause": "war"}),
    ]
    assert _arcs(patterns, make_log(log)) == [
        ("rivals", "complete", 2, [0, 3]),
        ("rivals", "ended", 1, [2]),
    ]


def test_resuming_from_partials_keeps_bindings(
    catalog: EventCatalog, make_log: Log, names: Names
) -> None:
    patterns = _patterns(
        catalog,
        {
            "name": "pair",
            "surface": 2,
            "stages": [
                {
                    "name": "a",
                    "types": ["border_incident"],
                    "bind": {"x": "faction_id", "y": "other_faction_id"},
                },
                {
                    "name": "b",
                    "types": ["war_declared"],
                    "bind": {"x": "faction_id", "w": "payload.war_id"},
                },
                {"name": "c", "types": ["peace"], "bind": {"w": "payload.war_id"}},
            ],
        },
    )
    log = make_log(
        [
            (0, "border_incident", {"faction_id": 1, "other_faction_id": 2}, {}),
            (1, "war_declared", {"faction_id": 1}, {"war_id": 4}),
            (2, "peace", {}, {"war_id": 5}),
            (3, "peace", {}, {"war_id": 4}),
        ]
    )
    book = ArcBook()
    for start in range(4):
        book = sift_arcs(patterns=patterns, book=book, events=log[start : start + 1], names=names)
        if start == 1:
            assert book.partials["bindings"].to_list() == ["w=4 x=1 y=2"]
    assert book.arcs.select("status", "stage").rows() == [("complete", 3)]
    assert book.partials.is_empty()


def test_an_empty_window_changes_nothing(
    patterns: ArcPatterns, names: Names, make_log: Log
) -> None:
    book = ArcBook()
    empty = make_log([])
    assert sift_arcs(patterns=patterns, book=book, events=empty, names=names) is book
