"""A year's rows to store: the tables a year's end replaces or revises (the world as the next
year begins) and the log rows it appends (events, accounts, rulers, borders)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from worldloom.infrastructure.store import table_frame
from worldloom.systems.history import SEXES, Cohorts, YearRecord, measure_factions
from worldloom.systems.history.faith import HolySites
from worldloom.systems.history.schism import Schism
from worldloom.systems.history.year import RolledYear
from worldloom.systems.religion.schism import Founding, splinter_faith
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog
from worldloom.tasks.history_year import YearWorld


def year_frames(
    world: YearWorld, record: YearRecord, rolled: RolledYear, *, year_end: int, seeds: Seeds
) -> tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame]]:
    """The year's tables to replace, and its log rows to append."""
    first = world.next_event
    tally = record.tally
    leaders = dict(
        zip(record.leaders.faction_id.tolist(), record.leaders.leader.tolist(), strict=True)
    )
    faith = {s.state: s.religion for s in record.schisms}
    factions = world["factions"].with_columns(
        pl.Series(
            "leader_npc_id",
            [leaders[f] if leaders[f] >= 0 else None for f in world["factions"]["faction_id"]],
            dtype=pl.Int64,
        ),
        pl.col("faction_id")
        .replace_strict(faith, default=pl.col("religion_id"), return_dtype=pl.Int64)
        .cast(world["factions"]["religion_id"].dtype)
        .alias("religion_id"),
    )
    # The rows describe the world as the next year begins: the segment's end.
    tick = pl.lit(year_end + 1, dtype=pl.Int64).alias("tick")
    provinces = _provinces(world["provinces"], rolled).with_columns(tick)
    settlements = world["settlements"]
    frames: dict[str, pl.DataFrame] = {
        "settlements": settlements.with_columns(
            pl.Series("population", tally.end).cast(pl.Int32), tick
        ),
        "factions": measure_factions(
            factions,
            provinces=provinces,
            region_area=world["regions"].select("region_id", "area_km2"),
            settlement_region=settlements["region_id"].to_numpy().astype(np.int64),
            population_start=tally.start,
            population_end=tally.end,
        ).with_columns(tick),
        "provinces": provinces,
        "diplomacy": rolled.diplomacy.with_columns(tick),
        "population_groups": _groups_out(record.cohorts).with_columns(tick),
        "holy_sites": _holy_sites(record.sites).with_columns(tick),
        "religion_shares": _shares(world["religion_shares"], record.cohorts).with_columns(tick),
        "npcs": record.npcs.with_columns(tick),
        "npc_vitals": record.vitals.select(
            "npc_id",
            pl.when(pl.col("born_tick") >= 0).then(pl.col("born_tick")).alias("born_tick"),
            pl.when(pl.col("died_tick") >= 0).then(pl.col("died_tick")).alias("died_tick"),
            pl.when(pl.col("died_tick") >= 0).then(pl.col("death_cause")).alias("death_cause"),
        ),
        **rolled.chaos_state.to_frames(),
        **rolled.war_state.to_frames(),
        **_splinters(world, record.schisms, seeds=seeds),
    }
    append = {
        "events": pl.DataFrame(dict(record.events)),
        "population_history": _accounts(record, year_end=year_end),
        "ruler_history": _rulers(record),
        "border_history": _borders(rolled, first=first),
        "chaos_events": _record_events(rolled.chaos_records, first=first),
        "war_events": _record_events(rolled.war_records, first=first),
    }
    return frames, append


def _splinters(
    world: YearWorld, schisms: tuple[Schism, ...], *, seeds: Seeds
) -> dict[str, pl.DataFrame]:
    """religions, deities and religion_relations with the faiths the year's schisms founded
    (none of them when there were none)."""
    if not schisms:
        return {}
    names = dict(world["settlements"].select("settlement_id", "name").rows())
    culture = dict(world["factions"].select("faction_id", "culture_id").rows())
    tables = {name: world[name] for name in ("religions", "deities", "religion_relations")}
    for schism in schisms:
        settlement, _ = schism.seat
        splinter = splinter_faith(
            Founding(
                religion=schism.religion,
                parent=schism.parent,
                culture=int(culture[schism.state]),
                seat=schism.seat,
                place=names.get(settlement),
            ),
            tables["religions"],
            tables["deities"],
            tables["religion_relations"],
            cultures=world["cultures"],
            seeds=seeds,
            table=catalog.religion_table(),
            name_bases=catalog.name_bases(),
            templates=catalog.prose_templates(),
        )
        added = (splinter.religions, splinter.deities, splinter.relations)
        for name, rows in zip(tables, added, strict=True):
            tables[name] = pl.concat([tables[name], rows])
    return tables


def _groups_out(cohorts: Cohorts) -> pl.DataFrame:
    def named(names: Sequence[str], codes: np.ndarray[Any, np.dtype[np.int64]]) -> pl.Series:
        # Gathered by code: a name per row looked up one numpy scalar at a time was most of
        # the frame's making.
        return pl.Series(list(names), dtype=pl.String).gather(codes)

    return table_frame(
        "population_groups",
        {
            "settlement_id": cohorts.settlement.astype(np.int32),
            "age_band": named(catalog.history_rules().bands, cohorts.band),
            "sex": named(SEXES, cohorts.sex),
            "culture_id": cohorts.culture.astype(np.int32),
            "religion_id": cohorts.religion.astype(np.int32),
            "profession": named(cohorts.professions, cohorts.profession),
            "count": cohorts.count,
            "tick": np.zeros(cohorts.count.size, dtype=np.int64),
        },
    )


def _holy_sites(sites: HolySites) -> pl.DataFrame:
    return table_frame(
        "holy_sites",
        {
            "poi_id": sites.poi,
            "religion_id": sites.religion,
            "region_id": sites.region,
            "settlement_id": sites.settlement,
            "desecrated_tick": sites.desecrated_tick,
            "desecrated_event_id": sites.desecrated_event,
            "tick": np.zeros(sites.poi.size, dtype=np.int64),
        },
    )


def _shares(before: pl.DataFrame, cohorts: Cohorts) -> pl.DataFrame:
    """Each peopled settlement's faiths as its cohorts stand; the others' as they were."""
    people = pl.DataFrame(
        {"settlement_id": cohorts.settlement, "religion_id": cohorts.religion, "n": cohorts.count}
    ).filter(pl.col("n") > 0)
    counted = (
        people.group_by("settlement_id", "religion_id")
        .agg(pl.col("n").sum())
        .with_columns(share=pl.col("n") / pl.col("n").sum().over("settlement_id"))
        .drop("n")
    )
    kept = before.filter(~pl.col("settlement_id").is_in(counted["settlement_id"].implode()))
    return table_frame(
        "religion_shares",
        pl.concat([kept.drop("tick"), counted], how="vertical_relaxed")
        .sort("settlement_id", "religion_id")
        .with_columns(tick=pl.lit(0, dtype=pl.Int64))
        .to_dict(),
    )


def _provinces(provinces: pl.DataFrame, rolled: RolledYear) -> pl.DataFrame:
    """Provinces after the year's border changes (a taken province is no one's core)."""
    holder = dict(provinces.select("region_id", "faction_id").rows())
    core = dict(provinces.select("region_id", "is_core").rows())
    for border in rolled.borders:
        if border.holder >= 0:
            holder[border.region_id] = border.holder
            core[border.region_id] = False
        else:
            holder.pop(border.region_id, None)
    regions = sorted(holder)
    return table_frame(
        "provinces",
        {
            "region_id": regions,
            "faction_id": [holder[r] for r in regions],
            "is_core": [bool(core.get(r, False)) for r in regions],
            "tick": [0 for _ in regions],
        },
    )


def _accounts(record: YearRecord, *, year_end: int) -> pl.DataFrame:
    tally = record.tally
    n = tally.start.size
    alive = (tally.start > 0) | (tally.end > 0)
    return pl.DataFrame(
        {
            "tick": np.full(n, year_end, dtype=np.int64),
            "settlement_id": np.arange(n, dtype=np.int32),
            "population_start": tally.start,
            "births": tally.births,
            "deaths": tally.deaths,
            "immigrants": tally.immigrants,
            "emigrants": tally.emigrants,
            "population_end": tally.end,
            "hardship": record.conditions.hardship,
            "at_war": record.conditions.at_war > 0,
        }
    ).filter(pl.Series(alive))


def _rulers(record: YearRecord) -> pl.DataFrame:
    s = record.successions
    return table_frame(
        "ruler_history",
        {
            "faction_id": [x.faction_id for x in s],
            "tick": [x.tick for x in s],
            "npc_id": [x.npc_id for x in s],
            "previous_npc_id": [x.previous_id for x in s],
            "event_id": [x.event_id for x in s],
        },
    )


def _borders(rolled: RolledYear, *, first: int) -> pl.DataFrame:
    ticks = [rolled.happenings[b.position].tick for b in rolled.borders]
    frame = table_frame(
        "border_history",
        {
            "region_id": [b.region_id for b in rolled.borders],
            "tick": ticks,
            "faction_id": [b.holder for b in rolled.borders],
            "previous_faction_id": [b.previous for b in rolled.borders],
            "event_id": [first + b.position for b in rolled.borders],
        },
    )
    # A province taken twice in a day keeps the last change.
    return frame.unique(["region_id", "tick"], keep="last", maintain_order=True)


def _record_events(records: tuple[tuple[int, int], ...], *, first: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "record_id": [r for r, _ in records],
            "event_id": [first + position for _, position in records],
        },
        schema={"record_id": pl.Int64, "event_id": pl.Int64},
    )
