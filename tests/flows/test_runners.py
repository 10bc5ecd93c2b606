"""Runner specs: what parses, what is refused, and the task runner each one gives."""

from __future__ import annotations

import os
import socket
import sys

import pytest
from distributed import Client
from hypothesis import given
from hypothesis import strategies as st
from prefect import flow, unmapped
from prefect.task_runners import ThreadPoolTaskRunner
from prefect_dask.task_runners import DaskTaskRunner

from worldloom.flows.runners import (
    default_workers,
    local_cluster_kwargs,
    parse_runner,
    runner_started_early,
    task_runner,
)
from worldloom.tasks.plan import plan_world, plan_world_task


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("local", "local"),
        (" LOCAL ", "local"),
        ("dask", "dask"),
        ("Dask", "dask"),
        ("tcp://127.0.0.1:8786", "tcp://127.0.0.1:8786"),
        ("tcp://scheduler.lan:8786/", "tcp://scheduler.lan:8786"),
        ("tls://10.0.0.5:9000", "tls://10.0.0.5:9000"),
        ("tcp://[::1]:8786", "tcp://[::1]:8786"),
    ],
)
def test_parse_runner_accepts_names_and_addresses(spec: str, expected: str) -> None:
    assert parse_runner(spec) == expected


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "threads",
        "dask2",
        "127.0.0.1:8786",
        "http://127.0.0.1:8786",
        "tcp://127.0.0.1",
        "tcp://:8786",
        "tcp://host:port",
        "tcp://host:99999",
        "tcp://host:8786/path",
        "tcp://host:8786?x=1",
        "tcp://user@host:8786",
    ],
)
def test_parse_runner_refuses_and_names_the_spec(spec: str) -> None:
    with pytest.raises(ValueError, match=r"runner|scheduler") as caught:
        parse_runner(spec)
    assert repr(spec) in str(caught.value)


@given(st.text(alphabet=st.characters(categories=["L", "N", "P"]), max_size=20))
def test_parse_runner_either_normalises_or_refuses(spec: str) -> None:
    message = ""
    try:
        parsed = parse_runner(spec)
    except ValueError as error:
        message = str(error)
    if message:
        assert repr(spec) in message
    else:
        assert parsed in ("local", "dask") or parsed.startswith(("tcp://", "tls://"))
        assert parse_runner(parsed) == parsed  # normalised specs are fixed points


def test_local_spec_gives_a_thread_pool() -> None:
    runner = task_runner("local", workers=3)
    assert isinstance(runner, ThreadPoolTaskRunner)
    assert runner._max_workers == 3


def test_dask_spec_gives_a_local_cluster_of_processes() -> None:
    runner = task_runner("dask", workers=2)
    assert isinstance(runner, DaskTaskRunner)
    assert runner.address is None
    assert runner.cluster_class == "distributed.LocalCluster"
    assert runner.cluster_kwargs["n_workers"] == 2
    assert runner.cluster_kwargs["threads_per_worker"] == 1
    assert runner.cluster_kwargs["processes"] is True
    assert runner.cluster_kwargs["host"] == "127.0.0.1"


def test_address_spec_connects_to_that_scheduler() -> None:
    runner = task_runner("tcp://10.1.2.3:8786")
    assert isinstance(runner, DaskTaskRunner)
    assert runner.address == "tcp://10.1.2.3:8786"
    assert runner.cluster_class is None


def test_bad_spec_gives_no_runner() -> None:
    with pytest.raises(ValueError, match="'gpu'"):
        task_runner("gpu")


def test_cluster_size_defaults_to_the_cores_and_refuses_none() -> None:
    assert 1 <= local_cluster_kwargs()["n_workers"] <= 4
    with pytest.raises(ValueError, match="at least one worker"):
        local_cluster_kwargs(0)


@flow
def plan_worlds(seeds: list[int]) -> list[str]:
    """A small flow: a world planned per seed, each a task (a real worldloom task, importable by
    name as Dask's workers need it), the ids gathered in order."""
    futures = plan_world_task.map(
        seed=seeds, preset=unmapped("tiny"), name=unmapped(None), overrides=unmapped({})
    )
    return [future.result().world_id for future in futures]


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_server")
def test_a_flow_on_a_dask_cluster_computes_what_the_local_runner_does() -> None:
    seeds = list(range(30, 42))
    local = plan_worlds.with_options(task_runner=task_runner("local"))(seeds)
    on_dask = plan_worlds.with_options(task_runner=task_runner("dask", workers=2))(seeds)
    assert on_dask == local
    assert local == [
        plan_world(seed=seed, preset="tiny", name=None, overrides={}).world_id for seed in seeds
    ]
    assert len(set(local)) == len(seeds)


def test_local_threads_default_to_the_cores() -> None:
    runner = task_runner("local")
    assert isinstance(runner, ThreadPoolTaskRunner)
    assert runner._max_workers == default_workers() == local_cluster_kwargs()["n_workers"]


def test_a_runner_started_early_is_made_when_asked() -> None:
    with runner_started_early("local", workers=3) as early:
        runner = early.runner()
        early.close()  # nothing to close
    assert isinstance(runner, ThreadPoolTaskRunner)
    assert runner._max_workers == 3
    with (
        pytest.raises(ValueError, match="at least one worker"),
        runner_started_early("dask", workers=0),
    ):
        pass  # refused before any cluster starts


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_server")
@pytest.mark.parametrize("closed", ["by the stage", "with the block"])
def test_a_dask_cluster_started_early_runs_the_flow_and_is_closed_after(closed: str) -> None:
    seeds = list(range(30, 36))
    with runner_started_early("dask", workers=1) as early:
        runner = early.runner()
        assert isinstance(runner, DaskTaskRunner)
        assert runner.address is not None
        assert runner.address.startswith("tcp://127.0.0.1:")
        assert plan_worlds.with_options(task_runner=early.runner())(seeds) == plan_worlds(seeds)
        if closed == "by the stage":
            early.close()
            assert not _listening(runner.address)
            early.close()  # a second time: nothing
    assert not _listening(runner.address)


def _listening(address: str) -> bool:
    """Whether a scheduler listens at `address` (tcp://host:port)."""
    host, port = address.removeprefix("tcp://").split(":")
    with socket.socket() as probe:
        return probe.connect_ex((host, int(port))) == 0


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_server")
def test_local_cluster_workers_are_forked_from_one_server_with_the_batches_task_imported() -> None:
    with runner_started_early("dask", workers=2) as early:
        address = early.runner().address
        assert address is not None
        with Client(address) as client:
            parents = client.run(os.getppid)
            nannies = client.run(os.getpid, nanny=True)
            # A lambda travels by value: a worker cannot import this test module.
            imported = client.run(lambda: "worldloom.tasks.people_npcs" in sys.modules)
    assert len(parents) == 2
    assert len(set(parents.values())) == 1  # one server forked them both
    assert set(parents.values()).isdisjoint(nannies.values())  # not spawned by their nannies
    assert all(imported.values())
