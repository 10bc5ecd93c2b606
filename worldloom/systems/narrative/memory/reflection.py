"""Notables' reflections: an insight once the importance of their recent memories adds up."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import polars as pl

from worldloom.systems.narrative.memory.frames import REFLECTION_SCHEMA
from worldloom.systems.narrative.memory.rules import MemoryRules
from worldloom.systems.narrative.names import Kind, Names
from worldloom.systems.narrative.rumor.rules import placeholders

_ENTITY_KINDS = frozenset({"npc", "faction", "settlement", "region", "poi"})
_PLAIN = frozenset({"kin"})
"""Topic keywords that are markers, not subjects a notable dwells on."""


@dataclass(frozen=True, slots=True)
class RememberedFact:
    """One memory a reflection draws on, as a prompt would list it."""

    memory_id: int
    tick: int
    how: str
    importance: int
    text: str


@dataclass(frozen=True, slots=True)
class ReflectionFacts:
    """What an LLM prompt for one reflection needs: who reflects, on what, about whom."""

    npc_id: int
    npc_name: str | None
    tick: int
    memories: tuple[RememberedFact, ...]
    topics: tuple[str, ...]
    entities: tuple[str, ...]


def reflect(
    *, rules: MemoryRules, memories: pl.DataFrame, reflections: pl.DataFrame, names: Names
) -> pl.DataFrame:
    """The reflections so far plus those the memories since each notable's last one call for.

    Memories are taken in id order (their order in time); when the importance summed since a
    notable's last reflection reaches the threshold, they reflect on the day of the memory that
    tipped it, drawing on that memory and the most important others since the last reflection
    (at most `max_memories`). The last reflection's highest memory id marks where it stopped.
    """
    done = reflections.group_by("npc_id").agg(pl.col("memory_ids").list.max().max().alias("done"))
    since = memories.join(done, on="npc_id", how="left").filter(
        pl.col("done").is_null() | (pl.col("memory_id") > pl.col("done"))
    )
    # Importance is positive: a notable whose memories since their last reflection add up to
    # less than the threshold cannot reflect now (most of them, every year), so only the
    # others' memories are walked one by one.
    due = (
        since.group_by("npc_id")
        .agg(pl.col("importance").sum())
        .filter(pl.col("importance") >= rules.threshold)
    )
    stream = (
        since.filter(pl.col("npc_id").is_in(due["npc_id"].implode()))
        .sort("memory_id")
        .select("memory_id", "npc_id", "tick", "importance", "topics")
    )
    rows: list[dict[str, Any]] = []
    pending: dict[int, list[tuple[int, int, int, list[str]]]] = {}
    # Each notable's importance since their last reflection: their pending batch's sum.
    summed: dict[int, int] = {}
    words = _Words(names)
    for memory_id, npc_id, tick, importance, topics in stream.iter_rows():
        batch = pending.setdefault(npc_id, [])
        batch.append((memory_id, tick, importance, topics))
        summed[npc_id] = summed.get(npc_id, 0) + importance
        if summed[npc_id] >= rules.threshold:
            rows.append(_reflection(rules, npc_id, batch, words))
            pending[npc_id], summed[npc_id] = [], 0
    start = 0 if reflections.height == 0 else int(cast(int, reflections["reflection_id"].max())) + 1
    rows.sort(key=lambda r: (r["tick"], r["npc_id"]))
    # By columns: Polars reads a list of dicts row by row, its list column slowest.
    columns = {name: [row[name] for row in rows] for name in REFLECTION_SCHEMA.names()[1:]}
    added = pl.DataFrame(
        {"reflection_id": range(start, start + len(rows)), **columns}, schema=REFLECTION_SCHEMA
    )
    return pl.concat([reflections, added])


class _Words(dict[str, bool | None]):
    """Topic words as `_dominant` reads them, each read once per call (a year's reflections
    read ~70k, mostly the same few thousand): None for a subject, else whether the entity it
    names has a name."""

    def __init__(self, names: Names) -> None:
        super().__init__()
        self.names = names

    def __missing__(self, word: str) -> bool | None:
        kind, _, ident = word.partition(":")
        named = None
        if kind in _ENTITY_KINDS and ident.isdigit():
            named = bool(self.names.of(cast(Kind, kind), int(ident)))
        self[word] = named
        return named


def _reflection(
    rules: MemoryRules,
    npc_id: int,
    batch: Sequence[tuple[int, int, int, list[str]]],
    words: _Words,
) -> dict[str, Any]:
    trigger = batch[-1]
    others = sorted(batch[:-1], key=lambda m: (-m[2], -m[0]))[: rules.max_memories - 1]
    drawn = sorted([trigger, *others])
    topic, entity = _dominant(npc_id, drawn, words)
    options = rules.reflections.get(topic, rules.reflections["default"])
    # the rules make sure the last template names no entity, so one always fits
    template = next(t for t in options if entity is not None or "entity" not in placeholders(t))
    text = template.format(topic=topic, entity=entity)
    return {
        "npc_id": npc_id,
        "tick": trigger[1],
        "memory_ids": [m[0] for m in drawn],
        "text": text,
        "source": "procedural",
    }


def _dominant(
    npc_id: int, drawn: Sequence[tuple[int, int, int, list[str]]], words: _Words
) -> tuple[str, str | None]:
    """The topic and the named entity the memories weigh most on (importance-weighted)."""
    topics: Counter[str] = Counter()
    entities: Counter[str] = Counter()
    me = f"npc:{npc_id}"
    for _, _, importance, said in drawn:
        for position, word in enumerate(said):
            named = words[word]
            if named is None:
                if word not in _PLAIN:
                    topics[word] += importance * (2 if position == 0 else 1)
            elif named and word != me:
                entities[word] += importance
    topic = min(topics.items(), key=lambda kv: (-kv[1], kv[0]))[0] if topics else "the past"
    if not entities:
        return topic, None
    best = min(entities.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    kind, _, ident = best.partition(":")
    return topic, words.names.of(cast(Kind, kind), int(ident))


def reflection_facts(
    *, reflection_id: int, reflections: pl.DataFrame, memories: pl.DataFrame, names: Names
) -> ReflectionFacts:
    """The facts an LLM prompt would use to write one reflection (every name from `names`).

    Raises:
        KeyError: no reflection has that id.
    """
    found = reflections.filter(pl.col("reflection_id") == reflection_id)
    if found.height == 0:
        raise KeyError(f"no reflection {reflection_id}")
    row = found.row(0, named=True)
    drawn = memories.filter(pl.col("memory_id").is_in(row["memory_ids"])).sort("memory_id")
    facts = tuple(
        RememberedFact(memory_id=m, tick=t, how=h, importance=i, text=x)
        for m, t, h, i, x in drawn.select(
            "memory_id", "tick", "how", "importance", "text"
        ).iter_rows()
    )
    words: Counter[str] = Counter()
    people: Counter[str] = Counter()
    for importance, topics in drawn.select("importance", "topics").iter_rows():
        for word in topics:
            kind, _, ident = word.partition(":")
            if kind in _ENTITY_KINDS and ident.isdigit():
                name = names.of(cast(Kind, kind), int(ident))
                if name is not None and word != f"npc:{row['npc_id']}":
                    people[name] += importance
            elif word not in _PLAIN:
                words[word] += importance
    return ReflectionFacts(
        npc_id=int(row["npc_id"]),
        npc_name=names.of("npc", row["npc_id"]),
        tick=int(row["tick"]),
        memories=facts,
        topics=tuple(w for w, _ in sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))[:5]),
        entities=tuple(n for n, _ in sorted(people.items(), key=lambda kv: (-kv[1], kv[0]))[:5]),
    )
