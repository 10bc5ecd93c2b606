"""Gear analytics with Polars: loot value by danger, encounter difficulty by danger and per
site, what each profession wears and can do, magic and artifacts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import polars as pl

from worldloom.infrastructure.analytics.markdown import markdown_table

SITE_ROWS: Final = 15
"""Sites listed in the markdown's difficulty table (most dangerous first)."""
_BANDS: Final = ("trivial", "easy", "medium", "hard", "deadly")


@dataclass(frozen=True, slots=True)
class GearSummary:
    """What a game designer checks first: the loot and difficulty curves, and who can fight."""

    loot_by_danger: pl.DataFrame
    """danger, rooms, lots, mean_copper (rolled, per room), expected_copper (the loot table's
    expectation at the world's prices), days_of_work (expected over a day's wage)."""
    encounters_by_danger: pl.DataFrame
    """danger, encounters, band, adjusted_xp (mean), win_chance (mean), fallen (mean)."""
    sites: pl.DataFrame
    """Per site with encounters: name, kind, danger, encounters, hardest, adjusted_xp (max),
    win_chance (min), treasure (copper in its rooms); most dangerous first."""
    professions: pl.DataFrame
    """profession, npcs, level, hp, ac (means), armed and armoured (shares), casters (share),
    gear_copper (mean value worn); most numerous first."""
    magic: pl.DataFrame
    """tradition, school, casters, level (mean); most casters first."""
    artifacts: pl.DataFrame
    """name, material, value, where (held or lost), events."""

    def markdown(self) -> str:
        parts = []
        for title, frame in (
            ("Loot by danger (copper per room)", self.loot_by_danger),
            ("Encounter difficulty by danger (reference party)", self.encounters_by_danger),
            ("Most dangerous sites", self.sites.head(SITE_ROWS)),
            ("Professions at arms", self.professions),
            ("Magic", self.magic),
            ("Artifacts", self.artifacts),
        ):
            parts.append(f"## {title}\n\n{markdown_table(frame)}")
        return "\n\n".join(parts) + "\n"


def summarize_gear(
    *,
    pois: pl.DataFrame,
    rooms: pl.DataFrame,
    poi_loot: pl.DataFrame,
    encounters: pl.DataFrame,
    npcs: pl.DataFrame,
    stat_blocks: pl.DataFrame,
    equipment: pl.DataFrame,
    casters: pl.DataFrame,
    artifacts: pl.DataFrame,
    item_history: pl.DataFrame,
    expected_loot: pl.DataFrame,
    day_wage: float,
) -> GearSummary:
    """Summarise the gear stage's tables.

    Args:
        pois: poi_id, name, kind, danger_level.
        rooms: sublocation_id, poi_id of every room that rolls loot.
        poi_loot, encounters, stat_blocks, equipment, casters, artifacts, item_history: the
            stage's rows.
        npcs: npc_id, profession.
        expected_loot: danger, expected_copper (the loot table's expectation per room).
        day_wage: copper a day's work earns (the economy's median labour per day).
    """
    danger = pois.select("poi_id", pl.col("danger_level").alias("danger"))
    per_room = rooms.join(
        poi_loot.group_by("sublocation_id").agg(pl.col("value").sum(), pl.len().alias("lots")),
        on="sublocation_id",
        how="left",
    ).fill_null(0)
    loot = (
        per_room.join(danger, on="poi_id")
        .group_by("danger")
        .agg(
            pl.len().alias("rooms"),
            pl.col("lots").sum(),
            pl.col("value").mean().round(1).alias("mean_copper"),
        )
        .join(expected_loot, on="danger", how="full", coalesce=True)
        .with_columns(
            pl.col("expected_copper").round(1),
            (pl.col("expected_copper") / max(day_wage, 1e-9)).round(2).alias("days_of_work"),
        )
        .fill_null(0)
        .sort("danger")
    )
    met = encounters.join(danger, on="poi_id")
    by_danger = (
        met.group_by("danger")
        .agg(
            pl.len().alias("encounters"),
            pl.col("band").first(),
            pl.col("adjusted_xp").mean().round(0),
            pl.col("win_chance").mean().round(3),
            pl.col("fallen").mean().round(2),
        )
        .sort("danger")
    )
    treasure = poi_loot.group_by("poi_id").agg(pl.col("value").sum().alias("treasure"))
    rank = pl.DataFrame({"difficulty": _BANDS, "rank": range(len(_BANDS))})
    sites = (
        met.join(rank, on="difficulty")
        .group_by("poi_id")
        .agg(
            pl.len().alias("encounters"),
            pl.col("rank").max(),
            pl.col("adjusted_xp").max(),
            pl.col("win_chance").min(),
        )
        .join(
            pois.select("poi_id", "name", "kind", pl.col("danger_level").alias("danger")),
            on="poi_id",
        )
        .join(treasure, on="poi_id", how="left")
        .with_columns(
            pl.col("rank")
            .map_elements(lambda r: _BANDS[r], return_dtype=pl.String)
            .alias("hardest"),
            pl.col("treasure").fill_null(0),
            pl.col("win_chance").round(3),
        )
        .sort(["danger", "adjusted_xp", "poi_id"], descending=[True, True, False])
        .select(
            "name",
            "kind",
            "danger",
            "encounters",
            "hardest",
            "adjusted_xp",
            "win_chance",
            "treasure",
        )
    )
    return GearSummary(
        loot_by_danger=loot.select(
            "danger", "rooms", "lots", "mean_copper", "expected_copper", "days_of_work"
        ),
        encounters_by_danger=by_danger,
        sites=sites,
        professions=_professions(npcs, stat_blocks, equipment, casters),
        magic=casters.group_by("tradition", "school")
        .agg(pl.len().alias("casters"), pl.col("level").mean().round(1))
        .sort(["casters", "school"], descending=[True, False]),
        artifacts=artifacts.join(
            item_history.group_by("artifact_id").agg(pl.len().alias("events")),
            on="artifact_id",
            how="left",
        ).select(
            "name",
            "material",
            "value",
            pl.when(pl.col("holder_npc_id").is_not_null())
            .then(pl.lit("held"))
            .otherwise(pl.lit("lost"))
            .alias("where"),
            "events",
        ),
    )


def _professions(
    npcs: pl.DataFrame, stat_blocks: pl.DataFrame, equipment: pl.DataFrame, casters: pl.DataFrame
) -> pl.DataFrame:
    worn = equipment.group_by("npc_id").agg(
        pl.col("value").sum().alias("gear_copper"),
        (pl.col("slot").is_in(["main_hand", "ranged"])).any().alias("armed"),
        (pl.col("slot") == "body").any().alias("armoured"),
    )
    return (
        npcs.select("npc_id", "profession")
        .join(stat_blocks.select("npc_id", "level", "hp", "ac"), on="npc_id", how="left")
        .join(worn, on="npc_id", how="left")
        .join(casters.select("npc_id", pl.lit(True).alias("caster")), on="npc_id", how="left")
        .with_columns(
            pl.col("armed", "armoured", "caster").fill_null(False),
            pl.col("gear_copper").fill_null(0),
        )
        .group_by("profession")
        .agg(
            pl.len().alias("npcs"),
            pl.col("level").mean().round(2),
            pl.col("hp").mean().round(1),
            pl.col("ac").mean().round(1),
            pl.col("armed").mean().round(3),
            pl.col("armoured").mean().round(3),
            pl.col("caster").mean().round(3).alias("casters"),
            pl.col("gear_copper").mean().round(1),
        )
        .sort(["npcs", "profession"], descending=[True, False])
    )
