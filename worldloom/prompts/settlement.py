"""Prompt: the words of one sentence of colour for a settlement's procedural description (its
name and its facts stay: routes, sub-locations and the location tree already carry them)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from worldloom.infrastructure.llm.prompt import PromptSpec
from worldloom.prompts.colour import ColourAnswer, ColourFacts, narrow_to_offered, slot_field

_NAME = Field(min_length=1, max_length=60)


class SettlementFacts(ColourFacts):
    """What the generator knows about one settlement (every name exists already)."""

    PROMPT: ClassVar[str] = "settlement"

    name: str = _NAME
    tier: str = Field(min_length=1, max_length=20)
    population: int = Field(ge=1)
    region: str = _NAME
    port: bool = False
    faith: str = Field(default="", max_length=60)
    state: str = Field(default="", max_length=60)
    seat: bool = False
    """True when the settlement is the seat of `state`."""

    def fact_strings(self) -> list[str]:
        """Its tier, harbour, faith and seat, in words."""
        return [
            self.tier,
            *(["port"] if self.port else []),
            *(["faith"] if self.faith else []),
            *(["seat"] if self.seat else []),
            *(["state", self.state] if self.state else []),
        ]

    def known_names(self) -> list[str]:
        """The settlement, its region, faith and state may be mentioned."""
        return [n for n in (self.name, self.region, self.faith, self.state) if n]


class SettlementColour(ColourAnswer):
    """The words of a settlement's colour sentence."""

    PROMPT: ClassVar[str] = "settlement"

    mood: str = slot_field("settlement", "mood")
    sound: str = slot_field("settlement", "sound")
    smell: str = slot_field("settlement", "smell")


SETTLEMENT_PROMPT: PromptSpec[SettlementFacts, SettlementColour] = PromptSpec(
    name="settlement",
    template="settlement.j2",
    facts_model=SettlementFacts,
    response_model=SettlementColour,
    narrow=narrow_to_offered(SettlementColour),
    # {"mood": "...", "sound": "...", "smell": "..."}: ~25 tokens; the enums end it.
    max_tokens=50,
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
        entry="Vellanford is a capital of 4,582 people in Paverra Fields. It is the seat of the "
        "Republic of Vellanford.",
    ),
    SettlementFacts(
        name="Zamir Bay",
        tier="city",
        population=1_561,
        region="Zarra Brush",
        port=True,
        faith="Creed of Zamir Bay",
        state="Republic of Vellanford",
        entry="Zamir Bay, a city in Zarra Brush, is home to 1,561 people. Its harbour opens on "
        "the sea.",
        order=1,
    ),
)
"""Representative facts for contract tests and the bench."""
