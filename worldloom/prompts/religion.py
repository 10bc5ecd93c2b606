"""Prompt: the words of one sentence of colour for a religion's procedural description (its
name and its gods' names stay: shares, holy sites and orders already refer to them)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from worldloom.infrastructure.llm.prompt import PromptSpec
from worldloom.prompts.colour import ColourAnswer, ColourFacts, narrow_to_offered, slot_field

_NAME = Field(min_length=1, max_length=60)


class Deity(BaseModel):
    """One god of the faith, as the prompt shows it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = _NAME
    epithet: str = Field(default="", max_length=40)
    """With its article: "the Herb-Wife"."""
    domains: tuple[str, ...] = Field(default=(), max_length=4)
    """What the god keeps: "harvest", "sea"."""


class ReligionFacts(ColourFacts):
    """What the generator knows about one religion (every name exists already)."""

    PROMPT: ClassVar[str] = "religion"

    name: str = _NAME
    what: str = Field(min_length=1, max_length=40)
    """The faith in a few plain words: "a folk faith", "a secret cult"."""
    deities: tuple[Deity, ...] = Field(min_length=1, max_length=3)
    """The chief god first."""
    parent: str = Field(default="", max_length=60)
    """The faith it broke away from, if any."""

    def fact_strings(self) -> list[str]:
        """What it is, and its gods' epithets and domains."""
        gods = [w for d in self.deities for w in (d.epithet, *d.domains) if w]
        return [self.what, *gods]

    def known_names(self) -> list[str]:
        """The faith, its gods (with their epithets) and its parent faith may be mentioned."""
        gods = [n for d in self.deities for n in (d.name, d.epithet) if n]
        return [n for n in (self.name, self.parent, *gods) if n]


class ReligionColour(ColourAnswer):
    """The words of a religion's colour sentence."""

    PROMPT: ClassVar[str] = "religion"

    rite: str = slot_field("religion", "rite")
    symbol: str = slot_field("religion", "symbol")


RELIGION_PROMPT: PromptSpec[ReligionFacts, ReligionColour] = PromptSpec(
    name="religion",
    template="religion.j2",
    facts_model=ReligionFacts,
    response_model=ReligionColour,
    narrow=narrow_to_offered(ReligionColour),
    max_tokens=60,
    temperature=0.7,
    max_retries=1,
)

EXAMPLE_FACTS: tuple[ReligionFacts, ...] = (
    ReligionFacts(
        name="Faith of the Plough-Father",
        what="a faith with temples and priests",
        deities=(
            Deity(name="Aquiloravia", epithet="the Plough-Father", domains=("harvest",)),
            Deity(name="Lindra", epithet="the Green Mother", domains=("life",)),
        ),
        entry="The Faith of the Plough-Father is an organized church of many gods.",
    ),
    ReligionFacts(
        name="Cult of Wrendle",
        what="a secret cult",
        deities=(Deity(name="Wrendle", epithet="the Star-Keeper", domains=("night",)),),
        parent="Oakennock Rites",
        entry="The Cult of Wrendle is a cult of hidden mysteries. It broke away from the "
        "Oakennock Rites.",
        order=1,
    ),
)
"""Representative facts for contract tests and the bench."""
