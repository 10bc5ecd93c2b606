"""Runner specs: what parses, what is refused, and the task runner each one gives."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prefect.task_runners import ThreadPoolTaskRunner
from prefect_dask.task_runners import DaskTaskRunner

from worldloom.flows.runners import local_cluster_kwargs, parse_runner, task_runner


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
