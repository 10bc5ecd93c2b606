"""Quests from NPCs' motivations (Doran and Parberry's nine: knowledge, comfort, reputation,
serenity, protection, conquest, wealth, ability, equipment), each expanded by a strategy into
steps whose targets are the world's real people, places, POIs, items and monsters.

Boards are posted on fixed ticks (`data/quests.toml` [board] days): each closes the quests the
world undid (giver or target dead, arc over, place occupied, peace, too old) and posts new ones
from the events since the last board (triggers), arcs in progress and notables' standing
states, up to caps per settlement and giver::

    rules = QuestRules.from_mapping(read_toml("quests.toml"))
    book = QuestBook.empty()  # or the stored quests, quest_steps and narrative_state.tick
    book = offer_quests(
        rules=rules, book=book, world=QuestWorld(...), events=events_since, arcs=arcs,
        arc_roles=arc_roles, names=names, until_tick=tick, seeds=Seeds(world_seed),
    )  # events_since: events with tick > events_needed_after(book, rules)

Draws are keyed by giver, board tick and cause, so yearly windows give the tables of one pass.
"""

from __future__ import annotations

from worldloom.systems.narrative.quest.board import events_needed_after, first_board, offer_quests
from worldloom.systems.narrative.quest.frames import QUEST_STEPS_SCHEMA, QUESTS_SCHEMA
from worldloom.systems.narrative.quest.rules import (
    ACTIONS,
    MOTIVATIONS,
    QuestRules,
    Step,
    Strategy,
    Trigger,
)
from worldloom.systems.narrative.quest.world import QuestBook, QuestWorld

__all__ = [
    "ACTIONS",
    "MOTIVATIONS",
    "QUESTS_SCHEMA",
    "QUEST_STEPS_SCHEMA",
    "QuestBook",
    "QuestRules",
    "QuestWorld",
    "Step",
    "Strategy",
    "Trigger",
    "events_needed_after",
    "first_board",
    "offer_quests",
]
