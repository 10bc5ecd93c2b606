"""Procedural prose: region descriptions and world lore written from facts, no LLM needed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from worldloom.systems.region import Region
from worldloom.systems.rng import Seeds

REGION_DESCRIPTION_MAX = 280
WORLD_LORE_MAX = 300
"""Prose bounds shared with the LLM response models, so either writer's text fits the same slot."""

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


def describe_region(
    region: Region,
    *,
    biome_key: str,
    river_names: Sequence[str],
    neighbour_names: Sequence[str],
    templates: ProseTemplates,
    seeds: Seeds,
) -> str:
    """Two to four sentences about a region, within `REGION_DESCRIPTION_MAX` characters.

    Args:
        region: the region's facts.
        biome_key: key of its dominant biome.
        river_names: its rivers, greatest first.
        neighbour_names: names of the regions it borders.
        templates: the sentence templates.
        seeds: the world's seed tree (stream `prose.region`, keyed by the region's seed cell).
    """
    rng = seeds.stream("prose.region", region.seed_cell)
    biome = templates.biome_phrases.get(biome_key, biome_key.replace("_", " "))
    size = next(word for bound, word in templates.sizes if region.area_km2 <= bound)
    coast = pick_phrase(rng, templates.region["coast"]) if region.coastal else ""
    sentences = [
        pick_phrase(rng, templates.region["opening"]).format(
            name=region.name,
            size=size,
            climate=region.climate,
            biome=biome,
            Biome=biome[0].upper() + biome[1:],
            coast=coast,
        )
    ]
    if river_names:
        key = "one_river" if len(river_names) == 1 else "many_rivers"
        sentences.append(
            pick_phrase(rng, templates.region[key]).format(
                river=river_names[0], count=len(river_names), others=len(river_names) - 1
            )
        )
    if region.max_elevation_m > 1_500:
        sentences.append(
            pick_phrase(rng, templates.region["heights"]).format(
                height=f"{round(region.max_elevation_m, -2):,.0f}"
            )
        )
    if region.resources:
        chosen = [str(r).replace("_", " ") for r in region.resources[:3]]
        sentences.append(
            pick_phrase(rng, templates.region["resources"]).format(resources=join_words(chosen))
        )
    danger = next(opts for level, opts in templates.region_danger if region.danger_level <= level)
    sentences.append(pick_phrase(rng, danger))
    if neighbour_names:
        sentences.append(
            pick_phrase(rng, templates.region["neighbours"]).format(
                neighbours=join_words(list(neighbour_names[:2]))
            )
        )
    return fit_sentences(sentences, REGION_DESCRIPTION_MAX)


def write_world_lore(
    *,
    world_name: str,
    region_names: Sequence[str],
    longest_river: tuple[str, float] | None,
    era: str,
    templates: ProseTemplates,
    seeds: Seeds,
) -> str:
    """A short paragraph about the world, within `WORLD_LORE_MAX` characters."""
    rng = seeds.stream("prose.world")
    sentences = [
        pick_phrase(rng, templates.world["opening"]).format(
            world=world_name, count=len(region_names), first=region_names[0], last=region_names[-1]
        )
    ]
    if longest_river is not None:
        name, length = longest_river
        sentences.append(
            pick_phrase(rng, templates.world["river"]).format(river=name, length=f"{length:,.0f}")
        )
    sentences.append(pick_phrase(rng, templates.world["closing"]).format(era=era))
    return fit_sentences(sentences, WORLD_LORE_MAX)


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
