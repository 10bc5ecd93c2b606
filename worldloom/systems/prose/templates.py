"""The prose seed table (`data/prose.toml`) and the phrase helpers every describer uses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

ENTITY_SENTENCES: Mapping[str, tuple[str, ...]] = {
    "settlement": ("opening", "port", "seat", "ruled", "faith"),
    "faction": (
        "state",
        "guild",
        "order",
        "criminals",
        "bandits",
        "leader",
        "subjects",
        "members",
        "faith",
    ),
    "religion": ("opening", "chief", "parent", "one_site", "many_sites"),
    "notable": ("opening", "profession", "leads", "traits"),
}
"""The sentences `prose.toml` must give each place-and-people entity kind."""


@dataclass(frozen=True, slots=True)
class ProseTemplates:
    """Sentence templates per fact, and the words facts are dressed in."""

    biome_phrases: Mapping[str, str]
    sizes: tuple[tuple[float, str], ...]
    region: Mapping[str, tuple[str, ...]]
    region_danger: tuple[tuple[int, tuple[str, ...]], ...]
    world: Mapping[str, tuple[str, ...]]
    entities: Mapping[str, Mapping[str, tuple[str, ...]]]
    """Sentences per place-and-people entity kind (`settlement`, `faction`, `religion`,
    `notable`), each keyed by the fact it states."""
    religion_kinds: Mapping[str, str]
    religion_forms: Mapping[str, str]

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> ProseTemplates:
        """Validate a parsed `prose.toml` (raises ValueError naming the gap)."""
        region = dict(table["region"])
        danger = region.pop("danger")
        needed = {
            "opening",
            "coast",
            "heights",
            "one_river",
            "many_rivers",
            "resources",
            "neighbours",
        }
        if missing := sorted(needed - set(region)):
            raise ValueError(f"prose templates lack region sentences: {', '.join(missing)}")
        if missing := sorted({"opening", "river", "closing"} - set(table["world"])):
            raise ValueError(f"prose templates lack world sentences: {', '.join(missing)}")
        levels = sorted((int(level), tuple(options)) for level, options in danger.items())
        if not levels or levels[-1][0] < 10:
            raise ValueError("prose danger phrasings must reach level 10")
        entities = {
            kind: {
                key: tuple(options)
                for key, options in table[kind].items()
                if key not in {"kinds", "forms"}
            }
            for kind in ENTITY_SENTENCES
        }
        for kind, keys in ENTITY_SENTENCES.items():
            if missing := sorted(set(keys) - set(entities[kind])):
                raise ValueError(f"prose templates lack {kind} sentences: {', '.join(missing)}")
        return cls(
            entities=entities,
            religion_kinds=dict(table["religion"]["kinds"]),
            religion_forms=dict(table["religion"]["forms"]),
            biome_phrases=dict(table["biome_phrases"]),
            sizes=tuple(sorted((float(bound), word) for word, bound in table["sizes"].items())),
            region={key: tuple(options) for key, options in region.items()},
            region_danger=tuple(levels),
            world={key: tuple(options) for key, options in table["world"].items()},
        )


def pick_phrase(rng: np.random.Generator, options: Sequence[str]) -> str:
    """One of `options`, drawn from the entity's stream."""
    return options[int(rng.integers(len(options)))]


def join_words(items: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def fit_sentences(sentences: list[str], limit: int) -> str:
    """Keep whole sentences, in order, while they fit; never cut one in half."""
    text = sentences[0]
    if len(text) > limit:  # the templates keep openings far shorter; this is a template bug
        raise ValueError(f"opening sentence longer than {limit} characters: {text!r}")
    for sentence in sentences[1:]:
        if len(text) + 1 + len(sentence) <= limit:
            text = f"{text} {sentence}"
    return text
