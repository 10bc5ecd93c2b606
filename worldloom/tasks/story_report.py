"""The stories a world tells, summarised: the arcs to read first (steered by its motifs), its
themes, the quests on offer and the rumors most widely believed — for `worldloom stories`,
`worldloom report` and the stories flow's artifact."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from worldloom.infrastructure.analytics.markdown import markdown_table
from worldloom.infrastructure.store import open_store
from worldloom.systems.narrative.motif import MotifScores, surface_arcs
from worldloom.tasks import catalog
from worldloom.tasks.world_record import world_db

TOP = 8
"""Rows per list."""


@dataclass(frozen=True, slots=True)
class StorySummary:
    """What the stories hold, as tables to print."""

    counts: pl.DataFrame
    """table, rows."""
    arcs: pl.DataFrame
    """The arcs to read first: title, pattern, status, first and last year, motifs, summary."""
    motifs: pl.DataFrame
    """The world's themes: motif, score, events."""
    quests: pl.DataFrame
    """Open quests: title, giver's home, motivation, difficulty, reward."""
    rumors: pl.DataFrame
    """The most widely held rumors: the truth, how many places believe it, how many a false
    version."""

    def markdown(self) -> str:
        parts = [
            ("Stories told", self.counts),
            ("Arcs to read first", self.arcs),
            ("Themes", self.motifs),
            ("Quests on offer", self.quests),
            ("Rumors most widely held", self.rumors),
        ]
        return "\n\n".join(f"## {t}\n\n{markdown_table(f)}" for t, f in parts) + "\n"


COUNTED = ("arcs", "rumors", "rumor_beliefs", "memories", "reflections", "quests")


def story_summary(home: str, world_id: str, *, top: int = TOP) -> StorySummary | None:
    """The world's stories; None before any was told."""
    with open_store(world_db(home, world_id), read_only=True) as store:
        tables = {
            name: store.read(name, world_id)
            for name in (*COUNTED, "motifs", "region_motifs", "rumor_versions", "settlements")
        }
    if not tables["arcs"].height and not tables["rumors"].height:
        return None
    days = catalog.calendar().days_per_year
    scores = MotifScores(
        world=tables["motifs"],
        regions=tables["region_motifs"],
        arcs=tables["arcs"],
        table=catalog.motif_table(),
    )
    arcs = surface_arcs(scores.arcs, scores, region_id=None, k=top).select(
        "title",
        "pattern",
        "status",
        (pl.col("start_tick") // days).alias("from_year"),
        (pl.col("last_tick") // days).alias("to_year"),
        pl.col("motifs").list.join(", "),
        "summary",
    )
    counts = pl.DataFrame(
        {"table": list(COUNTED), "rows": [tables[name].height for name in COUNTED]}
    )
    return StorySummary(
        counts=counts,
        arcs=arcs,
        motifs=tables["motifs"].sort(["score", "motif"], descending=[True, False]).head(top),
        quests=_open_quests(tables["quests"], tables["settlements"], top=top),
        rumors=_widest_rumors(tables["rumor_beliefs"], tables["rumor_versions"], top=top),
    )


def _open_quests(quests: pl.DataFrame, settlements: pl.DataFrame, *, top: int) -> pl.DataFrame:
    return (
        quests.filter(pl.col("status") == "open")
        .join(
            settlements.select("settlement_id", pl.col("name").alias("offered_in")),
            on="settlement_id",
        )
        .sort(["difficulty_level", "reward", "quest_id"], descending=[True, True, False])
        .select("title", "offered_in", "motivation", "difficulty_level", "reward")
        .head(top)
    )


def _widest_rumors(beliefs: pl.DataFrame, versions: pl.DataFrame, *, top: int) -> pl.DataFrame:
    truth = versions.filter(pl.col("version") == 0).select(
        "rumor_id", pl.col("text").alias("truth")
    )
    held = beliefs.group_by("rumor_id").agg(
        pl.len().alias("places"), (pl.col("version") > 0).sum().alias("false_in")
    )
    return (
        held.join(truth, on="rumor_id")
        .sort(["places", "rumor_id"], descending=[True, False])
        .select("truth", "places", "false_in")
        .head(top)
    )


@task(name="publish-story-report", cache_policy=NO_CACHE)
def publish_story_report(*, home: str, world_id: str) -> bool:
    """Publish the stories' summary as a markdown artifact; False when none was told yet."""
    summary = story_summary(home, world_id)
    if summary is None:
        return False
    key = "".join(c if c.isalnum() else "-" for c in world_id.lower())
    create_markdown_artifact(
        markdown=f"# Stories of {world_id}\n\n{summary.markdown()}",
        key=f"{key}-stories",
        description=f"The arcs, themes, quests and rumors of {world_id}",
    )
    return True
