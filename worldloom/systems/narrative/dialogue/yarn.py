"""Yarn Spinner 2 scripts of the dialogue lines: one file per notable, one node per conversation."""

from __future__ import annotations

import re
import unicodedata

import polars as pl

from worldloom.systems.narrative.dialogue.lines import NODES, node_title
from worldloom.systems.narrative.names import Names

OPTIONS = {
    "rumor": "What news?",
    "quest": "Is there work for me?",
    "memory": "Tell me of the old days.",
    "farewell": "Farewell.",
}
"""What the player says to open each conversation (its option in the other nodes)."""
FOLDER = "dialogue"
_SPECIAL = re.compile(r"([\\{}\[\]<>#/])")
"""Characters Yarn reads as markup, expressions, commands, hashtags or comments."""
_NOT_IN_SPEAKER = re.compile(r"[\\{}\[\]<>#/:]")
_INDENT = "    "


def escape_line(text: str) -> str:
    """`text` safe as a Yarn line's text: one line, every special character backslashed
    (`{ } [ ] < > # / \\`; a `->` becomes `-\\>`, so it never opens an option)."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def speaker_label(npc_id: int, names: Names) -> str:
    """The character name a notable's lines carry: their name without characters Yarn would
    read (colons, markup, commands), or `N<npc_id>` when they have none."""
    name = " ".join(_NOT_IN_SPEAKER.sub(" ", names.of("npc", npc_id) or "").split())
    return name.lstrip("-").strip() or f"N{npc_id}"


def file_name(npc_id: int, names: Names) -> str:
    """`dialogue/<npc_id>-<name-slug>.yarn` (the id keeps names that slug alike apart)."""
    ascii_name = unicodedata.normalize("NFKD", names.of("npc", npc_id) or "").encode(
        "ascii", "ignore"
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.decode().lower()).strip("-")
    return f"{FOLDER}/{npc_id}-{slug}.yarn" if slug else f"{FOLDER}/{npc_id}.yarn"


def render_yarn(lines: pl.DataFrame, *, names: Names) -> dict[str, str]:
    """Yarn Spinner 2 scripts of `dialogue_lines` rows, one file per notable.

    A notable's file holds a node per conversation, titled `N<npc_id>_<Greeting|Rumors|Work|
    Memories|Farewell>` (ids, not names, so titles are unique identifiers across files). The
    Greeting node ends with an option per other conversation; Rumors, Work and Memories end
    with options to the other conversations and the farewell; the Farewell node ends the
    dialogue. Each line is `Speaker: text #line:<node>_<position>` (stable line ids for
    localisation and for variants), its text escaped (`escape_line`). Start a notable's
    dialogue at its Greeting node.

    Args:
        lines: `dialogue_lines` rows.
        names: The world's names (speakers' names and file names).

    Returns:
        File name -> script text, files in npc_id order.
    """
    said: dict[int, dict[str, list[str]]] = {}
    for npc, kind, text in (
        lines.sort("npc_id", "node", "position").select("npc_id", "kind", "text").iter_rows()
    ):
        said.setdefault(int(npc), {}).setdefault(str(kind), []).append(str(text))
    scripts: dict[str, str] = {}
    for npc, by_kind in said.items():
        kinds = [kind for kind in NODES if kind in by_kind]
        speaker = speaker_label(npc, names)
        nodes = [_node(npc, kind, speaker, by_kind[kind], kinds) for kind in kinds]
        scripts[file_name(npc, names)] = "".join(nodes)
    return scripts


def _node(npc: int, kind: str, speaker: str, texts: list[str], kinds: list[str]) -> str:
    title = node_title(npc, kind)
    body = [
        f"{speaker}: {escape_line(text)} #line:{title}_{position}"
        for position, text in enumerate(texts)
    ]
    if kind != "farewell":
        for other in kinds:
            if other in (kind, "greeting"):
                continue
            body.append(f"-> {OPTIONS[other]}")
            body.append(f"{_INDENT}<<jump {node_title(npc, other)}>>")
    header = [f"title: {title}", f"tags: npc_{npc} {kind}", "---"]
    return "\n".join([*header, *body, "==="]) + "\n"
