"""A side process reads copies of a world's file taken as each call is made: the copy holds
what the last transaction left (its write-ahead log too), is gone once the call returns, and
what the side process raised, or its death, reaches the caller."""

from __future__ import annotations

import importlib
import mmap
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import duckdb
import numpy as np
import pytest

from worldloom.infrastructure.processes import process_alive
from worldloom.infrastructure.side_process import (
    MAPPED_BYTES,
    ORPHAN_CHECK_S,
    SideProcess,
    SideProcessError,
)
from worldloom.infrastructure.store import UnknownWorldError, copy_database

HELPERS = textwrap.dedent(
    """
    import os, shutil, sys

    def keep(copy, target):
        shutil.copyfile(copy, target)
        log = copy + ".wal"
        if os.path.exists(log):
            shutil.copyfile(log, target + ".wal")
        return os.getpid()

    def fail(copy):
        raise LookupError(f"nothing in {os.path.basename(copy)}")

    def die(copy):
        os._exit(3)

    class Tally:
        def __init__(self):
            self.calls = []

    def tally(copy):
        from worldloom.infrastructure.side_process import resident
        calls = resident(Tally).calls
        calls.append(os.path.basename(copy))
        return list(calls)

    def arrays(size, *, fill):
        import numpy as np
        return {
            "big": np.full(size, fill, dtype=np.int64),
            "tall": np.arange(size * 2, dtype=np.float32).reshape(-1, 2, order="F"),
            "small": np.arange(3),
            "pid": os.getpid(),
        }

    def refuse(what):
        raise LookupError(f"no {what}")

    def end(code):
        os._exit(code)

    class Marker:
        def __init__(self, path):
            self.path, self.make, self.close = path, os.open, os.close
            self.flags = os.O_CREAT | os.O_WRONLY

        def __del__(self):
            self.close(self.make(self.path, self.flags))

    def hold(mark):
        import side_helpers
        side_helpers.HELD = Marker(mark)  # freed only by the interpreter's teardown
        # Buffered (whatever PYTHONUNBUFFERED says): out only if the process flushes as it ends.
        sys.stdout = open(1, "w", buffering=1 << 16, closefd=False)
        print("held", end="")
        return os.getpid()
    """
)
"""What the tests ask the side process to do, in a module it can import (its `sys.path` is
this process's when it starts)."""


@pytest.fixture
def helpers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    folder = tmp_path / "helpers"
    folder.mkdir()
    (folder / "side_helpers.py").write_text(HELPERS)
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delitem(sys.modules, "side_helpers", raising=False)  # an earlier test's
    return importlib.import_module("side_helpers")


def _world(path: Path, rows: int) -> None:
    """A file whose last rows are in its write-ahead log only (never checkpointed)."""
    connection = duckdb.connect(str(path))
    connection.execute("SET checkpoint_threshold = '1GB'")
    connection.execute("CREATE TABLE t AS SELECT range AS i FROM range(10)")
    connection.execute("CHECKPOINT")
    connection.execute(f"INSERT INTO t SELECT range FROM range(10, {10 + rows})")
    # Left open, as a run keeps its world: the log is not folded into the file.
    _OPEN.append(connection)


_OPEN: list[duckdb.DuckDBPyConnection] = []


@pytest.fixture(autouse=True)
def _close_worlds() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().close()


def _count(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as connection:
        row = connection.execute("SELECT count(*) FROM t").fetchone()
    assert row is not None
    return int(row[0])


def test_a_copy_holds_the_last_transaction_s_rows_from_the_log_too(tmp_path: Path) -> None:
    source, target = tmp_path / "w.duckdb", tmp_path / "copy.duckdb"
    _world(source, rows=5)
    assert Path(f"{source}.wal").exists()
    copy_database(source, target)
    assert _count(target) == 15


def test_a_copy_of_no_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnknownWorldError, match="no world database"):
        copy_database(tmp_path / "none.duckdb", tmp_path / "copy.duckdb")


def test_each_call_reads_a_copy_taken_as_it_is_made(tmp_path: Path, helpers: ModuleType) -> None:
    source, scratch = tmp_path / "w.duckdb", tmp_path / "scratch"
    _world(source, rows=5)
    scratch.mkdir()
    (scratch / "left-by-a-killed-run.duckdb").write_text("")
    with SideProcess(scratch) as side:
        assert list(scratch.iterdir()) == []  # what a killed run left is gone
        first = side.read_copy(helpers.keep, source, str(tmp_path / "first.duckdb"))
        _OPEN[0].execute("INSERT INTO t SELECT range FROM range(100, 103)")
        second = side.read_copy(helpers.keep, source, str(tmp_path / "second.duckdb"))
        assert list(scratch.iterdir()) == []  # each copy is removed once its call returns
    assert first == second != os.getpid()  # one process, not this one
    assert (_count(tmp_path / "first.duckdb"), _count(tmp_path / "second.duckdb")) == (15, 18)
    assert not scratch.exists()


def test_the_calls_of_one_side_process_share_what_they_keep(
    tmp_path: Path, helpers: ModuleType
) -> None:
    """`resident` is one object per kind for all the calls a side process makes, and a new
    side process (a new run) starts with none."""
    source = tmp_path / "w.duckdb"
    _world(source, rows=1)
    with SideProcess(tmp_path / "scratch") as side:
        assert side.read_copy(helpers.tally, source) == ["0-w.duckdb"]
        assert side.read_copy(helpers.tally, source) == ["0-w.duckdb", "1-w.duckdb"]
    with SideProcess(tmp_path / "scratch") as side:
        assert side.read_copy(helpers.tally, source) == ["0-w.duckdb"]


def test_what_the_side_process_raised_reaches_the_caller(
    tmp_path: Path, helpers: ModuleType
) -> None:
    source = tmp_path / "w.duckdb"
    _world(source, rows=1)
    with SideProcess(tmp_path / "scratch") as side:
        with pytest.raises(LookupError, match=r"nothing in 0-w\.duckdb"):
            side.read_copy(helpers.fail, source)
        # The process is still there for the next call.
        assert side.read_copy(helpers.keep, source, str(tmp_path / "k.duckdb")) > 0


def test_a_side_process_that_dies_is_named(tmp_path: Path, helpers: ModuleType) -> None:
    source = tmp_path / "w.duckdb"
    _world(source, rows=1)
    with SideProcess(tmp_path / "scratch") as side:
        with pytest.raises(SideProcessError, match="ended before it answered"):
            side.read_copy(helpers.die, source)
        assert not list((tmp_path / "scratch").iterdir())
        with pytest.raises(SideProcessError, match="ended before it answered"):  # and stays so
            side.read_copy(helpers.keep, source, str(tmp_path / "k.duckdb"))


RUN = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    import side_helpers
    from worldloom.infrastructure.side_process import SideProcess
    world = Path(sys.argv[2])
    with SideProcess(world.parent / "scratch") as side:
        print(side.read_copy(side_helpers.keep, world, str(world) + ".kept"), flush=True)
        time.sleep(60)
    """
)
"""A run that starts its side process, names it, and waits to be killed."""


def test_a_side_process_ends_with_a_run_killed_alone(tmp_path: Path, helpers: ModuleType) -> None:
    source = tmp_path / "w.duckdb"
    _world(source, rows=1)
    run = subprocess.Popen(
        [sys.executable, "-c", RUN, str(Path(helpers.__file__).parent), str(source)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert run.stdout is not None
    side = int(run.stdout.readline())
    run.kill()  # the run alone, not its process group
    run.wait()
    deadline = time.monotonic() + 10 * ORPHAN_CHECK_S + 5
    while process_alive(side) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not process_alive(side)


def test_the_side_process_starts_with_the_run_and_its_modules_imported(
    tmp_path: Path, helpers: ModuleType
) -> None:
    """Before any call: started, and `warm`'s modules imported there (not here)."""
    mark = tmp_path / "imported"
    (Path(helpers.__file__).parent / "side_warm.py").write_text(
        f"import os\nwith open({str(mark)!r}, 'a') as f:\n    f.write(str(os.getpid()))\n"
    )
    with SideProcess(tmp_path / "scratch", warm=("side_warm",)):
        deadline = time.monotonic() + 60
        while not mark.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert mark.exists()
        side = int(mark.read_text())
        assert side != os.getpid()
        assert process_alive(side)
    assert "side_warm" not in sys.modules


def test_a_side_process_ends_with_its_output_flushed_but_no_teardown(
    tmp_path: Path, helpers: ModuleType, capfd: pytest.CaptureFixture[str]
) -> None:
    """As `with` ends, the side process exits at once: what it printed is out, but what only
    the interpreter's teardown would free (a module's object) is never finalized."""
    mark = tmp_path / "finalized"
    with SideProcess(tmp_path / "scratch") as side:
        pid = side.submit(helpers.hold, str(mark)).result()
    assert not process_alive(pid)
    assert "held" in capfd.readouterr().out
    assert not mark.exists()


def test_a_side_process_is_used_within_with(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="within `with`"):
        SideProcess(tmp_path).read_copy(os.path.getsize, tmp_path / "w.duckdb")


def test_a_call_s_big_arrays_come_back_through_a_mapped_file(
    tmp_path: Path, helpers: ModuleType
) -> None:
    """`submit` runs in the side process and gives its result as a future: arrays of
    `MAPPED_BYTES` or more through a file in the scratch folder (gone once the result is
    there), mapped copy-on-write, so they may be written without touching anything else; the
    smaller ones, and the rest, in the pickle."""
    scratch = tmp_path / "scratch"
    count = MAPPED_BYTES // 8
    with SideProcess(scratch) as side:
        first = side.submit(helpers.arrays, count, fill=7).result()
        second = side.submit(helpers.arrays, count + 1, fill=8).result()
        assert list(scratch.iterdir()) == []
    assert first["pid"] == second["pid"] != os.getpid()
    assert np.array_equal(first["big"], np.full(count, 7))
    assert np.array_equal(second["big"], np.full(count + 1, 8))
    assert np.array_equal(
        first["tall"], np.arange(count * 2, dtype=np.float32).reshape(-1, 2, order="F")
    )
    assert first["tall"].flags.f_contiguous
    assert first["tall"].dtype == np.float32
    assert np.array_equal(first["small"], np.arange(3))
    # Mapped (a view of the file's pages); the small one came in the pickle.
    assert _mapped(first["big"])
    assert _mapped(first["tall"])
    assert not _mapped(first["small"])
    first["big"][0] = -1  # writable, and written only here
    assert (first["big"][0], first["big"][1], second["big"][0]) == (-1, 7, 8)


def test_what_a_submitted_call_raised_or_its_death_reaches_the_caller(
    tmp_path: Path, helpers: ModuleType
) -> None:
    scratch = tmp_path / "scratch"
    with SideProcess(scratch) as side:
        with pytest.raises(LookupError, match="no prices"):
            side.submit(helpers.refuse, "prices").result()
        assert side.submit(helpers.arrays, 1, fill=1).result()["small"].size == 3
        with pytest.raises(SideProcessError, match="ended before it answered"):
            side.submit(helpers.end, 3).result()
        later = side.submit(helpers.arrays, 1, fill=1)  # a call after it died fails the same
        with pytest.raises(SideProcessError, match="ended before it answered"):
            later.result()
        assert list(scratch.iterdir()) == []
    with pytest.raises(RuntimeError, match="within `with`"):
        SideProcess(scratch).submit(helpers.arrays, 1, fill=1)


def _mapped(array: np.ndarray) -> bool:
    """Whether `array` is a view of a mapped file's pages."""
    base: object = array
    while isinstance(base, np.ndarray):
        base = base.base
    return isinstance(base, memoryview) and isinstance(base.obj, mmap.mmap)
