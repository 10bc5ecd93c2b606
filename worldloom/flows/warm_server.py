"""The warm local Prefect server a command's flows report to.

A command that runs flows uses the server a previous command or `worldloom server` left
running; when none runs, it starts one in the background just before its first flow runs, not
when it starts, so input it refuses (an unknown world, a negative duration) is refused at once.
The server then stays up for the next command (`worldloom server stop` ends it).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from worldloom.infrastructure.local_server import LocalServerError, ensure_server

_deferred: Path | None = None
"""The Prefect home whose server `flow_api` starts, when the command found none running."""

API_URL = "PREFECT_API_URL"


def defer_server(prefect_home: Path) -> None:
    """Have `flow_api` start the local server of `prefect_home` when flows are about to run."""
    global _deferred  # noqa: PLW0603  # one command per process: its one pending server
    _deferred = prefect_home


@contextmanager
def flow_api() -> Iterator[None]:
    """Flows run inside this report to the local server, started here if it was deferred
    (once per command); with none deferred, or one that fails to start, nothing changes and
    Prefect runs its own ephemeral server as it would."""
    global _deferred
    prefect_home, _deferred = _deferred, None
    if prefect_home is None or os.environ.get(API_URL):
        yield
        return
    print(
        "Starting a Prefect server in the background (`worldloom server stop` ends it)",
        file=sys.stderr,
    )
    try:
        server = ensure_server(prefect_home, prefect=Path(sys.executable).with_name("prefect"))
    except (LocalServerError, OSError):
        yield  # the command's own ephemeral server, and its error if that fails too
        return
    # Prefect read its settings when first imported: the server's URL goes into its settings
    # context for the flows, and the environment for any worker process started from here.
    from prefect.settings import PREFECT_API_URL, temporary_settings  # noqa: PLC0415

    os.environ[API_URL] = server.api_url
    with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
        yield
