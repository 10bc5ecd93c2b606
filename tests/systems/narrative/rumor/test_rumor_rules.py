"""Rumor rules: the shipped table loads, and each kind of mistake is refused, naming it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from worldloom.infrastructure.seed_data import read_toml
from worldloom.systems.narrative.rumor import EventTexts, RumorRules

RAW = read_toml("rumors.toml")
RULES = RumorRules.from_mapping(RAW)


def test_shipped_rules() -> None:
    assert RULES.starts_rumor("war_declared", 1)
    assert not RULES.starts_rumor("birth", 10)
    assert RULES.starts_rumor("famine", 5)
    assert not RULES.starts_rumor("famine", 4)
    assert RULES.route_kinds == {"road", "sea"}
    assert RULES.texts.candidates("battle")[0].startswith("{faction} fought")
    assert RULES.texts.candidates("no_such_type") == RULES.texts.fallback


@pytest.mark.parametrize(("importance", "hops"), [(1, 3), (5, 3), (6, 4), (8, 6), (10, 8), (30, 9)])
def test_hops_grow_with_importance_up_to_the_cap(importance: int, hops: int) -> None:
    assert RULES.hops(importance) == hops


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(raw: dict[str, Any]) -> None:
        *tables, key = path.split(".")
        node = raw
        for table in tables:
            node = node[table]
        node[key] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_set("start.min_importance", 0), "min_importance"),
        (_set("start.by_type.famine", 12), "famine"),
        (_set("travel.relay_days", -1), "negative"),
        (_set("confidence.per_hop", 1.5), "per_hop"),
        (_set("distortion.actor", -0.1), "actor"),
        (_set("distortion.number", 0.95), "sum past 1"),
        (_set("distortion.number_factor", [1.0, 2.0]), "number_factor"),
        (_set("distortion.number_factor", [3.0, 2.0]), "number_factor"),
        (_set("texts.fallback", []), "fallback"),
        (_set("texts.fallback", ["News of {settlement}."]), "only {what}"),
        (_set("texts.types.battle", "not a list"), "battle"),
        (_set("texts.types.battle", ["{unclosed"]), "bad template"),
    ],
)
def test_bad_tables_are_refused(edit: Callable[[dict[str, Any]], None], message: str) -> None:
    raw = copy.deepcopy(RAW)
    edit(raw)
    with pytest.raises(ValueError, match=message.replace("{", r"\{").replace("}", r"\}")):
        RumorRules.from_mapping(raw)


def test_event_texts_without_types_use_the_fallback() -> None:
    texts = EventTexts.from_mapping({"fallback": ["Something: {what}."]})
    assert texts.candidates("battle") == ("Something: {what}.",)
