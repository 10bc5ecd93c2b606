"""Procedural prose about the land: region descriptions and world lore written from facts."""

from __future__ import annotations

from collections.abc import Sequence

from worldloom.systems.prose.templates import ProseTemplates, fit_sentences, join_words, pick_phrase
from worldloom.systems.region import Region
from worldloom.systems.rng import Seeds

REGION_DESCRIPTION_MAX = 280
WORLD_LORE_MAX = 300
"""Prose bounds shared with the LLM response models, so either writer's text fits the same slot."""


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
