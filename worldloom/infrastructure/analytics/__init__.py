"""Analytics: what a world's tables say, as summaries, markdown reports and figures."""

from __future__ import annotations

from worldloom.infrastructure.analytics.economy import EconomySummary, summarize_economy
from worldloom.infrastructure.analytics.gear import GearSummary, summarize_gear
from worldloom.infrastructure.analytics.markdown import format_number, markdown_table, markdown_text
from worldloom.infrastructure.analytics.people import PeopleSummary, summarize_people
from worldloom.infrastructure.analytics.world import (
    WorldSummary,
    summarize_llm_calls,
    summarize_world,
)

__all__ = [
    "EconomySummary",
    "GearSummary",
    "PeopleSummary",
    "WorldSummary",
    "format_number",
    "markdown_table",
    "markdown_text",
    "summarize_economy",
    "summarize_gear",
    "summarize_llm_calls",
    "summarize_people",
    "summarize_world",
]
