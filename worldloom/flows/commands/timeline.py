"""The history section `worldloom report` prints once a world has lived."""

from __future__ import annotations

from worldloom.flows.commands.app import Consoles, frame_table
from worldloom.tasks.history_report import history_summary


def print_history(home: str, world_id: str) -> None:
    """The history section of `worldloom report`: the timeline, the most important events,
    the wars and the events by type (nothing before the world has lived a year)."""
    history = history_summary(home, world_id)
    if history is None:
        return
    Consoles.out.print(frame_table(history.timeline, title="Timeline by year"))
    top = history.top_events.drop("payload")
    Consoles.out.print(frame_table(top, title="Most important events"))
    if history.wars.height:
        Consoles.out.print(frame_table(history.wars.drop("payload"), title="Wars declared"))
    Consoles.out.print(frame_table(history.event_counts, title="Events by type"))
