"""Prompt: the words of one sentence of colour for the world's procedural lore; and the lore as
stored (the world's name and its paragraph)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from worldloom.infrastructure.llm.prompt import PromptSpec
from worldloom.prompts.colour import ColourAnswer, ColourFacts, narrow_to_offered, slot_field
from worldloom.prompts.text_rules import ProseBounds

WORLD_NAME_PATTERN = r"^[A-Z][a-z']{2,15}( [A-Z][a-z']{1,15})?$"
"""One or two capitalised words."""

LORE = ProseBounds(min_length=60, max_length=300, max_sentences=5)
"""The lore's slot, the same as the procedural writer's (`systems/prose`)."""


class WorldFacts(ColourFacts):
    """The world's headline facts (all names exist already)."""

    PROMPT: ClassVar[str] = "lore"

    regions: tuple[str, ...] = Field(min_length=1, max_length=24)
    biomes: tuple[str, ...] = Field(default=(), max_length=12)
    climates: tuple[str, ...] = Field(default=(), max_length=8)
    rivers: tuple[str, ...] = Field(default=(), max_length=12)
    factions: tuple[str, ...] = Field(default=(), max_length=12)
    coastal: bool = False
    """Whether any land meets the sea."""

    def fact_strings(self) -> list[str]:
        """Its landscapes and climates, rivers and shores."""
        return [
            *self.biomes,
            *self.climates,
            *(["river"] if self.rivers else []),
            *(["coast"] if self.coastal else []),
        ]

    def known_names(self) -> list[str]:
        """Every given name may be mentioned."""
        return [*self.regions, *self.rivers, *self.factions]


class LoreColour(ColourAnswer):
    """The words of the lore's colour sentence."""

    PROMPT: ClassVar[str] = "lore"

    legend: str = slot_field("lore", "legend")
    custom: str = slot_field("lore", "custom")


class WorldLore(BaseModel):
    """The world's name and its paragraph of lore, as stored."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    world_name: str = Field(min_length=3, max_length=32, pattern=WORLD_NAME_PATTERN)
    lore: str = LORE.field()


LORE_PROMPT: PromptSpec[WorldFacts, LoreColour] = PromptSpec(
    name="lore",
    template="lore.j2",
    facts_model=WorldFacts,
    response_model=LoreColour,
    narrow=narrow_to_offered(LoreColour),
    max_tokens=50,
    temperature=0.7,
    max_retries=1,
)

EXAMPLE_FACTS: tuple[WorldFacts, ...] = (
    WorldFacts(
        regions=("Ashvale", "Greymoor", "Dunmarch"),
        biomes=("temperate forest", "hot desert", "tundra"),
        climates=("warm temperate", "arid subtropical", "polar"),
        rivers=("Silverrun",),
        factions=("Ember Court",),
        entry="Vellmar is a world of 3 lands, from Ashvale to Dunmarch. Its greatest river, the "
        "Silverrun, runs 410 km.",
    ),
    WorldFacts(
        regions=("Saltreach", "Thornwood"),
        biomes=("grassland", "wetland"),
        rivers=("Mirewater", "Blackbrook"),
        coastal=True,
        entry="The 2 lands of Orrim stretch from Saltreach to Thornwood.",
        order=1,
    ),
)
"""Representative facts for contract tests and the bench."""
