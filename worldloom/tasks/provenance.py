"""Run provenance: each flow run leaves a `runs` row: what ran, with what, and how it ended."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from prefect.runtime import flow_run

from worldloom.infrastructure.provenance import code_version
from worldloom.infrastructure.store import open_store
from worldloom.tasks.world import world_db


@contextmanager
def recorded_run(
    *, home: str, world_id: str, flow: str, parameters: Mapping[str, Any]
) -> Iterator[str]:
    """Record a flow run's start, then its completion or failure (with the error), around a block.

    Yields:
        The run id (Prefect's flow run id when inside a flow run).
    """
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
