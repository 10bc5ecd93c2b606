"""Dialogue lines: a notable's greeting, the rumors they repeat, their work, memories, farewell."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from worldloom.systems.narrative.dialogue.rules import DialogueRules, Templates
from worldloom.systems.narrative.motif import MotifScores, Tone, tone
from worldloom.systems.narrative.names import Names
from worldloom.systems.rng import Seeds

DIALOGUE_LINES_SCHEMA = pl.Schema(
    {
        "npc_id": pl.Int64(),
        "node": pl.String(),
        "position": pl.Int16(),
        "kind": pl.String(),
        "rumor_id": pl.Int64(),
        "quest_id": pl.Int64(),
        "memory_id": pl.Int64(),
        "text": pl.String(),
        "source": pl.String(),
    }
)
"""The `dialogue_lines` table's rows (schema/narrative.py, DIALOGUE_LINES)."""
SPEAKERS_SCHEMA = pl.Schema(
    {
        "npc_id": pl.Int64(),
        "name": pl.String(),
        "settlement_id": pl.Int32(),
        "region_id": pl.Int32(),
        "notable_role": pl.String(),
        "trait_1": pl.String(),
        "trait_2": pl.String(),
        "trait_3": pl.String(),
    }
)
"""The speakers `write_dialogue` takes: living notables (npcs with their settlement's region)."""
HEARD_RUMORS_SCHEMA = pl.Schema(
    {
        "settlement_id": pl.Int32(),
        "rumor_id": pl.Int64(),
        "version": pl.Int16(),
        "text": pl.String(),
        "confidence": pl.Float64(),
    }
)
"""The rumors `write_dialogue` takes: each settlement's belief (rumor_beliefs: settlement_id,
rumor_id, version, confidence) with the text of the version believed (rumor_versions.text)."""
NODES = {
    "greeting": "Greeting",
    "rumor": "Rumors",
    "quest": "Work",
    "memory": "Memories",
    "farewell": "Farewell",
}
"""A line's kind -> the conversation (node) it belongs to; one node per kind and notable."""
PROCEDURAL = "procedural"
SOMEWHERE = "this place"
"""What a line says when a settlement or region has no name."""
SOMEWHERE_WIDE = "these lands"


def node_title(npc_id: int, kind: str) -> str:
    """The Yarn node title of a notable's conversation of `kind`: `N<npc_id>_<Node>`."""
    return f"N{int(npc_id)}_{NODES[kind]}"


def write_dialogue(
    *,
    rules: DialogueRules,
    speakers: pl.DataFrame,
    rumors: pl.DataFrame,
    quests: pl.DataFrame,
    quest_steps: pl.DataFrame,
    memories: pl.DataFrame,
    motifs: MotifScores,
    names: Names,
    tick: int,
    seeds: Seeds,
) -> pl.DataFrame:
    """Every notable's lines, procedurally written from templates (`dialogue_lines` rows).

    Each notable gets a Greeting (by role and the dominant motif of their region), Rumors (the
    most firmly believed where they live), Work (their open quests: the offer and its steps),
    Memories (most important and recent) and a Farewell; a node with no line is left out.
    Lines depend only on the inputs and the world seed (templates are drawn from streams named
    by kind, notable and subject), never on row order.

    Args:
        rules: The dialogue rules.
        speakers: Living notables (`SPEAKERS_SCHEMA`; traits may be null, and so may a role
            or region: any role's templates, the world's tone).
        rumors: What each settlement believes (`HEARD_RUMORS_SCHEMA`: rumor_beliefs joined to
            the text of the version believed, from rumor_versions).
        quests: `quests` rows; open ones are offered by their giver.
        quest_steps: `quest_steps` rows.
        memories: `memories` rows.
        motifs: The motif scores (a greeting's tone is its region's).
        names: The world's names.
        tick: Today, for the recency of memories.
        seeds: The world's seed tree.

    Returns:
        `dialogue_lines` rows ordered by notable, conversation and position.
    """
    heard = _top(
        rumors.unique(["settlement_id", "rumor_id"], keep="first"),
        key="settlement_id",
        by=["confidence", "rumor_id"],
        descending=[True, True],
        k=rules.max_rumors,
    )
    open_quests = _top(
        quests.filter(pl.col("status") == "open"),
        key="giver_npc_id",
        by=["issued_tick", "quest_id"],
        descending=[True, False],
        k=rules.max_quests,
    )
    steps = _steps_by_quest(quest_steps)
    age = (pl.lit(tick) - pl.col("tick")).clip(0).cast(pl.Float64)
    recalled = _top(
        memories.with_columns(
            (
                pl.col("importance").cast(pl.Float64)
                * pl.lit(0.5).pow(age / rules.memory_half_life_days)
            ).alias("weight")
        ),
        key="npc_id",
        by=["weight", "memory_id"],
        descending=[True, True],
        k=rules.max_memories,
    )
    tones: dict[int | None, Tone] = {}
    rows: list[dict[str, Any]] = []
    for speaker in speakers.sort("npc_id").iter_rows(named=True):
        region = speaker["region_id"]
        if region not in tones:
            tones[region] = tone(motifs, region_id=region)
        writer = _Writer(rules, seeds, speaker, names, tones[region])
        rows.extend(writer.greeting())
        rows.extend(writer.rumors(heard.get(speaker["settlement_id"], ())))
        rows.extend(writer.quests(open_quests.get(speaker["npc_id"], ()), steps))
        rows.extend(writer.memories(recalled.get(speaker["npc_id"], ())))
        rows.extend(writer.farewell())
    if not rows:
        return DIALOGUE_LINES_SCHEMA.to_frame()
    return pl.DataFrame(rows, schema=DIALOGUE_LINES_SCHEMA, orient="row")


def clean(text: str) -> str:
    """One line of plain text: whitespace runs (newlines too) become one space."""
    return " ".join(str(text).split())


def sentence(text: str) -> str:
    """`text` as a sentence: cleaned, ending in . ! or ?."""
    text = clean(text)
    return text if not text or text[-1] in ".!?" else f"{text}."


def _top(
    frame: pl.DataFrame, *, key: str, by: list[str], descending: list[bool], k: int
) -> dict[Any, list[dict[str, Any]]]:
    ranked = frame.sort([key, *by], descending=[False, *descending]).filter(
        pl.int_range(pl.len()).over(key) < k
    )
    grouped: dict[Any, list[dict[str, Any]]] = {}
    for row in ranked.iter_rows(named=True):
        grouped.setdefault(row[key], []).append(row)
    return grouped


def _steps_by_quest(quest_steps: pl.DataFrame) -> dict[int, str]:
    joined: dict[int, list[str]] = {}
    for row in quest_steps.sort("quest_id", "position").iter_rows(named=True):
        joined.setdefault(row["quest_id"], []).append(sentence(row["text"]))
    return {quest: " ".join(texts) for quest, texts in joined.items()}


class _Writer:
    """Writes one notable's lines (a helper of `write_dialogue`, holding who speaks)."""

    def __init__(
        self,
        rules: DialogueRules,
        seeds: Seeds,
        speaker: Mapping[str, Any],
        names: Names,
        mood: Tone,
    ) -> None:
        self.rules = rules
        self.seeds = seeds
        self.npc_id = int(speaker["npc_id"])
        self.role = speaker.get("notable_role")
        self.mood = mood
        self.fields = {
            "speaker": clean(speaker["name"]),
            "settlement": names.of("settlement", speaker["settlement_id"]) or SOMEWHERE,
            "region": names.of("region", speaker["region_id"]) or SOMEWHERE_WIDE,
            "tone": mood.phrase,
        }

    def _line(
        self,
        kind: str,
        position: int,
        text: str,
        *,
        rumor_id: int | None = None,
        quest_id: int | None = None,
        memory_id: int | None = None,
    ) -> dict[str, Any]:
        return {
            "npc_id": self.npc_id,
            "node": node_title(self.npc_id, kind),
            "position": position,
            "kind": kind,
            "rumor_id": rumor_id,
            "quest_id": quest_id,
            "memory_id": memory_id,
            "text": clean(text),
            "source": PROCEDURAL,
        }

    def _pick(self, templates: Templates, kind: str, subject: str | int) -> str:
        stream = self.seeds.stream("dialogue.template", kind, self.npc_id, subject)
        return templates[int(stream.integers(len(templates)))]

    def _fill(self, template: str, **extra: str) -> str:
        return template.format(**self.fields, **extra)

    def greeting(self) -> list[dict[str, Any]]:
        motif = self.mood.motifs[0] if self.mood.motifs else None
        templates = self.rules.greeting_templates(self.role, motif)
        return [self._line("greeting", 0, self._fill(self._pick(templates, "greeting", 0)))]

    def rumors(self, heard: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        lines = []
        for position, rumor in enumerate(heard):
            rumor_id = int(rumor["rumor_id"])
            template = self._pick(
                self.rules.rumor_templates(float(rumor["confidence"])), "rumor", rumor_id
            )
            text = self._fill(template, rumor=sentence(rumor["text"]))
            lines.append(self._line("rumor", position, text, rumor_id=rumor_id))
        return lines

    def quests(
        self, offered: Sequence[Mapping[str, Any]], steps: Mapping[int, str]
    ) -> list[dict[str, Any]]:
        lines: list[dict[str, Any]] = []
        for quest in offered:
            quest_id = int(quest["quest_id"])
            offer = self._fill(
                self._pick(self.rules.quest_offers, "quest", quest_id),
                title=clean(quest["title"]),
                text=sentence(quest["text"]),
                reward=str(round(float(quest["reward"]))),
            )
            lines.append(self._line("quest", len(lines), offer, quest_id=quest_id))
            if steps.get(quest_id):
                told = self._fill(
                    self._pick(self.rules.quest_steps, "quest.steps", quest_id),
                    steps=steps[quest_id],
                )
                lines.append(self._line("quest", len(lines), told, quest_id=quest_id))
        return lines

    def memories(self, recalled: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        lines = []
        for position, memory in enumerate(recalled):
            memory_id = int(memory["memory_id"])
            templates = self.rules.memories.get(str(memory["how"]), self.rules.memories["heard"])
            text = self._fill(
                self._pick(templates, "memory", memory_id), memory=sentence(memory["text"])
            )
            lines.append(self._line("memory", position, text, memory_id=memory_id))
        return lines

    def farewell(self) -> list[dict[str, Any]]:
        templates = self.rules.farewell_templates(self.role)
        return [self._line("farewell", 0, self._fill(self._pick(templates, "farewell", 0)))]
