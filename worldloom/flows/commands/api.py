"""The runtime commands: `worldloom api` serves the snapshots over HTTP, `worldloom usage`
summarises who asked what."""

from __future__ import annotations

import ipaddress
import socket
from typing import Annotated, Final

import typer
from rich.table import Table

from worldloom.flows.commands.app import (
    LLM_HELP,
    Consoles,
    HomeOption,
    app,
    command,
    frame_table,
    plain,
    settings_for,
    writing_settings,
)
from worldloom.infrastructure.llm import parse_provider
from worldloom.runtime import DEFAULT_HOST, DEFAULT_PORT, ApiConfig
from worldloom.runtime.server import serve
from worldloom.runtime.usage import usage_path
from worldloom.runtime.usage_report import usage_report
from worldloom.systems.world import ConfigError


@app.command()
@command
def api(
    *,
    host: Annotated[
        str, typer.Option(help="Address to bind; anything but loopback exposes the API.")
    ] = DEFAULT_HOST,
    port: Annotated[int, typer.Option(help="Port.", min=1, max=65535)] = DEFAULT_PORT,
    llm: Annotated[str | None, typer.Option(help=f"Dialogue's {LLM_HELP}")] = None,
    rate: Annotated[
        float, typer.Option(help="Requests a second per token (0: no limit).", min=0)
    ] = 50.0,
    burst: Annotated[int, typer.Option(help="Requests a token may make at once.", min=1)] = 100,
    poll: Annotated[
        float, typer.Option(help="Seconds between looks for newer snapshots (0: never).", min=0)
    ] = 2.0,
    usage: Annotated[
        bool, typer.Option("--usage/--no-usage", help="Record every request (never a token).")
    ] = True,
    home: HomeOption = None,
) -> None:
    """Serve the home's snapshots read-only over HTTP, with the world browser at /."""
    settings = writing_settings(home)
    provider = llm or settings.llm
    parse_provider(provider)
    if not settings.snapshots_dir.is_dir():
        raise ConfigError(
            f"no snapshots in {settings.snapshots_dir}: generate a world first (make run)"
        )
    _check_free(host, port)  # before the snapshots load, which takes a while
    config = ApiConfig.from_settings(
        settings, llm=provider, rate=rate, burst=burst, poll_s=poll, record_usage=usage
    )
    shown = f"[{host}]" if ":" in host else host
    if not _loopback(host):
        Consoles.err.print(
            plain(
                f"warning: binding {host} lets other machines reach the API; tokens travel "
                "in clear text unless a TLS proxy stands in front of it"
            ),
            style="yellow",
        )
    Consoles.err.print(
        f"World browser and API at http://{shown}:{port}/  ·  docs at /docs  ·  "
        "a token: worldloom user add NAME --role reader",
        soft_wrap=True,
        highlight=False,
    )
    dialogue = (
        "procedural lines (--llm embedded: the bundled model)"
        if provider == "none"
        else f"{provider}, then procedural lines"
    )
    Consoles.err.print(plain(f"Dialogue: {dialogue}"), soft_wrap=True, highlight=False)
    serve(config, host=host, port=port)


@app.command("usage")
@command
def usage_command(
    hours: Annotated[float, typer.Option(help="The window, in hours.", min=0.001)] = 24.0,
    home: HomeOption = None,
) -> None:
    """API usage: requests, p50/p95 latency and errors by route and by user, and the
    dialogue route's cache-hit rate (also `worldloom report usage`)."""
    print_usage(home, hours=hours)


USAGE_REPORT: Final = "usage"
"""`worldloom report usage` is this report: a world id always ends in its config hash, so no
world is named just that (a world whose id starts with it takes a longer prefix)."""


def print_usage(home: HomeOption, *, hours: float) -> None:
    """Print the usage tables of the home's API over the last `hours`."""
    settings = settings_for(home)
    path = usage_path(settings.home)
    if not path.exists():
        Consoles.out.print(plain(f"no API usage recorded in {settings.home}"))
        return
    report = usage_report(path, hours=hours)
    window = f"last {hours:g} h"
    Consoles.out.print(frame_table(report.by_route, title=f"Requests by route ({window})"))
    Consoles.out.print(frame_table(report.by_user, title=f"Requests by user ({window})"))
    talk = report.talk.row(0, named=True)
    table = Table("figure", "value", title=f"Dialogue ({window})")
    for key, value in talk.items():
        table.add_row(key.replace("_", " "), plain("-" if value is None else value))
    Consoles.out.print(table)


def _check_free(host: str, port: int) -> None:
    """Refuse an address already listened on (uvicorn would say so only after start-up).

    Raises:
        ConfigError: The address cannot be bound.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As uvicorn binds: a port left in TIME_WAIT by a stopped API is free, a listened one not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise ConfigError(
                f"cannot listen on {host} port {port}: {error.strerror or error} (another "
                "worldloom api? pick another --port)"
            ) from None


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
