"""Memory rules: the shipped table loads, and each kind of mistake is refused, naming it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tests.systems.narrative.memory.memory_world import EVENT_TEXTS
from worldloom.infrastructure.seed_data import read_toml
from worldloom.systems.narrative.memory import MemoryRules

RAW = read_toml("memory.toml")
RULES = MemoryRules.from_mapping(RAW, event_texts=EVENT_TEXTS)


def test_shipped_rules() -> None:
    assert RULES.bonus["took_part"] > RULES.bonus["witnessed"] > RULES.bonus["heard"]
    assert RULES.topics_of("battle")[0] == "war"
    assert RULES.topics_of("economy_year") == ("economy", "year")
    assert "default" in RULES.reflections


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(raw: dict[str, Any]) -> None:
        *tables, key = path.split(".")
        node = raw
        for table in tables:
            node = node[table]
        if value is None:
            del node[key]
        else:
            node[key] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_set("floors.heard", 0), "floor heard"),
        (_set("floors.witnessed", 11), "floor witnessed"),
        (_set("retrieval.decay_per_day", 0.0), "decay_per_day"),
        (_set("retrieval.decay_per_day", 1.2), "decay_per_day"),
        (_set("retrieval.relevance", -1.0), "negative retrieval weight"),
        (_set("reflection.threshold", 0), "threshold"),
        (_set("reflection.max_memories", 0), "max_memories"),
        (_set("reflection.templates.default", None), "needs a default"),
        (_set("reflection.templates.war", ["{entity} and {topic}"]), "war's last template"),
        (_set("reflection.templates.war", []), "war's last template"),
        (_set("texts.heard", "Word of {event}"), "text heard"),
        (_set("texts.kin", None), "text kin"),
    ],
)
def test_bad_tables_are_refused(edit: Callable[[dict[str, Any]], None], message: str) -> None:
    raw = copy.deepcopy(RAW)
    edit(raw)
    with pytest.raises(ValueError, match=message):
        MemoryRules.from_mapping(raw, event_texts=EVENT_TEXTS)
