"""The runtime: what a game reads from verified snapshots — an HTTP API with users and roles,
on-demand dialogue, a world browser page, and SQLite or JSON exports for engines."""

from __future__ import annotations

from worldloom.runtime.app import create_app
from worldloom.runtime.config import DEFAULT_HOST, DEFAULT_PORT, ApiConfig

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "ApiConfig", "create_app"]
