"""Prompt: a notable NPC's short biography, written from their facts (their name stays)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from worldloom.infrastructure.llm.prompt import PromptFacts, PromptSpec
from worldloom.prompts.text_rules import ProseBounds, rule_context, validate_grounded_prose

_BIOGRAPHY = ProseBounds(min_length=30, max_length=200, max_sentences=4)


class NotableFacts(PromptFacts):
    """What the generator knows about one notable person (every name exists already)."""

    name: str = Field(min_length=1, max_length=60)
    age: int = Field(ge=0, le=150)
    role: str = Field(min_length=1, max_length=30)
    profession: str = Field(min_length=1, max_length=30)
    settlement: str = Field(min_length=1, max_length=60)
    traits: tuple[str, ...] = Field(default=(), max_length=3)
    faction: str = Field(default="", max_length=60)
    """The faction this person leads, if any."""

    def validation_context(self) -> dict[str, Any]:
        """The person, their home and the faction they lead may be mentioned."""
        return rule_context(known=[n for n in (self.name, self.settlement, self.faction) if n])


class NotableBio(BaseModel):
    """A notable person's biography (asked for 2 sentences)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    biography: str = _BIOGRAPHY.field()

    @field_validator("biography")
    @classmethod
    def _biography_is_grounded(cls, biography: str, info: ValidationInfo) -> str:
        return validate_grounded_prose(biography, info.context, own_name=None, bounds=_BIOGRAPHY)


NOTABLE_PROMPT: PromptSpec[NotableFacts, NotableBio] = PromptSpec(
    name="notable",
    template="notable.j2",
    facts_model=NotableFacts,
    response_model=NotableBio,
    max_tokens=130,
    temperature=0.7,
    max_retries=1,
)

EXAMPLE_FACTS: tuple[NotableFacts, ...] = (
    NotableFacts(
        name="Corsena Neranus",
        age=34,
        role="ruler",
        profession="noble",
        settlement="Vellanford",
        traits=("paranoid",),
        faction="Republic of Vellanford",
    ),
    NotableFacts(
        name="Arcella Varia",
        age=30,
        role="priest",
        profession="priest",
        settlement="Zamir Bay",
        traits=("cruel", "brave"),
    ),
)
"""Representative facts for contract tests and the bench."""
