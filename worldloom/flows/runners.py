"""Task runners by name: `local` threads, a `dask` LocalCluster, or a Dask scheduler's address."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

LOCAL = "local"
DASK = "dask"
SCHEDULER_SCHEMES = ("tcp", "tls")
"""Dask's network protocols a scheduler address may name (`tcp://host:8786`)."""
RUNNER_HELP = "local (threads), dask (a LocalCluster here) or a tcp://HOST:PORT scheduler"

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
        return DaskTaskRunner(
            cluster_class="distributed.LocalCluster",
            cluster_kwargs=local_cluster_kwargs(workers),
        )
    return DaskTaskRunner(address=name)


@contextmanager
def runner_started_early(
    spec: str, *, workers: int | None = None
) -> Iterator[Callable[[], TaskRunner[Any]]]:
    """Within: a factory of `spec`'s task runner (see `task_runner`) for a stage that runs
    later. For `dask`, the LocalCluster starts now, in the background, so that its worker
    processes (~10 s to start here) come up while the earlier stages run, and the factory's
    runner connects to it; it is closed when the block ends.

    Raises:
        ValueError: `spec` names no runner, or `workers` is below one (at once, not later).
    """
    if parse_runner(spec) != DASK:
        yield lambda: task_runner(spec, workers=workers)
        return
    kwargs = local_cluster_kwargs(workers)
    # Imported here: dask and distributed take ~1 s to import and most commands never use them.
    from distributed import LocalCluster  # noqa: PLC0415

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dask-cluster") as starter:
        starting: Future[LocalCluster] = starter.submit(LocalCluster, **kwargs)
        try:
            yield lambda: task_runner(starting.result().scheduler_address)
        finally:
            if starting.exception() is None:  # one that failed to start says so when asked
                starting.result().close()
