"""Prompt: a settlement's short description, written from its facts (its name stays: routes,
sub-locations and the location tree already carry it)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from worldloom.infrastructure.llm.prompt import PromptFacts, PromptSpec
from worldloom.prompts.description import DescriptionText
from worldloom.prompts.text_rules import rule_context

_NAME = Field(min_length=1, max_length=60)


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


SETTLEMENT_PROMPT: PromptSpec[SettlementFacts, DescriptionText] = PromptSpec(
    name="settlement",
    template="settlement.j2",
    facts_model=SettlementFacts,
    response_model=DescriptionText,
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
