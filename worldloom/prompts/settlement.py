"""Prompt: a settlement's short description, written from its facts (its name stays: routes,
sub-locations and the location tree already carry it)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from worldloom.infrastructure.llm.prompt import PromptFacts, PromptSpec
from worldloom.prompts.text_rules import ProseBounds, rule_context, validate_grounded_prose

_NAME = Field(min_length=1, max_length=60)


_DESCRIPTION = ProseBounds(min_length=30, max_length=240, max_sentences=4)


class SettlementFacts(PromptFacts):
    """What the generator knows about one settlement (every name exists already)."""

    name: str = _NAME
    tier: str = Field(min_length=1, max_length=20)
    population: int = Field(ge=1)
    region: str = _NAME
    port: bool = False
    faith: str = Field(default="", max_length=60)
    state: str = Field(default="", max_length=60)
    seat: bool = False
    """True when the settlement is the seat of `state`."""

    def validation_context(self) -> dict[str, Any]:
        """The settlement, its region, faith and state may be mentioned."""
        return rule_context(
            known=[n for n in (self.name, self.region, self.faith, self.state) if n]
        )


class SettlementText(BaseModel):
    """A settlement's description (asked for 2 sentences)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    description: str = _DESCRIPTION.field()

    @field_validator("description")
    @classmethod
    def _description_is_grounded(cls, description: str, info: ValidationInfo) -> str:
        return validate_grounded_prose(
            description, info.context, own_name=None, bounds=_DESCRIPTION
        )


SETTLEMENT_PROMPT: PromptSpec[SettlementFacts, SettlementText] = PromptSpec(
    name="settlement",
    template="settlement.j2",
    facts_model=SettlementFacts,
    response_model=SettlementText,
    # ~10 tokens of JSON key + 240 characters of prose (~60 tokens), with margin.
    max_tokens=150,
    temperature=0.7,
    max_retries=1,
)

EXAMPLE_FACTS: tuple[SettlementFacts, ...] = (
    SettlementFacts(
        name="Vellanford",
        tier="capital",
        population=4_582,
        region="Paverra Fields",
        faith="Faith of the Stone Giant",
        state="Republic of Vellanford",
        seat=True,
    ),
    SettlementFacts(
        name="Zamir Bay",
        tier="city",
        population=1_561,
        region="Zarra Brush",
        port=True,
        faith="Creed of Zamir Bay",
        state="Republic of Vellanford",
    ),
)
"""Representative facts for contract tests and the bench."""
