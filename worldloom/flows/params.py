"""Flow parameters: one pydantic model per entry flow, validated by Prefect on every run."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from worldloom.flows.runners import LOCAL, parse_runner


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
    runner: str = LOCAL
    """Where the stages' batches run: `local` threads, `dask` (a LocalCluster) or a Dask
    scheduler's address (`worldloom.flows.runners`); the tables are the same on each."""
    fresh: bool = False
    """Start the world over even if the last run of these parameters was cut short (by
    default it resumes from its last finished task)."""

    @field_validator("runner")
    @classmethod
    def _known_runner(cls, runner: str) -> str:
        return parse_runner(runner)


class GeneratedWorld(BaseModel):
    """What a generation produced."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    world_id: str
    name: str
    database: str
    snapshot: str
