"""Prompt: a region's name and a short description, written from its generated facts."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, computed_field, field_validator

from worldloom.infrastructure.llm.prompt import PromptFacts, PromptSpec
from worldloom.prompts.text_rules import (
    ProseBounds,
    rule_context,
    validate_grounded_prose,
    validate_invented_name,
)

_WORD = r"[A-Z][a-z']{1,15}(-[A-Z][a-z']{1,15})?"
NAME_PATTERN = rf"^{_WORD}( (of|the) {_WORD}| {_WORD}){{0,2}}$"
"""One to three words, capitalised, a word possibly double-barrelled ("Ashvale", "Reach of
Ashes", "Al-Sadim Sands", as the procedural namer writes them); also a grammar constraint on
llama.cpp, so small models cannot drift into sentences or markup."""

Danger = Literal["peaceful", "uneasy", "dangerous", "deadly"]


_DESCRIPTION = ProseBounds(min_length=40, max_length=280, max_sentences=4)


class RegionFacts(PromptFacts):
    """What the generator knows about one region (names are ones that already exist)."""

    biome: str = Field(min_length=1, max_length=60)
    climate: str = Field(min_length=1, max_length=60)
    terrain: str = Field(default="", max_length=60)
    coastal: bool = False
    danger_level: int = Field(ge=1, le=10)
    neighbours: tuple[str, ...] = Field(default=(), max_length=12)
    rivers: tuple[str, ...] = Field(default=(), max_length=12)
    resources: tuple[str, ...] = Field(default=(), max_length=12)
    used_names: tuple[str, ...] = ()
    """Names already taken in the world; the new name must differ."""

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented computed_field pattern
    @property
    def danger(self) -> Danger:
        """The 1-10 danger level in words, for the prompt."""
        if self.danger_level <= 2:
            return "peaceful"
        if self.danger_level <= 5:
            return "uneasy"
        return "dangerous" if self.danger_level <= 8 else "deadly"

    def validation_context(self) -> dict[str, Any]:
        """Rivers and neighbours may be mentioned; taken names may not be reused."""
        return rule_context(
            known=(*self.neighbours, *self.rivers),
            used=(*self.used_names, *self.neighbours),
        )


class RegionText(BaseModel):
    """A region's name and a short description (asked for 2-3 sentences).

    Procedural writers build this without a validation context: then only the length and
    pattern bounds apply (the text rules guard LLM output).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=3, max_length=40, pattern=NAME_PATTERN)
    description: str = _DESCRIPTION.field()

    @field_validator("name")
    @classmethod
    def _name_is_new_and_invented(cls, name: str, info: ValidationInfo) -> str:
        return validate_invented_name(name, info.context)

    @field_validator("description")
    @classmethod
    def _description_is_grounded(cls, description: str, info: ValidationInfo) -> str:
        own_name = info.data.get("name")
        return validate_grounded_prose(
            description, info.context, own_name=own_name, bounds=_DESCRIPTION
        )


REGION_PROMPT: PromptSpec[RegionFacts, RegionText] = PromptSpec(
    name="region",
    template="region.j2",
    facts_model=RegionFacts,
    response_model=RegionText,
    # ~30 tokens of JSON keys and name + 280 characters of prose (~70 tokens), with margin
    # so the grammar's length cap, not max_tokens, ends a rambling answer.
    max_tokens=200,
    temperature=0.7,
    # One re-ask: on the embedded 135M model a second rarely rescues a description (measured:
    # ~2.3 attempts per call at 1/3 valid) and each costs ~2-3 s of a 2-core machine.
    max_retries=1,
)

EXAMPLE_FACTS: tuple[RegionFacts, ...] = (
    RegionFacts(
        biome="temperate forest",
        climate="mild and wet",
        terrain="rolling hills",
        danger_level=3,
        neighbours=("Ashvale", "Greymoor"),
        rivers=("Silverrun",),
        resources=("timber", "iron"),
    ),
    RegionFacts(
        biome="hot desert",
        climate="hot and dry",
        terrain="dunes",
        coastal=True,
        danger_level=8,
        neighbours=("Ashvale",),
        resources=("salt", "glass sand"),
    ),
    RegionFacts(
        biome="tundra",
        climate="freezing",
        terrain="flat plains",
        danger_level=6,
        neighbours=("Greymoor",),
        rivers=("Coldwater",),
        resources=("furs",),
    ),
)
"""Representative facts for contract tests and the bench."""
