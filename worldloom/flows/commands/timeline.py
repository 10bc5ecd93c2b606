"""The sections `worldloom report` prints once a world has lived: its history and its stories."""

from __future__ import annotations

from worldloom.flows.commands.app import Consoles, frame_table
from worldloom.tasks.history_report import history_summary
from worldloom.tasks.story_report import story_summary


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


def print_stories(home: str, world_id: str) -> None:
    """The stories section of `worldloom report` and `worldloom stories`: the arcs to read
    first, the themes, the quests on offer and the rumors most widely held (nothing before any
    story was told)."""
    summary = story_summary(home, world_id)
    if summary is None:
        return
    Consoles.out.print(frame_table(summary.arcs.drop("summary"), title="Arcs to read first"))
    Consoles.out.print(frame_table(summary.motifs, title="Themes"))
    Consoles.out.print(frame_table(summary.quests, title="Quests on offer"))
    Consoles.out.print(frame_table(summary.rumors, title="Rumors most widely held"))
