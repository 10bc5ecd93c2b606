"""Reflections: when the importance adds up, on what they draw, what they say; prompt facts."""

from __future__ import annotations

from collections import Counter

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.systems.narrative.memory.memory_world import memory_rules
from tests.systems.narrative.rumor.rumor_world import world_names
from worldloom.systems.narrative.memory import MEMORY_SCHEMA, REFLECTION_SCHEMA, reflection_facts
from worldloom.systems.narrative.memory.reflection import reflect

NAMES = world_names(3, npcs=30)
RULES = memory_rules(reflection={"threshold": 20, "max_memories": 3})


def _memories(rows: list[tuple[int, int, int, list[str]]]) -> pl.DataFrame:
    """Memories from (npc_id, tick, importance, topics), ids in order."""
    return pl.DataFrame(
        {
            "memory_id": list(range(len(rows))),
            "npc_id": [r[0] for r in rows],
            "event_id": list(range(100, 100 + len(rows))),
            "tick": [r[1] for r in rows],
            "how": ["witnessed"] * len(rows),
            "importance": [r[2] for r in rows],
            "topics": [r[3] for r in rows],
            "text": [f"memory {i}" for i in range(len(rows))],
        },
        schema=MEMORY_SCHEMA,
    )


WAR = ["war", "battle", "faction:1", "settlement:0"]
FIRE = ["disaster", "fire", "settlement:2"]


def test_reflections_come_when_importance_adds_up() -> None:
    memories = _memories(
        [
            (10, 1, 8, WAR),
            (11, 2, 9, FIRE),
            (10, 3, 4, FIRE),
            (10, 4, 9, WAR),  # 8 + 4 + 9 = 21: reflects, on this one and the two most important
            (10, 5, 9, WAR),
            (11, 6, 9, FIRE),
            (11, 7, 3, FIRE),  # 9 + 9 + 3 = 21
        ]
    )
    got = reflect(
        rules=RULES,
        memories=memories,
        reflections=pl.DataFrame(schema=REFLECTION_SCHEMA),
        names=NAMES,
    )
    assert got.select("reflection_id", "npc_id", "tick", "memory_ids").rows() == [
        (0, 10, 4, [0, 2, 3]),
        (1, 11, 7, [1, 5, 6]),
    ]
    assert got["text"].to_list() == [
        "War has filled my days; F1 is never far from my thoughts.",
        "Misfortune keeps striking; S2 has suffered more than most.",
    ]
    # the next run starts after each notable's last reflection
    more = pl.concat([memories, _memories([(10, 8, 9, ["omen"])] * 9).slice(7, 2)])
    more = more.with_columns(pl.int_range(0, more.height, dtype=pl.Int64).alias("memory_id"))
    again = reflect(rules=RULES, memories=more, reflections=got, names=NAMES)
    assert again.height == 3
    assert again.row(2, named=True)["memory_ids"] == [4, 7, 8]
    assert (
        again.row(2, named=True)["text"] == "Of late my thoughts keep turning to omen, and to F1."
    )


@pytest.mark.parametrize(
    ("topics", "text"),
    [
        (["omen", "npc:3"], "Of late my thoughts keep turning to omen, and to N3."),
        (
            ["omen", "npc:10", "faction:99"],
            "Of late my thoughts keep turning to omen.",
        ),  # self, unnamed
        (["war"], "War has filled my days, and I fear there is more to come."),
        (["kin"], "Of late my thoughts keep turning to the past."),
    ],
)
def test_the_insight_names_the_dominant_topic_and_entity(topics: list[str], text: str) -> None:
    memories = _memories([(10, 1, 10, topics), (10, 2, 10, topics)])
    got = reflect(
        rules=RULES,
        memories=memories,
        reflections=pl.DataFrame(schema=REFLECTION_SCHEMA),
        names=NAMES,
    )
    assert got["text"].to_list() == [text]


def test_reflection_facts_for_a_prompt() -> None:
    memories = _memories(
        [(10, 1, 8, WAR), (10, 3, 4, [*FIRE, "npc:10", "faction:99"]), (10, 4, 9, WAR)]
    )
    reflections = reflect(
        rules=RULES,
        memories=memories,
        reflections=pl.DataFrame(schema=REFLECTION_SCHEMA),
        names=NAMES,
    )
    facts = reflection_facts(
        reflection_id=0, reflections=reflections, memories=memories, names=NAMES
    )
    assert (facts.npc_id, facts.npc_name, facts.tick) == (10, "N10", 4)
    assert [m.memory_id for m in facts.memories] == [0, 1, 2]
    assert facts.memories[0].text == "memory 0"
    assert facts.topics[:2] == ("battle", "war")
    assert facts.entities == ("F1", "S0", "S2")
    with pytest.raises(KeyError, match="no reflection 5"):
        reflection_facts(reflection_id=5, reflections=reflections, memories=memories, names=NAMES)


def _reflected_one_by_one(rows: list[tuple[int, int, int, list[str]]]) -> list[tuple[int, str]]:
    """(npc_id, text) of each reflection `reflect` makes of a first run's memories, weighed
    memory by memory with counters (what `reflect` weighs for every reflection at once)."""
    made: list[tuple[int, int, str]] = []
    pending: dict[int, list[tuple[int, int, list[str]]]] = {}
    for memory_id, (npc_id, tick, importance, topics) in enumerate(rows):
        batch = pending.setdefault(npc_id, [])
        batch.append((memory_id, importance, topics))
        if sum(m[1] for m in batch) < RULES.threshold:
            continue
        pending[npc_id] = []
        others = sorted(batch[:-1], key=lambda m: (-m[1], -m[0]))[: RULES.max_memories - 1]
        subjects: Counter[str] = Counter()
        entities: Counter[str] = Counter()
        for _, weight, words in [batch[-1], *others]:
            for position, word in enumerate(words):
                kind, _, ident = word.partition(":")
                if kind in {"npc", "faction", "settlement", "region", "poi"} and ident.isdigit():
                    if word != f"npc:{npc_id}" and NAMES.of(kind, int(ident)):  # type: ignore[arg-type]
                        entities[word] += weight
                elif word != "kin":
                    subjects[word] += weight * (2 if position == 0 else 1)
        topic = min(subjects.items(), key=lambda kv: (-kv[1], kv[0]))[0] if subjects else "the past"
        entity = None
        if entities:
            kind, _, ident = min(entities.items(), key=lambda kv: (-kv[1], kv[0]))[0].partition(":")
            entity = NAMES.of(kind, int(ident))  # type: ignore[arg-type]
        options = RULES.reflections.get(topic, RULES.reflections["default"])
        template = next(t for t in options if entity is not None or "{entity}" not in t)
        made.append((tick, npc_id, template.format(topic=topic, entity=entity)))
    return [(npc_id, text) for _, npc_id, text in sorted(made, key=lambda m: m[:2])]


_WORDS = ["war", "battle", "omen", "fire", "kin", "npc:3", "npc:10", "npc:11", "faction:1",
          "faction:99", "settlement:0", "settlement:2", "region:1", "poi:0", "npc:x"]  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from([10, 11, 12]),
            st.integers(1, 10),
            st.lists(st.sampled_from(_WORDS), max_size=5),
        ),
        max_size=30,
    )
)
def test_reflections_weigh_their_memories_as_one_by_one(
    rows: list[tuple[int, int, list[str]]],
) -> None:
    memories = [
        (npc_id, tick, importance, topics) for tick, (npc_id, importance, topics) in enumerate(rows)
    ]
    got = reflect(
        rules=RULES,
        memories=_memories(memories),
        reflections=pl.DataFrame(schema=REFLECTION_SCHEMA),
        names=NAMES,
    )
    assert got.select("npc_id", "text").rows() == _reflected_one_by_one(memories)
