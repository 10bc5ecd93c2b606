"""Runtime settings from the environment (WORLDLOOM_*), separate from what a world is made of."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where Worldloom keeps its files and which LLM provider it uses by default."""

    model_config = SettingsConfigDict(env_prefix="WORLDLOOM_", extra="ignore", frozen=True)

    home: Path = Field(default_factory=lambda: Path.home() / ".worldloom")
    """Root for worlds (DuckDB files), snapshots, the LLM cache and Prefect's local state."""
    llm: str = "none"
    """LLM provider: none | embedded | ollama/MODEL | openai/MODEL | anthropic/MODEL |
    perplexity/MODEL."""
    llm_max_calls: int = Field(default=400, ge=0)
    """Provider calls one run may make; past it, text is procedural."""
    llm_max_tokens: int = Field(default=200_000, ge=0)
    """Prompt + completion tokens one run may spend; past it, text is procedural."""
    llm_timeout_s: float = Field(default=60.0, gt=0)
    """Per-request timeout."""
    llm_stage_deadline_s: float = Field(default=90.0, gt=0)
    """Seconds a stage may spend on LLM calls; past it, the rest of its text is procedural
    (recorded as `deadline`), and no request outlives it."""
    llm_concurrency: int = Field(default=2, ge=1, le=64)
    """Lanes of LLM calls the prose stage runs at once (an Ollama or OpenAI endpoint takes
    more than the embedded model's one slot); Prefect's tag limits (`llm`) cap them further."""
    llm_routes: dict[str, str] = Field(default_factory=dict)
    """Provider per prompt (content type), overriding `llm` for it, e.g.
    WORLDLOOM_LLM_ROUTES='{"lore": "openai/gpt-4o-mini", "notable": "embedded"}'."""
    lock_wait_s: float = Field(default=30.0, ge=0)
    """How long a run waits for another run of the same world to finish before giving up."""

    @property
    def worlds_dir(self) -> Path:
        return self.home / "worlds"

    @property
    def llm_cache_dir(self) -> Path:
        return self.home / "llm-cache"

    @property
    def snapshots_dir(self) -> Path:
        return self.home / "snapshots"

    @property
    def reports_dir(self) -> Path:
        """Charts and other report files, one folder per world."""
        return self.home / "reports"

    def world_db(self, world_id: str) -> Path:
        return self.worlds_dir / f"{world_id}.duckdb"

    def world_lock(self, world_id: str) -> Path:
        """The lock a run holds while it changes the world (`infrastructure/world_lock.py`)."""
        return self.worlds_dir / f"{world_id}.lock"
