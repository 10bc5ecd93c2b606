"""Heartbeats: a run's subflows send none of their own; the run around them keeps its own."""

from __future__ import annotations

import time
from contextlib import AbstractContextManager, nullcontext
from typing import Any
from uuid import UUID

import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.events.filters import EventFilter, EventNameFilter, EventResourceFilter
from prefect.runtime import flow_run

from worldloom.flows.heartbeats import subflows_without_heartbeats

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_server")]


@flow
def _child() -> str:
    return str(flow_run.id)


def _parent(quiet: bool) -> list[str]:
    """The parent's run id and its two children's, run with or without the children's beats."""

    @flow
    def parent() -> list[str]:
        around: AbstractContextManager[None] = (
            subflows_without_heartbeats() if quiet else nullcontext()
        )
        with around:
            return [str(flow_run.id), _child(), _child()]

    return parent()


def _events(names: list[str], runs: list[str]) -> list[Any]:
    with get_client(sync_client=True) as client:
        page = client.read_events(
            filter=EventFilter(
                event=EventNameFilter(name=names),
                resource=EventResourceFilter(id=[f"prefect.flow-run.{run}" for run in runs]),
            ),
            limit=50,
        )
    return list(page.events)


def _beating(runs: list[str]) -> set[str]:
    """The runs that sent a heartbeat, once the parent's completion (sent after its children's
    beats would have been) has reached the server."""
    deadline = time.monotonic() + 60
    while not _events(["prefect.flow-run.Completed"], runs[:1]):
        assert time.monotonic() < deadline, "the parent's completion never arrived"
        time.sleep(0.25)
    beats = _events(["prefect.flow-run.heartbeat"], runs)
    return {event.resource.id.removeprefix("prefect.flow-run.") for event in beats}


def test_subflows_send_no_heartbeats_of_their_own() -> None:
    runs = _parent(quiet=True)
    assert all(UUID(run) for run in runs)
    assert len(set(runs)) == 3
    assert _beating(runs) == {runs[0]}


def test_without_it_every_subflow_beats() -> None:
    runs = _parent(quiet=False)
    assert _beating(runs) == set(runs)
