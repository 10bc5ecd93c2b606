"""What a running API is configured with: where the home is, limits, the LLM for dialogue."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from worldloom.infrastructure.llm import GatewayLimits
from worldloom.infrastructure.settings import Settings

DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 8765


@dataclass(frozen=True, slots=True)
class ApiConfig:
    """The API's settings.

    Attributes:
        home: The Worldloom home: snapshots, users and usage live under it.
        snapshots_dir: Where the served snapshots are (``$HOME/snapshots``).
        llm: The dialogue's LLM provider (`none` for procedural lines only).
        llm_cache_dir: The gateway's answer cache (shared with the pipeline), or None.
        llm_limits: The gateway's budgets and timeouts (the pipeline's settings).
        rate: Requests a second one token may make on average (0: no limit).
        burst: Requests one token may make at once.
        poll_s: How often newer snapshots are looked for (0: only at start and on reload).
        max_body_bytes: The largest request body accepted.
        record_usage: Whether requests are written to the usage tables.
        duckdb_threads: Threads each snapshot's DuckDB database may use.
    """

    home: Path
    snapshots_dir: Path
    llm: str = "none"
    llm_cache_dir: Path | None = None
    llm_limits: GatewayLimits = field(default_factory=GatewayLimits)
    rate: float = 50.0
    burst: int = 100
    poll_s: float = 2.0
    max_body_bytes: int = 4096
    record_usage: bool = True
    duckdb_threads: int = 2

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> ApiConfig:
        """The settings' home, snapshots, LLM provider, cache and budgets, plus overrides."""
        values: dict[str, object] = {
            "home": settings.home,
            "snapshots_dir": settings.snapshots_dir,
            "llm": settings.llm,
            "llm_cache_dir": settings.llm_cache_dir,
            "llm_limits": GatewayLimits(
                max_calls=settings.llm_max_calls,
                max_tokens=settings.llm_max_tokens,
                timeout_s=settings.llm_timeout_s,
            ),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]  # keys are this class's fields
