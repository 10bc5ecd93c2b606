"""Prompt: a faction's short description, written from its facts (its name stays: provinces,
diplomacy and notables already refer to it)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from worldloom.infrastructure.llm.prompt import PromptFacts, PromptSpec
from worldloom.prompts.description import DescriptionText
from worldloom.prompts.text_rules import rule_context

_NAME = Field(default="", max_length=60)


class FactionFacts(PromptFacts):
    """What the generator knows about one faction (every name exists already).

    Deliberately few: SmolLM2-135M copes with four or five short facts, not a dossier.
    """

    name: str = Field(min_length=1, max_length=60)
    what: str = Field(min_length=1, max_length=40)
    """The faction in a few plain words: "a republic", "a guild of smiths"."""
    seat: str = _NAME
    leader: str = _NAME
    faith: str = _NAME

    def validation_context(self) -> dict[str, Any]:
        """The faction, its seat, its leader and its faith may be mentioned."""
        return rule_context(known=[n for n in (self.name, self.seat, self.leader, self.faith) if n])


FACTION_PROMPT: PromptSpec[FactionFacts, DescriptionText] = PromptSpec(
    name="faction",
    template="faction.j2",
    facts_model=FactionFacts,
    response_model=DescriptionText,
    # ~10 tokens of JSON key + 240 characters of prose (~60 tokens), with margin.
    max_tokens=150,
    # One conservative sample, not the settlement prompt's 0.7: on SmolLM2 the valid share was
    # about the same at 0.7 and 0.3, and at 0.3 a re-ask all but repeats the first answer
    # (measured), so a re-ask would only double the cost of a failure.
    temperature=0.3,
    max_retries=0,
)

EXAMPLE_FACTS: tuple[FactionFacts, ...] = (
    FactionFacts(
        name="Grim Commonwealth",
        what="a republic",
        seat="Vellebridge",
        leader="Gurgrun Zharngarn",
        faith="Gundak Covenant",
    ),
    FactionFacts(
        name="Wardens of Tibera Haven",
        what="a monastic order",
        seat="Tibera Haven",
        leader="Tartorsena Tiberavan",
        faith="Faith of the Plough-Father",
    ),
)
"""Representative facts for contract tests and the bench."""
