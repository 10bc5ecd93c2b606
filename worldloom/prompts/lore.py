"""Prompt: the world's name and a paragraph of lore, written from the generated world's facts."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from worldloom.infrastructure.llm.prompt import PromptFacts, PromptSpec
from worldloom.prompts.text_rules import (
    ProseBounds,
    rule_context,
    validate_grounded_prose,
    validate_invented_name,
)

WORLD_NAME_PATTERN = r"^[A-Z][a-z']{2,15}( [A-Z][a-z']{1,15})?$"
"""One or two capitalised words; also a grammar constraint for llama.cpp."""


_LORE = ProseBounds(min_length=60, max_length=300, max_sentences=5)


class WorldFacts(PromptFacts):
    """The world's headline facts (all names exist already)."""

    regions: tuple[str, ...] = Field(min_length=1, max_length=24)
    biomes: tuple[str, ...] = Field(default=(), max_length=12)
    climates: tuple[str, ...] = Field(default=(), max_length=8)
    rivers: tuple[str, ...] = Field(default=(), max_length=12)
    factions: tuple[str, ...] = Field(default=(), max_length=12)
    peoples: tuple[str, ...] = Field(default=(), max_length=12)
    tone: str = Field(default="high fantasy", max_length=40)

    def validation_context(self) -> dict[str, Any]:
        """Every given name may be mentioned; the world's name must not reuse one."""
        names = (*self.regions, *self.rivers, *self.factions, *self.peoples)
        # The tone is given too: "a Dark Fantasy world" names no new entity.
        return rule_context(known=(*names, self.tone), used=names)


class WorldLore(BaseModel):
    """The world's name and a short paragraph of lore (asked for 2-3 sentences).

    Procedural writers build this without a validation context: then only the length and
    pattern bounds apply (the text rules guard LLM output).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    world_name: str = Field(min_length=3, max_length=32, pattern=WORLD_NAME_PATTERN)
    lore: str = _LORE.field()

    @field_validator("world_name")
    @classmethod
    def _name_is_new_and_invented(cls, name: str, info: ValidationInfo) -> str:
        return validate_invented_name(name, info.context)

    @field_validator("lore")
    @classmethod
    def _lore_is_grounded(cls, lore: str, info: ValidationInfo) -> str:
        own_name = info.data.get("world_name")
        return validate_grounded_prose(lore, info.context, own_name=own_name, bounds=_LORE)


LORE_PROMPT: PromptSpec[WorldFacts, WorldLore] = PromptSpec(
    name="lore",
    template="lore.j2",
    facts_model=WorldFacts,
    response_model=WorldLore,
    # 300 characters of prose is ~75 tokens; keys and name add ~30; margin so the grammar's
    # length cap, not max_tokens, ends a rambling answer. Kept short because SmolLM2 tends to
    # ramble up to the cap, and every token costs ~10-20 ms on 2 shared cores.
    max_tokens=180,
    temperature=0.7,
    # One re-ask: a second rarely rescues a 135M model's paragraph and doubles the worst case.
    max_retries=1,
)

EXAMPLE_FACTS: tuple[WorldFacts, ...] = (
    WorldFacts(
        regions=("Ashvale", "Greymoor", "Dunmarch"),
        biomes=("forest", "desert", "tundra"),
        climates=("mild", "arid", "polar"),
        rivers=("Silverrun",),
        factions=("Ember Court",),
    ),
    WorldFacts(
        regions=("Saltreach", "Thornwood"),
        biomes=("coast", "swamp"),
        rivers=("Mirewater", "Blackbrook"),
        tone="dark fantasy",
    ),
)
"""Representative facts for contract tests and the bench."""
