"""Prompt: a religion's short description, written from its facts and its gods (its name and
its gods' names stay: shares, holy sites and orders already refer to them)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from worldloom.infrastructure.llm.prompt import PromptFacts, PromptSpec
from worldloom.prompts.description import DescriptionText
from worldloom.prompts.text_rules import rule_context

_NAME = Field(min_length=1, max_length=60)


class Deity(BaseModel):
    """One god of the faith, as the prompt shows it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = _NAME
    epithet: str = Field(default="", max_length=40)
    """With its article: "the Herb-Wife". Domains stay out: "god of death" in the facts made
    SmolLM2 loop on the phrase ("the god of death, god of death...")."""


class ReligionFacts(PromptFacts):
    """What the generator knows about one religion (every name exists already)."""

    name: str = _NAME
    what: str = Field(min_length=1, max_length=40)
    """The faith in a few plain words: "a folk faith", "a secret cult"."""
    deities: tuple[Deity, ...] = Field(min_length=1, max_length=3)
    """The chief god first."""
    parent: str = Field(default="", max_length=60)
    """The faith it broke away from, if any."""

    def validation_context(self) -> dict[str, Any]:
        """The faith, its gods (with their epithets) and its parent faith may be mentioned."""
        gods = [n for d in self.deities for n in (d.name, d.epithet) if n]
        return rule_context(known=[n for n in (self.name, self.parent, *gods) if n])


RELIGION_PROMPT: PromptSpec[ReligionFacts, DescriptionText] = PromptSpec(
    name="religion",
    template="religion.j2",
    facts_model=ReligionFacts,
    response_model=DescriptionText,
    # ~10 tokens of JSON key + 240 characters of prose (~60 tokens), with margin.
    max_tokens=150,
    # One conservative sample, not the settlement prompt's 0.7: on SmolLM2 the valid share was
    # about the same at 0.7 and 0.3, and at 0.3 a re-ask all but repeats the first answer
    # (measured), so a re-ask would only double the cost of a failure.
    temperature=0.3,
    max_retries=0,
)

EXAMPLE_FACTS: tuple[ReligionFacts, ...] = (
    ReligionFacts(
        name="Faith of the Plough-Father",
        what="a faith with temples and priests",
        deities=(
            Deity(name="Aquiloravia", epithet="the Plough-Father"),
            Deity(name="Lindra", epithet="the Green Mother"),
        ),
    ),
    ReligionFacts(
        name="Cult of Wrendle",
        what="a secret cult",
        deities=(Deity(name="Wrendle", epithet="the Star-Keeper"),),
        parent="Oakennock Rites",
    ),
)
"""Representative facts for contract tests and the bench."""
