"""When a generate picks up a generation: the resume rule over the world's `runs` rows, and the
cache keys of a generation's tasks."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from prefect.context import TaskRunContext

from worldloom.infrastructure.provenance import code_version
from worldloom.infrastructure.store import open_store
from worldloom.tasks.generation import GenerationCache, open_generation, results_dir
from worldloom.tasks.provenance import code_identity, unfinished_run
from worldloom.tasks.world_record import world_db

WORLD = "w"
PARAMETERS = {"seed": 1, "preset": "tiny", "runner": "local", "fresh": False}


def record(
    home: Path,
    run_id: str,
    *,
    flow: str = "generate-world",
    status: str = "aborted",
    parameters: dict[str, Any] | None = None,
    code: str | None = None,
) -> None:
    """A finished run row, as provenance records one."""
    given = PARAMETERS | {"generation": f"g-{run_id}"} if parameters is None else parameters
    with open_store(world_db(str(home), WORLD)) as store:
        store.start_run(
            run_id=run_id,
            world_id=WORLD,
            flow=flow,
            parameters_json=json.dumps(given, sort_keys=True),
            parameters_hash="h",
            code_version=code or code_version(),
        )
        store.finish_run(run_id, status=status)


def rule(home: Path, **changes: object) -> dict[str, Any] | None:
    return unfinished_run(
        home=str(home),
        world_id=WORLD,
        flow="generate-world",
        parameters=PARAMETERS | changes,
        ignored={"runner", "fresh", "generation"},
    )


def test_a_world_never_generated_has_nothing_to_resume(home: Path) -> None:
    assert rule(home) is None
    record(home, "s", flow="simulate")
    assert rule(home) is None


@pytest.mark.parametrize("status", ["aborted", "failed"])
def test_a_run_cut_short_is_picked_up_however_it_runs(home: Path, status: str) -> None:
    record(home, "a", status=status)
    last = rule(home, runner="dask", fresh=True)
    assert last is not None
    assert last["generation"] == "g-a"


@pytest.mark.parametrize(
    ("how", "changes"),
    [
        ("finished", {"status": "completed"}),
        ("other code", {"code": "0.0.0+git.0123456789ab.src.00000000.lock.00000000"}),
        ("other parameters", {"parameters": PARAMETERS | {"seed": 2}}),
    ],
)
def test_a_run_that_finished_or_differs_is_not_picked_up(
    home: Path, how: str, changes: dict[str, Any]
) -> None:
    record(home, "a", **changes)
    assert rule(home) is None, how


def test_another_commit_of_the_same_source_is_the_same_code(home: Path) -> None:
    source = code_identity(code_version())
    record(home, "a", code=f"{source.split('+')[0]}+git.0123456789ab.{source.split('+')[1]}")
    assert rule(home) is not None
    assert code_identity("0.1.0+git.3f2a1b9c4d5e.src.1a2b3c4d.lock.9f8e7d6c") == (
        "0.1.0+src.1a2b3c4d.lock.9f8e7d6c"
    )


def test_a_run_on_the_world_since_means_starting_over(home: Path) -> None:
    record(home, "a")
    record(home, "b", flow="people", status="completed")
    assert rule(home) is None


def test_a_run_recorded_without_a_generation_starts_a_new_one(home: Path) -> None:
    record(home, "a", parameters=PARAMETERS)
    results = results_dir(str(home), WORLD)
    results.mkdir(parents=True)
    generation = open_generation.fn(home=str(home), world_id=WORLD, parameters=PARAMETERS)
    assert len(generation) == 32
    assert not results.exists()  # a fresh generation forgets the old one's results


def test_keys_are_the_generation_s_and_none_outside_one() -> None:
    context = cast(TaskRunContext, SimpleNamespace(task=SimpleNamespace(task_key="people-x")))
    inputs = {"home": "/h", "world_id": WORLD, "run_id": "r1"}
    assert GenerationCache().compute_key(context, inputs, {}) is None
    first = GenerationCache(generation="g1").compute_key(context, inputs, {})
    # The run id names the run, not the work: a resumed run's task has the same key.
    assert (
        GenerationCache(generation="g1").compute_key(context, inputs | {"run_id": "r2"}, {})
        == first
    )
    assert GenerationCache(generation="g2").compute_key(context, inputs, {}) != first
    assert (
        GenerationCache(generation="g1").compute_key(context, inputs | {"world_id": "v"}, {})
        != first
    )
