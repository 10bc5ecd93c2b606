"""Every prompt the gateway serves, for status, the contract tests and the bench."""

from __future__ import annotations

from typing import Any

from worldloom.infrastructure.llm.prompt import PromptSpec
from worldloom.prompts.lore import LORE_PROMPT
from worldloom.prompts.region import REGION_PROMPT

PROMPTS: tuple[PromptSpec[Any, Any], ...] = (REGION_PROMPT, LORE_PROMPT)
"""All prompt contracts; a new prompt module adds its spec here."""
