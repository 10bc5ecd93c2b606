"""Notables' reflections: an insight once the importance of their recent memories adds up."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import polars as pl

from worldloom.systems.narrative.memory.frames import REFLECTION_SCHEMA
from worldloom.systems.narrative.memory.rules import MemoryRules
from worldloom.systems.narrative.names import Kind, Names
from worldloom.systems.narrative.rumor.rules import placeholders

_ENTITY_KINDS = frozenset({"npc", "faction", "settlement", "region", "poi"})
_PLAIN = frozenset({"kin"})
"""Topic keywords that are markers, not subjects a notable dwells on."""
_Memory = tuple[int, int, int]
"""A memory a reflection may draw on: its id, tick and importance."""


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

    Of `reflections` only reflection_id, npc_id and memory_ids are read (the others may be left
    out: the rows added have every column, in `REFLECTION_SCHEMA`'s order).
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
    # The memories walked without their topics (as Python lists, they cost more than the
    # rest of the walk): each reflection's notable, day and memories (id, tick, importance).
    drawn: list[tuple[int, int, list[_Memory]]] = []
    pending: dict[int, list[_Memory]] = {}
    # Each notable's importance since their last reflection: their pending batch's sum.
    summed: dict[int, int] = {}
    for memory_id, npc_id, tick, importance in stream.drop("topics").iter_rows():
        batch = pending.setdefault(npc_id, [])
        batch.append((memory_id, tick, importance))
        summed[npc_id] = summed.get(npc_id, 0) + importance
        if summed[npc_id] >= rules.threshold:
            drawn.append((npc_id, tick, _drawn(rules, batch)))
            pending[npc_id], summed[npc_id] = [], 0
    # Each memory drawn on, by reflection, with its notable, importance and topics.
    said = pl.DataFrame(
        {
            "reflection": [index for index, (_, _, on) in enumerate(drawn) for _ in on],
            "memory_id": [memory_id for _, _, on in drawn for memory_id, _, _ in on],
        },
        schema={"reflection": pl.Int64, "memory_id": pl.Int64},
    ).join(
        stream.select("memory_id", "npc_id", pl.col("importance").cast(pl.Int64), "topics"),
        on="memory_id",
        how="left",
        maintain_order="left",
    )
    topics, entities = _dominant(said, names)
    texts = [
        _insight(rules, topics.get(index, "the past"), entities.get(index))
        for index in range(len(drawn))
    ]
    start = 0 if reflections.height == 0 else int(cast(int, reflections["reflection_id"].max())) + 1
    added = (
        pl.DataFrame(
            {
                "npc_id": [npc_id for npc_id, _, _ in drawn],
                "tick": [tick for _, tick, _ in drawn],
                # A list column grouped from its rows: Polars reads nested lists slowly.
                "memory_ids": said.group_by("reflection", maintain_order=True).agg("memory_id")[
                    "memory_id"
                ],
                "text": texts,
                "source": ["procedural"] * len(drawn),
            },
        )
        .sort("tick", "npc_id", maintain_order=True)
        .select(pl.int_range(start, start + pl.len()).alias("reflection_id"), pl.all())
    )
    # Diagonal: reflections read without their texts get the new rows' after their own.
    both = pl.concat([reflections, added.cast(REFLECTION_SCHEMA)], how="diagonal")
    return both.select(REFLECTION_SCHEMA.names())


def _drawn(rules: MemoryRules, batch: Sequence[_Memory]) -> list[_Memory]:
    """The memories a reflection draws on, in id order: the one that tipped it (the last) and
    the most important others."""
    others = sorted(batch[:-1], key=lambda m: (-m[2], -m[0]))[: rules.max_memories - 1]
    return sorted([batch[-1], *others])


def _insight(rules: MemoryRules, topic: str, entity: str | None) -> str:
    options = rules.reflections.get(topic, rules.reflections["default"])
    # the rules make sure the last template names no entity, so one always fits
    template = next(t for t in options if entity is not None or "entity" not in placeholders(t))
    return template.format(topic=topic, entity=entity)


def _dominant(said: pl.DataFrame, names: Names) -> tuple[dict[int, str], dict[int, str | None]]:
    """The topic and the named entity each reflection's memories weigh most on, by reflection
    (those with none are left out), from `said`: reflection, npc_id, importance and topics of
    each memory drawn on.

    A topic weighs its memory's importance (twice as its first word), an entity (a `kind:id`
    with a name, not the notable's own) its importance; the heaviest wins, ties to the first by
    name. Weighed for every reflection at once: one by one, a year's ~70k words cost ~50 ms.
    """
    words = said.with_columns(position=pl.int_ranges(pl.col("topics").list.len())).explode(
        "topics", "position"
    )
    words = words.filter(pl.col("topics").is_not_null()).rename({"topics": "word"})
    # Whether each distinct word names an entity (null: a subject), read once.
    kinds = pl.DataFrame(
        [(word, _named(word, names)) for word in words["word"].unique().to_list()],
        schema={"word": pl.String, "named": pl.Boolean},
        orient="row",
    )
    words = words.join(kinds, on="word", how="left")
    subjects = words.filter(pl.col("named").is_null() & ~pl.col("word").is_in(list(_PLAIN)))
    weight = pl.col("importance") * pl.when(pl.col("position") == 0).then(2).otherwise(1)
    own = pl.format("npc:{}", pl.col("npc_id"))
    ones = words.filter(pl.col("named") & (pl.col("word") != own))
    topics = _heaviest(subjects.with_columns(weight=weight))
    best = _heaviest(ones.with_columns(weight=pl.col("importance")))
    entities: dict[int, str | None] = {}
    for index, word in best.items():
        kind, _, ident = word.partition(":")
        entities[index] = names.of(cast(Kind, kind), int(ident))
    return topics, entities


def _named(word: str, names: Names) -> bool | None:
    """None for a subject, else whether the entity the word names (`kind:id`) has a name."""
    kind, _, ident = word.partition(":")
    if kind in _ENTITY_KINDS and ident.isdigit():
        return bool(names.of(cast(Kind, kind), int(ident)))
    return None


def _heaviest(words: pl.DataFrame) -> dict[int, str]:
    """Each reflection's word of the greatest summed weight, ties to the first by name."""
    summed = words.group_by("reflection", "word").agg(pl.col("weight").sum())
    first = summed.sort(["reflection", "weight", "word"], descending=[False, True, False]).unique(
        "reflection", keep="first", maintain_order=True
    )
    return dict(zip(first["reflection"].to_list(), first["word"].to_list(), strict=True))


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
