"""The warm local Prefect server: `worldloom server` in the foreground, the background one a
command starts just before its first flow runs and the next command reuses (none for a command
that refuses its input), and `worldloom server stop` — real servers on 127.0.0.1, stopped by
the tests that start them."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_URL
from typer.testing import CliRunner

from tests.processes import live_members
from worldloom.flows import cli, warm_server
from worldloom.flows.commands import app
from worldloom.flows.warm_server import defer_server, flow_api
from worldloom.infrastructure import local_server
from worldloom.infrastructure.local_server import (
    Launch,
    LocalServer,
    LocalServerError,
    abandon_server,
    database_template,
    ensure_server,
    guard_server,
    healthy,
    keep_database_template,
    launch_server,
    running_server,
    seed_database,
    stop_server,
)

# A background server takes Prefect's default port, 4200, when it is free: under pytest-xdist,
# the tests that start one run on one worker, or two could both find it free and race for it.
pytestmark = pytest.mark.xdist_group("prefect-default-port")

WORLDLOOM = str(Path(sys.executable).with_name("worldloom"))
PREFECT = Path(sys.executable).with_name("prefect")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_healthy(url: str, timeout_s: float = 600.0) -> None:
    # A server starting on a loaded machine (pytest -n, other work) can take minutes to answer.
    deadline = time.monotonic() + timeout_s
    while not healthy(url):
        assert time.monotonic() < deadline, f"no Prefect API at {url}"
        time.sleep(0.25)


def ui_settings(port: int) -> dict[str, object]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/ui-settings", timeout=5) as answer:
        loaded: dict[str, object] = json.load(answer)
        return loaded


def servers_on(port: int) -> list[str]:
    found = subprocess.run(
        ["pgrep", "-f", f"server start --host 127.0.0.1 --port {port}"],
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout.split()


def test_the_foreground_server_serves_its_ui_on_its_port_and_stops_whole(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    server = subprocess.Popen(
        [WORLDLOOM, "server", "--port", str(port), "--home", str(tmp_path / "home")],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_healthy(f"http://127.0.0.1:{port}/api")
        # The UI asks its API on the port it was started on, not Prefect's default 4200.
        assert ui_settings(port)["api_url"] == f"http://127.0.0.1:{port}/api"
        assert servers_on(port)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 128 + signal.SIGTERM
    finally:
        if server.poll() is None:
            server.kill()
    assert server.stderr is not None
    hint = server.stderr.readline()
    assert hint.strip().endswith(f"export PREFECT_API_URL=http://127.0.0.1:{port}/api")
    assert not healthy(f"http://127.0.0.1:{port}/api")
    assert servers_on(port) == []  # nothing it started is left listening


def test_a_background_server_is_started_once_reused_and_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    seeded: list[bool] = []

    def seed(prefect_home: Path) -> bool:
        seeded.append(seed_database(prefect_home))
        return seeded[-1]

    monkeypatch.setattr(local_server, "seed_database", seed)
    prefect_home = tmp_path / "prefect"
    first = ensure_server(prefect_home, prefect=PREFECT)
    # The new home's database, migrated by its server, is kept for the next new home.
    template = database_template()
    assert template is not None
    assert template.is_file()
    assert seeded == [False]
    try:
        assert ensure_server(prefect_home, prefect=PREFECT) == first  # reused, not restarted
        assert running_server(prefect_home) == first
        assert ui_settings(first.port)["api_url"] == first.api_url
        status = CliRunner().invoke(
            app, ["server", "status"], env={"PREFECT_HOME": str(prefect_home)}
        )
        assert status.exit_code == 0
        assert status.stdout.startswith(f"{first.ui_url} PID {first.pid}")
    finally:
        stopped = CliRunner().invoke(
            app, ["server", "stop"], env={"PREFECT_HOME": str(prefect_home)}
        )
    assert stopped.exit_code == 0
    assert f"(PID {first.pid})" in stopped.stderr
    assert not healthy(first.api_url)
    assert running_server(prefect_home) is None
    assert stop_server(prefect_home) is None  # stopping twice is fine
    # The next new home starts from the template, and its server takes it as it is.
    other = ensure_server(tmp_path / "other", prefect=PREFECT)
    try:
        assert seeded == [False, True]
        assert healthy(other.api_url)
    finally:
        stop_server(tmp_path / "other")


def test_a_guard_returns_its_server_s_exit_code(tmp_path: Path) -> None:
    assert guard_server(tmp_path, ["sh", "-c", "exit 3"], watch_s=0.05) == 3
    assert guard_server(tmp_path, ["true"], watch_s=0.05) == 0


def test_a_guard_ends_its_server_s_group_when_the_home_is_deleted(tmp_path: Path) -> None:
    # The server's stand-in ignores SIGTERM, as a server slow to stop would: the guard's SIGKILL
    # ends it, and the guard itself last.
    home = tmp_path / "prefect"
    home.mkdir()
    stubborn = "trap '' TERM; sleep 600 & wait"
    guard = subprocess.Popen(
        [sys.executable, "-m", local_server.__name__, str(home), "sh", "-c", stubborn],
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while len(live_members(guard.pid)) < 3:  # the guard, its shell and the shell's sleep
            assert time.monotonic() < deadline, "the guarded command did not start"
            time.sleep(0.05)
        time.sleep(2 * local_server.GUARD_WATCH_S)
        assert guard.poll() is None  # the home is there: the guard waits on
        shutil.rmtree(home)
        assert guard.wait(timeout=60) == -signal.SIGKILL
        # One SIGKILL reached the whole group; its other members end as the kernel runs them
        # (a clean `make test` found the shell and its sleep not yet gone the moment after).
        deadline = time.monotonic() + 10
        while live_members(guard.pid):
            assert time.monotonic() < deadline, "the guard's group outlived it"
            time.sleep(0.05)
    finally:
        if live_members(guard.pid):
            os.killpg(guard.pid, signal.SIGKILL)
            guard.wait()


def test_a_background_server_whose_home_is_deleted_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    prefect_home = tmp_path / "home" / "prefect"
    server = ensure_server(prefect_home, prefect=PREFECT)
    try:
        assert healthy(server.api_url)
        shutil.rmtree(prefect_home.parent)  # nothing could find or stop it any more
        deadline = time.monotonic() + 60
        while live_members(server.pid):
            assert time.monotonic() < deadline, "the server outlived its home"
            time.sleep(0.25)
        assert not healthy(server.api_url)
        assert servers_on(server.port) == []
    finally:
        if live_members(server.pid):
            os.killpg(server.pid, signal.SIGKILL)


def test_a_template_database_seeds_new_homes_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("PREFECT_API_DATABASE_CONNECTION_URL", raising=False)
    first, second = tmp_path / "first", tmp_path / "second"
    second.mkdir()
    assert not seed_database(second)  # no template yet
    keep_database_template(first)  # no database to keep
    assert database_template() is not None
    assert not database_template().exists()  # type: ignore[union-attr]
    first.mkdir()
    with sqlite3.connect(first / "prefect.db") as database:
        database.execute("CREATE TABLE alembic_version (version_num TEXT)")
        database.execute("INSERT INTO alembic_version VALUES ('head')")
    keep_database_template(first)
    assert seed_database(second)
    with sqlite3.connect(second / "prefect.db") as database:
        assert database.execute("SELECT * FROM alembic_version").fetchall() == [("head",)]
    assert not seed_database(second)  # a home's own database is never replaced
    monkeypatch.setenv("PREFECT_API_DATABASE_CONNECTION_URL", "postgresql+asyncpg://db/prefect")
    third = tmp_path / "third"
    third.mkdir()
    assert not seed_database(third)  # the user's database is elsewhere
    keep_database_template(second)  # nor is it kept


def test_a_command_s_own_ephemeral_server_starts_from_the_template_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("PREFECT_API_DATABASE_CONNECTION_URL", raising=False)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("WORLDLOOM_SERVER", "ephemeral")
    migrated = tmp_path / "migrated"
    migrated.mkdir()
    with sqlite3.connect(migrated / "prefect.db") as database:
        database.execute("CREATE TABLE alembic_version (version_num TEXT)")
    keep_database_template(migrated)
    prefect_home = tmp_path / "home" / "prefect"
    prefect_home.mkdir(parents=True)
    monkeypatch.setenv("PREFECT_HOME", str(prefect_home))
    cli.use_local_server(["worlds"])  # reads only: no server of its own, nothing seeded
    assert not (prefect_home / "prefect.db").exists()
    # A flow command: Prefect will start its throwaway server on the seeded database, which
    # it then finds migrated; no server is started or pointed at here.
    cli.use_local_server(["simulate", "w", "--years", "3"])
    with sqlite3.connect(prefect_home / "prefect.db") as database:
        assert database.execute("SELECT * FROM alembic_version").fetchall() == []
    assert "PREFECT_API_URL" not in os.environ


def _worldloom(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`worldloom ARGS --home HOME` as a new user runs it: no Prefect settings of their own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "WORLDLOOM_"))}
    return subprocess.run(
        [WORLDLOOM, *args, "--home", str(home)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_refused_input_starts_no_server_and_the_first_flow_starts_one(tmp_path: Path) -> None:
    home, prefect_home = tmp_path / "home", tmp_path / "home" / "prefect"
    refused = _worldloom(home, "simulate", "nope", "--years", "3")
    assert refused.returncode == 2
    assert "unknown world 'nope'" in refused.stderr
    assert "Starting a Prefect server" not in refused.stderr
    assert running_server(prefect_home) is None  # nothing to wait for, nothing left behind
    try:
        made = _worldloom(home, "generate", "--seed", "3", "--preset", "tiny", "--llm", "none")
        assert made.returncode == 0, made.stderr
        assert "Starting a Prefect server" in made.stderr
        server = running_server(prefect_home)
        assert server is not None
        assert healthy(server.api_url)  # left up for the next command
    finally:
        stop_server(prefect_home)


def test_flow_api_points_prefect_at_the_deferred_server_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[Path] = []
    launched = LocalServer(pid=1, port=4999, started="now")

    def launch(prefect_home: Path, *, prefect: Path) -> LocalServer:
        started.append(prefect_home)  # when the command starts, not when its flows do
        return launched

    def ensure(prefect_home: Path, *, prefect: Path, launched: LocalServer) -> LocalServer:
        return launched  # waited for as the flows are about to run

    monkeypatch.setattr(warm_server, "launch_server", launch)
    monkeypatch.setattr(warm_server, "ensure_server", ensure)
    hosts: list[tuple[Path, int, str]] = []
    monkeypatch.setattr(
        warm_server,
        "start_host_at_exit",
        lambda h, *, server_pid, api_url: hosts.append((h, server_pid, api_url)),
    )
    monkeypatch.setenv("PREFECT_API_URL", "")  # restored after the test
    defer_server(tmp_path)
    assert started == [tmp_path]
    before = PREFECT_API_URL.value()
    with flow_api():
        assert PREFECT_API_URL.value() == "http://127.0.0.1:4999/api"
        assert os.environ["PREFECT_API_URL"] == "http://127.0.0.1:4999/api"  # for workers
    assert PREFECT_API_URL.value() == before
    with flow_api():  # nothing deferred any more: started once per command
        assert PREFECT_API_URL.value() == before
    assert started == [tmp_path]
    # The commands that follow find a warm host for this server's home.
    assert hosts == [(tmp_path, 1, "http://127.0.0.1:4999/api")]


def test_a_server_that_will_not_start_leaves_prefect_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(prefect_home: Path, **_: object) -> LocalServer:
        raise LocalServerError("the local Prefect server did not start")

    monkeypatch.setattr(warm_server, "launch_server", broken)
    monkeypatch.setattr(warm_server, "ensure_server", broken)
    monkeypatch.setenv("PREFECT_API_URL", "")
    defer_server(tmp_path)
    before = PREFECT_API_URL.value()
    with flow_api():
        assert PREFECT_API_URL.value() == before
    assert os.environ["PREFECT_API_URL"] == ""


def test_a_server_launched_for_a_command_that_runs_no_flow_is_ended_at_its_exit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    launched = LocalServer(pid=1, port=4999, started="now")
    ended: list[LocalServer | Launch] = []
    monkeypatch.setattr(warm_server, "launch_server", lambda home, *, prefect: launched)
    monkeypatch.setattr(warm_server, "abandon_server", ended.append)
    # What this command defers is this test's: none is left for the tests that follow.
    monkeypatch.setattr(warm_server, "_deferred", None)
    monkeypatch.setattr(warm_server, "_launched", None)
    defer_server(tmp_path)
    warm_server._abandon_unused()  # as at the command's exit
    warm_server._abandon_unused()  # once
    assert ended == [launched]


def test_a_launched_server_is_waited_for_or_abandoned(tmp_path: Path) -> None:
    prefect_home = tmp_path / "prefect"
    launched = launch_server(prefect_home, prefect=PREFECT)
    assert isinstance(launched, Launch)
    abandon_server(launched)  # the command refused its input: nothing left behind
    assert launched.process.wait(timeout=30) is not None
    assert running_server(prefect_home) is None
    server = ensure_server(
        prefect_home, prefect=PREFECT, launched=launch_server(prefect_home, prefect=PREFECT)
    )
    try:
        assert healthy(server.api_url)
        assert launch_server(prefect_home, prefect=PREFECT) == server  # running: no second one
        abandon_server(server)  # a server that was running is not the command's to end
        assert healthy(server.api_url)
    finally:
        stop_server(prefect_home)
