"""A line's facts: what an LLM needs to write a variant of it, and the names it may use."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from worldloom.systems.narrative.dialogue.lines import SOMEWHERE, SOMEWHERE_WIDE, clean
from worldloom.systems.narrative.motif import MotifScores, tone
from worldloom.systems.narrative.names import Names


@dataclass(frozen=True, slots=True)
class LineFacts:
    """The facts of one dialogue line, for writing a variant of it.

    Attributes:
        npc_id: Who speaks.
        speaker: Their name.
        role: Their notable role (ruler, priest, merchant, guild_master, adventurer).
        traits: Their character traits.
        settlement: Where they live (its name).
        region: Its region's name.
        tone: The tone of their region's history ("war-weary, grim").
        kind: greeting, rumor, quest, memory or farewell.
        subject_id: The rumor, quest or memory the line tells; None for the others.
        topic: What the line tells: the rumor's, quest's (with its steps) or memory's text;
            empty for a greeting or farewell.
        how: How the speaker came by it: a memory's `how`, a rumor's confidence as text
            ("0.85"); None for the others.
        allowed_names: The names the line may use: the speaker's, their settlement's and
            region's, and the world's names the topic contains.
        procedural: The procedural line.
    """

    npc_id: int
    speaker: str
    role: str | None
    traits: tuple[str, ...]
    settlement: str
    region: str
    tone: str
    kind: str
    subject_id: int | None
    topic: str
    how: str | None
    allowed_names: frozenset[str]
    procedural: str


def line_facts(
    line: Mapping[str, Any],
    *,
    speakers: pl.DataFrame,
    rumors: pl.DataFrame,
    quests: pl.DataFrame,
    quest_steps: pl.DataFrame,
    memories: pl.DataFrame,
    motifs: MotifScores,
    names: Names,
) -> LineFacts:
    """The facts of one `dialogue_lines` row (a dict, e.g. `lines.row(i, named=True)`).

    The frames are the ones `write_dialogue` was given.

    Raises:
        KeyError: the line's speaker, or the rumor, quest or memory it tells, is not in them.
    """
    npc_id = int(line["npc_id"])
    speaker = _one(speakers.filter(pl.col("npc_id") == npc_id), f"speaker {npc_id}")
    settlement = names.of("settlement", speaker["settlement_id"]) or SOMEWHERE
    region = names.of("region", speaker["region_id"]) or SOMEWHERE_WIDE
    topic, how, subject = "", None, None
    if line["rumor_id"] is not None:
        subject = int(line["rumor_id"])
        rumor = _one(
            rumors.filter(
                (pl.col("rumor_id") == subject)
                & (pl.col("settlement_id") == speaker["settlement_id"])
            ),
            f"rumor {subject}",
        )
        topic, how = clean(rumor["text"]), f"{float(rumor['confidence']):.2f}"
    elif line["quest_id"] is not None:
        subject = int(line["quest_id"])
        quest = _one(quests.filter(pl.col("quest_id") == subject), f"quest {subject}")
        told = quest_steps.filter(pl.col("quest_id") == subject).sort("position")["text"]
        topic = clean(" ".join([quest["title"] + ".", quest["text"], *told]))
    elif line["memory_id"] is not None:
        subject = int(line["memory_id"])
        memory = _one(memories.filter(pl.col("memory_id") == subject), f"memory {subject}")
        topic, how = clean(memory["text"]), str(memory["how"])
    own = {clean(speaker["name"]), settlement, region} - {SOMEWHERE, SOMEWHERE_WIDE}
    return LineFacts(
        npc_id=npc_id,
        speaker=clean(speaker["name"]),
        role=speaker.get("notable_role"),
        traits=tuple(str(speaker[t]) for t in ("trait_1", "trait_2", "trait_3") if speaker.get(t)),
        settlement=settlement,
        region=region,
        tone=tone(motifs, region_id=speaker["region_id"]).phrase,
        kind=str(line["kind"]),
        subject_id=subject,
        topic=topic,
        how=how,
        allowed_names=frozenset(own | names_in(topic, names.known())),
        procedural=str(line["text"]),
    )


def names_in(text: str, known: frozenset[str]) -> set[str]:
    """The `known` names that `text` contains as whole words."""
    return {
        name
        for name in known
        if name
        and name in text  # the cheap test first: a world has tens of thousands of names
        and re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text) is not None
    }


def _one(frame: pl.DataFrame, what: str) -> dict[str, Any]:
    if not frame.height:
        raise KeyError(f"{what} is not in the frames the dialogue was written from")
    return frame.row(0, named=True)
