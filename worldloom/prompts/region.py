"""Prompt: a region's name, chosen among procedural ones, and the words of one sentence of
colour added to its procedural description."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, computed_field, field_validator

from worldloom.infrastructure.llm.prompt import PromptSpec
from worldloom.prompts.colour import ColourAnswer, ColourFacts, narrow_to_offered, slot_field
from worldloom.prompts.text_checks import check_land_name
from worldloom.prompts.text_rules import (
    USED_NAMES,
    ProseBounds,
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


MAX_NAME_CANDIDATES = 4
"""Names a region's prompt offers (its procedural name first)."""
NAME_CANDIDATES = "name_candidates"
"""Validation-context key: the names offered, in the order the prompt numbers them."""


class RegionFacts(ColourFacts):
    """What the generator knows about one region (names are ones that already exist)."""

    PROMPT: ClassVar[str] = "region"

    biome: str = Field(min_length=1, max_length=60)
    climate: str = Field(min_length=1, max_length=60)
    terrain: str = Field(default="", max_length=60)
    coastal: bool = False
    danger_level: int = Field(ge=1, le=10)
    neighbours: tuple[str, ...] = Field(default=(), max_length=12)
    rivers: tuple[str, ...] = Field(default=(), max_length=12)
    resources: tuple[str, ...] = Field(default=(), max_length=12)
    used_names: tuple[str, ...] = ()
    """Names already taken in the world; the chosen name must differ."""
    name_candidates: tuple[str, ...] = Field(default=(), max_length=MAX_NAME_CANDIDATES)
    """Procedural names to choose from, the region's own first."""

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented computed_field pattern
    @property
    def danger(self) -> Danger:
        """The 1-10 danger level in words, for the prompt."""
        if self.danger_level <= 2:
            return "peaceful"
        if self.danger_level <= 5:
            return "uneasy"
        return "dangerous" if self.danger_level <= 8 else "deadly"

    def fact_strings(self) -> list[str]:
        """The facts in words, for licensing fact-bound words."""
        return [
            self.biome,
            self.climate,
            self.terrain,
            self.danger,
            "region",
            "land",
            *(["coast"] if self.coastal else []),
            *(["river"] if self.rivers else []),
            *self.resources,
        ]

    def validation_context(self) -> dict[str, Any]:
        """Rivers and neighbours may be mentioned; taken names may not be reused."""
        used = (*self.used_names, *self.neighbours)
        return {
            **super().validation_context(),
            USED_NAMES: tuple(sorted(set(used))),
            NAME_CANDIDATES: self.name_candidates,
        }

    def known_names(self) -> list[str]:
        """Rivers, neighbours and the offered names."""
        return [*self.neighbours, *self.rivers, *self.name_candidates]


class RegionColour(ColourAnswer):
    """Which of the offered names fits the region, and the words of its colour sentence."""

    PROMPT: ClassVar[str] = "region"

    name: int = Field(ge=1, le=MAX_NAME_CANDIDATES)
    """1-based number of the chosen name among the candidates."""
    mood: str = slot_field("region", "mood")
    sound: str = slot_field("region", "sound")
    smell: str = slot_field("region", "smell")

    @field_validator("name")
    @classmethod
    def _offered_new_name(cls, number: int, info: ValidationInfo) -> int:
        context = info.context
        if not isinstance(context, Mapping):
            return number
        offered = tuple(context.get(NAME_CANDIDATES, ()))
        if number > len(offered):
            raise ValueError(f"choose a name number from 1 to {len(offered)}")
        chosen = offered[number - 1]
        problem = check_land_name(chosen)
        if problem is not None:
            raise ValueError(problem)
        validate_invented_name(chosen, context)
        return number

    def chosen_name(self, candidates: tuple[str, ...]) -> str:
        """The name this answer chose."""
        return candidates[self.name - 1]


class RegionText(BaseModel):
    """A region's name and description as stored: procedural text, perhaps with a sentence of
    colour.

    Built without a validation context, only the length and pattern bounds apply; with one,
    the grounding rules free LLM prose about a region must pass.
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


REGION_PROMPT: PromptSpec[RegionFacts, RegionColour] = PromptSpec(
    name="region",
    template="region.j2",
    facts_model=RegionFacts,
    response_model=RegionColour,
    narrow=narrow_to_offered(RegionColour),
    # {"name": 2, "mood": "...", "sound": "...", "smell": "..."}: ~30 tokens; the enums end it.
    max_tokens=60,
    temperature=0.7,
    # One re-ask, with the options that fit: cheap now that an answer is ~30 tokens.
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
        entry="Ashmoor Wood is a small mild land of broadleaf woods. The Silverrun runs "
        "through it. Its people live on timber and iron.",
        name_candidates=("Ashmoor Wood", "Ashmoor Forest", "Ashmoor Weald"),
    ),
    RegionFacts(
        biome="hot desert",
        climate="hot and dry",
        terrain="dunes",
        coastal=True,
        danger_level=8,
        neighbours=("Ashvale",),
        resources=("salt", "glass sand"),
        entry="Dunmar Sands is a broad hot land of sand and bare rock, on the coast. Few cross "
        "it without an escort.",
        name_candidates=("Dunmar Sands", "Dunmar Desert", "Dunmar Dunes"),
        order=1,
    ),
    RegionFacts(
        biome="tundra",
        climate="freezing",
        terrain="flat plains",
        danger_level=6,
        neighbours=("Greymoor",),
        rivers=("Coldwater",),
        resources=("furs",),
        entry="Kolva Barrens is a broad polar land of open tundra. It is watered by the Coldwater.",
        name_candidates=("Kolva Barrens", "Kolva Waste"),
        order=2,
    ),
)
"""Representative facts for contract tests and the bench."""
