"""Recall: recency, importance and relevance, min-max normalised, weighted into a score."""

from __future__ import annotations

import polars as pl
import pytest

from tests.systems.narrative.memory.memory_world import memory_rules
from worldloom.systems.narrative.memory import MEMORY_SCHEMA, keywords, recall

RULES = memory_rules(retrieval={"decay_per_day": 0.99})
MEMORIES = pl.DataFrame(
    {
        "memory_id": [0, 1, 2, 3, 4],
        "npc_id": [1, 1, 1, 1, 2],
        "event_id": [10, 11, 12, 13, 14],
        "tick": [995, 100, 500, 2000, 999],
        "how": ["witnessed", "took_part", "heard", "heard", "heard"],
        "importance": [2, 10, 5, 9, 9],
        "topics": [["trade", "market"], ["war", "battle"], ["hunger", "famine"], ["war"], ["war"]],
        "text": ["A market day.", "I fought at the ford.", "The famine came.", "later", "theirs"],
    },
    schema=MEMORY_SCHEMA,
)


@pytest.mark.parametrize(
    ("weights", "topic", "first"),
    [
        ({"recency": 1.0, "importance": 0.0, "relevance": 0.0}, "anything", 0),  # recent, minor
        ({"recency": 0.0, "importance": 1.0, "relevance": 0.0}, "anything", 1),  # old, major
        ({"recency": 0.0, "importance": 0.0, "relevance": 1.0}, "the famine", 2),  # relevant
        ({"recency": 1.0, "importance": 1.0, "relevance": 1.0}, "famine hunger", 2),
        ({"recency": 1.0, "importance": 1.0, "relevance": 1.0}, "war", 1),
    ],
)
def test_the_top_memory_by_weights(weights: dict[str, float], topic: str, first: int) -> None:
    rules = memory_rules(retrieval={"decay_per_day": 0.99, **weights})
    top = recall(MEMORIES, npc_id=1, topic=topic, now_tick=1000, k=2, rules=rules)
    assert top["memory_id"].to_list()[0] == first
    assert top.height == 2


def test_scores_are_normalised_components() -> None:
    got = recall(MEMORIES, npc_id=1, topic="famine", now_tick=1000, k=5, rules=RULES)
    # 0 and 1 tie at 1.0: the higher id first; memory 3 is after now, 4 is another notable's
    assert got["memory_id"].to_list() == [2, 1, 0]
    rows = {r["memory_id"]: r for r in got.iter_rows(named=True)}
    assert rows[0]["recency"] == pytest.approx(1.0)
    assert rows[1]["recency"] == 0.0
    assert rows[1]["importance"] == 1.0
    assert rows[0]["importance"] == 0.0
    assert rows[2]["importance"] == pytest.approx(3 / 8)
    assert rows[2]["relevance"] == 1.0
    assert rows[1]["relevance"] == 0.0
    assert rows[1]["level"] == 10
    for row in rows.values():
        assert row["score"] == pytest.approx(row["recency"] + row["importance"] + row["relevance"])


def test_a_lone_memory_and_no_memory() -> None:
    lone = recall(MEMORIES, npc_id=2, topic="", now_tick=1000, k=3, rules=RULES)
    assert lone.select("recency", "importance", "relevance", "score").row(0) == (1.0, 1.0, 0.0, 2.0)
    assert recall(MEMORIES, npc_id=9, topic="war", now_tick=1000, k=3, rules=RULES).height == 0


def test_keywords_keep_entity_keys() -> None:
    assert keywords("War with faction:3, at S2!") == {"war", "with", "faction:3", "at", "s2"}
