"""One heartbeat per process: the subflows of a run send none of their own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings


@contextmanager
def subflows_without_heartbeats() -> Iterator[None]:
    """Run the block's subflows without heartbeats of their own (the flow around keeps its own).

    Prefect has every flow run send a heartbeat (every 180 s by default) so the server can tell
    a run whose process died, and at each run's end it joins the thread that sends them, which
    waits out the second that thread sleeps in: about 1 s a run (a flow of 8 empty subflows on
    a local server took 11.2 s, 2.0 s without their heartbeats). A subflow lives and dies in its
    parent's process, whose heartbeat already tells the server it is alive.
    """
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
