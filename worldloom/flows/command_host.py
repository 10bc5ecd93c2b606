"""A warm command host: one process per Prefect home, started beside the background server,
that has imported the pipeline once and forks a child for each command that runs flows.

A command pays ~2-3 s of CPU importing Prefect, numpy, Polars, DuckDB and numba before it does
any work. With a host running, `worldloom generate ...` (and the other flow commands) hands the
host its arguments, environment, working directory and terminal (its stdin, stdout and stderr
descriptors, over a Unix socket); the host forks, and the child runs the command as the CLI
would, writing to the same terminal, then sends back its exit code. Signals the command gets
(Ctrl-C, SIGTERM, SIGHUP) are passed on to the child, and a command killed outright takes its
child with it. Whatever would make the child differ from a fresh process makes the host refuse
and the command run in its own process as before: other code on disk (the host then ends, and
the next command starts a fresh one), or other settings that Prefect, numba, Polars or numpy
read when they are imported.

This module is imported by the CLI before anything heavy: only the standard library at the top
(and the local server module, which is the same).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import sysconfig
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

from worldloom.flows.interrupt import handle_interrupts
from worldloom.infrastructure.processes import end_process_group, process_alive

HOSTED_COMMANDS = frozenset({
    # Those that run flows and end (not `serve`, nor `batch` with its own workers).
    "generate", "economy", "export", "enrich", "simulate", "stories",
    # Those that read a world, its snapshots or the home and end: a user's next commands after
    # a run (not the servers: `api`, and `server`, which stops the host's own server).
    "worlds", "report", "usage", "compare", "arcs", "recall", "snapshot", "llm", "user",
})  # fmt: skip
"""The commands a host runs."""
IMPORT_TIME_PREFIXES = (
    "PREFECT_",
    "WORLDLOOM_",
    "NUMBA_",
    "NUMPY_",
    "POLARS_",
    "DUCKDB_",
    "PYTHON",
    "MALLOC_",
    "OMP_",
    "MKL_",
    "OPENBLAS_",
    "LD_",
    "DO_NOT_TRACK",
)
"""Environment read when modules are imported: a host serves only commands that agree with the
environment it imported under on every variable starting with one of these."""
_WATCH_S = 1.0
"""How often an idle host checks that its server and its socket are still there."""
_PACKAGE = Path(__file__).resolve().parents[1]


def command_of(args: list[str]) -> str | None:
    """The command the CLI's arguments `args` name (their first that is not an option)."""
    return next((arg for arg in args if not arg.startswith("-")), None)


def hosting() -> bool:
    """Whether commands use a host (`WORLDLOOM_HOST=off` runs each in its own process)."""
    return os.environ.get("WORLDLOOM_HOST", "on") != "off"


def socket_path(prefect_home: Path) -> Path:
    """Where the host of `prefect_home` listens: a short path (Unix sockets allow ~100 bytes)
    in a folder only this user can enter."""
    digest = hashlib.sha256(str(prefect_home.expanduser().resolve()).encode()).hexdigest()
    return Path(tempfile.gettempdir()) / f"worldloom-{os.getuid()}" / f"{digest[:16]}.sock"


def code_stamp() -> str:
    """The code a process would import now: every module of the package by path, size and
    modification time, and the installed packages' folder (changed by an install)."""
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(_PACKAGE)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    digest.update(str(Path(sysconfig.get_paths()["purelib"]).stat().st_mtime_ns).encode())
    return digest.hexdigest()


def fingerprint(environ: dict[str, str] | os._Environ[str]) -> dict[str, Any]:
    """What a command and its host must share: the interpreter, the code and the
    import-time environment."""
    return {
        "python": sys.executable,
        "code": code_stamp(),
        "env": {k: v for k, v in environ.items() if k.startswith(IMPORT_TIME_PREFIXES)},
    }


# -- the command's side ------------------------------------------------------------------------


def run_hosted(args: list[str]) -> int | None:
    """Run the command `args` (the CLI's arguments) in this Prefect home's host; its exit
    code, or None when no host runs it (none is running, or it refused): then run it here."""
    if command_of(args) not in HOSTED_COMMANDS or not hosting():
        return None
    connection = _connect(socket_path(Path(os.environ["PREFECT_HOME"])))
    if connection is None:
        return None
    with connection:
        request = {"argv": args, "env": dict(os.environ), "cwd": os.getcwd()}
        request["fingerprint"] = fingerprint(os.environ)
        try:
            socket.send_fds(connection, [b"R"], [0, 1, 2])
            connection.sendall(json.dumps(request).encode() + b"\n")
            answers = connection.makefile("rb")
            taken = json.loads(answers.readline() or b"{}")
            if "pid" not in taken:
                return None  # refused
            with _forwarding_signals(int(taken["pid"])) as forwarded:
                ended = json.loads(answers.readline() or b"{}")
        except (OSError, ValueError):
            return None
    return _exit_of(ended, forwarded)


def _exit_of(ended: dict[str, Any], forwarded: list[int]) -> int:
    """The exit code a hosted command ended with: the one it reported, else that of the last
    signal passed on to it."""
    if "exit" in ended:
        return int(ended["exit"])
    if forwarded:
        return 128 + forwarded[-1]
    print("the command ended in the warm command host without an exit code", file=sys.stderr)
    return 1


def _connect(path: Path) -> socket.socket | None:
    """A connection to the host listening at `path`, if one does."""
    if not path.exists():
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        for fd in (0, 1, 2):
            os.fstat(fd)  # a closed standard stream cannot be handed over
        connection.connect(str(path))
    except ConnectionRefusedError:
        connection.close()
        path.unlink(missing_ok=True)  # a host that died: the next command starts another
        return None
    except OSError:
        connection.close()
        return None
    return connection


@contextlib.contextmanager
def _forwarding_signals(pid: int) -> Iterator[list[int]]:
    """Within: Ctrl-C, SIGTERM and SIGHUP go to process `pid`; yields those passed on."""
    forwarded: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        forwarded.append(signum)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    kept = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        yield forwarded
    finally:
        for signum, handler in kept.items():
            signal.signal(signum, handler)


# -- the host's side ---------------------------------------------------------------------------


def start_host_at_exit(prefect_home: Path, *, server_pid: int, api_url: str) -> None:
    """Unless a host of this Prefect home listens already, start one (`start_host`) when this
    command ends, with its environment as it is now: importing the pipeline (~2-3 s of CPU)
    does not then compete with the command's own work."""
    if socket_path(prefect_home).exists():
        return
    environ = dict(os.environ)
    atexit.register(
        start_host, prefect_home, server_pid=server_pid, api_url=api_url, environ=environ
    )


def start_host(
    prefect_home: Path,
    *,
    server_pid: int,
    api_url: str,
    environ: dict[str, str] | None = None,
) -> None:
    """Start this Prefect home's host in the background (its log beside the server's), for
    commands with this process's environment (or `environ`) reporting to `api_url`; it ends
    with the server `server_pid`. Nothing when hosting is off."""
    if not hosting():
        return
    log = (prefect_home / "worldloom-host.log").open("ab")
    with log:
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "worldloom.flows.command_host",
                str(prefect_home),
                str(server_pid),
            ],
            env={**(os.environ if environ is None else environ), "PREFECT_API_URL": api_url},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # no terminal's signals
        )


def serve_commands(
    prefect_home: Path, *, server_pid: int, app: Callable[[], object], mine: dict[str, Any]
) -> None:
    """Take commands that share the fingerprint `mine` on this home's socket until the server
    `server_pid` ends, the socket is taken over by a newer host, a command brings other code
    (then the next command starts a fresh host), or the Prefect home is deleted: then no
    command can find the server (its record and database went with the home), and the host
    stops it (its process group) rather than leave it listening."""
    path = socket_path(prefect_home)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    os.chmod(path.parent, 0o700)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    fresh = path.with_name(f"{path.stem}.{os.getpid()}.new")
    fresh.unlink(missing_ok=True)
    listener.bind(str(fresh))
    listener.listen()
    fresh.rename(path)  # atomic: a newer host replaces an older one's socket
    inode = path.stat().st_ino
    listener.settimeout(_WATCH_S)
    print(f"host {os.getpid()} serving {prefect_home} on {path}", flush=True)
    try:
        while process_alive(server_pid) and _same_inode(path, inode) and prefect_home.is_dir():
            _reap()
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                if not _take(connection, listener, mine, app):
                    return
    finally:
        listener.close()
        if _same_inode(path, inode):
            path.unlink(missing_ok=True)
        if not prefect_home.is_dir():
            end_process_group(server_pid)
            print(f"host {os.getpid()}: {prefect_home} was deleted, its server stopped", flush=True)
        print(f"host {os.getpid()} ended", flush=True)


def _take(
    connection: socket.socket,
    listener: socket.socket,
    mine: dict[str, Any],
    app: Callable[[], object],
) -> bool:
    """Fork a child for the command on `connection`; False when the host should end."""
    connection.settimeout(10.0)
    try:
        _, fds, _, _ = socket.recv_fds(connection, 1, 3)
        request = json.loads(connection.makefile("rb").readline())
        uid = struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
    except (OSError, ValueError):
        return True
    if len(fds) != 3 or uid[1] != os.getuid() or request.get("fingerprint") != mine:
        for fd in fds:
            os.close(fd)
        theirs = request.get("fingerprint", {})
        stale = theirs.get("code") != mine["code"]
        reason = "other code on disk" if stale else _difference(mine, theirs)
        print(f"refused {request.get('argv')}: {reason}", flush=True)
        connection.sendall(json.dumps({"refused": reason}).encode() + b"\n")
        return not stale
    child = os.fork()
    if child == 0:
        listener.close()
        _run_child(connection, fds, request, app)
    for fd in fds:
        os.close(fd)
    print(f"child {child}: {' '.join(request['argv'])}", flush=True)
    return True


def _difference(mine: dict[str, Any], theirs: dict[str, Any]) -> str:
    """Why a command's fingerprint is not the host's (for its log)."""
    if mine["python"] != theirs.get("python"):
        return f"another Python ({theirs.get('python')})"
    ours, its = mine["env"], theirs.get("env", {})
    differ = sorted(k for k in ours.keys() | its.keys() if ours.get(k) != its.get(k))
    return f"another environment ({', '.join(differ)})"


def _run_child(
    connection: socket.socket, fds: list[int], request: dict[str, Any], app: Callable[[], object]
) -> NoReturn:
    """In the forked child: become the command (its terminal, directory, environment and
    arguments), run it, report its exit code, and end."""
    os.setsid()  # not the host's: stopping the server does not end a command midway
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(line_buffering=stream.isatty())  # type: ignore[union-attr]
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = [sys.argv[0], *request["argv"]]
    connection.settimeout(None)
    connection.sendall(json.dumps({"pid": os.getpid()}).encode() + b"\n")
    threading.Thread(target=_end_with_client, args=(connection,), daemon=True).start()
    handle_interrupts(unless_ignored=False)  # the command's own process passes them on
    # As `cli.main` does before it loads the commands (a hosted command has them loaded).
    from worldloom.flows.cli import start_dask_workers_early  # noqa: PLC0415
    from worldloom.flows.commands.app import Consoles  # noqa: PLC0415

    Consoles.renew()  # for the command's terminal, not the host's log
    start_dask_workers_early(request["argv"])
    code = _exit_code(app)
    with contextlib.suppress(Exception):
        atexit._run_exitfuncs()  # what the process would run at its end (Prefect drains here)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    with contextlib.suppress(OSError):
        connection.sendall(json.dumps({"exit": code}).encode() + b"\n")
    os._exit(code)


def _exit_code(app: Callable[[], object]) -> int:
    """Run `app` as a process's main would; the exit code it ends with."""
    try:
        app()
    except SystemExit as ended:
        if ended.code is None or isinstance(ended.code, int):
            return ended.code or 0
        print(ended.code, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 128 + signal.SIGINT
    except BaseException:  # as the interpreter would: a traceback, exit 1
        traceback.print_exc()
        return 1
    return 0


def _end_with_client(connection: socket.socket) -> None:
    """The command's process closed its end (it was killed): end this child too."""
    with contextlib.suppress(OSError):
        while connection.recv(1):
            pass
    os.kill(os.getpid(), signal.SIGTERM)


def _reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _same_inode(path: Path, inode: int) -> bool:
    try:
        return path.stat().st_ino == inode
    except OSError:
        return False


def main() -> None:
    """`python -m worldloom.flows.command_host PREFECT_HOME SERVER_PID`, with the environment
    of the commands it is to serve (the CLI's `start_host`)."""
    from worldloom.flows.cli import configure_prefect  # noqa: PLC0415
    from worldloom.infrastructure.runtime import tune_memory  # noqa: PLC0415

    prefect_home, server_pid = Path(sys.argv[1]), int(sys.argv[2])
    mine = fingerprint(os.environ)  # before importing: an edit made meanwhile is then refused
    # The process state a command's start-up sets (its environment came with this process).
    tune_memory()
    configure_prefect(prefect_home.parent)
    from worldloom.flows.commands import app  # noqa: PLC0415  # the imports a host holds
    from worldloom.systems.kernel import load_compiler  # noqa: PLC0415

    load_compiler()  # numba's compiler context, ~0.2 s of a child's first kernel otherwise
    serve_commands(prefect_home, server_pid=server_pid, app=app, mine=mine)


if __name__ == "__main__":
    main()
