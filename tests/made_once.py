"""A folder made once per test run, however many pytest-xdist workers ask for it: for session
fixtures whose making (a generated world) is the slow part."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

DONE = ".made"
"""The file a finished folder holds: what its maker returned."""


def run_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary folder of this whole run: under xdist each worker's base is a folder of
    it (`pytest-N/popen-gw0`), without xdist it is the base itself."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def made_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], str]
) -> tuple[Path, str]:
    """The folder `name` of this run, and what `make(folder)` returned when it filled it: the
    first worker to ask makes it while the others wait on a lock, then they all read it.

    A maker that raised leaves no `DONE` file, so the next asker starts the folder afresh.
    Whoever uses the folder must copy it before changing anything in it.
    """
    folder = run_root(tmp_path_factory) / name
    with folder.with_name(f"{name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        done = folder / DONE
        if not done.is_file():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            done.with_name(f"{DONE}.tmp").write_text(make(folder), encoding="utf-8")
            done.with_name(f"{DONE}.tmp").rename(done)
        return folder, done.read_text(encoding="utf-8")
