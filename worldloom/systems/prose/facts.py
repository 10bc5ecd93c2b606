"""The facts of what a reader meets first — settlements, factions, religions and notable
NPCs — one row per entity with names already resolved, built from the stored tables, so the
procedural writers and the LLM stage describe the same facts."""

from __future__ import annotations

import polars as pl


def settlement_facts(
    settlements: pl.DataFrame,
    *,
    regions: pl.DataFrame,
    shares: pl.DataFrame,
    religions: pl.DataFrame,
    provinces: pl.DataFrame,
    factions: pl.DataFrame,
) -> pl.DataFrame:
    """Per settlement: name, tier, population, port, region, main faith, ruling state, seat."""
    faith = (
        shares.sort(["settlement_id", "share", "religion_id"], descending=[False, True, False])
        .unique("settlement_id", keep="first", maintain_order=True)
        .join(religions.select("religion_id", pl.col("name").alias("faith")), on="religion_id")
        .select("settlement_id", "faith")
    )
    states = factions.filter(pl.col("kind") == "state")
    ruler = provinces.join(
        states.select("faction_id", pl.col("name").alias("state")), on="faction_id"
    ).select("region_id", "state")
    seats = states.select(pl.col("seat_settlement_id").alias("settlement_id"), is_seat=pl.lit(True))
    return (
        settlements.select("settlement_id", "name", "tier", "population", "is_port", "region_id")
        .join(
            regions.select("region_id", pl.col("name").alias("region")), on="region_id", how="left"
        )
        .join(faith, on="settlement_id", how="left")
        .join(ruler, on="region_id", how="left")
        .join(seats.unique("settlement_id"), on="settlement_id", how="left")
        .with_columns(pl.col("is_seat").fill_null(False))
        .sort("settlement_id")
    )


def faction_facts(
    factions: pl.DataFrame,
    *,
    settlements: pl.DataFrame,
    religions: pl.DataFrame,
    npcs: pl.DataFrame,
) -> pl.DataFrame:
    """Per faction: name, kind, form, seat, territory, people, leader and role, faith, power."""
    leaders = npcs.filter(pl.col("notable")).select(
        pl.col("npc_id").alias("leader_npc_id"),
        pl.concat_str("name", "family_name", separator=" ").alias("leader"),
        pl.col("notable_role").str.replace_all("_", " ").alias("role"),
    )
    return (
        factions.select(
            "faction_id",
            "name",
            "kind",
            pl.col("form").str.replace_all("_", " "),
            "seat_settlement_id",
            "territory_regions",
            "people",
            "leader_npc_id",
            "religion_id",
            "power",
        )
        .join(
            settlements.select(
                pl.col("settlement_id").alias("seat_settlement_id"), pl.col("name").alias("seat")
            ),
            on="seat_settlement_id",
            how="left",
        )
        .join(leaders, on="leader_npc_id", how="left")
        .join(
            religions.select("religion_id", pl.col("name").alias("faith")),
            on="religion_id",
            how="left",
        )
        .sort("faction_id")
    )


def religion_facts(
    religions: pl.DataFrame, *, deities: pl.DataFrame, holy_sites: pl.DataFrame, pois: pl.DataFrame
) -> pl.DataFrame:
    """Per religion: name, kind, form, parent faith, chief deity with epithet and domains, sites."""
    chief = deities.filter(pl.col("rank") == 0).select(
        "religion_id",
        pl.col("name").alias("deity"),
        "epithet",
        pl.col("domains").list.eval(pl.element().str.replace_all("_", " ")),
    )
    sites = (
        holy_sites.join(pois.select("poi_id", "name"), on="poi_id")
        .sort("poi_id")
        .group_by("religion_id", maintain_order=True)
        .agg(pl.col("name").alias("sites"))
    )
    parents = religions.select(
        pl.col("religion_id").alias("parent_id"), pl.col("name").alias("parent")
    )
    return (
        religions.select(
            "religion_id", "name", "kind", pl.col("form").str.replace_all("_", " "), "parent_id"
        )
        .join(parents, on="parent_id", how="left")
        .join(chief, on="religion_id", how="left")
        .join(sites, on="religion_id", how="left")
        .with_columns(pl.col("sites").fill_null(pl.lit([], dtype=pl.List(pl.String))))
        .sort("religion_id")
    )


def notable_facts(
    npcs: pl.DataFrame, *, settlements: pl.DataFrame, factions: pl.DataFrame
) -> pl.DataFrame:
    """Per notable NPC: full and first name, age, role, profession, home, traits, led faction."""
    led = (
        factions.filter(pl.col("leader_npc_id") >= 0)
        .sort("faction_id")
        .unique("leader_npc_id", keep="first", maintain_order=True)
        .select(pl.col("leader_npc_id").alias("npc_id"), pl.col("name").alias("faction"))
    )
    return (
        npcs.filter(pl.col("notable"))
        .select(
            "npc_id",
            pl.concat_str("name", "family_name", separator=" ").alias("name"),
            pl.col("name").alias("first"),
            "age",
            pl.col("notable_role").str.replace_all("_", " ").alias("role"),
            pl.col("profession").str.replace_all("_", " "),
            "settlement_id",
            pl.concat_list("trait_1", "trait_2", "trait_3").list.drop_nulls().alias("traits"),
        )
        .join(
            settlements.select("settlement_id", "tier", pl.col("name").alias("settlement")),
            on="settlement_id",
            how="left",
        )
        .join(led, on="npc_id", how="left")
        .sort("npc_id")
    )
