"""A second process beside a run, for work done while the run goes on: reading a world (each
call reads a copy of the world's file taken as the call is made), or computing from what the
call is given.

Two threads of one process share its interpreter lock: a year's stories told beside the next
year in a thread overlapped ~7 % (both are Python-heavy), and a small world's economy run beside
its year's write took 0.54-0.62 s against 0.31 s alone, the write 0.56-0.67 s against 0.27 s.
A process of its own has a core of its own. DuckDB lets no process open a file that another
writes, so it reads a copy taken between the run's transactions and sends back what to write;
the run writes it.
"""

from __future__ import annotations

import atexit
import importlib
import itertools
import mmap
import multiprocessing
import os
import pickle
import shutil
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, TypeVar

from worldloom.infrastructure.runtime import tune_collector, tune_memory
from worldloom.infrastructure.store import copy_database, remove_database

ORPHAN_CHECK_S = 0.5
"""How often the side process checks that the run that started it is still there."""
MAPPED_BYTES = 1 << 16
"""A result's buffers (numpy arrays) of this size or more come back through a file mapped into
the caller (`SideProcess.submit`), the smaller ones in the pickle."""
P = ParamSpec("P")
T = TypeVar("T")

_RESIDENTS: dict[type[Any], Any] = {}
"""What the calls made in this process keep for the next ones (`resident`): in a side process,
its memory for the one run it serves; nothing in any other process."""


class SideProcessError(RuntimeError):
    """The side process ended before it answered (killed, or out of memory)."""


class SideProcess:
    """One worker process, started by `with` and stopped at its end. The copies it reads, and
    the files its results' arrays come back through, are made in `scratch`, which is emptied at
    both ends (a killed run leaves its files there)."""

    def __init__(
        self, scratch: Path, *, warm: tuple[str, ...] = (), tuned_heap: bool = False
    ) -> None:
        """`warm`: modules the process imports as it starts (those its calls will need), so
        that the first call does not wait for them. `tuned_heap`: the process keeps freed
        memory for its next arrays, as the command's own process does (`tune_memory`): for
        calls that make and drop big arrays (an economy's days), at the cost of its
        high-water memory kept until it ends."""
        self._scratch, self._warm, self._tuned_heap = scratch, warm, tuned_heap
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
            initargs=(self._warm, self._tuned_heap),
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
        copy = self._scratch / f"{next(self._calls)}-{path.name}"
        pool = self._running()
        copy_database(path, copy)
        try:
            return _answer(_sent(pool, function, str(copy), *args, **kwargs))
        finally:
            remove_database(copy)

    def submit(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """`function(*args, **kwargs)` in the side process, now; its result, once there, from
        the future's `result()`. The result's big buffers (numpy arrays of `MAPPED_BYTES` or
        more) come back through a file in the scratch folder, mapped here copy-on-write (so
        they may be written) and removed at once, not through the pipe: a medium world's
        year of economy (142 MB, mostly four day x market x good arrays) pickled, sent and
        loaded again cost ~0.4 s of CPU a year more than the thread it replaced, and five of
        its years took longer, not less.

        `function` must be importable by name, and what it takes and returns picklable.

        Raises (from `result()`):
            SideProcessError: the process ended before it answered.
            Exception: what `function` raised, its traceback from the side process as cause.
        """
        path = self._scratch / f"{next(self._calls)}-result"
        pool = self._running()
        sent = _sent(pool, _mapped_call, str(path), function, args, kwargs)
        answer: Future[T] = Future()

        def received(done: Future[tuple[bytes, list[int]]]) -> None:
            try:
                answer.set_result(_mapped_result(path, *_answer(done)))
            except BaseException as error:  # handed to whoever asks for the answer
                path.unlink(missing_ok=True)  # written in part by a process that died
                answer.set_exception(error)

        sent.add_done_callback(received)
        return answer

    def _running(self) -> ProcessPoolExecutor:
        if self._pool is None:
            raise RuntimeError("the side process is not running: use it within `with`")
        return self._pool


def _sent(
    pool: ProcessPoolExecutor, function: Callable[..., T], *args: Any, **kwargs: Any
) -> Future[T]:
    """`function`'s call sent to the pool's process; a process that has died already fails the
    call's future, as one that dies while it runs does."""
    try:
        return pool.submit(function, *args, **kwargs)
    except BrokenProcessPool as error:
        failed: Future[T] = Future()
        failed.set_exception(error)
        return failed


def _answer(call: Future[T]) -> T:
    """The side process's answer to `call`, its death named."""
    try:
        return call.result()
    except BrokenProcessPool as error:
        raise SideProcessError(f"the side process ended before it answered ({error})") from None


def _mapped_call(
    path: str, function: Callable[..., object], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[bytes, list[int]]:
    """In the side process: `function`'s result pickled, its big buffers written one after
    another to `path` instead (`SideProcess.submit`); the pickle and the buffers' sizes."""
    result = function(*args, **kwargs)
    mapped: list[memoryview] = []

    def in_band(buffer: pickle.PickleBuffer) -> bool:
        raw = buffer.raw()
        if raw.nbytes < MAPPED_BYTES:
            return True
        mapped.append(raw)
        return False

    pickled = pickle.dumps(result, protocol=5, buffer_callback=in_band)
    if mapped:
        with open(path, "wb") as file:
            for raw in mapped:
                file.write(raw)
    return pickled, [raw.nbytes for raw in mapped]


def _mapped_result(path: Path, pickled: bytes, sizes: list[int]) -> Any:
    """The result `_mapped_call` sent: its buffers views of `path`, mapped copy-on-write (the
    file is removed at once: the mapping keeps its pages while the arrays live)."""
    if not sizes:
        return pickle.loads(pickled)
    with open(path, "rb") as file:
        whole = memoryview(mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_COPY))
    path.unlink()
    ends = list(itertools.accumulate(sizes))
    starts = [0, *ends[:-1]]
    return pickle.loads(
        pickled, buffers=[whole[start:end] for start, end in zip(starts, ends, strict=True)]
    )


def resident(kind: type[T]) -> T:
    """The one `kind` that the calls made in this side process share (made, `kind()`, at the
    first ask): what a call keeps for the next (the rows a year's stories left, which the next
    year reads). A side process serves one run and ends with it, so nothing outlives the run;
    what is kept must still be checked against the copy each call reads."""
    kept = _RESIDENTS.get(kind)
    if kept is None:
        kept = _RESIDENTS[kind] = kind()
    return kept


def _settle(warm: tuple[str, ...], tuned_heap: bool) -> None:
    """The side process's settings: the command's cycle collector, and its glibc allocator
    settings only if `tuned_heap` (the memory it would keep adds to the run's peak; polars'
    allocator's, an environment variable, it inherits); Ctrl-C is the run's to handle (the run
    stops the side process as it ends); and it ends with the run, however that ends (a run
    killed alone leaves its side process waiting for calls forever), and without the
    interpreter's teardown (`_exit_now`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    atexit.register(_exit_now)
    if tuned_heap:
        tune_memory()
    else:
        tune_collector()
    for module in warm:
        importlib.import_module(module)
    threading.Thread(
        target=_end_with, args=(os.getppid(),), name="end-with-the-run", daemon=True
    ).start()


def _exit_now() -> None:
    """End the side process as its pool lets it go, without the interpreter's teardown:
    freeing the modules and memory of a run's calls (numba's compiler, polars, the stories'
    rows kept between years) took 0.7-0.9 s a process, which the run waited for as it ended.
    Its results are sent by then, its files are the run's, and its standard streams were
    flushed as its worker returned (multiprocessing's own last step)."""
    os._exit(0)


def _end_with(run: int) -> None:
    """End this process once the process `run` is gone (it is then another's child)."""
    while os.getppid() == run:
        time.sleep(ORPHAN_CHECK_S)
    os._exit(1)
