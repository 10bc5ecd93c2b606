"""Run provenance: each flow run leaves a `runs` row: what ran, with what, and how it ended."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
from prefect.runtime import flow_run

from worldloom.infrastructure.provenance import code_version
from worldloom.infrastructure.settings import Settings
from worldloom.infrastructure.snapshot import remove_stale_staging
from worldloom.infrastructure.store import open_store
from worldloom.infrastructure.world_lock import hold_world
from worldloom.tasks.world_record import world_db


@contextmanager
def held_world(*, home: str, world_id: str, what: str) -> Iterator[None]:
    """Hold the world's lock around a block (one run at a time per world); whoever takes it
    first in this process also clears up after runs that died: their `runs` rows become
    `aborted`, their half-written snapshots go.

    Raises:
        WorldBusyError: another process still runs something on the world after the wait.
    """
    settings = Settings(home=Path(home))
    with hold_world(
        settings.world_lock(world_id), world_id=world_id, what=what, wait_s=settings.lock_wait_s
    ) as first:
        if first:
            _clear_up_after_dead_runs(settings, world_id)
        yield


def _clear_up_after_dead_runs(settings: Settings, world_id: str) -> None:
    remove_stale_staging(settings.snapshots_dir / world_id)
    path = settings.world_db(world_id)
    if path.exists():
        with open_store(path) as store:
            store.abort_unfinished_runs(
                world_id, reason="its process ended before the run finished (killed or crashed)"
            )


@contextmanager
def recorded_run(
    *, home: str, world_id: str, flow: str, parameters: Mapping[str, Any]
) -> Iterator[str]:
    """Record a flow run's start, then its completion or failure (with the error), around a block.

    Yields:
        The run id (Prefect's flow run id when inside a flow run).
    """
    with (
        held_world(home=home, world_id=world_id, what=flow),
        _run_record(home=home, world_id=world_id, flow=flow, parameters=parameters) as run_id,
    ):
        yield run_id


@contextmanager
def _run_record(
    *, home: str, world_id: str, flow: str, parameters: Mapping[str, Any]
) -> Iterator[str]:
    run_id = str(flow_run.get_id() or uuid.uuid4())
    parameters_json = json.dumps(parameters, sort_keys=True, default=str)
    with open_store(world_db(home, world_id)) as store:
        store.start_run(
            run_id=run_id,
            world_id=world_id,
            flow=flow,
            parameters_json=parameters_json,
            parameters_hash=hashlib.sha256(parameters_json.encode()).hexdigest(),
            code_version=code_version(),
        )
    try:
        yield run_id
    except BaseException as error:
        with open_store(world_db(home, world_id)) as store:
            store.finish_run(run_id, status="failed", error=f"{type(error).__name__}: {error}")
        raise
    with open_store(world_db(home, world_id)) as store:
        store.finish_run(run_id, status="completed")


def unfinished_run(
    *,
    home: str,
    world_id: str,
    flow: str,
    parameters: Mapping[str, Any],
    ignored: Collection[str] = (),
) -> dict[str, Any] | None:
    """The recorded parameters of the world's last `flow` run if a run of `parameters` may
    pick up where it stopped: it was cut short (aborted: its process died; or failed), ran the
    same parameters (but those `ignored`: how it ran, or what it recorded for its successor)
    with the same code (`code_identity`), and nothing ran on the world since. Else None.

    Call it holding the world's lock, once runs that died are marked aborted (`held_world`).
    """
    path = world_db(home, world_id)
    if not path.exists():
        return None
    with open_store(path, read_only=True) as store:
        runs = store.read("runs", world_id).sort("started_at")
    mine = runs.filter(pl.col("flow") == flow)
    if mine.height == 0:
        return None
    last = mine.row(-1, named=True)
    same_code = code_identity(last["code_version"]) == code_identity(code_version())
    if last["status"] not in ("aborted", "failed") or not same_code:
        return None
    recorded: dict[str, Any] = json.loads(last["parameters_json"])
    if _comparable(recorded, ignored) != _comparable(parameters, ignored):
        return None
    if runs.filter(pl.col("started_at") > last["finished_at"]).height:
        return None  # something ran on the world since: it is not as that run left it
    return recorded


def _comparable(parameters: Mapping[str, Any], ignored: Collection[str]) -> Any:
    """The parameters but `ignored`, as their recorded JSON gives them back."""
    kept = {k: v for k, v in parameters.items() if k not in ignored}
    return json.loads(json.dumps(kept, sort_keys=True, default=str))


def code_identity(version: str) -> str:
    """What a `code_version` says about what the code does: all but its git commit (a commit
    of docs or tests changes nothing a run writes; the package's source and locked libraries,
    which the version also names, do)."""
    return re.sub(r"git\.[0-9a-f]+\.", "", version)
