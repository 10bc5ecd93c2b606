"""Prompt: a story of the world's history retold in plain prose — an arc's summary or a rumor
as people tell it — from the events' facts, naming only the entities they name."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from worldloom.infrastructure.llm.prompt import PromptFacts, PromptSpec
from worldloom.prompts.text_checks import check_text, read_text_facts
from worldloom.prompts.text_rules import ProseBounds, rule_context, validate_grounded_prose

Kind = Literal["arc", "rumor", "reflection"]
"""What is retold: an arc (a chronicle's summary), a rumor (what people say) or a notable's
reflection on their memories (what they came to believe, in the first person)."""

STORY = ProseBounds(min_length=30, max_length=300, max_sentences=3)
"""A retelling: up to three sentences (~75 tokens)."""

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_NAME = Field(min_length=1, max_length=80)
_FACT = Field(min_length=1, max_length=200)


class StoryFacts(PromptFacts):
    """What happened, as the event log tells it; every name here is an entity of the world."""

    kind: Kind
    title: str = Field(min_length=1, max_length=120)
    """The arc's title, the rumor's subject ("the sack of Durra Haven"), or who reflects."""
    events: tuple[str, ...] = Field(min_length=1, max_length=8)
    """The events (or, for a reflection, the memories) in order, one short sentence each."""
    names: tuple[str, ...] = Field(min_length=1, max_length=12)
    """Every name the text may mention."""
    tone: str = Field(default="", max_length=60)
    """The themes of the place and time ("grim, war-weary"), or empty."""
    told_as: str = Field(default="", max_length=200)
    """For a rumor: the procedural version people tell (its distortion included)."""

    def validation_context(self) -> dict[str, Any]:
        """The names the facts give (and "I" for a reflection, said in the first person), the
        events' words and numbers (a retelling states no other)."""
        known = [*self.names, *(["I"] if self.kind == "reflection" else [])]
        stated = [*self.events, self.title, self.told_as]
        numbers = [float(n.replace(",", "")) for line in stated for n in _NUMBER.findall(line)]
        return rule_context(known=known, facts=stated, numbers=numbers)


class StoryText(BaseModel):
    """The retelling: whole sentences naming only the facts' entities."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str = STORY.field()

    @field_validator("text")
    @classmethod
    def _text_is_grounded(cls, text: str, info: ValidationInfo) -> str:
        text = validate_grounded_prose(text, info.context, own_name=None, bounds=STORY)
        facts = read_text_facts(info.context)
        if facts is None:  # procedural text: the field bounds only, as the prose rules
            return text
        # No markup, instructions, words about the text, numbers or ranks the events lack.
        text = check_text(text, facts)
        # A retelling is of these events: it names at least one of their entities.
        if not any(name in text for name in facts.rules.known_names - {"I"}):
            raise ValueError("the text names none of the story's people or places; retell it")
        return text


STORY_PROMPT: PromptSpec[StoryFacts, StoryText] = PromptSpec(
    name="story",
    template="story.j2",
    facts_model=StoryFacts,
    response_model=StoryText,
    # {"text": "..."}: 300 characters are ~75 tokens, and the JSON around them a few more.
    max_tokens=120,
    temperature=0.6,
    max_retries=1,
)

EXAMPLE_FACTS: tuple[StoryFacts, ...] = (
    StoryFacts(
        kind="arc",
        title="The war of the Myrgeldvik Commonwealth on Durra Haven",
        events=(
            "Border clashes between the Myrgeldvik Commonwealth and the Free City of Durra Haven.",
            "The Myrgeldvik Commonwealth declared war on the Free City of Durra Haven.",
            "At Durra Haven, 537 soldiers fell; the Myrgeldvik Commonwealth won.",
            "Peace: the Free City of Durra Haven ceded Bromdor Crags.",
        ),
        names=(
            "Myrgeldvik Commonwealth",
            "Free City of Durra Haven",
            "Durra Haven",
            "Bromdor Crags",
        ),
        tone="grim, war-weary",
    ),
    StoryFacts(
        kind="rumor",
        title="the fire in Vellanford",
        events=("A fire burned through Vellanford; 40 houses were lost.",),
        names=("Vellanford",),
        told_as="They say a fire burned half of Vellanford, and 400 houses with it.",
    ),
    StoryFacts(
        kind="reflection",
        title="Corsena Neranus",
        events=(
            "I was part of it: Plague in Vellanford: 521 dead.",
            "I heard it: Bandits raided Zamir Bay; 12 were killed.",
        ),
        names=("Corsena Neranus", "Vellanford", "Zamir Bay"),
    ),
)
"""Representative facts for contract tests and the bench."""
