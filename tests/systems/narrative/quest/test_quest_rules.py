"""Quest rules: the shipped table covers the nine motivations with valid strategies, and every
kind of mistake in a table is refused with a message naming it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from worldloom.infrastructure.seed_data import read_toml
from worldloom.systems.narrative.quest import ACTIONS, MOTIVATIONS, QuestRules

RAW = read_toml("quests.toml")
RULES = QuestRules.from_mapping(RAW)


def test_shipped_rules_cover_the_nine_motivations() -> None:
    assert {s.motivation for s in RULES.strategies.values()} == set(MOTIVATIONS)
    for strategy in RULES.strategies.values():
        assert all(step.action in ACTIONS for step in strategy.steps)
        assert 1 <= strategy.difficulty <= 10
    for trigger in RULES.triggers:
        assert {RULES.strategies[s].motivation for s in trigger.strategies} == {trigger.motivation}
    assert "default" in RULES.arc_strategies
    assert "default" in RULES.reward.trade


def test_boards_sit_on_fixed_ticks() -> None:
    days = RULES.board.days
    assert [t for t in range(3 * days) if RULES.is_board(t)] == [
        days - 1,
        2 * days - 1,
        3 * days - 1,
    ]


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(table: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = table
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[last] = value

    return edit


def _drop_motivation(table: dict[str, Any]) -> None:
    table["strategies"] = {
        k: v for k, v in table["strategies"].items() if v["motivation"] != "ability"
    }
    table["standing"].pop("guild_master")


BAD: list[tuple[Callable[[dict[str, Any]], None], str]] = [
    (_set("strategies.spy.motivation", "greed"), "unknown motivation"),
    (_set("strategies.spy.npc", "somebody"), "unknown npc picker"),
    (_set("strategies.spy.steps", ["fly settlement"]), "unknown action"),
    (_set("strategies.interview.steps", ["talk settlement"]), "targets 'settlement'"),
    (_set("strategies.interview.steps", []), "needs steps"),
    (_set("strategies.interview.difficulty", 11), "difficulty"),
    (
        _set(
            "strategies.kill_pests",
            {
                "motivation": "comfort",
                "monster": "at_poi",
                "steps": ["kill monster"],
                "difficulty": 1,
                "title": "",
                "text": "",
            },
        ),
        "needs a poi",
    ),
    (_drop_motivation, "motivations without strategies"),
    (_set("triggers.0.strategies", ["spy"]), "a strategy not of protection"),
    (_set("triggers.0.strategies", ["nothing"]), "unknown or no strategies"),
    (_set("triggers.0.where", "everywhere"), "unknown where"),
    (_set("triggers.0.per_event", 0), "per_event"),
    (_set("triggers.0.givers", []), "need givers"),
    (_set("arcs.patterns", {"war": ["attack_enemy"]}), "needs a default"),
    (_set("standing.ruler", []), "unknown or no strategies"),
    (_set("board.days", 0), "[board]"),
    (_set("board.standing_chance", 1.5), "standing_chance"),
    (_set("reward.per_level", 0.5), "[reward]"),
    (_set("reward.max_qty", 0), "max_qty"),
    (_set("reward.trade", {"merchant": ["luxury"]}), "needs a default"),
    (_set("actions", {"goto": "Go."}), "[actions]"),
    (_set("danger.encounter_levels", {"easy": 0}), "encounter levels"),
]


@pytest.mark.parametrize(("edit", "message"), BAD)
def test_bad_tables_are_refused(edit: Callable[[dict[str, Any]], None], message: str) -> None:
    table = copy.deepcopy(RAW)
    edit(table)
    with pytest.raises(ValueError, match=r"quests\.toml") as error:
        QuestRules.from_mapping(table)
    assert message in str(error.value)
