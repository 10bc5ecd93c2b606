"""Prompt: one line an NPC says aloud to a player, in character, from the snapshot's facts."""

from __future__ import annotations

import re
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from worldloom.infrastructure.llm.prompt import PromptFacts, PromptSpec
from worldloom.prompts.text_checks import check_text, read_text_facts
from worldloom.prompts.text_rules import ProseBounds, rule_context, validate_grounded_prose

Topic = Literal["greeting", "rumor", "quest", "place"]
"""What the player asks about: a greeting, a rumor, a quest, or a named place."""

TOPICS: tuple[Topic, ...] = ("greeting", "rumor", "quest", "place")

LINE = ProseBounds(min_length=12, max_length=160, max_sentences=3)
"""A spoken line: one to three short sentences, for a speech bubble (and ~40 tokens)."""

FIRST_PERSON = "I"
"""Allowed as a capitalised word inside a sentence: the speaker talks about themself."""

PROMPT_ECHOES: Final = re.compile(
    r"\baged \d|\bdanger \d+ of \d+|[()]|;"
    r"|\b(?:speaker|traveller|traveler|character|people|faith|ruled by)\s*:",
    re.IGNORECASE,
)
"""The prompt's own wording (labels, "aged 59", "danger 5 of 10", a "(merchant)", a "; "-list of
facts): a small model that copies its facts back writes no spoken line."""

_NAME = Field(min_length=1, max_length=80)
_FACT = Field(min_length=1, max_length=160)
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


class DialogueFacts(PromptFacts):
    """What the speaker knows: who they are, where they live, and the subject of the line.

    Every name here exists in the snapshot; the answer may mention no other.
    """

    speaker: str = _NAME
    """The speaker's full name."""
    age: int = Field(ge=0, le=150)
    sex: Literal["male", "female"]
    profession: str = Field(min_length=1, max_length=40)
    role: str = Field(default="", max_length=40)
    """Their notable role (ruler, priest...), or empty."""
    traits: tuple[str, ...] = Field(default=(), max_length=3)
    home: str = _NAME
    home_kind: str = Field(min_length=1, max_length=20)
    """The tier of their settlement: capital, city, town, village or hamlet."""
    region: str = _NAME
    culture: str = Field(default="", max_length=80)
    faith: str = Field(default="", max_length=80)
    state: str = Field(default="", max_length=80)
    """The state holding their home, or empty in land no state holds."""
    topic: Topic
    subject: str = Field(default="", max_length=80)
    """The place or thing the line is about (empty for a greeting)."""
    subject_facts: tuple[str, ...] = Field(default=(), max_length=6)
    """Short statements about the subject, e.g. "a dungeon 3 days' walk north-east"."""
    names: tuple[str, ...] = Field(default=(), max_length=8)
    """Other names the subject facts mention (a monster kind, a market town...)."""

    def validation_context(self) -> dict[str, Any]:
        """The speaker, their places, faith and state, the subject and its names (the only
        names a line may say), and the words and numbers of what the speaker knows."""
        stated = [
            self.profession,
            self.role,
            *self.traits,
            self.home_kind,
            self.subject,
            *self.subject_facts,
        ]
        numbers = [self.age] + [
            float(n.replace(",", "")) for line in stated for n in _NUMBER.findall(line)
        ]
        known = [
            self.speaker,
            self.home,
            self.region,
            self.culture,
            self.faith,
            self.state,
            self.subject,
            *self.names,
            FIRST_PERSON,
        ]
        return rule_context(known=[name for name in known if name], facts=stated, numbers=numbers)


class DialogueLine(BaseModel):
    """What the NPC says: one to three spoken sentences, in the first person."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    line: str = LINE.field()

    @field_validator("line")
    @classmethod
    def _line_is_grounded(cls, line: str, info: ValidationInfo) -> str:
        line = validate_grounded_prose(line, info.context, own_name=None, bounds=LINE)
        facts = read_text_facts(info.context)
        if facts is None:  # procedural text: the field bounds only, as the prose rules
            return line
        check_spoken(line)
        # No markup, instructions, words about the text, numbers or ranks the facts lack.
        return check_text(line, facts)


def check_spoken(line: str) -> None:
    """Refuse a line that repeats the prompt's facts instead of speaking them.

    Raises:
        ValueError: The line holds the prompt's wording (see `PROMPT_ECHOES`).
    """
    echo = PROMPT_ECHOES.search(line)
    if echo is not None:
        raise ValueError(
            f"the line copies the prompt ({echo.group(0)!r}); say it aloud as the speaker "
            "would, in plain sentences"
        )


DIALOGUE_PROMPT: PromptSpec[DialogueFacts, DialogueLine] = PromptSpec(
    name="dialogue",
    template="dialogue.j2",
    facts_model=DialogueFacts,
    response_model=DialogueLine,
    # {"line": "..."}: 160 characters are ~40 tokens, and the JSON around them a few more.
    max_tokens=72,
    temperature=0.7,
    # A player waits for this answer: no re-ask; a line that fails the checks is replaced by
    # the procedural one at once (and the cache remembers the failure).
    max_retries=0,
)

EXAMPLE_FACTS: tuple[DialogueFacts, ...] = (
    DialogueFacts(
        speaker="Corsena Neranus",
        age=34,
        sex="female",
        profession="noble",
        role="ruler",
        traits=("paranoid",),
        home="Vellanford",
        home_kind="capital",
        region="Paverra Fields",
        faith="Faith of the Stone Giant",
        state="Republic of Vellanford",
        topic="greeting",
    ),
    DialogueFacts(
        speaker="Arcella Varia",
        age=30,
        sex="male",
        profession="hunter",
        traits=("brave",),
        home="Zamir Bay",
        home_kind="village",
        region="Sarrath Coast",
        topic="quest",
        subject="Jannah Undercroft",
        subject_facts=("a dungeon 3 days' walk north-east", "danger 7 of 10", "goblins within"),
        names=("Goblin",),
    ),
)
"""Representative facts for contract tests and the bench."""
