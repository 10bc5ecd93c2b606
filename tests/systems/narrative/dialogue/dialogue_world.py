"""A small hand-built world for the dialogue tests: notables, the rumors believed where they
live, quests, steps and memories as the other narrative rooms hand them over, and a Hypothesis
strategy drawing such worlds."""

from __future__ import annotations

import json
from dataclasses import dataclass

import polars as pl
from hypothesis import strategies as st

from worldloom.infrastructure.seed_data import read_toml
from worldloom.infrastructure.store.schema.history import EVENTS
from worldloom.infrastructure.store.schema.narrative import (
    ARC_EVENTS,
    ARCS,
    MEMORIES,
    QUEST_STEPS,
    QUESTS,
)
from worldloom.systems.narrative.dialogue import (
    HEARD_RUMORS_SCHEMA,
    SPEAKERS_SCHEMA,
    DialogueRules,
    write_dialogue,
)
from worldloom.systems.narrative.motif import MotifScores, MotifTable, score_motifs
from worldloom.systems.narrative.names import Names
from worldloom.systems.rng import Seeds
from worldloom.tasks.catalog import event_catalog

RULES = DialogueRules.from_mapping(read_toml("dialogue.toml"))
MOTIF_TABLE = MotifTable.from_mapping(read_toml("motifs.toml"), catalog=event_catalog())
NAMES = Names(
    npc={1: "Alda Brenn", 2: "Gorm", 3: "Ysolde of the Vale", 4: "Tam Reed", 5: "Orla"},
    settlement={0: "Kor", 1: "Ashford", 2: "Little Wick"},
    region={0: "Vale of Ash", 1: "Greymarch"},
    faction={0: "Red Hand"},
    poi={0: "Barrow of Kings"},
    item={0: "Iron Sword"},
)
SETTLEMENT_REGION = {0: 0, 1: 0, 2: 1}
ROLES = ("ruler", "priest", "merchant", "guild_master", "adventurer", None)
SPECIALS = ("{gold}", "[b]", "<<stop>>", "#tag", "// not a comment", "-> no option", "\\", ":")
"""Text Yarn would read as something else, slipped into the subjects' texts."""


@dataclass(frozen=True)
class World:
    """The inputs of `write_dialogue`."""

    speakers: pl.DataFrame
    rumors: pl.DataFrame
    quests: pl.DataFrame
    quest_steps: pl.DataFrame
    memories: pl.DataFrame
    motifs: MotifScores

    def write(self, *, seed: int = 7, tick: int = 4000) -> pl.DataFrame:
        return write_dialogue(
            rules=RULES,
            speakers=self.speakers,
            rumors=self.rumors,
            quests=self.quests,
            quest_steps=self.quest_steps,
            memories=self.memories,
            motifs=self.motifs,
            names=NAMES,
            tick=tick,
            seeds=Seeds(seed),
        )


def speakers(rows: list[tuple[int, int, str | None]]) -> pl.DataFrame:
    """Notables from (npc_id, settlement_id, role)."""
    return pl.DataFrame(
        [
            (npc, NAMES.npc[npc], place, SETTLEMENT_REGION[place], role, "brave", None, None)
            for npc, place, role in rows
        ],
        schema=SPEAKERS_SCHEMA,
        orient="row",
    )


def rumors(rows: list[tuple[int, int, str, float]]) -> pl.DataFrame:
    """Beliefs from (settlement_id, rumor_id, text, confidence)."""
    return pl.DataFrame(
        [(place, rumor, 0, text, confidence) for place, rumor, text, confidence in rows],
        schema=HEARD_RUMORS_SCHEMA,
        orient="row",
    )


def quests(rows: list[tuple[int, int, str, int, str]]) -> pl.DataFrame:
    """Quests from (quest_id, giver, status, issued_tick, text)."""
    n = len(rows)
    return QUESTS.frame(
        {
            "quest_id": [r[0] for r in rows],
            "giver_npc_id": [r[1] for r in rows],
            "settlement_id": [0] * n,
            "motivation": ["protection"] * n,
            "strategy": ["kill_pests"] * n,
            "arc_id": [None] * n,
            "cause_event_id": [None] * n,
            "difficulty_level": [3] * n,
            "reward": [120.4] * n,
            "reward_item_id": [None] * n,
            "issued_tick": [r[3] for r in rows],
            "status": [r[2] for r in rows],
            "closed_tick": [None if r[2] == "open" else 10 for r in rows],
            "closed_reason": [None if r[2] == "open" else "done" for r in rows],
            "title": ["Wolves at the gate"] * n,
            "text": [r[4] for r in rows],
        }
    )


def steps(rows: list[tuple[int, int, str]]) -> pl.DataFrame:
    """Quest steps from (quest_id, position, text)."""
    n = len(rows)
    return QUEST_STEPS.frame(
        {
            "quest_id": [r[0] for r in rows],
            "position": [r[1] for r in rows],
            "action": ["goto"] * n,
            "npc_id": [None] * n,
            "settlement_id": [None] * n,
            "poi_id": [None] * n,
            "item_id": [None] * n,
            "monster": [None] * n,
            "qty": [1] * n,
            "text": [r[2] for r in rows],
        }
    )


def memories(rows: list[tuple[int, int, int, str, int, str]]) -> pl.DataFrame:
    """Memories from (memory_id, npc_id, tick, how, importance, text)."""
    n = len(rows)
    return MEMORIES.frame(
        {
            "memory_id": [r[0] for r in rows],
            "npc_id": [r[1] for r in rows],
            "event_id": [r[0] for r in rows],
            "tick": [r[2] for r in rows],
            "how": [r[3] for r in rows],
            "importance": [r[4] for r in rows],
            "topics": [[] for _ in range(n)],
            "text": [r[5] for r in rows],
        }
    )


def motif_scores(kinds: list[tuple[str, int | None]]) -> MotifScores:
    """Scores of events of (type, region_id): battle, plague or omen."""
    payloads = {"battle": {"war_id": 1}, "plague": {"deaths": 3}, "omen": {"portent": "comet"}}
    importance = {"battle": 6, "plague": 7, "omen": 2}
    n = len(kinds)
    events = EVENTS.frame(
        {
            "event_id": range(n),
            "tick": range(n),
            "type": [k for k, _ in kinds],
            "importance": [importance[k] for k, _ in kinds],
            "npc_id": [None] * n,
            "faction_id": [None] * n,
            "other_faction_id": [None] * n,
            "settlement_id": [None] * n,
            "region_id": [r for _, r in kinds],
            "poi_id": [None] * n,
            "cause_ids": [[] for _ in range(n)],
            "payload": [json.dumps(payloads[k]) for k, _ in kinds],
        }
    )
    return score_motifs(
        table=MOTIF_TABLE,
        events=events,
        arcs=ARCS.schema.to_frame(),
        arc_events=ARC_EVENTS.schema.to_frame(),
    )


_place_words = st.sampled_from(sorted(NAMES.settlement.values()) + sorted(NAMES.region.values()))
_person_words = st.sampled_from(sorted(NAMES.npc.values()))


@st.composite
def subject_texts(draw: st.DrawFn) -> str:
    """A grounded sentence naming the world's entities, sometimes with Yarn's specials."""
    who = draw(_person_words)
    where = draw(_place_words)
    special = draw(st.sampled_from(("", *SPECIALS)))
    verb = draw(st.sampled_from(("was seen in", "fled from", "fought at", "prays in")))
    return f"{who} {verb} {where} {special}".strip()


@st.composite
def worlds(draw: st.DrawFn) -> World:
    """Any small world: 1-5 notables, rumors, quests (open and closed), steps, memories."""
    npcs = draw(st.lists(st.sampled_from(sorted(NAMES.npc)), min_size=1, max_size=5, unique=True))
    who = speakers(
        [
            (n, draw(st.sampled_from(sorted(SETTLEMENT_REGION))), draw(st.sampled_from(ROLES)))
            for n in npcs
        ]
    )
    rumor_rows = [
        (place, rumor, draw(subject_texts()), draw(st.floats(0.0, 1.0)))
        for rumor in range(draw(st.integers(0, 6)))
        for place in draw(st.lists(st.sampled_from(sorted(SETTLEMENT_REGION)), unique=True))
    ]
    quest_rows = [
        (
            q,
            draw(st.sampled_from(npcs)),
            draw(st.sampled_from(("open", "closed"))),
            draw(st.integers(0, 9)),
            draw(subject_texts()),
        )
        for q in range(draw(st.integers(0, 5)))
    ]
    step_rows = [
        (q, position, draw(subject_texts()))
        for q, *_ in quest_rows
        for position in range(draw(st.integers(0, 3)))
    ]
    memory_rows = [
        (
            m,
            draw(st.sampled_from(npcs)),
            draw(st.integers(0, 4000)),
            draw(st.sampled_from(("took_part", "witnessed", "heard"))),
            draw(st.integers(1, 10)),
            draw(subject_texts()),
        )
        for m in range(draw(st.integers(0, 8)))
    ]
    events = draw(
        st.lists(
            st.tuples(st.sampled_from(("battle", "plague", "omen")), st.sampled_from((0, 1, None))),
            max_size=6,
        )
    )
    return World(
        speakers=who,
        rumors=rumors(rumor_rows),
        quests=quests(quest_rows),
        quest_steps=steps(step_rows),
        memories=memories(memory_rows),
        motifs=motif_scores(events),
    )
