"""A local Prefect server kept warm between commands: started once (in the foreground by
`worldloom server`, or in the background on a command's first use), found again by the next
command through a record in Prefect's home, and stopped as a whole process group. A background
server runs under a guard (`guard_server`) that stops it if its Prefect home is deleted.

Starting a Prefect server costs 10-20 s on 2 cores; a command that finds one running pays
nothing. The server listens on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.metadata
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from worldloom.infrastructure.processes import STOP_WAIT_S, end_process_group, process_alive

DEFAULT_PORT = 4200
_RECORD = "worldloom-server.json"
_LOG = "worldloom-server.log"
_HEALTH_TIMEOUT_S = 1.0
GUARD_WATCH_S = 2.0
"""How often a background server's guard looks for its Prefect home."""


class LocalServerError(RuntimeError):
    """The local server could not be started or reached; the message says where to look."""


@dataclass(frozen=True, slots=True)
class LocalServer:
    """A running local Prefect server: its process (group) and where it listens."""

    pid: int
    port: int
    started: str

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def server_environment(port: int) -> dict[str, str]:
    """What a server on `port` needs so that its UI asks the API on that same port (Prefect's
    UI otherwise looks for its API on 4200 whatever port it was started on)."""
    return {
        "PREFECT_SERVER_API_HOST": "127.0.0.1",
        "PREFECT_SERVER_API_PORT": str(port),
        "PREFECT_UI_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }


def server_command(prefect: Path, port: int) -> list[str]:
    return [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)]


def running_server(prefect_home: Path) -> LocalServer | None:
    """The server a previous command left running, if it still answers; else None."""
    record = prefect_home / _RECORD
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
        server = LocalServer(pid=int(data["pid"]), port=int(data["port"]), started=data["started"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if process_alive(server.pid) and healthy(server.api_url):
        return server
    return None


@dataclass
class Launch:
    """A local server starting in the background, not yet known to answer; it holds the home's
    server lock (other commands wait to learn which server is theirs) until `ensure_server`
    waits for it or `abandon_server` ends it."""

    process: subprocess.Popen[bytes]
    server: LocalServer
    seeded: bool
    lock: IO[str]


def launch_server(prefect_home: Path, *, prefect: Path) -> LocalServer | Launch:
    """The running local server, or a new one started in the background (two commands
    starting at once agree on one: the check and the start happen under a lock), not waited
    for: a command can load and check its input meanwhile."""
    prefect_home.mkdir(parents=True, exist_ok=True)
    lock = (prefect_home / "worldloom-server.lock").open("a")
    try:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        server = running_server(prefect_home)
        if server is not None:
            lock.close()
            return server
        port = DEFAULT_PORT if _port_free(DEFAULT_PORT) else _free_port()
        seeded = seed_database(prefect_home)
        with (prefect_home / _LOG).open("ab") as log:
            process = subprocess.Popen(
                _guarded(prefect_home, server_command(prefect, port)),
                env={**os.environ, **server_environment(port), "PREFECT_HOME": str(prefect_home)},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: `stop` ends all of it
            )
    except BaseException:
        lock.close()
        raise
    started = datetime.now(UTC).isoformat(timespec="seconds")
    server = LocalServer(pid=process.pid, port=port, started=started)
    return Launch(process, server, seeded, lock)


def ensure_server(
    prefect_home: Path,
    *,
    prefect: Path,
    wait_s: float = 90.0,
    launched: LocalServer | Launch | None = None,
) -> LocalServer:
    """The running local server, or a new one started in the background (or `launched`
    earlier by `launch_server`), once it answers.

    Raises:
        LocalServerError: it did not answer within `wait_s` (its log is named).
    """
    launch = launched if launched is not None else launch_server(prefect_home, prefect=prefect)
    if isinstance(launch, LocalServer):
        return launch
    with launch.lock:
        server, deadline = launch.server, time.monotonic() + wait_s
        while not healthy(server.api_url):
            if launch.process.poll() is not None or time.monotonic() > deadline:
                end_process_group(server.pid)
                raise LocalServerError(
                    f"the local Prefect server did not start on port {server.port}; "
                    f"see {prefect_home / _LOG}"
                )
            time.sleep(0.25)
        if not launch.seeded:
            keep_database_template(prefect_home)
        record = {"pid": server.pid, "port": server.port, "started": server.started}
        (prefect_home / _RECORD).write_text(json.dumps(record) + "\n", encoding="utf-8")
        return server


def abandon_server(launch: LocalServer | Launch) -> None:
    """End a server `launch_server` started that no flow will use (the command refused its
    input); one that was already running is left alone."""
    if isinstance(launch, Launch):
        with launch.lock:
            end_process_group(launch.server.pid)


def database_template() -> Path | None:
    """Where a migrated, empty Prefect database of the installed Prefect version is kept for
    new homes (the user's cache folder); None without Prefect."""
    try:
        version = importlib.metadata.version("prefect")
    except importlib.metadata.PackageNotFoundError:
        return None
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "worldloom" / f"prefect-{version}.db"


def seed_database(prefect_home: Path) -> bool:
    """Give a home without a Prefect database a copy of the template (`database_template`),
    so that its server's first start skips the migrations (~3 s of a ~10 s start here);
    whether it did. A database the user configured elsewhere is left alone."""
    target = prefect_home / "prefect.db"
    template = database_template()
    if (
        os.environ.get("PREFECT_API_DATABASE_CONNECTION_URL")
        or target.exists()
        or template is None
        or not template.is_file()
    ):
        return False
    seeding = target.with_name(f"prefect.db.{os.getpid()}.seeding")
    try:
        shutil.copyfile(template, seeding)
        seeding.replace(target)  # whole or not at all
    except OSError:
        seeding.unlink(missing_ok=True)
        return False
    return True


def keep_database_template(prefect_home: Path) -> None:
    """After a server migrated a new home's database (and before it ran anything), keep a
    consistent copy of it as the template for the next new homes, unless one exists. Only a
    speed-up: a copy that fails is no error."""
    template = database_template()
    source = prefect_home / "prefect.db"
    if (
        os.environ.get("PREFECT_API_DATABASE_CONNECTION_URL")
        or template is None
        or template.exists()
        or not source.is_file()
    ):
        return
    copying = template.with_name(f"{template.name}.{os.getpid()}.copying")
    try:
        template.parent.mkdir(parents=True, exist_ok=True)
        with (
            contextlib.closing(sqlite3.connect(source)) as database,
            contextlib.closing(sqlite3.connect(copying)) as copy,
        ):
            database.backup(copy)  # consistent, whatever the server writes meanwhile
        copying.replace(template)
    except (OSError, sqlite3.Error):
        copying.unlink(missing_ok=True)


def guard_server(prefect_home: Path, command: list[str], *, watch_s: float = GUARD_WATCH_S) -> int:
    """Run `command` (a server) as a child and wait for it; if `prefect_home` is deleted
    meanwhile, end the process group (the guard's, which the server and its children are in).
    Returns the server's exit code, when it ends by itself.

    A background server outlives the command that started it, and is found again only through
    its home's record: with the home deleted, nothing could find it or stop it, and it would
    listen on until the machine stops. (The warm command host stops it then too, but commands
    run with `WORLDLOOM_HOST=off` start no host.)"""
    server = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    while True:
        try:
            return server.wait(timeout=watch_s)
        except subprocess.TimeoutExpired:
            if not prefect_home.is_dir():
                break
    # The group's SIGTERM is for the server: the guard stays to make sure of it.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.killpg(0, signal.SIGTERM)
    try:
        server.wait(timeout=STOP_WAIT_S)
    finally:
        os.killpg(0, signal.SIGKILL)  # whatever is left of the group, this guard last
    return server.returncode  # pragma: no cover - the SIGKILL ends the guard first


def stop_server(prefect_home: Path) -> LocalServer | None:
    """Stop the background server this home runs (its whole process group); returns it, or
    None when none was running."""
    server = running_server(prefect_home)
    with contextlib.suppress(FileNotFoundError):
        (prefect_home / _RECORD).unlink()
    if server is None:
        return None
    end_process_group(server.pid)
    return server


def healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=_HEALTH_TIMEOUT_S) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _guarded(prefect_home: Path, command: list[str]) -> list[str]:
    """`command` run under `guard_server` for `prefect_home`, in a Python process of its own."""
    return [sys.executable, "-m", __name__, str(prefect_home), *command]


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


if __name__ == "__main__":
    sys.exit(guard_server(Path(sys.argv[1]), sys.argv[2:]))
