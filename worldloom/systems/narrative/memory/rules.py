"""Memory rules (data/memory.toml): importance by how one knows, topics, recall, reflection."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from worldloom.systems.narrative.rumor import EventTexts
from worldloom.systems.narrative.rumor.rules import placeholders

HOWS = ("took_part", "witnessed", "heard")
"""How a notable knows an event, the closest first (a closer way wins over a farther one)."""

_TEXT_FIELDS = {
    "took_part": {"event", "settlement"},
    "witnessed": {"event", "settlement"},
    "kin": {"event", "settlement"},
    "heard": {"rumor", "settlement"},
}


@dataclass(frozen=True, slots=True)
class MemoryRules:
    """Validated memory.toml, with the event texts (rumors.toml's) memories are told in."""

    bonus: Mapping[str, int]
    kin_bonus: int
    floors: Mapping[str, int]
    decay_per_day: float
    weights: Mapping[str, float]
    threshold: int
    max_memories: int
    reflections: Mapping[str, tuple[str, ...]]
    texts: Mapping[str, str]
    topics: Mapping[str, tuple[str, ...]]
    event_texts: EventTexts

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any], *, event_texts: EventTexts) -> MemoryRules:
        """Validate a parsed memory.toml.

        Raises:
            ValueError: naming the problem: a floor outside 1..10, a decay outside (0, 1], a
                negative weight, a threshold or max_memories below 1, a reflection topic
                without a fallback template, a text missing or naming a field it
                cannot fill.
        """
        importance, floors = table["importance"], table["floors"]
        bonus = {how: int(importance[how]) for how in HOWS}
        floor = {k: int(floors[k]) for k in ("faction", "witnessed", "heard")}
        for name, level in floor.items():
            if not 1 <= level <= 10:
                raise ValueError(f"memory.toml: floor {name} = {level} not in 1..10")
        retrieval, reflection = table["retrieval"], table["reflection"]
        decay = float(retrieval["decay_per_day"])
        if not 0.0 < decay <= 1.0:
            raise ValueError(f"memory.toml: decay_per_day = {decay} not in (0, 1]")
        weights = {k: float(retrieval[k]) for k in ("recency", "importance", "relevance")}
        if min(weights.values()) < 0:
            raise ValueError(f"memory.toml: a negative retrieval weight in {weights}")
        threshold, most = int(reflection["threshold"]), int(reflection["max_memories"])
        if threshold < 1 or most < 1:
            raise ValueError("memory.toml: reflection threshold and max_memories must be >= 1")
        templates = {str(k): tuple(v) for k, v in reflection["templates"].items()}
        if "default" not in templates:
            raise ValueError("memory.toml: [reflection.templates] needs a default")
        for topic, options in templates.items():
            if not options or set(placeholders(options[-1])) - {"topic"}:
                raise ValueError(f"memory.toml: {topic}'s last template may hold only {{topic}}")
        texts = {k: str(table["texts"].get(k, "")) for k in _TEXT_FIELDS}
        for how, text in texts.items():
            if not text or not set(placeholders(text)) <= _TEXT_FIELDS[how]:
                raise ValueError(f"memory.toml: text {how} names a field it cannot fill")
        return cls(
            bonus=bonus,
            kin_bonus=int(importance["kin"]),
            floors=floor,
            decay_per_day=decay,
            weights=weights,
            threshold=threshold,
            max_memories=most,
            reflections=templates,
            texts=texts,
            topics={str(k): tuple(str(w) for w in v) for k, v in table["topics"].items()},
            event_texts=event_texts,
        )

    def topics_of(self, event_type: str) -> tuple[str, ...]:
        """The keywords of an event type (its own name's words when the table has none)."""
        return self.topics.get(event_type, tuple(event_type.split("_")))
