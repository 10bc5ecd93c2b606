"""Dialogue: what each notable says — a greeting in the tone of their region's history, the
rumors believed where they live, their open quests, their memories, a farewell — written from
the templates of data/dialogue.toml, grounded (every name a name of the world), and rendered as
Yarn Spinner 2 scripts a game engine loads (one file per notable, one node per conversation).

    rules = DialogueRules.from_mapping(read_toml("dialogue.toml"))
    lines = write_dialogue(rules=rules, speakers=..., rumors=..., quests=..., quest_steps=...,
                           memories=..., motifs=scores, names=names, tick=tick, seeds=seeds)
    scripts = render_yarn(lines, names=names)  # {"dialogue/42-alda-brenn.yarn": "title: ..."}
    line_facts(lines.row(0, named=True), ...)   # what an LLM needs to write a variant

Lines are rewritten from the current state each run (they depend on it and the world seed,
not on the windows the events were read in).
"""

from __future__ import annotations

from worldloom.systems.narrative.dialogue.facts import LineFacts, line_facts, names_in
from worldloom.systems.narrative.dialogue.grounding import ungrounded_names
from worldloom.systems.narrative.dialogue.lines import (
    DIALOGUE_LINES_SCHEMA,
    HEARD_RUMORS_SCHEMA,
    NODES,
    SPEAKERS_SCHEMA,
    node_title,
    write_dialogue,
)
from worldloom.systems.narrative.dialogue.rules import HOWS, DialogueRules, RumorBand
from worldloom.systems.narrative.dialogue.yarn import (
    OPTIONS,
    escape_line,
    file_name,
    render_yarn,
    speaker_label,
)

__all__ = [
    "DIALOGUE_LINES_SCHEMA",
    "HEARD_RUMORS_SCHEMA",
    "HOWS",
    "NODES",
    "OPTIONS",
    "SPEAKERS_SCHEMA",
    "DialogueRules",
    "LineFacts",
    "RumorBand",
    "escape_line",
    "file_name",
    "line_facts",
    "names_in",
    "node_title",
    "render_yarn",
    "speaker_label",
    "ungrounded_names",
    "write_dialogue",
]
