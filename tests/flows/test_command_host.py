"""The warm command host: a real host process, forking a child per command, served through
`run_hosted` as the CLI calls it (its terminal is this test's, captured at the descriptors);
and, end to end, the one a background server's first command starts, serving the next
`worldloom` commands until `worldloom server stop`."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import on_a_terminal, running
from worldloom.flows import command_host
from worldloom.flows.command_host import run_hosted, socket_path
from worldloom.infrastructure.local_server import running_server, stop_server

# The end-to-end test starts a background server, which takes port 4200 when it is free.
pytestmark = pytest.mark.xdist_group("prefect-default-port")

WORLDLOOM = str(Path(sys.executable).with_name("worldloom"))


def wait_for(condition: object, what: str, timeout_s: float = 600.0) -> None:
    # A host imports the whole pipeline before it listens: seconds, minutes on a loaded machine.
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def log_of(prefect_home: Path) -> str:
    path = prefect_home / "worldloom-host.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


@pytest.fixture
def host(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, subprocess.Popen[bytes]]]:
    """A host for this test's environment, serving until its "server" (a sleeping process
    standing in for one) ends; yields the Prefect home and that server."""
    home = tmp_path / "home"
    prefect_home = home / "prefect"
    prefect_home.mkdir(parents=True)
    monkeypatch.setenv("WORLDLOOM_HOME", str(home))
    monkeypatch.setenv("PREFECT_HOME", str(prefect_home))
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    # Its own process group, as a real background server's (the host may end the group).
    server = subprocess.Popen(["sleep", "600"], start_new_session=True)
    with (prefect_home / "worldloom-host.log").open("ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "worldloom.flows.command_host",
                str(prefect_home),
                str(server.pid),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: socket_path(prefect_home).exists(), "the host's socket")
        yield prefect_home, server
    finally:
        server.kill()
        server.wait()
        process.wait(timeout=60)  # it ends with its server


def test_a_command_runs_in_the_host_on_this_terminal(
    host: tuple[Path, subprocess.Popen[bytes]], capfd: pytest.CaptureFixture[str]
) -> None:
    prefect_home, _ = host
    assert run_hosted(["simulate", "nope", "--years", "3"]) == 2
    assert "unknown world 'nope'" in capfd.readouterr().err
    assert "child " in log_of(prefect_home)  # served by a child of the host, not here
    # Its own arguments, directory and environment: each child is a new command.
    assert run_hosted(["simulate", "other", "--years", "-1"]) == 2
    assert "--years" in capfd.readouterr().err
    assert log_of(prefect_home).count("child ") == 2


def test_a_command_in_another_environment_runs_here_and_the_host_stays(
    host: tuple[Path, subprocess.Popen[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    prefect_home, _ = host
    monkeypatch.setenv("NUMBA_OPT", "0")  # read by numba when imported: the host's differs
    assert run_hosted(["simulate", "nope", "--years", "3"]) is None
    assert "another environment (NUMBA_OPT)" in log_of(prefect_home)
    assert socket_path(prefect_home).exists()


def test_other_code_on_disk_ends_the_host(
    host: tuple[Path, subprocess.Popen[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    prefect_home, _ = host
    monkeypatch.setattr(command_host, "code_stamp", lambda: "edited since")
    assert run_hosted(["simulate", "nope", "--years", "3"]) is None
    assert "other code on disk" in log_of(prefect_home)
    wait_for(lambda: not socket_path(prefect_home).exists(), "the host to end", 60)


def test_the_host_ends_with_its_server(host: tuple[Path, subprocess.Popen[bytes]]) -> None:
    prefect_home, server = host
    server.kill()
    server.wait()
    wait_for(lambda: "ended" in log_of(prefect_home), "the host to end", 60)
    assert not socket_path(prefect_home).exists()
    assert run_hosted(["simulate", "nope", "--years", "3"]) is None


def test_a_host_whose_home_is_deleted_stops_its_server_and_ends(
    host: tuple[Path, subprocess.Popen[bytes]],
) -> None:
    prefect_home, server = host
    shutil.rmtree(prefect_home.parent)
    # Nothing could find that server again: its record and database are gone.
    server.wait(timeout=60)
    wait_for(lambda: not socket_path(prefect_home).exists(), "the host to end", 60)


def test_without_a_host_or_for_other_commands_nothing_is_hosted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    assert run_hosted(["simulate", "nope"]) is None  # no host
    assert run_hosted(["server", "status"]) is None  # not a command a host runs
    assert run_hosted([]) is None
    # A socket whose host died: refused, removed, and the command runs here.
    path = socket_path(tmp_path)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as dead:
        dead.bind(str(path))
    assert run_hosted(["simulate", "nope"]) is None
    assert not path.exists()
    monkeypatch.setenv("WORLDLOOM_HOST", "off")
    command_host.start_host(tmp_path, server_pid=os.getpid(), api_url="http://127.0.0.1:1/api")
    assert not (tmp_path / "worldloom-host.log").exists()  # none started


def _new_user(*, host: str) -> dict[str, str]:
    """A new user's environment: no Prefect settings of their own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "WORLDLOOM_"))}
    return env | {"WORLDLOOM_HOST": host}


def _worldloom(home: Path, *args: str, host: str = "on") -> subprocess.Popen[str]:
    """`worldloom ARGS --home HOME` as a new user runs it."""
    return subprocess.Popen(
        [WORLDLOOM, *args, "--home", str(home)],
        env=_new_user(host=host),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_first_command_starts_a_host_the_next_ones_use_it(tmp_path: Path) -> None:
    home, prefect_home = tmp_path / "home", tmp_path / "home" / "prefect"
    tiny = ("generate", "--seed", "3", "--preset", "tiny", "--llm", "none")
    try:
        first = _worldloom(home, *tiny)
        out, err = first.communicate(timeout=900)
        assert first.returncode == 0, err
        assert "Starting a Prefect server" in err
        wait_for(lambda: socket_path(prefect_home).exists(), "the host's socket")

        again = _worldloom(home, *tiny)
        hosted_out, hosted_err = again.communicate(timeout=900)
        assert again.returncode == 0, hosted_err
        assert "child " in log_of(prefect_home)
        world = next(line for line in out.splitlines() if line.startswith("world "))
        refused = _worldloom(home, "simulate", "nope", "--years", "3", host="off")
        assert refused.communicate(timeout=600)[1].startswith("error: unknown world 'nope'")
        assert log_of(prefect_home).count("child ") == 1  # run in its own process
        assert world in hosted_out.splitlines()  # the same world, made in the host's child
        assert "Prefect run: http://127.0.0.1:" in hosted_err  # reported to the warm server

        # A command that only reads runs there too, on the user's terminal as theirs (rich's
        # colours, which a console made for the host's log would not have), with its exit code.
        listed = on_a_terminal([WORLDLOOM, "worlds", "--home", str(home)], _new_user(host="on"))
        assert world.split()[1] in listed
        assert "\x1b[1m" in listed  # the table's bold header
        assert log_of(prefect_home).rstrip().rsplit(": ", 1)[1] == f"worlds --home {home}"
        unknown = _worldloom(home, "report", "nope")
        assert unknown.communicate(timeout=600)[1].startswith("error: unknown world 'nope'")
        assert unknown.returncode == 2
        assert log_of(prefect_home).count("child ") == 3

        # Ctrl-C reaches the command in the host: it stops, and says so with its exit code.
        world_id = world.split()[1]
        long = _worldloom(home, "simulate", world_id, "--years", "500")
        wait_for(lambda: log_of(prefect_home).count("child ") == 4, "the simulate child")
        child = int(log_of(prefect_home).rsplit("child ", 1)[1].split(":")[0])
        time.sleep(2)
        long.send_signal(signal.SIGINT)
        stopped = long.communicate(timeout=300)[1]  # within the grace, should it hang
        assert long.returncode == 130, stopped
        assert "interrupted: " in stopped  # stopped cleanly, or after the grace
        wait_for(lambda: not running(child), "the child to end", 120)

        # A command killed outright takes its child with it.
        killed = _worldloom(home, "simulate", world_id, "--years", "500")
        wait_for(lambda: log_of(prefect_home).count("child ") == 5, "the second child")
        child = int(log_of(prefect_home).rsplit("child ", 1)[1].split(":")[0])
        killed.kill()
        killed.communicate(timeout=60)
        wait_for(lambda: not running(child), "the orphaned child to end", 120)
    finally:
        server = running_server(prefect_home)
        stop_server(prefect_home)
    assert server is not None
    wait_for(lambda: "ended" in log_of(prefect_home), "the host to end with its server", 60)
