"""Memory settings: applied before numpy loads, and what the user set wins; the cycle collector
runs less often."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from worldloom.flows import cli
from worldloom.infrastructure.runtime import (
    COLLECTOR_THRESHOLDS,
    POLARS_ALLOCATOR,
    POLARS_ALLOCATOR_SETTINGS,
)

PROBE = (
    "from worldloom.infrastructure.runtime import tune_memory\n"
    "tuned = tune_memory()\n"
    "import gc, numpy, os\n"
    "from numpy._core.multiarray import _set_madvise_hugepage\n"
    "print(tuned, os.environ['NUMPY_MADVISE_HUGEPAGE'], _set_madvise_hugepage(False),\n"
    f"      *gc.get_threshold(), os.environ[{POLARS_ALLOCATOR!r}])\n"
)
"""Prints whether glibc was tuned, numpy's huge-page variable, numpy's setting at import, the
collector's thresholds and polars' allocator's settings."""


def _probe(**env: str) -> list[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in ("NUMPY_MADVISE_HUGEPAGE", POLARS_ALLOCATOR)
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        check=False,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_tunes_glibc_and_turns_numpys_huge_page_advice_off() -> None:
    assert _probe()[:3] == ["True", "0", "False"]


ARENAS = (
    "import sys\n"
    "if sys.argv[1] != 'untuned':\n"
    "    from worldloom.infrastructure.runtime import tune_memory\n"
    "    tune_memory(one_heap=sys.argv[1] == 'one heap')\n"
    "import ctypes, threading, numpy\n"
    "thread = threading.Thread(target=lambda: numpy.ones(1 << 24).sum())\n"
    "thread.start()\n"
    "thread.join()\n"
    "libc = ctypes.CDLL('libc.so.6')\n"
    "libc.fopen.restype = ctypes.c_void_p\n"
    "out = libc.fopen(sys.argv[2].encode(), b'w')\n"
    "libc.malloc_info(0, ctypes.c_void_p(out))\n"
    "libc.fclose(ctypes.c_void_p(out))\n"
)
"""Allocates 128 MB in a thread beside the main one, then writes glibc's heaps as XML."""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's arenas")
def test_threads_share_one_heap_unless_a_server_asks_for_one_each(tmp_path: Path) -> None:
    """Each heap keeps its high-water memory: a thread's arena of its own would keep another;
    a server answering on many threads keeps them (one heap's lock slows its answers)."""
    heaps = {}
    for how in ("one heap", "a heap a thread", "untuned"):
        out = tmp_path / f"{how}.xml"
        subprocess.run([sys.executable, "-c", ARENAS, how, str(out)], check=True)
        heaps[how] = out.read_text().count("<heap nr=")
    assert heaps == {"one heap": 1, "a heap a thread": 2, "untuned": 2}


@pytest.mark.parametrize(
    ("command", "one_heap"),
    [("simulate", True), ("generate", True), ("api", False), ("batch", False)],
)
def test_the_command_line_keeps_a_heap_a_thread_for_the_api_and_batch_alone(
    command: str, one_heap: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[bool] = []

    def tune(*, one_heap: bool) -> bool:
        asked.append(one_heap)
        raise SystemExit(0)  # the command itself is not run

    monkeypatch.setattr(cli, "handle_interrupts", lambda: None)
    monkeypatch.setattr(cli, "tune_memory", tune)
    monkeypatch.setattr(sys, "argv", ["worldloom", command, "--help"])
    with pytest.raises(SystemExit):
        cli.main()
    assert asked == [one_heap]


def test_the_users_own_setting_wins() -> None:
    assert _probe(NUMPY_MADVISE_HUGEPAGE="1")[1:3] == ["1", "True"]
    assert _probe(**{POLARS_ALLOCATOR: "narenas:2"})[-1] == "narenas:2"


def test_the_cycle_collector_runs_less_often() -> None:
    assert [int(n) for n in _probe()[3:6]] == list(COLLECTOR_THRESHOLDS)


def test_polars_allocator_keeps_freed_pages_and_reads_the_variable_set_for_it() -> None:
    """The setting is made, and polars' allocator reads that variable as it loads: it warns of
    a setting it does not know (had a new polars renamed it, the setting would do nothing)."""
    assert _probe()[-1] == POLARS_ALLOCATOR_SETTINGS
    result = subprocess.run(
        [sys.executable, "-c", "import polars; polars.DataFrame({'a': [1]}).sum()"],
        check=False,
        env={**os.environ, POLARS_ALLOCATOR: "no_such_setting:1"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "no_such_setting" in result.stderr
