"""Flow parameters: one pydantic model per entry flow, validated by Prefect on every run."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field


class GenerateWorldParams(BaseModel):
    """What to generate: seed, preset and overrides, where to keep it, which LLM writes prose."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seed: Annotated[int, Field(ge=0, lt=2**63)]
    preset: str = "small"
    name: str | None = None
    """World name; drawn from the seed when not given."""
    overrides: dict[str, Any] = Field(default_factory=dict)
    """Dotted config keys to replace, e.g. {"terrain.cells": 5000}."""
    home: str
    """WORLDLOOM_HOME: where worlds, snapshots and caches live."""
    llm: str = "none"
    economy_ticks: Annotated[int, Field(ge=0, le=3650)] = 60
    """Burn-in days of the economy before export, so prices have settled."""


class GeneratedWorld(BaseModel):
    """What a generation produced."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    world_id: str
    name: str
    database: str
    snapshot: str
