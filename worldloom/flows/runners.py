"""Task runners by name: `local` threads, a `dask` LocalCluster, or a Dask scheduler's address."""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from multiprocessing import forkserver
from typing import Any
from urllib.parse import urlsplit

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

LOCAL = "local"
DASK = "dask"
SCHEDULER_SCHEMES = ("tcp", "tls")
"""Dask's network protocols a scheduler address may name (`tcp://host:8786`)."""
RUNNER_HELP = "local (threads), dask (a LocalCluster here) or a tcp://HOST:PORT scheduler"

WORKER_MODULES = ("distributed", "prefect_dask.task_runners", "worldloom.tasks.people_npcs")
"""What a LocalCluster's worker process has imported before it is forked: Dask's worker, Prefect's
task engine for Dask and the NPC batches' task (~2.9 s of CPU once, against ~3.4 s for the whole
pipeline's flows: the import runs beside the stages before the batches). A worker given other
tasks (a `batch` command's whole generations) imports the rest with its first."""

BATCHES_PER_WORKER = 2
"""How many of a stage's batches a LocalCluster's worker takes: each batch sent to a worker
process pays a Prefect task run there and its own reads (~0.2 s), so a few large ones per
worker (a medium world's NPCs: 4 batches in 1.0 s on two workers, 17 in 2.9 s) rather than the
many small ones the local threads share at no such cost."""

LOCAL_WORKERS_MAX = 4
"""A LocalCluster gets one single-threaded worker process per core, up to this many: the
CPU-heavy stages hold the GIL (numpy, numba, Python loops), so processes, not threads, are what
run them side by side, and more workers than cores only adds memory and contention."""


def parse_runner(spec: str) -> str:
    """The runner `spec` names, normalised: `local`, `dask`, or a scheduler's `tcp://host:port`.

    Args:
        spec: what the user wrote after `--runner` (case and surrounding spaces do not matter
            for the names).

    Returns:
        `local`, `dask`, or the address as `scheme://host:port`.

    Raises:
        ValueError: `spec` is none of these; the message names it and what is accepted.
    """
    name = spec.strip()
    if name.lower() in (LOCAL, DASK):
        return name.lower()
    if "://" not in name:
        raise ValueError(f"unknown runner {spec!r}: use {RUNNER_HELP}")
    parts = urlsplit(name)
    try:
        port = parts.port
    except ValueError:
        port = None
    if (
        parts.scheme not in SCHEDULER_SCHEMES
        or not parts.hostname
        or port is None
        or parts.path not in ("", "/")
        or parts.query
        or parts.username
    ):
        raise ValueError(
            f"bad Dask scheduler address {spec!r}: use tcp://HOST:PORT (e.g. tcp://10.0.0.5:8786)"
        )
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}:{port}"


def default_workers() -> int:
    """One per core, at most `LOCAL_WORKERS_MAX`."""
    return min(LOCAL_WORKERS_MAX, os.cpu_count() or 1)


def local_cluster_kwargs(workers: int | None = None) -> dict[str, Any]:
    """Settings of the LocalCluster `--runner dask` starts: single-threaded worker processes
    (one per core unless `workers` says), bound to 127.0.0.1, the dashboard on a free port (8787,
    its default, would clash between concurrent commands), only its warnings and errors logged."""
    count = workers if workers is not None else default_workers()
    if count < 1:
        raise ValueError(f"a Dask cluster needs at least one worker, not {count}")
    return {
        "n_workers": count,
        "threads_per_worker": 1,
        "processes": True,
        "host": "127.0.0.1",
        "dashboard_address": ":0",  # None still binds 8787, which concurrent clusters share
        "silence_logs": logging.WARNING,
    }


def fork_workers_from_preloaded_server() -> None:
    """Have the LocalClusters this process starts fork their worker processes from one server
    process that imported `WORKER_MODULES` once, rather than spawn each anew to import them
    (Dask's default): a worker then starts in ~0.02 s of CPU rather than ~2.6 s, which on a
    machine whose cores run the pipeline too is time its NPC batches waited for workers.

    The server (`multiprocessing`'s forkserver) imports and nothing else: no Polars, DuckDB or
    numba thread pool runs in it when it forks (importing starts none), so the workers start
    clean. It starts with the first cluster (or `start_worker_server`), with the environment of
    that moment, and serves every later one.
    """
    # Imported here: dask and distributed take ~1 s to import and most commands never use them.
    import dask  # noqa: PLC0415

    dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"})
    # Started here with our modules: Dask would start it with its own (it sets a preload of
    # its packages on first use, which does nothing to a server already running).
    start_worker_server()


def start_worker_server() -> None:
    """Start the server LocalCluster workers are forked from (`fork_workers_from_preloaded_server`)
    now, in the background (it imports `WORKER_MODULES`, ~2.5 s of one core), so that a cluster
    started later finds it ready. Call it where the environment workers need is set (Prefect's
    API, its home): the server and the workers it forks keep that environment."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(WORKER_MODULES))
    forkserver.ensure_running()


def task_runner(spec: str, *, workers: int | None = None) -> TaskRunner[Any]:
    """A fresh task runner for `spec` (see `parse_runner`), for `flow.with_options`.

    Args:
        spec: `local`, `dask` or a Dask scheduler address.
        workers: worker processes of the LocalCluster `dask` starts, or threads of the `local`
            pool (default for both: one per core, at most four). Ignored for an address.

    Returns:
        A ThreadPoolTaskRunner, or a DaskTaskRunner that starts its LocalCluster (or connects
        to the scheduler) when the flow starts and closes it when the flow ends.

    Raises:
        ValueError: `spec` names no runner.

    A task sent to Dask's worker processes is pickled: build it as `task(...)(function)` with
    the function kept under its own module-level name (as `flows.batch.generate_seed` is), so
    workers import it; a function decorated in place is copied by value, without the module's
    names its annotations (e.g. a subflow's parameter model) are resolved against.
    """
    name = parse_runner(spec)
    if name == LOCAL:
        return ThreadPoolTaskRunner(max_workers=workers or default_workers())
    # Imported here: dask and distributed take ~1 s to import and most commands never use them.
    from prefect_dask.task_runners import DaskTaskRunner  # noqa: PLC0415

    if name == DASK:
        fork_workers_from_preloaded_server()
        return DaskTaskRunner(
            cluster_class="distributed.LocalCluster",
            cluster_kwargs=local_cluster_kwargs(workers),
        )
    return DaskTaskRunner(address=name)


class EarlyRunner:
    """A stage's task runner, and the cluster it runs on if `runner_started_early` started one."""

    def __init__(self, spec: str, workers: int | None, starting: Future[Any] | None) -> None:
        self._spec, self._workers, self._starting = spec, workers, starting

    def runner(self) -> TaskRunner[Any]:
        """A fresh task runner for the stage: on the cluster started early (once it is up), or
        `spec`'s (see `task_runner`)."""
        if self._starting is None:
            return task_runner(self._spec, workers=self._workers)
        return task_runner(self._starting.result().scheduler_address)

    def close(self) -> None:
        """End the cluster (its scheduler and workers), if one was started: once the stage is
        done, so that the stages after it have the cores to themselves. Again, nothing."""
        starting, self._starting = self._starting, None
        if starting is not None and starting.exception() is None:  # a failed start says so
            starting.result().close()  # when asked for its runner


@contextmanager
def runner_started_early(spec: str, *, workers: int | None = None) -> Iterator[EarlyRunner]:
    """Within: `spec`'s runner for a stage that runs later. For `dask`, the LocalCluster starts
    now, in the background, so that its worker processes come up while the earlier stages run
    (~3.5 s here with a worker server to start: `fork_workers_from_preloaded_server`); it is
    closed when the block ends if `EarlyRunner.close` did not close it before.

    Raises:
        ValueError: `spec` names no runner, or `workers` is below one (at once, not later).
    """
    if parse_runner(spec) != DASK:
        yield EarlyRunner(spec, workers, None)
        return
    kwargs = local_cluster_kwargs(workers)
    fork_workers_from_preloaded_server()
    from distributed import LocalCluster  # noqa: PLC0415

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dask-cluster") as starter:
        early = EarlyRunner(spec, workers, starter.submit(LocalCluster, **kwargs))
        try:
            yield early
        finally:
            early.close()
