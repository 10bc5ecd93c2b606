"""The LLM commands: is the provider reachable, what is cached, how recorded calls ended;
which models a local Ollama has, and pulling one."""

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
    plain,
    settings_for,
)
from worldloom.flows.commands.world import known_worlds, read_world_table
from worldloom.flows.progress import stage_progress
from worldloom.infrastructure.analytics import summarize_llm_calls
from worldloom.infrastructure.llm import ProviderCallError, ProviderConfigError
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


@llm_app.command("models")
@command
def llm_models(
    llm: Annotated[str | None, typer.Option(help="An ollama/MODEL provider.")] = None,
    home: HomeOption = None,
) -> None:
    """List the models a local Ollama server has."""
    settings = settings_for(home)
    with gateway_for(settings, llm or settings.llm) as gateway:
        try:
            names = gateway.local_models()
        except ProviderCallError as failure:
            raise ProviderConfigError(f"cannot list models: {failure.detail}") from None
    for name in names or ["(no models)"]:
        Consoles.out.print(plain(name))


@llm_app.command("pull")
@command
def llm_pull(
    provider: Annotated[str, typer.Argument(help="The model to download: ollama/MODEL.")],
    home: HomeOption = None,
) -> None:
    """Have a local Ollama server download a model (ollama/MODEL)."""
    if not provider.startswith("ollama/"):
        raise ProviderConfigError(f"only Ollama models can be pulled, not {provider!r}")
    last = ""

    def report(status: str) -> None:
        nonlocal last
        if status and status != last:  # Ollama repeats a status for every chunk it counts
            Consoles.err.print(plain(status))
            last = status

    with gateway_for(settings_for(home), provider) as gateway:
        try:
            gateway.pull(progress=report)
        except ProviderCallError as failure:
            raise ProviderConfigError(f"cannot pull {provider}: {failure.detail}") from None
    Consoles.out.print(plain(f"{provider} is ready"))
