"""The Prefect API a command's flows report to: the warm local server, or one shared by its
Dask workers.

A command that runs flows uses the server a previous command or `worldloom server` left
running; when none runs, it starts one in the background as it begins and waits for it only
as its first flow is about to run (the start overlaps its imports and input checks). Input it
refuses (an unknown world, a negative duration) is refused at once, and that server ended.
The server then stays up for the next command (`worldloom server stop` ends it).
"""

from __future__ import annotations

import atexit
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from worldloom.flows.command_host import start_host_at_exit
from worldloom.infrastructure.local_server import (
    Launch,
    LocalServer,
    LocalServerError,
    abandon_server,
    ensure_server,
    launch_server,
)

_deferred: Path | None = None
"""The Prefect home whose server `flow_api` waits for, when the command found none running."""
_launched: LocalServer | Launch | None = None
"""That server, starting in the background since the command began."""

API_URL = "PREFECT_API_URL"


def defer_server(prefect_home: Path) -> None:
    """Start the local server of `prefect_home` in the background now, while the command loads
    and checks its input, and have `flow_api` wait for it when flows are about to run; a
    command that ends before (its input refused) ends the server too and leaves nothing."""
    global _deferred, _launched  # noqa: PLW0603  # one command per process: its one server
    _deferred = prefect_home
    try:
        _launched = launch_server(prefect_home, prefect=Path(sys.executable).with_name("prefect"))
    except (LocalServerError, OSError):
        _launched = None  # flow_api tries again, and says so if it fails
    else:
        atexit.register(_abandon_unused)


def _abandon_unused() -> None:
    global _launched
    launched, _launched = _launched, None
    if launched is not None:
        abandon_server(launched)


@contextmanager
def flow_api(runner: str = "local") -> Iterator[None]:
    """Flows run inside this report to the local server, started here if it was deferred
    (once per command). With none deferred, or one that fails to start, Prefect runs its own
    ephemeral server as it would — but for a Dask `runner`, whose worker processes would each
    start one of their own (~10 s each, their runs on servers nobody sees): they share one,
    started here."""
    global _deferred, _launched
    prefect_home, _deferred = _deferred, None
    launched, _launched = _launched, None
    if prefect_home is not None and not os.environ.get(API_URL):
        print(
            "Starting a Prefect server in the background (`worldloom server stop` ends it)",
            file=sys.stderr,
        )
        try:
            server = ensure_server(
                prefect_home, prefect=Path(sys.executable).with_name("prefect"), launched=launched
            )
        except (LocalServerError, OSError):
            pass  # the command's own ephemeral server, and its error if that fails too
        else:
            # For the commands that follow.
            start_host_at_exit(prefect_home, server_pid=server.pid, api_url=server.api_url)
            with _reporting_to(server.api_url):
                yield
            return
    # Prefect read its settings when first imported (after the environment was set up).
    from prefect.settings import PREFECT_API_URL  # noqa: PLC0415

    if runner == "local" or PREFECT_API_URL.value():
        yield
        return
    # Prefect's server code takes seconds to import; only this path needs it.
    from prefect.server.api.server import SubprocessASGIServer  # noqa: PLC0415

    ephemeral = SubprocessASGIServer()
    ephemeral.start()
    # Stopped at exit, after Prefect's log and event workers (registered later) have drained
    # into it: stopped before them, they wait out their timeouts (~a minute) on a dead server.
    atexit.register(ephemeral.stop)
    try:
        with _reporting_to(ephemeral.api_url):
            yield
    finally:
        os.environ.pop(API_URL, None)


@contextmanager
def _reporting_to(api_url: str) -> Iterator[None]:
    """Prefect's settings for the flows, and the environment of any worker process started
    from here, point at `api_url`."""
    from prefect.settings import PREFECT_API_URL, temporary_settings  # noqa: PLC0415

    os.environ[API_URL] = api_url
    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        yield
