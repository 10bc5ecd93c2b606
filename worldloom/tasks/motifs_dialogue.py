"""The stories stage's tasks over the whole history, once a run's years are told: the motifs
of the history (`score_motifs_stage`) and what each living notable says (`write_dialogue_stage`).
"""

from __future__ import annotations

import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from worldloom.infrastructure.store import WorldStore, open_store
from worldloom.systems.narrative.dialogue import write_dialogue
from worldloom.systems.narrative.motif import MotifScores, score_motifs
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog
from worldloom.tasks.story_book import notables_of, world_names
from worldloom.tasks.story_year import story_clock
from worldloom.tasks.world_record import load_world, world_db


@task(name="score-motifs", cache_policy=NO_CACHE, task_run_name="score-motifs · {world_id}")
def score_motifs_stage(*, home: str, world_id: str) -> int:
    """Score the themes of the whole history, per world, region and arc; returns how many
    motifs the world carries."""
    path = world_db(home, world_id)
    with open_store(path, read_only=True) as store:
        events = store.read("events", world_id)
        arcs, arc_events = store.read("arcs", world_id), store.read("arc_events", world_id)
    scores = score_motifs(
        table=catalog.motif_table(), events=events, arcs=arcs, arc_events=arc_events
    )
    with open_store(path) as store:
        store.replace_rows(
            world_id,
            {"motifs": scores.world, "region_motifs": scores.regions, "arcs": scores.arcs},
        )
    get_run_logger().info("motifs: %s", ", ".join(scores.world["motif"].head(3)))
    return scores.world.height


@task(name="write-dialogue", cache_policy=NO_CACHE, task_run_name="write-dialogue · {world_id}")
def write_dialogue_stage(*, home: str, world_id: str) -> int:
    """Write what each living notable says: greetings, rumors, quest offers, memories; returns
    the lines written."""
    path = world_db(home, world_id)
    with open_store(path, read_only=True) as store:
        world = load_world(store, world_id)
        lines = write_dialogue(
            rules=catalog.dialogue_rules(),
            motifs=MotifScores(
                world=store.read("motifs", world_id),
                regions=store.read("region_motifs", world_id),
                arcs=store.read("arcs", world_id),
                table=catalog.motif_table(),
            ),
            names=world_names(store, world_id),
            tick=story_clock(world.tick),
            seeds=Seeds(world.config.seed),
            **dialogue_inputs(store, world_id),
        )
    with open_store(path) as store:
        store.replace_rows(world_id, {"dialogue_lines": lines})
    get_run_logger().info("dialogue: %d lines", lines.height)
    return lines.height


def dialogue_inputs(store: WorldStore, world_id: str) -> dict[str, pl.DataFrame]:
    """What notables speak of (`write_dialogue`'s and `line_facts`' frames): the living
    notables, the rumors believed where each lives, quests and their steps, memories."""
    people = store.read("npcs", world_id, where={"notable": True}).select(
        "npc_id",
        pl.concat_str("name", "family_name", separator=" ").alias("name"),
        pl.col("notable_role").fill_null("notable"),
        "trait_1",
        "trait_2",
        "trait_3",
    )
    speakers = (
        _notables(store, world_id).filter(pl.col("died_tick").is_null()).join(people, on="npc_id")
    )
    believed = store.read("rumor_beliefs", world_id).join(
        store.read("rumor_versions", world_id).select("rumor_id", "version", "text"),
        on=["rumor_id", "version"],
    )
    return {
        "speakers": speakers,
        "rumors": believed.select("settlement_id", "rumor_id", "version", "text", "confidence"),
        "quests": store.read("quests", world_id),
        "quest_steps": store.read("quest_steps", world_id),
        "memories": store.read("memories", world_id),
    }


def _notables(store: WorldStore, world_id: str) -> pl.DataFrame:
    """Notables as `notables_of` gives them, read from the store."""
    tables = ("npcs", "settlements", "factions", "provinces", "npc_vitals")
    return notables_of(*(store.read(table, world_id) for table in tables))
