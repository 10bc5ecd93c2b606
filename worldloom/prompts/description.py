"""The stored description of a settlement, a faction or a religion: its bounds (the procedural
text and the sentence of colour added to it fit them), and, given a validation context, the
grounding rules free LLM prose about such an entity must pass."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from worldloom.prompts.text_rules import ProseBounds, validate_grounded_prose

DESCRIPTION = ProseBounds(min_length=30, max_length=240, max_sentences=4)
"""The slot a description fills, the same as the procedural writers' (`systems/prose`)."""


class DescriptionText(BaseModel):
    """An entity's description (asked for one or two sentences; up to four, as procedural
    text has)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    description: str = DESCRIPTION.field()

    @field_validator("description")
    @classmethod
    def _description_is_grounded(cls, description: str, info: ValidationInfo) -> str:
        return validate_grounded_prose(description, info.context, own_name=None, bounds=DESCRIPTION)
