"""The `worldloom` commands, one module per area; importing this package registers them all."""

from __future__ import annotations

from worldloom.flows.commands import (
    api,
    batch,
    compare,
    history,
    llm,
    server,
    snapshot,
    stories,
    user,
    world,
)
from worldloom.flows.commands.app import app, summaries_on_one_line
from worldloom.flows.commands.world import parse_overrides, resolve_world

summaries_on_one_line(app)  # every command is registered by now

__all__ = [
    "api",
    "app",
    "batch",
    "compare",
    "history",
    "llm",
    "parse_overrides",
    "resolve_world",
    "server",
    "snapshot",
    "stories",
    "user",
    "world",
]
