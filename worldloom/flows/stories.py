"""The stories flow: the narrative systems read the world's history up to its last year's end."""

from __future__ import annotations

from prefect import flow
from pydantic import BaseModel, ConfigDict

from worldloom.tasks.motifs_dialogue import score_motifs_stage, write_dialogue_stage
from worldloom.tasks.provenance import recorded_run
from worldloom.tasks.stories import tell_year_stories
from worldloom.tasks.story_prose import retell_stories
from worldloom.tasks.story_report import publish_story_report


class ToldStories(BaseModel):
    """What a stories run left: arcs, rumors, memories, quests, motifs and dialogue lines."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    world_id: str
    arcs: int
    rumors: int
    memories: int
    quests: int
    motifs: int
    lines: int


@flow(name="stories", flow_run_name="{world_id} · stories")
def stories_flow(home: str, world_id: str, llm: str | None = None) -> ToldStories:
    """Tell the stories of the history recorded since the last run (arcs sifted from the
    events, rumors travelling, notables' memories, quest boards: each resumes where it stopped
    reading), then score the history's motifs and write what each notable says; with `llm`,
    the leading arcs, rumors and notables' lines are retold through it."""
    params = {"llm": llm}
    with recorded_run(home=home, world_id=world_id, flow="stories", parameters=params) as run:
        written = tell_year_stories(home=home, world_id=world_id)
        motifs = score_motifs_stage(home=home, world_id=world_id)
        lines = write_dialogue_stage(home=home, world_id=world_id)
        if llm is not None and llm != "none":
            retell_stories(home=home, world_id=world_id, llm=llm, run_id=run)
        publish_story_report(home=home, world_id=world_id)
    return ToldStories(
        world_id=world_id,
        arcs=written["arcs"],
        rumors=written["rumors"],
        memories=written["memories"],
        quests=written["quests"],
        motifs=motifs,
        lines=lines,
    )
