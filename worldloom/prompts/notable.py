"""Prompt: the words of one sentence of colour for a notable NPC's procedural biography (their
name and facts stay)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from worldloom.infrastructure.llm.prompt import PromptSpec
from worldloom.prompts.colour import ColourAnswer, ColourFacts, narrow_to_offered, slot_field
from worldloom.prompts.text_rules import ProseBounds


class NotableFacts(ColourFacts):
    """What the generator knows about one notable person (every name exists already)."""

    PROMPT: ClassVar[str] = "notable"

    name: str = Field(min_length=1, max_length=60)
    age: int = Field(ge=0, le=150)
    sex: Literal["male", "female"]
    role: str = Field(min_length=1, max_length=30)
    profession: str = Field(min_length=1, max_length=30)
    settlement: str = Field(min_length=1, max_length=60)
    traits: tuple[str, ...] = Field(default=(), max_length=3)
    faction: str = Field(default="", max_length=60)
    """The faction this person leads, if any."""

    def fact_strings(self) -> list[str]:
        """Role, trade and character."""
        return [self.role, self.profession, *self.traits, *(["leader"] if self.faction else [])]

    def known_names(self) -> list[str]:
        """The person, their home and the faction they lead may be mentioned."""
        return [n for n in (self.name, self.settlement, self.faction) if n]

    def pronoun(self) -> str:
        """He or she, from the facts (never the model's guess)."""
        return "he" if self.sex == "male" else "she"


class NotableColour(ColourAnswer):
    """The words of a notable's colour sentence."""

    PROMPT: ClassVar[str] = "notable"

    manner: str = slot_field("notable", "manner")
    habit: str = slot_field("notable", "habit")


NOTABLE_PROMPT: PromptSpec[NotableFacts, NotableColour] = PromptSpec(
    name="notable",
    template="notable.j2",
    facts_model=NotableFacts,
    response_model=NotableColour,
    narrow=narrow_to_offered(NotableColour),
    max_tokens=60,
    temperature=0.7,
    max_retries=1,
)

EXAMPLE_FACTS: tuple[NotableFacts, ...] = (
    NotableFacts(
        name="Corsena Neranus",
        age=34,
        sex="female",
        role="ruler",
        profession="noble",
        settlement="Vellanford",
        traits=("paranoid",),
        faction="Republic of Vellanford",
        entry="Corsena Neranus is a ruler of Vellanford, aged 34. Corsena leads the Republic "
        "of Vellanford.",
    ),
    NotableFacts(
        name="Arcella Varia",
        age=30,
        sex="male",
        role="priest",
        profession="priest",
        settlement="Zamir Bay",
        traits=("cruel", "brave"),
        entry="Arcella Varia, aged 30, is a priest in Zamir Bay. People call Arcella cruel and "
        "brave.",
        order=1,
    ),
)
"""Representative facts for contract tests and the bench."""


BIOGRAPHY = ProseBounds(min_length=30, max_length=200, max_sentences=4)
"""A biography's slot, the same as the procedural writer's (`systems/prose`)."""


class NotableBio(BaseModel):
    """A notable person's biography, as stored (procedural, perhaps with a colour sentence)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    biography: str = BIOGRAPHY.field()
