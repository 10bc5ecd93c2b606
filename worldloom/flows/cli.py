"""The `worldloom` command: prepares Prefect's environment, then hands over to the commands."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
from pathlib import Path

from worldloom.flows.command_host import (
    HOSTED_COMMANDS,
    command_of,
    run_hosted,
    start_host_at_exit,
)
from worldloom.flows.interrupt import handle_interrupts
from worldloom.flows.warm_server import defer_server
from worldloom.infrastructure.local_server import (
    LocalServerError,
    ensure_server,
    running_server,
    seed_database,
)
from worldloom.infrastructure.runtime import tune_memory

MANY_THREADED = frozenset({"api", "batch"})
"""Commands whose threads all allocate at once (the API's requests; `batch`'s worlds on the local
runner's threads): those keep a heap per thread (`tune_memory`). One heap slowed the API's
reads (p95 13.5-20 ms against 10-15) and `batch` (20 tiny worlds: 8.2 worlds/min against 10.2)."""


def main() -> None:
    """Entry point of the `worldloom` console script."""
    handle_interrupts()
    tune_memory(one_heap=command_of(sys.argv[1:]) not in MANY_THREADED)  # before numpy
    home = Path(os.environ.get("WORLDLOOM_HOME", Path.home() / ".worldloom")).expanduser()
    if "--home" in sys.argv[:-1]:
        home = Path(sys.argv[sys.argv.index("--home") + 1]).expanduser()
    configure_prefect(home)
    use_local_server(sys.argv[1:])
    hosted = run_hosted(sys.argv[1:])
    if hosted is not None:
        raise SystemExit(hosted)
    start_dask_workers_early(sys.argv[1:])
    # Prefect fixes its settings when first imported, so the commands (which import it) are
    # loaded only after the environment above is in place.
    try:
        from worldloom.flows.commands import app  # noqa: PLC0415
    except ModuleNotFoundError as error:
        if (error.name or "").partition(".")[0] == "worldloom":
            raise  # a bug of ours, not a missing install
        # `pip install worldloom` alone brings only the snapshot reader (and pyarrow).
        print(
            "the worldloom command needs the pipeline: pip install 'worldloom[pipeline]'",
            file=sys.stderr,
        )
        raise SystemExit(2) from None

    app()


FLOW_COMMANDS = frozenset(
    {"generate", "economy", "export", "enrich", "serve", "simulate", "stories", "batch"}
)
"""The commands that run flows (or serve them): they want a Prefect API to report to."""


EAGER_COMMANDS = frozenset({"serve"})
"""Flow commands that start the local server before anything else (the others start it just
before their first flow runs: `flow_api`)."""


LOCAL_CLUSTER_COMMANDS = frozenset({"generate", "batch"})
"""The commands that start a Dask LocalCluster on `--runner dask`."""


def start_dask_workers_early(args: list[str]) -> None:
    """For a command that will start a LocalCluster (`generate` or `batch` on `--runner dask`),
    start the server its workers are forked from now, while the command imports the pipeline
    (`runners.start_worker_server`) — once Prefect's API is known, as the workers keep the
    environment they start with; without one (a server still starting) the cluster starts it."""
    if command_of(args) not in LOCAL_CLUSTER_COMMANDS or not os.environ.get("PREFECT_API_URL"):
        return
    runner = next(
        (
            value
            for option, value in zip(args, [*args[1:], ""], strict=True)
            if option == "--runner"
        ),
        next((arg.partition("=")[2] for arg in args if arg.startswith("--runner=")), "local"),
    )
    if runner.strip().lower() != "dask":
        return
    from worldloom.flows.runners import start_worker_server  # noqa: PLC0415  # imports Prefect

    start_worker_server()


def use_local_server(args: list[str]) -> None:
    """Point a command that runs flows at the warm local Prefect server (`WORLDLOOM_SERVER`:
    `auto`, the default, reuses the one a previous command or `worldloom server` left running
    and starts one in the background when there is none, waited for only as its first flow is
    about to run, so input it refuses costs no wait; `ephemeral` gives each command a throwaway
    server of its own, as Prefect does). A `PREFECT_API_URL` the user set wins.

    A command that only reads (a world, its snapshots) is pointed at a server already running
    too, as the host that server's first command started serves only commands that agree with
    its settings: it then runs in that host, without the ~3 s of imports (`run_hosted`)."""
    command = command_of(args)
    mode = os.environ.get("WORLDLOOM_SERVER", "auto")
    if mode == "ephemeral" and command in FLOW_COMMANDS and not os.environ.get("PREFECT_API_URL"):
        # Prefect's throwaway server migrates a new home's database as it starts (~2.5 s of
        # CPU): it starts from a copy of a migrated, empty one instead, as the local one does.
        seed_database(Path(os.environ["PREFECT_HOME"]).expanduser())
        return
    if (
        os.environ.get("PREFECT_API_URL")
        or command not in FLOW_COMMANDS | HOSTED_COMMANDS
        or mode != "auto"
        or "--help" in args
    ):
        return
    prefect_home = Path(os.environ["PREFECT_HOME"]).expanduser()
    try:
        server = running_server(prefect_home)
        if server is None and command not in FLOW_COMMANDS:
            return  # a command that only reads starts no server (one running has its host)
        if server is None and command not in EAGER_COMMANDS:
            defer_server(prefect_home)
            return
        if server is None:
            print(
                "Starting a Prefect server in the background (`worldloom server stop` ends it)",
                file=sys.stderr,
            )
            server = ensure_server(prefect_home, prefect=Path(sys.executable).with_name("prefect"))
    except (LocalServerError, OSError):
        return  # the command's own ephemeral server, and its error if that fails too
    os.environ["PREFECT_API_URL"] = server.api_url
    if command in HOSTED_COMMANDS:
        # For the next command (this one runs here): a host with this command's environment.
        start_host_at_exit(prefect_home, server_pid=server.pid, api_url=server.api_url)


def configure_prefect(home: Path) -> None:
    """Defaults for an offline, self-contained Prefect: its state under the Worldloom home,
    no telemetry, no run logs on the console (the CLI shows its own progress and says what went
    wrong in one line; the UI still receives every log line). Anything the user set explicitly
    wins."""
    defaults = {
        "PREFECT_HOME": str(home / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        # Prefect's SDK, imported on a terminal, prints a first-run notice and queues usage
        # events for its analytics service unless this (the client-side opt-out) is set.
        "DO_NOT_TRACK": "1",
        # A failed run ends in one line from the command; its tracebacks go to the UI only.
        "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "CRITICAL",
        "PREFECT_LOGGING_HANDLERS_CONSOLE_FLOW_RUNS_LEVEL": "CRITICAL",
        "PREFECT_LOGGING_HANDLERS_CONSOLE_TASK_RUNS_LEVEL": "CRITICAL",
        # The ephemeral server shares the terminal: its errors are the command's to report.
        "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    # Prefect creates its home without parents, and its server fails obscurely without it. A
    # home that cannot be written is left for the commands that write to report in one line.
    with contextlib.suppress(OSError):
        Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)
    warnings.filterwarnings("ignore", message="Failed to create the Prefect home")
    # A log handler that cannot reach the API would print its own complaint on every record.
    logging.raiseExceptions = False
    # instructor logs every exhausted re-ask as an ERROR with a traceback; the gateway records
    # the outcome (llm_calls) and falls back, so those are not errors for a user.
    logging.getLogger("instructor").setLevel(logging.CRITICAL)
