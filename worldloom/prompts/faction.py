"""Prompt: the words of one sentence of colour for a faction's procedural description (its
name stays: provinces, diplomacy and notables already refer to it)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from worldloom.infrastructure.llm.prompt import PromptSpec
from worldloom.prompts.colour import ColourAnswer, ColourFacts, narrow_to_offered, slot_field

_NAME = Field(default="", max_length=60)


class FactionFacts(ColourFacts):
    """What the generator knows about one faction (every name exists already)."""

    PROMPT: ClassVar[str] = "faction"

    name: str = Field(min_length=1, max_length=60)
    what: str = Field(min_length=1, max_length=40)
    """The faction in a few plain words: "a republic", "a guild of smiths"."""
    seat: str = _NAME
    leader: str = _NAME
    faith: str = _NAME

    def fact_strings(self) -> list[str]:
        """What it is, its name's words (a "Duchy", a "Realm") and whether it has a seat."""
        return [self.what, self.name, *(["seat"] if self.seat else [])]

    def known_names(self) -> list[str]:
        """The faction, its seat, its leader and its faith may be mentioned."""
        return [n for n in (self.name, self.seat, self.leader, self.faith) if n]


class FactionColour(ColourAnswer):
    """The words of a faction's colour sentence."""

    PROMPT: ClassVar[str] = "faction"

    reputation: str = slot_field("faction", "reputation")
    emblem: str = slot_field("faction", "emblem")


FACTION_PROMPT: PromptSpec[FactionFacts, FactionColour] = PromptSpec(
    name="faction",
    template="faction.j2",
    facts_model=FactionFacts,
    response_model=FactionColour,
    narrow=narrow_to_offered(FactionColour),
    max_tokens=60,
    temperature=0.7,
    max_retries=1,
)

EXAMPLE_FACTS: tuple[FactionFacts, ...] = (
    FactionFacts(
        name="Grim Commonwealth",
        what="a republic",
        seat="Vellebridge",
        leader="Gurgrun Zharngarn",
        faith="Gundak Covenant",
        entry="Grim Commonwealth is a republic of 3 regions, governed from Vellebridge.",
    ),
    FactionFacts(
        name="Wardens of Tibera Haven",
        what="a monastic order",
        seat="Tibera Haven",
        leader="Tartorsena Tiberavan",
        faith="Faith of the Plough-Father",
        entry="Wardens of Tibera Haven is a monastic order whose house stands in Tibera Haven.",
        order=1,
    ),
)
"""Representative facts for contract tests and the bench."""
