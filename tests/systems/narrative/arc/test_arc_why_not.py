"""Why not: the stage and clause that left no partial match, with the counts before it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl
import pytest

from worldloom.infrastructure.store.frames import run_sql
from worldloom.systems.narrative.arc import ArcPatterns, why_not

Log = Callable[[Sequence[Any]], pl.DataFrame]

WAR = [
    (10, "border_incident", {"faction_id": 3, "other_faction_id": 5}, {}),
    (20, "border_incident", {"faction_id": 3, "other_faction_id": 4}, {}),
    (30, "war_declared", {"faction_id": 3, "other_faction_id": 5}, {"war_id": 1}),
    (40, "battle", {"faction_id": 3, "other_faction_id": 5}, {"war_id": 1}),
    (50, "peace", {"faction_id": 3, "other_faction_id": 5}, {"war_id": 2}),
]


def test_a_missing_peace_is_named_with_the_matches_that_got_that_far(
    patterns: ArcPatterns, make_log: Log
) -> None:
    report = why_not(patterns=patterns, pattern="war_to_peace", events=make_log(WAR), run=run_sql)
    assert report.matches == 0
    assert [s.stage for s in report.stages] == ["incident", "war", "battle", "peace"]
    assert report.stages[0].clauses[0].survivors == 4  # two incidents, read either way
    assert report.stages[1].survivors == 2  # (3, 5) and (5, 3) reached the war
    peace = report.stages[-1]
    assert [(c.clause, c.survivors) for c in peace.clauses] == [
        ("a peace event after the previous stage", 2),
        ("payload.war_id = war", 0),
    ]
    assert report.blocked == (
        "stage 'peace': no event passed 'payload.war_id = war' "
        "(2 partial matches reached stage 'battle')"
    )
    text = report.describe()
    assert text[0] == "pattern 'war_to_peace': 0 full matches"
    assert text[-1] == report.blocked


def test_fixed_roles_name_the_first_clause_they_fail(patterns: ArcPatterns, make_log: Log) -> None:
    report = why_not(
        patterns=patterns,
        pattern="war_to_peace",
        events=make_log(WAR),
        run=run_sql,
        bindings={"attacker": 3, "defender": 9},
    )
    assert report.blocked == "stage 'incident': no event passed 'other_faction_id = defender (9)'"
    assert len(report.stages) == 1


def test_a_matching_pattern_counts_its_matches(patterns: ArcPatterns, make_log: Log) -> None:
    events = [*WAR[:4], (50, "peace", {"faction_id": 3, "other_faction_id": 5}, {"war_id": 1})]
    report = why_not(
        patterns=patterns,
        pattern="war_to_peace",
        events=make_log(events),
        run=run_sql,
        bindings={"attacker": 3},
    )
    assert report.blocked is None
    assert report.matches == 1
    assert report.stages[-1].survivors == 1


def test_windows_causes_and_variable_conditions_are_clauses(
    patterns: ArcPatterns, make_log: Log
) -> None:
    events = [
        (10, "siege_begun", {"faction_id": 1, "other_faction_id": 2, "settlement_id": 3}, {}),
        (20, "siege_ended", {"settlement_id": 3}, {"taken": True}),
    ]
    report = why_not(
        patterns=patterns, pattern="siege_and_fall", events=make_log(events), run=run_sql
    )
    assert report.blocked == (
        "stage 'taken': no event passed 'caused by the 'siege' event' "
        "(1 partial matches reached stage 'siege')"
    )
    late = [
        (0, "death", {"npc_id": 1}, {"cause": "war"}),
        (400, "birth", {"npc_id": 2}, {"father_id": 1}),
    ]
    report = why_not(
        patterns=patterns, pattern="posthumous_child", events=make_log(late), run=run_sql
    )
    assert report.blocked == (
        "stage 'birth': no event passed 'within 300 days' "
        "(1 partial matches reached stage 'fallen')"
    )


def test_a_variable_comparison_is_counted(catalog: Any, make_log: Log) -> None:
    table = {
        "patterns": [
            {
                "name": "rivals",
                "stages": [
                    {"name": "a", "types": ["succession"], "bind": {"heir": "npc_id"}},
                    {
                        "name": "b",
                        "types": ["succession"],
                        "where": ["payload.previous_id != heir"],
                    },
                ],
            }
        ]
    }
    patterns = ArcPatterns.from_mapping(table, events=catalog)
    events = [
        (0, "succession", {"npc_id": 1}, {"previous_id": 0}),
        (5, "succession", {"npc_id": 2}, {"previous_id": 1}),
    ]
    report = why_not(patterns=patterns, pattern="rivals", events=make_log(events), run=run_sql)
    assert report.stages[1].clauses[-1].clause == "payload.previous_id != heir"
    assert report.stages[1].clauses[-1].survivors == 0
    with pytest.raises(ValueError, match="no variables"):
        why_not(
            patterns=patterns,
            pattern="rivals",
            events=make_log(events),
            run=run_sql,
            bindings={"ghost": 1},
        )
    with pytest.raises(KeyError):
        why_not(patterns=patterns, pattern="nope", events=make_log(events), run=run_sql)
