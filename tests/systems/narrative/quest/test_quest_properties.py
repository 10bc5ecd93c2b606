"""Quest properties over random event logs in the tiny world: two windows give one pass's
tables; the same seed the same tables, in any row order; every target exists at the quest's
tick; open quests' givers live; closed quests have a day and a reason; caps hold; every
motivation is one of the nine and its strategy belongs to it."""

from __future__ import annotations

import dataclasses
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.systems.narrative.quest.quest_fixtures import (
    NAMES,
    RULES,
    arc_roles,
    arcs,
    event_lists,
    run,
    world,
)
from worldloom.systems.narrative.quest import MOTIVATIONS, QuestBook, events_needed_after

UNTIL = 450
STORY = arcs(
    [(1, "war_to_peace", "in_progress", 100, 300), (2, "plague_recovery", "ended", 0, 200)]
)
ROLES = arc_roles(
    [
        (1, "attacker", "faction_id", 1),
        (1, "village", "settlement_id", 1),
        (2, "town", "settlement_id", 0),
    ]
)
BUSY = dataclasses.replace(
    RULES, board=dataclasses.replace(RULES.board, standing_chance=0.4, max_age_days=120)
)
"""Short-lived quests and frequent standing ones, so every closing rule has work to do."""


def _pass(rows: list[dict[str, Any]], until: int = UNTIL, **kwargs: Any) -> QuestBook:
    return run(rows, until, rules=BUSY, arc_rows=STORY, role_rows=ROLES, **kwargs)


@settings(max_examples=40, deadline=None)
@given(rows=event_lists(), split=st.integers(0, UNTIL))
def test_two_windows_give_one_pass(rows: list[dict[str, Any]], split: int) -> None:
    first = _pass([r for r in rows if r["tick"] <= split], split)
    after = events_needed_after(first, BUSY)
    second = _pass([r for r in rows if after < r["tick"]], book=first)
    whole = _pass(rows)
    assert second.tick == whole.tick == UNTIL
    assert _pass(rows, book=first).quests.equals(second.quests)  # earlier events are ignored
    assert second.quests.equals(whole.quests)
    assert second.quest_steps.equals(whole.quest_steps)
    # Only the open quests' steps are read: a book without the others gives the same quests,
    # and the steps of the quests numbered past the book's are the new ones.
    opened = first.quests.filter(pl.col("status") == "open")["quest_id"]
    lean = dataclasses.replace(
        first, quest_steps=first.quest_steps.filter(pl.col("quest_id").is_in(opened.implode()))
    )
    third = _pass([r for r in rows if after < r["tick"]], book=lean)
    assert third.quests.equals(whole.quests)
    fresh = pl.col("quest_id") >= first.quests.height
    assert third.quest_steps.filter(fresh).equals(whole.quest_steps.filter(fresh))
    # Nor the closed quests but the latest: the book's quests come back, changed, and the new.
    latest = pl.col("quest_id") == pl.col("quest_id").max()
    kept = (pl.col("status") == "open") | latest
    leaner = dataclasses.replace(lean, quests=first.quests.filter(kept))
    fourth = _pass([r for r in rows if after < r["tick"]], book=leaner)
    again = pl.col("quest_id").is_in(leaner.quests["quest_id"].implode()) | fresh
    assert fourth.quests.equals(whole.quests.filter(again))


@settings(max_examples=25, deadline=None)
@given(rows=event_lists(), order=st.randoms(use_true_random=False), seed=st.integers(0, 2**32))
def test_same_seed_same_tables_in_any_row_order(
    rows: list[dict[str, Any]], order: Any, seed: int
) -> None:
    shuffled = list(rows)
    order.shuffle(shuffled)
    one, two = _pass(rows, seed=seed), _pass(shuffled, seed=seed)
    assert one.quests.equals(two.quests)
    assert one.quest_steps.equals(two.quest_steps)


@settings(max_examples=40, deadline=None)
@given(rows=event_lists())
def test_quests_stand_on_the_world(rows: list[dict[str, Any]]) -> None:
    book = _pass(rows)
    the_world = world()
    died = dict(the_world.dead.iter_rows())
    born = dict(the_world.npcs.select("npc_id", "born_tick").iter_rows())
    quests = book.quests
    steps = book.quest_steps.join(quests.select("quest_id", "issued_tick"), on="quest_id")

    def alive(npc: int, tick: int) -> bool:
        return born[npc] <= tick and died.get(npc, 10**9) > tick

    for step in steps.iter_rows(named=True):
        tick = step["issued_tick"]
        assert step["npc_id"] is None or alive(step["npc_id"], tick)
        assert step["settlement_id"] is None or step["settlement_id"] in {0, 1, 2}
        assert step["poi_id"] is None or step["poi_id"] in {100, 101, 102, 103}
        assert step["item_id"] is None or step["item_id"] in NAMES.item
        if step["monster"] is not None:
            met = the_world.encounters.filter(pl.col("poi_id") == step["poi_id"])["monster"]
            assert step["monster"] in met.to_list()
        assert "{" not in step["text"]
        assert step["qty"] >= 1
        assert step["text"]
    for quest in quests.iter_rows(named=True):
        assert alive(quest["giver_npc_id"], quest["issued_tick"])
        assert NAMES.npc[quest["giver_npc_id"]] in quest["text"]
        assert "{" not in quest["title"] + quest["text"]
        assert "stranger" not in quest["text"]  # every person it names is in Names
        assert quest["motivation"] in MOTIVATIONS
        assert BUSY.strategies[quest["strategy"]].motivation == quest["motivation"]
        assert 1 <= quest["difficulty_level"] <= 10
        assert quest["reward"] > 0
        assert BUSY.is_board(quest["issued_tick"])
        if quest["status"] == "open":
            assert alive(quest["giver_npc_id"], UNTIL)
            assert quest["closed_reason"] is None
        else:
            assert quest["closed_tick"] >= quest["issued_tick"]
            assert quest["closed_reason"]
    assert set(steps["quest_id"]) == set(quests["quest_id"])
    for tick in range(29, UNTIL + 1, 30):
        open_then = quests.filter(
            (pl.col("issued_tick") <= tick)
            & (pl.col("closed_tick").is_null() | (pl.col("closed_tick") > tick))
        )
        if open_then.height:
            assert open_then.group_by("giver_npc_id").len()["len"].max() <= BUSY.board.per_giver
            assert (
                open_then.group_by("settlement_id").len()["len"].max() <= BUSY.board.per_settlement
            )
