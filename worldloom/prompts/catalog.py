"""Every prompt the gateway serves, with example facts, for status, contract tests and bench."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from worldloom.infrastructure.llm.prompt import PromptFacts, PromptSpec
from worldloom.prompts import (
    dialogue,
    faction,
    lore,
    notable,
    region,
    religion,
    settlement,
    story,
)

PROMPTS: tuple[PromptSpec[Any, Any], ...] = (
    region.REGION_PROMPT,
    lore.LORE_PROMPT,
    settlement.SETTLEMENT_PROMPT,
    notable.NOTABLE_PROMPT,
    faction.FACTION_PROMPT,
    religion.RELIGION_PROMPT,
    story.STORY_PROMPT,
    dialogue.DIALOGUE_PROMPT,
)
"""All prompt contracts; a new prompt module adds its spec here."""

EXAMPLES: Mapping[str, tuple[PromptFacts, ...]] = {
    region.REGION_PROMPT.name: region.EXAMPLE_FACTS,
    lore.LORE_PROMPT.name: lore.EXAMPLE_FACTS,
    settlement.SETTLEMENT_PROMPT.name: settlement.EXAMPLE_FACTS,
    notable.NOTABLE_PROMPT.name: notable.EXAMPLE_FACTS,
    faction.FACTION_PROMPT.name: faction.EXAMPLE_FACTS,
    religion.RELIGION_PROMPT.name: religion.EXAMPLE_FACTS,
    story.STORY_PROMPT.name: story.EXAMPLE_FACTS,
    dialogue.DIALOGUE_PROMPT.name: dialogue.EXAMPLE_FACTS,
}
"""Example facts per prompt name (every prompt in PROMPTS has at least one)."""
