"""Notables' memories (Generative Agents' memory stream): each notable remembers the events they
took part in, witnessed at home or heard of when a rumor reached them, each with an importance
to them and topic keywords; `recall` ranks their memories for a topic by recency (exponential
decay), importance and relevance, and once the importance of their recent memories adds up they
reflect (a procedural insight; `reflection_facts` gives an LLM prompt's facts for one).

Entry points: `MemoryRules.from_mapping` (data/memory.toml, with rumors.toml's event texts),
`remember` (a `MemoryBook` in, the next one out: memories and reflections), `heard_rumors` (the
rumors `remember` takes, from the rumor tables), `recall` and `reflection_facts`.
"""

from __future__ import annotations

from worldloom.systems.narrative.memory.frames import (
    HEARD_SCHEMA,
    MEMORY_SCHEMA,
    NOTABLE_SCHEMA,
    REFLECTION_SCHEMA,
)
from worldloom.systems.narrative.memory.reflection import (
    ReflectionFacts,
    RememberedFact,
    reflection_facts,
)
from worldloom.systems.narrative.memory.retrieval import keywords, recall
from worldloom.systems.narrative.memory.rules import MemoryRules
from worldloom.systems.narrative.memory.stream import MemoryBook, heard_rumors, remember

__all__ = [
    "HEARD_SCHEMA",
    "MEMORY_SCHEMA",
    "NOTABLE_SCHEMA",
    "REFLECTION_SCHEMA",
    "MemoryBook",
    "MemoryRules",
    "ReflectionFacts",
    "RememberedFact",
    "heard_rumors",
    "keywords",
    "recall",
    "reflection_facts",
    "remember",
]
