"""Dialogue lines: each notable greets in their region's tone, repeats the rumors most firmly
believed where they live, offers their open quests with their steps, tells their weightiest
memories and says farewell; every line is grounded, names real ids, is bounded per notable,
and is the same for the same seed whatever the inputs' row order."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.systems.narrative.dialogue.dialogue_world import (
    NAMES,
    RULES,
    World,
    memories,
    motif_scores,
    quests,
    rumors,
    speakers,
    steps,
    worlds,
)
from worldloom.infrastructure.store.schema.narrative import DIALOGUE_LINES
from worldloom.systems.narrative.dialogue import (
    DIALOGUE_LINES_SCHEMA,
    LineFacts,
    line_facts,
    names_in,
    ungrounded_names,
)

WORLD = World(
    speakers=speakers([(1, 0, "ruler"), (2, 0, "priest"), (3, 2, None)]),
    rumors=rumors(
        [
            (0, 10, "Gorm fled from Ashford.", 0.9),
            (0, 11, "Tam Reed was seen in Little Wick.", 0.5),
            (0, 12, "Orla fought at Greymarch.", 0.1),
            (0, 13, "Orla prays in Kor.", 0.05),
            (2, 10, "Gorm fled from Kor.", 0.3),
        ]
    ),
    quests=quests(
        [
            (100, 1, "open", 5, "Wolves prowl the roads of Kor; clear them."),
            (101, 1, "closed", 9, "Find Orla."),
            (102, 1, "open", 8, "Bring word to Ashford"),
            (103, 1, "open", 1, "Guard Kor."),
        ]
    ),
    quest_steps=steps([(100, 1, "Report to Alda Brenn"), (100, 0, "Kill 5 wolves near Kor.")]),
    memories=memories(
        [
            (200, 2, 3900, "took_part", 5, "We held the walls of Kor."),
            (201, 2, 100, "heard", 9, "Ashford burned."),
            (202, 2, 3990, "witnessed", 2, "Orla came home."),
            (203, 2, 3995, "heard", 1, "Gorm sold his mule."),
            (204, 1, 0, "witnessed", 3, "Kor was founded."),
        ]
    ),
    motifs=motif_scores([("battle", 0), ("plague", 1), ("omen", None)]),
)


def _texts(lines: pl.DataFrame, npc: int, kind: str) -> list[str]:
    return (
        lines.filter((pl.col("npc_id") == npc) & (pl.col("kind") == kind))
        .sort("position")["text"]
        .to_list()
    )


def test_lines_have_the_tables_schema_and_one_node_per_conversation() -> None:
    lines = WORLD.write()
    assert lines.schema == DIALOGUE_LINES.schema == DIALOGUE_LINES_SCHEMA
    assert lines.select("npc_id", "node", "position").is_unique().all()
    nodes = lines.filter(pl.col("npc_id") == 1).unique("node", maintain_order=True)["node"]
    assert nodes.to_list() == ["N1_Greeting", "N1_Rumors", "N1_Work", "N1_Memories", "N1_Farewell"]
    # Orla's friend in Little Wick has one rumor, no quest and no memory.
    assert set(lines.filter(pl.col("npc_id") == 3)["node"]) == {
        "N3_Greeting",
        "N3_Rumors",
        "N3_Farewell",
    }
    assert set(lines["source"]) == {"procedural"}


def test_greetings_take_the_role_and_the_regions_dominant_motif() -> None:
    lines = WORLD.write()
    # Kor's region (0) is all battles: a ruler's war greeting names them and their town.
    assert _texts(lines, 1, "greeting") == [
        "I am Alda Brenn. If you can hold a blade, Kor has need of you."
    ]
    # Greymarch (1) had a plague; a notable without a role takes any role's plague greeting.
    assert _texts(lines, 3, "greeting") == [
        "Not too close, friend. The sickness has not left Little Wick for long."
    ]
    assert _texts(lines, 1, "farewell") == ["You may go."]
    assert _texts(lines, 2, "farewell") == ["The gods keep you on the road."]


def test_rumors_are_the_most_firmly_believed_where_the_notable_lives() -> None:
    lines = WORLD.write()
    kor = lines.filter((pl.col("npc_id") == 1) & (pl.col("kind") == "rumor")).sort("position")
    assert kor["rumor_id"].to_list() == [10, 11, 12]
    said = kor["text"].to_list()
    assert said[0].endswith("Gorm fled from Ashford.")
    assert said[0].startswith(("I heard it for certain", "It is no rumor"))
    assert said[2].startswith(("Only a whisper", "I would not swear"))
    # In Little Wick the same rumor is told as believed there.
    assert _texts(lines, 3, "rumor")[0].endswith("Gorm fled from Kor.")


def test_work_offers_open_quests_newest_first_with_their_steps_in_order() -> None:
    lines = WORLD.write()
    work = lines.filter((pl.col("npc_id") == 1) & (pl.col("kind") == "quest")).sort("position")
    assert work["quest_id"].to_list() == [102, 100, 100]
    assert work["text"][0] in {
        "Bring word to Ashford. I will pay 120 copper.",
        "There is work, if you want it. Bring word to Ashford.",
    }
    assert work["text"][2].endswith("Kill 5 wolves near Kor. Report to Alda Brenn.")


def test_memories_are_the_weightiest_by_importance_and_recency() -> None:
    lines = WORLD.write()
    told = lines.filter((pl.col("npc_id") == 2) & (pl.col("kind") == "memory")).sort("position")
    # 200: 5 x ~1; 201: 9 x 0.5^(3900/3650) ~ 4.3; 202: 2; 203 (1) is left out.
    assert told["memory_id"].to_list() == [200, 201, 202]
    assert told["text"][0].endswith("We held the walls of Kor.")
    assert told["text"][0].startswith(("I remember it well.", "I will never forget it."))
    assert told["text"][1].startswith(("So the story goes.", "For what it is worth:"))


def test_nobody_to_speak_gives_no_lines() -> None:
    empty = World(
        speakers=speakers([]),
        rumors=WORLD.rumors,
        quests=WORLD.quests,
        quest_steps=WORLD.quest_steps,
        memories=WORLD.memories,
        motifs=WORLD.motifs,
    )
    assert empty.write().schema == DIALOGUE_LINES.schema
    assert empty.write().is_empty()


def _shuffled(world: World, seed: int) -> World:
    return World(
        speakers=world.speakers.sample(fraction=1.0, shuffle=True, seed=seed),
        rumors=world.rumors.sample(fraction=1.0, shuffle=True, seed=seed),
        quests=world.quests.sample(fraction=1.0, shuffle=True, seed=seed),
        quest_steps=world.quest_steps.sample(fraction=1.0, shuffle=True, seed=seed),
        memories=world.memories.sample(fraction=1.0, shuffle=True, seed=seed),
        motifs=world.motifs,
    )


@settings(max_examples=60, deadline=None)
@given(world=worlds(), seed=st.integers(0, 2**32), shuffle=st.integers(0, 1000))
def test_lines_are_grounded_bounded_real_and_the_same_for_the_same_seed(
    world: World, seed: int, shuffle: int
) -> None:
    lines = world.write(seed=seed)
    assert lines.schema == DIALOGUE_LINES.schema
    assert lines.equals(_shuffled(world, shuffle).write(seed=seed))
    allowed = NAMES.known()
    for text in lines["text"]:
        assert ungrounded_names(text, allowed=allowed) == set(), text
        assert "\n" not in text
    # Every subject id is one of the inputs', and only the speaker's own.
    rumor_ids = set(world.rumors["rumor_id"])
    open_quests = set(world.quests.filter(pl.col("status") == "open")["quest_id"])
    assert set(lines["rumor_id"].drop_nulls()) <= rumor_ids
    assert set(lines["quest_id"].drop_nulls()) <= open_quests
    assert set(lines["memory_id"].drop_nulls()) <= set(world.memories["memory_id"])
    mine = lines.join(
        world.memories.select("memory_id", pl.col("npc_id").alias("owner")), on="memory_id"
    )
    assert (mine["npc_id"] == mine["owner"]).all()
    # Bounded: a greeting, a farewell, and at most the rules' limits of the rest.
    per = lines.group_by("npc_id", "kind").len()
    bound = {
        "greeting": 1,
        "farewell": 1,
        "rumor": RULES.max_rumors,
        "quest": 2 * RULES.max_quests,
        "memory": RULES.max_memories,
    }
    for row in per.iter_rows(named=True):
        assert row["len"] <= bound[row["kind"]]
    assert set(lines["npc_id"]) == set(world.speakers["npc_id"])


def test_a_lines_facts_name_the_speaker_topic_and_allowed_names() -> None:
    lines = WORLD.write()
    frames = {
        "speakers": WORLD.speakers,
        "rumors": WORLD.rumors,
        "quests": WORLD.quests,
        "quest_steps": WORLD.quest_steps,
        "memories": WORLD.memories,
        "motifs": WORLD.motifs,
        "names": NAMES,
    }

    def facts(npc: int, kind: str, position: int = 0) -> LineFacts:
        row = lines.filter(
            (pl.col("npc_id") == npc) & (pl.col("kind") == kind) & (pl.col("position") == position)
        ).row(0, named=True)
        return line_facts(row, **frames)  # type: ignore[arg-type]

    rumor = facts(1, "rumor")
    assert (rumor.speaker, rumor.role, rumor.settlement, rumor.region) == (
        "Alda Brenn",
        "ruler",
        "Kor",
        "Vale of Ash",
    )
    assert (rumor.subject_id, rumor.topic, rumor.how) == (10, "Gorm fled from Ashford.", "0.90")
    assert rumor.allowed_names == {"Alda Brenn", "Kor", "Vale of Ash", "Gorm", "Ashford"}
    assert rumor.tone == "war-weary"
    assert rumor.traits == ("brave",)
    quest = facts(1, "quest", 1)
    assert quest.topic.startswith("Wolves at the gate. Wolves prowl")
    assert quest.topic.endswith("Kill 5 wolves near Kor. Report to Alda Brenn")
    memory = facts(2, "memory")
    assert (memory.subject_id, memory.how) == (200, "took_part")
    greeting = facts(3, "greeting")
    assert (greeting.subject_id, greeting.topic, greeting.how) == (None, "", None)
    assert greeting.procedural == _texts(lines, 3, "greeting")[0]
    with pytest.raises(KeyError, match="speaker 9"):
        line_facts({**lines.row(0, named=True), "npc_id": 9}, **frames)  # type: ignore[arg-type]


def test_names_in_finds_whole_names_only() -> None:
    known = frozenset({"Kor", "Korvath", "Vale of Ash"})
    assert names_in("From Korvath to the Vale of Ash.", known) == {"Korvath", "Vale of Ash"}
    assert names_in("Kor, at last.", known) == {"Kor"}


def test_a_notable_without_region_or_names_speaks_in_the_worlds_tone() -> None:
    lost = World(
        speakers=speakers([(5, 0, None)]).with_columns(
            pl.lit(None, dtype=pl.Int32).alias("region_id"),
            pl.lit(9, dtype=pl.Int32).alias("settlement_id"),
        ),
        rumors=WORLD.rumors,
        quests=WORLD.quests.head(0),
        quest_steps=WORLD.quest_steps,
        memories=WORLD.memories,
        motifs=motif_scores([("plague", 1), ("plague", 1), ("battle", 0)]),
    ).write()
    # The world's leading motif is plague: a notable with no role takes any role's plague
    # greeting, in a settlement with no name.
    assert lost["kind"].to_list() == ["greeting", "farewell"]
    assert (
        lost["text"][0] == "Not too close, friend. The sickness has not left this place for long."
    )
