"""A world kept open by a run: its opens join one DuckDB instance, other processes wait."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from worldloom.infrastructure.store import StoreError, open_store
from worldloom.infrastructure.store.opening import keep_open, kept


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
