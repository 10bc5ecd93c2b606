"""A second process beside a run, for work that reads a world while the run goes on with it:
each call reads a copy of the world's file taken as the call is made.

Two threads of one process share its interpreter lock: a year's stories told beside the next
year in a thread overlapped ~7 % (both are Python-heavy). A process of its own has a core of
its own. DuckDB lets no process open a file that another writes, so it reads a copy taken
between the run's transactions and sends back what to write; the run writes it.
"""

from __future__ import annotations

import importlib
import itertools
import multiprocessing
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, TypeVar

from worldloom.infrastructure.runtime import tune_collector
from worldloom.infrastructure.store import copy_database, remove_database

ORPHAN_CHECK_S = 0.5
"""How often the side process checks that the run that started it is still there."""
P = ParamSpec("P")
T = TypeVar("T")

_RESIDENTS: dict[type[Any], Any] = {}
"""What the calls made in this process keep for the next ones (`resident`): in a side process,
its memory for the one run it serves; nothing in any other process."""


class SideProcessError(RuntimeError):
    """The side process ended before it answered (killed, or out of memory)."""


class SideProcess:
    """One worker process, started by `with` and stopped at its end. The copies it reads are
    made in `scratch`, which is emptied at both ends (a killed run leaves its copies there)."""

    def __init__(self, scratch: Path, *, warm: tuple[str, ...] = ()) -> None:
        """`warm`: modules the process imports as it starts (those its calls will need), so
        that the first call does not wait for them."""
        self._scratch, self._warm = scratch, warm
        self._pool: ProcessPoolExecutor | None = None
        self._calls = itertools.count()

    def __enter__(self) -> SideProcess:
        shutil.rmtree(self._scratch, ignore_errors=True)
        self._scratch.mkdir(parents=True)
        # Spawned, not forked: a fork would copy the run's other threads' state mid-step
        # (Prefect's event loop, DuckDB's workers).
        self._pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_settle,
            initargs=(self._warm,),
        )
        # Started now (a pool starts its process at its first call), so that its interpreter
        # and imports (~2 s of CPU) come up while the run goes on.
        self._pool.submit(int)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        shutil.rmtree(self._scratch, ignore_errors=True)

    def read_copy(
        self,
        function: Callable[Concatenate[str, P], T],
        path: Path,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """`function(copy, *args, **kwargs)` in the side process, where `copy` is the path of
        a copy of the world's file at `path` taken now (call it between the transactions of
        whoever writes the file); the copy is removed once the call returns.

        `function` must be importable by name, and what it takes and returns picklable.

        Raises:
            SideProcessError: the process ended before it answered.
            Exception: what `function` raised, its traceback from the side process as cause.
        """
        if self._pool is None:
            raise RuntimeError("the side process is not running: use it within `with`")
        copy = self._scratch / f"{next(self._calls)}-{path.name}"
        copy_database(path, copy)
        try:
            return self._pool.submit(function, str(copy), *args, **kwargs).result()
        except BrokenProcessPool as error:
            raise SideProcessError(f"the side process ended before it answered ({error})") from None
        finally:
            remove_database(copy)


def resident(kind: type[T]) -> T:
    """The one `kind` that the calls made in this side process share (made, `kind()`, at the
    first ask): what a call keeps for the next (the rows a year's stories left, which the next
    year reads). A side process serves one run and ends with it, so nothing outlives the run;
    what is kept must still be checked against the copy each call reads."""
    kept = _RESIDENTS.get(kind)
    if kept is None:
        kept = _RESIDENTS[kind] = kind()
    return kept


def _settle(warm: tuple[str, ...]) -> None:
    """The side process's settings: the command's cycle collector, but not its glibc allocator
    settings (the memory it would keep adds to the run's peak; polars' allocator's, an
    environment variable, it inherits); Ctrl-C is the run's to handle (the run stops the side
    process as it ends); and it ends with the run, however that ends (a run killed alone leaves
    its side process waiting for calls forever)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    tune_collector()
    for module in warm:
        importlib.import_module(module)
    threading.Thread(
        target=_end_with, args=(os.getppid(),), name="end-with-the-run", daemon=True
    ).start()


def _end_with(run: int) -> None:
    """End this process once the process `run` is gone (it is then another's child)."""
    while os.getppid() == run:
        time.sleep(ORPHAN_CHECK_S)
    os._exit(1)
