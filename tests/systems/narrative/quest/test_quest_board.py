"""Quest boards on the tiny world: which event gives which motivation to whom, with what
targets, difficulty and reward; arcs in progress; standing states; every closing rule; caps."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import polars as pl
import pytest

from tests.systems.narrative.quest.quest_fixtures import NAMES, RULES, arc_roles, arcs, event, run
from worldloom.infrastructure.seed_data import read_toml
from worldloom.infrastructure.store.schema.narrative import QUEST_STEPS, QUESTS
from worldloom.systems.narrative.quest import (
    QUEST_STEPS_SCHEMA,
    QUESTS_SCHEMA,
    QuestBook,
    QuestRules,
    events_needed_after,
    first_board,
)

QUIET = dataclasses.replace(RULES, board=dataclasses.replace(RULES.board, standing_chance=0.0))
"""No standing quests: only events and arcs post."""
EAGER = dataclasses.replace(RULES, board=dataclasses.replace(RULES.board, standing_chance=1.0))


def _only(event_type: str, strategies: list[str], motivation: str) -> QuestRules:
    raw = copy.deepcopy(read_toml("quests.toml"))
    raw["triggers"] = [
        {
            "event": event_type,
            "motivation": motivation,
            "where": "settlement",
            "givers": ["ruler"],
            "strategies": strategies,
        }
    ]
    raw["board"]["standing_chance"] = 0.0
    return QuestRules.from_mapping(raw)


TRIGGERS: list[tuple[dict[str, Any], int, str, set[str]]] = [
    (
        event(0, 10, "bandit_raid", settlement_id=0, region_id=0),
        1,
        "protection",
        {"hunt_raiders", "assemble_fortification", "guard_entity"},
    ),
    (
        event(0, 10, "monster_attack", settlement_id=1, region_id=0, poi_id=100),
        1,
        "protection",
        {"attack_threat"},
    ),
    (
        event(0, 40, "death", npc_id=10, settlement_id=2, region_id=1, payload={"cause": "war"}),
        11,
        "serenity",
        {"revenge"},
    ),
    (
        event(0, 5, "war_declared", npc_id=1, faction_id=0, other_faction_id=1),
        1,
        "conquest",
        {"attack_enemy", "steal_stuff"},
    ),
    (
        event(0, 5, "ore_discovered", region_id=0, payload={"resource": "ore"}),
        2,
        "wealth",
        {"gather_raw"},
    ),
    (event(0, 5, "ruin_discovered", region_id=1, poi_id=101), 5, "knowledge", {"explore_site"}),
    (event(0, 5, "plague", settlement_id=1, region_id=0), 3, "protection", {"treat_sick"}),
    (event(0, 5, "famine", settlement_id=0, region_id=0), 1, "comfort", {"bring_food"}),
    (
        event(0, 5, "trade_route_cut", faction_id=0, other_faction_id=1),
        1,
        "equipment",
        {"deliver_supplies", "trade_for_supplies"},
    ),
]


@pytest.mark.parametrize(("row", "giver", "motivation", "strategies"), TRIGGERS)
def test_an_event_gives_its_motivation_to_whom_it_touches(
    row: dict[str, Any], giver: int, motivation: str, strategies: set[str]
) -> None:
    book = run([row], 59, rules=QUIET)
    quest = book.quests.row(0, named=True)
    assert book.quests.height == 1
    assert (quest["giver_npc_id"], quest["motivation"]) == (giver, motivation)
    assert quest["strategy"] in strategies
    board = first_board(row["tick"] - 1, RULES)
    assert (quest["cause_event_id"], quest["issued_tick"], quest["status"]) == (0, board, "open")
    assert NAMES.npc[giver] in quest["text"]


@pytest.mark.parametrize(
    "row",
    [
        event(0, 40, "death", npc_id=10, settlement_id=1, payload={"cause": "sickness"}),
        event(0, 5, "caravan_lost", region_id=1),  # no merchant lives in Ashmoor
        event(0, 5, "birth", npc_id=13, settlement_id=1),
        event(0, 5, "bandit_raid", region_id=0),  # a raid nowhere in particular moves no one
    ],
)
def test_events_nobody_answers_post_nothing(row: dict[str, Any]) -> None:
    assert run([row], 29, rules=QUIET).quests.height == 0


def test_an_actor_outside_the_givers_posts_nothing() -> None:
    rules = _only("war_declared", ["attack_enemy"], "conquest")
    actor = dataclasses.replace(rules.triggers[0], where="actor", givers=("merchant",))
    war = event(0, 5, "war_declared", npc_id=1, faction_id=0, other_faction_id=1)
    assert run([war], 29, rules=dataclasses.replace(rules, triggers=(actor,))).quests.height == 0
    assert (
        run([war], 29, rules=rules).quests.height == 0
    )  # a war names no settlement to find givers in
    anyone = dataclasses.replace(actor, givers=())
    assert run([war], 29, rules=dataclasses.replace(rules, triggers=(anyone,))).quests.height == 1


def test_a_monster_attack_sends_for_the_monsters_at_its_lair() -> None:
    book = run(
        [event(0, 10, "monster_attack", settlement_id=1, region_id=0, poi_id=100)], 29, rules=QUIET
    )
    quest = book.quests.row(0, named=True)
    kill = book.quest_steps.filter(pl.col("action") == "kill").row(0, named=True)
    assert (kill["poi_id"], kill["monster"], kill["qty"]) == (100, "goblin", 6)
    assert quest["difficulty_level"] == 5  # medium encounter (5), danger 5, region danger 2 x 0.6
    assert quest["reward"] == round(
        12 * 2.0 * 1.35**4
    )  # 12 grain at Oakford's 2 copper, x 1.35 per level
    assert "Goblin Hole" in quest["text"]
    assert "goblin" in quest["text"]


def test_a_war_sends_the_ruler_against_the_enemy_seat_and_the_wealth_picks_the_named_good() -> None:
    war = run(
        [event(0, 5, "war_declared", npc_id=1, faction_id=0, other_faction_id=1)], 29, rules=QUIET
    )
    assert 2 in war.quest_steps["settlement_id"].to_list()
    ore = run(
        [event(0, 5, "ore_discovered", region_id=0, payload={"resource": "ore"})], 29, rules=QUIET
    )
    assert ore.quest_steps.filter(pl.col("action") == "gather")["item_id"].to_list() == [2]


def test_a_war_death_moves_the_adult_kin_not_the_child() -> None:
    rules = dataclasses.replace(
        QUIET, triggers=tuple(dataclasses.replace(t, per_event=5) for t in QUIET.triggers)
    )
    book = run(
        [event(0, 40, "death", npc_id=10, settlement_id=2, payload={"cause": "war"})],
        59,
        rules=rules,
    )
    assert sorted(book.quests["giver_npc_id"].to_list()) == [11, 12]
    assert set(book.quest_steps.filter(pl.col("action") == "goto")["settlement_id"]) == {2}


def test_an_arc_in_progress_is_offered_as_its_next_step_until_it_ends() -> None:
    story = arcs([(1, "war_to_peace", "complete", 0, 50)])
    roles = arc_roles([(1, "attacker", "faction_id", 1), (1, "defender", "faction_id", 0)])
    book = run([], 89, rules=QUIET, arc_rows=story, role_rows=roles)
    quest = book.quests.row(0, named=True)
    assert book.quests.height == 1
    assert (quest["arc_id"], quest["cause_event_id"], quest["giver_npc_id"]) == (1, None, 20)
    assert (quest["closed_tick"], quest["closed_reason"]) == (59, "arc_ended")
    unbound = run([], 29, rules=QUIET, arc_rows=arcs([(2, "plague", "in_progress", 0, 10)]))
    assert unbound.quests.height == 0


def test_standing_states_post_when_nothing_happened_within_the_caps() -> None:
    assert run([], 400, rules=QUIET).quests.height == 0
    book = run([], 29, rules=EAGER)
    standing = {1, 2, 3, 4, 5, 20}
    assert set(book.quests["giver_npc_id"]) <= standing
    assert book.quests.height >= 4
    assert book.quests.group_by("settlement_id").len()["len"].max() <= EAGER.board.per_settlement
    assert book.quests["cause_event_id"].null_count() == book.quests.height


CLOSING: list[tuple[list[dict[str, Any]], QuestRules, dict[int, int], int, str]] = [
    ([event(0, 5, "bandit_raid", settlement_id=0)], QUIET, {1: 50}, 59, "giver_died"),
    (
        [event(0, 5, "bandit_raid", settlement_id=0)],
        _only("bandit_raid", ["guard_entity"], "protection"),
        {2: 50},
        59,
        "target_died",
    ),
    ([event(0, 5, "bandit_raid", settlement_id=0)], QUIET, {}, 419, "expired"),
    (
        [
            event(0, 5, "bandit_raid", settlement_id=0),
            event(1, 40, "settlement_occupied", settlement_id=0),
        ],
        QUIET,
        {},
        59,
        "settlement_occupied",
    ),
    (
        [
            event(0, 5, "bandit_raid", settlement_id=0),
            event(1, 40, "settlement_abandoned", settlement_id=0),
        ],
        QUIET,
        {},
        59,
        "settlement_abandoned",
    ),
    (
        [
            event(0, 5, "war_declared", npc_id=1, faction_id=0, other_faction_id=1),
            event(1, 40, "peace", npc_id=20, faction_id=1, other_faction_id=0),
        ],
        QUIET,
        {},
        59,
        "peace",
    ),
    ([event(0, 35, "bandit_raid", settlement_id=0)], EAGER, {}, 59, "superseded"),
]


@pytest.mark.parametrize(("rows", "rules", "deaths", "tick", "reason"), CLOSING)
def test_quests_close_when_the_world_undoes_them(
    rows: list[dict[str, Any]], rules: QuestRules, deaths: dict[int, int], tick: int, reason: str
) -> None:
    book = run(rows, 500, rules=rules, deaths=deaths)
    first = book.quests.filter(pl.col("giver_npc_id") == 1).sort("quest_id").row(0, named=True)
    assert (first["status"], first["closed_tick"], first["closed_reason"]) == (
        "closed",
        tick,
        reason,
    )


def test_window_bookkeeping() -> None:
    assert [first_board(t, RULES) for t in (-1, 28, 29, 30)] == [29, 29, 59, 59]
    book = QuestBook.empty()
    assert events_needed_after(book, RULES) == -1
    assert events_needed_after(dataclasses.replace(book, tick=45), RULES) == 29
    assert QUESTS.schema == QUESTS_SCHEMA
    assert QUEST_STEPS.schema == QUEST_STEPS_SCHEMA
    assert book.quests.schema == QUESTS.schema
    assert book.quest_steps.schema == QUEST_STEPS.schema
    later = run([], 10, rules=EAGER)
    assert (later.tick, later.quests.height) == (10, 0)
