"""The LLM commands: is the provider reachable, what is cached, how recorded calls ended."""

from __future__ import annotations

from typing import Annotated

import polars as pl
import typer
from rich.table import Table

from worldloom.flows.commands.app import (
    LLM_HELP,
    Consoles,
    HomeOption,
    command,
    llm_app,
    settings_for,
)
from worldloom.flows.commands.world import known_worlds, read_world_table
from worldloom.flows.progress import stage_progress
from worldloom.infrastructure.analytics import summarize_llm_calls
from worldloom.tasks.prose import gateway_for


@llm_app.command("status")
@command
def llm_status(
    llm: Annotated[str | None, typer.Option(help=LLM_HELP)] = None,
    home: HomeOption = None,
) -> None:
    """Is the provider reachable; what is cached; how did recorded calls end?"""
    settings = settings_for(home)
    with (
        stage_progress(Consoles.err, "Probing the LLM provider"),
        gateway_for(settings, llm or settings.llm) as gateway,
    ):
        status = gateway.status(probe_timeout_s=5.0)
    table = Table("", "", title="LLM provider", show_header=False)
    for label, value in status.describe()[:5]:
        table.add_row(label, value)
    Consoles.out.print(table)
    calls = [
        read_world_table(settings, world_id, "llm_calls") for world_id in known_worlds(settings)
    ]
    history = Table("", "", title="Recorded calls (all worlds)", show_header=False)
    frames = [frame for frame in calls if frame is not None]
    for label, value in summarize_llm_calls(
        pl.concat(frames) if frames else pl.DataFrame()
    ).items():
        history.add_row(label, value)
    Consoles.out.print(history)
