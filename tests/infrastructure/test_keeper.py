"""A world kept open by a run: its opens join one DuckDB instance, other processes wait (and
a run that gives way lets them in between its steps)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.processes import held_for_writing
from worldloom.infrastructure.store import StoreError, WorldLockedError, open_store
from worldloom.infrastructure.store.opening import (
    WANTED_FRESH_S,
    keep_open,
    keep_open_letting_go,
    kept,
)


def _start(path: Path, run_id: str) -> None:
    with open_store(path) as store:
        store.start_run(
            run_id=run_id,
            world_id="w",
            flow="test",
            parameters_json="{}",
            parameters_hash="h",
            code_version="c",
        )


def _runs(path: Path) -> list[str]:
    with open_store(path, read_only=True) as store:
        return store.read("runs", "w")["run_id"].to_list()


def test_a_kept_world_opens_for_reading_and_writing_in_its_process(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    assert not kept(path)
    with keep_open(path):  # creates and migrates it, as a writable open does
        assert kept(path)
        assert kept(tmp_path / "." / "w.duckdb")  # the same file, however it is named
        _start(path, "a")
        assert _runs(path) == ["a"]  # read-only opens join the kept instance
        with keep_open(path):
            _start(path, "b")
        assert kept(path)  # the outer block still keeps it
    assert not kept(path)
    assert _runs(path) == ["a", "b"]


def _threads(path: Path) -> int:
    with open_store(path, read_only=True) as store:
        return store.threads()


def test_a_world_kept_on_some_threads_runs_every_open_on_them_until_let_go(
    tmp_path: Path,
) -> None:
    path = tmp_path / "w.duckdb"
    with open_store(path):
        pass
    default = _threads(path)  # DuckDB's own choice, one a core
    wanted = default + 1  # any other count (a run asks for one thread)
    with keep_open(path, threads=wanted):
        assert _threads(path) == wanted  # the opens joining the kept instance
    assert _threads(path) == default  # a new instance, as DuckDB makes it
    with keep_open_letting_go(path, threads=wanted) as held, held.let_go():
        assert _threads(path) == default  # let go: another open makes its own instance
    with keep_open_letting_go(path, threads=wanted) as held:
        with held.let_go():
            pass
        assert _threads(path) == wanted  # kept again as it was
    with open_store(path) as store, pytest.raises(ValueError, match="at least one thread"):
        store.use_threads(0)


def test_other_processes_wait_for_a_kept_world(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    probe = textwrap.dedent(f"""
        from pathlib import Path
        from worldloom.infrastructure.store import WorldLockedError, open_store
        try:
            with open_store(Path({str(path)!r}), read_only=True, wait_s=0) as store:
                print(store.read("runs", "w").height)
        except WorldLockedError:
            print("locked")
        """)

    def other_process() -> str:
        return subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True
        ).stdout.strip()

    with keep_open(path):
        _start(path, "a")
        assert other_process() == "locked"
    assert other_process() == "1"


def test_a_killed_keeper_loses_nothing_it_committed(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from worldloom.infrastructure.store import open_store
        from worldloom.infrastructure.store import keep_open
        path = Path({str(path)!r})
        with keep_open(path):
            with open_store(path) as store:
                store.start_run(run_id="a", world_id="w", flow="test", parameters_json="{{}}",
                                parameters_hash="h", code_version="c")
            os.kill(os.getpid(), signal.SIGKILL)  # no checkpoint, no close
        """)
    killed = subprocess.run([sys.executable, "-c", script], check=False)
    assert killed.returncode == -9
    assert _runs(path) == ["a"]


def test_a_world_that_cannot_open_is_not_kept(tmp_path: Path) -> None:
    (tmp_path / "w.duckdb").write_text("not a database")
    with pytest.raises(StoreError, match=r"w\.duckdb"), keep_open(tmp_path / "w.duckdb"):
        pass
    assert not kept(tmp_path / "w.duckdb")


def _reader(path: Path, *, hold_s: float = 0.0, wait_s: float = 20.0) -> subprocess.Popen[str]:
    """Another process that opens `path` read-only, prints its runs, holds it `hold_s`."""
    script = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from worldloom.infrastructure.store import WorldLockedError, open_store
        try:
            with open_store(Path({str(path)!r}), read_only=True, wait_s={wait_s}) as store:
                print(store.read("runs", "w")["run_id"].to_list(), flush=True)
                time.sleep({hold_s})
        except WorldLockedError:
            print("locked")
        """)
    return subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)


def _wanted(path: Path) -> Path:
    return path.with_name(path.name + ".wanted")


def _give_way_once(give_way: Callable[[], bool], timeout_s: float = 20.0) -> None:
    """Call `give_way` between steps, as a run does, until it lets the file go once."""
    deadline = time.monotonic() + timeout_s
    while not give_way():
        assert time.monotonic() < deadline, "nobody was let in"
        time.sleep(0.05)


def test_a_world_kept_giving_way_lets_a_waiting_reader_in_between_steps(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    finished: list[int] = []

    def finish() -> None:  # the work still using the file, ended before it is let go
        finished.append(len(finished))

    with keep_open_letting_go(path) as held:
        _start(path, "a")
        assert not held.give_way(finish=finish)  # nobody waits: the file stays kept
        assert not finished
        reader = _reader(path, hold_s=0.5)
        _give_way_once(lambda: held.give_way(finish=finish))
        assert finished == [0]
        # Kept again once the reader let go: the run goes on writing in its instance.
        assert kept(path)
        _start(path, "b")
        out, _ = reader.communicate(timeout=30)
    assert out.strip() == "['a']"
    assert _runs(path) == ["a", "b"]
    assert not _wanted(path).exists()  # the reader took its mark away once in


def test_a_stale_mark_is_not_waited_for(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with keep_open_letting_go(path) as held:
        _wanted(path).touch()
        old = time.time() - 2 * WANTED_FRESH_S  # left by a reader that gave up or died
        os.utime(_wanted(path), (old, old))
        assert not held.give_way()


def test_a_reader_that_gives_up_takes_its_mark_away(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with keep_open(path):
        out, _ = _reader(path, wait_s=0.3).communicate(timeout=30)
    assert out.strip() == "locked"
    assert not _wanted(path).exists()


def test_within_another_keep_the_file_is_never_let_go(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with keep_open(path), keep_open_letting_go(path) as held:
        _wanted(path).touch()
        assert not held.give_way()
        assert kept(path)


def test_a_reader_holding_the_file_too_long_is_named(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with keep_open_letting_go(path, wait_s=0.5) as held:
        reader = _reader(path, hold_s=15)
        with pytest.raises(WorldLockedError, match=r"locked by another process"):
            _give_way_once(held.give_way)
        assert not kept(path)
        reader.kill()
        reader.wait()


def test_a_file_held_elsewhere_is_waited_for_as_long_as_asked_at_first_too(
    tmp_path: Path,
) -> None:
    path = tmp_path / "w.duckdb"
    with open_store(path):
        pass
    with held_for_writing(path) as pid:
        began = time.monotonic()
        with (
            pytest.raises(WorldLockedError, match=f"PID {pid}"),
            keep_open_letting_go(path, wait_s=0.5),
        ):
            pass
        assert time.monotonic() - began < 5  # not open_store's default 10 s
    assert not kept(path)


def test_a_block_let_go_is_open_to_other_processes_then_kept_again(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with keep_open_letting_go(path) as held:
        _start(path, "a")
        with held.let_go():
            assert not kept(path)
            out, _ = _reader(path, wait_s=0).communicate(timeout=30)
            assert out.strip() == "['a']"
        assert kept(path)
        _start(path, "b")
    assert not kept(path)
    with keep_open(path), keep_open_letting_go(path) as inner, inner.let_go():
        assert kept(path)  # the outer keep still holds it
    assert _runs(path) == ["a", "b"]
