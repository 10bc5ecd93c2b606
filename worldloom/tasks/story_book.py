"""What the stories tasks share: the world's frames read once (`Shelf`), the world's names, the
events a narrative system has not read yet, and the read positions they move to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from worldloom.infrastructure.store import WorldStore, table_frame
from worldloom.systems.narrative import Names
from worldloom.systems.narrative.names import Roster
from worldloom.systems.narrative.quest import QuestWorld


@dataclass(frozen=True, slots=True)
class Unread:
    """The events a narrative system reads next: after `after` (its position; -1 when it has
    read none), up to the world's `tick`."""

    events: pl.DataFrame
    after: int
    tick: int

    @property
    def last_event_id(self) -> int:
        """The position it has read to once these are read."""
        # The store reads events in id order.
        return int(self.events["event_id"][-1]) if self.events.height else self.after


SYSTEMS = ("arcs", "memories", "quests", "rumors")
"""The narrative systems that keep a read position in narrative_state."""
LOG_READERS = ("arcs", "memories", "rumors")
"""The systems that read the shelf's log from their position on (a quest board reads its
period's events by tick, read before or not)."""


@dataclass(frozen=True, slots=True)
class Shelf:
    """The frames a year's stories read, each read once: the world's people (`SHELF_PEOPLE`),
    vitals (born and died), places, factions and names' tables, the systems' read positions,
    and the events after the lowest of the `LOG_READERS`' (`log`, in id order)."""

    npcs: pl.DataFrame
    vitals: pl.DataFrame
    settlements: pl.DataFrame
    factions: pl.DataFrame
    provinces: pl.DataFrame
    regions: pl.DataFrame
    pois: pl.DataFrame
    items: pl.DataFrame
    state: pl.DataFrame
    log: pl.DataFrame
    log_after: int

    def position(self, system: str) -> int:
        """The last event `system` has read (-1: none)."""
        row = self.state.filter(pl.col("system") == system)
        return int(row["last_event_id"][0]) if row.height else -1

    def state_tick(self, system: str) -> int:
        """The day `system` last told its stories up to; -1 before its first run."""
        row = self.state.filter(pl.col("system") == system)
        return int(row["tick"][0]) if row.height else -1

    @property
    def last_event_id(self) -> int:
        """The world's last event: where every system stands once the year is told."""
        return int(self.log["event_id"][-1]) if self.log.height else self.log_after

    def unread(self, system: str, *, tick: int) -> Unread:
        """The events `system` has not read, in id order."""
        after = self.position(system)
        return Unread(events=self.log.filter(pl.col("event_id") > after), after=after, tick=tick)

    def names(self) -> Names:
        """Every entity's name by id (people by their full names)."""
        return names_of(
            self.npcs, self.factions, self.settlements, self.regions, self.pois, self.items
        )


SHELF_PEOPLE = (
    "npc_id",
    "settlement_id",
    "name",
    "family_name",
    "profession",
    "notable",
    "notable_role",
    "wealth",
    "father_id",
    "mother_id",
    "spouse_id",
)
"""The npcs columns the stories read: names, homes, who is notable, and what quests build a
person from (a hundred thousand people's every column cost more than the rest of the shelf)."""


def read_shelf(store: WorldStore, world_id: str) -> Shelf:
    """The frames a year's stories read (see `Shelf`)."""
    state = store.read("narrative_state", world_id)
    positions = dict(state.select("system", "last_event_id").iter_rows())
    after = min(int(positions.get(system, -1)) for system in LOG_READERS)
    return Shelf(
        npcs=store.read("npcs", world_id, columns=SHELF_PEOPLE),
        vitals=store.read("npc_vitals", world_id, columns=("npc_id", "born_tick", "died_tick")),
        settlements=store.read("settlements", world_id),
        factions=store.read("factions", world_id),
        provinces=store.read("provinces", world_id),
        regions=store.read("regions", world_id),
        pois=store.read("pois", world_id),
        items=store.read("items", world_id),
        state=state,
        log=store.read("events", world_id, after={"event_id": after}),
        log_after=after,
    )


def state_rows(state: pl.DataFrame, reads: Mapping[str, Unread]) -> pl.DataFrame:
    """`narrative_state` (`state`) with each system of `reads` moved to what it has now read
    (written in the same transaction as its tables: a run killed before reads the same events
    again; after, none twice)."""
    others = state.filter(~pl.col("system").is_in(list(reads)))
    moved = table_frame(
        "narrative_state",
        {
            "system": list(reads),
            "last_event_id": [unread.last_event_id for unread in reads.values()],
            "tick": [unread.tick for unread in reads.values()],
        },
    )
    return pl.concat([others, moved]).sort("system")


def world_names(store: WorldStore, world_id: str) -> Names:
    """Every entity's name by id (people by their full names)."""
    tables = ("npcs", "factions", "settlements", "regions", "pois", "items")
    return names_of(*(store.read(table, world_id) for table in tables))


def names_of(  # noqa: PLR0917 -- one frame per kind of entity, in Names' order
    npcs: pl.DataFrame,
    factions: pl.DataFrame,
    settlements: pl.DataFrame,
    regions: pl.DataFrame,
    pois: pl.DataFrame,
    items: pl.DataFrame,
) -> Names:
    """`Names` from the tables' frames (people by their full names)."""
    people = npcs if npcs["npc_id"].is_sorted() else npcs.sort("npc_id")
    full = people.select(pl.concat_str("name", "family_name", separator=" ")).to_series()
    return Names(
        npc=Roster(people["npc_id"], full),
        faction=_names(factions, "faction_id"),
        settlement=_names(settlements, "settlement_id"),
        region=_names(regions, "region_id"),
        poi=_names(pois, "poi_id"),
        item=_names(items, "item_id"),
    )


def _names(frame: pl.DataFrame, key: str) -> dict[int, str]:
    return dict(zip(frame[key].to_list(), frame["name"].to_list(), strict=True))


def notables_of(
    npcs: pl.DataFrame,
    settlements: pl.DataFrame,
    factions: pl.DataFrame,
    provinces: pl.DataFrame,
    vitals: pl.DataFrame,
) -> pl.DataFrame:
    """Notables: where they live, the faction they lead (else the state holding their home's
    region), the day they died (null while alive)."""
    homes = settlements.select("settlement_id", "region_id")
    leads = (
        factions.filter(pl.col("leader_npc_id").is_not_null())
        .group_by("leader_npc_id")
        .agg(pl.col("faction_id").min().alias("leads"))
        .rename({"leader_npc_id": "npc_id"})
    )
    holders = provinces.select("region_id", "faction_id")
    notables = npcs.filter(pl.col("notable")).select("npc_id", "settlement_id")
    # The notables' vitals found first: a join hashed every person's (~50 ms in a million).
    died = vitals.filter(pl.col("npc_id").is_in(notables["npc_id"].implode())).select(
        "npc_id", "died_tick"
    )
    return (
        notables.join(homes, on="settlement_id", how="left")
        .join(leads, on="npc_id", how="left")
        .join(holders, on="region_id", how="left")
        .join(died, on="npc_id", how="left")
        .select(
            "npc_id",
            "settlement_id",
            pl.coalesce("leads", "faction_id").alias("faction_id"),
            "region_id",
            "died_tick",
        )
        .sort("npc_id")
    )


def quest_world(store: WorldStore, world_id: str, shelf: Shelf) -> QuestWorld:
    """The frames quests are built on (see `QuestWorld`)."""
    vitals = shelf.vitals
    return QuestWorld(
        npcs=_with_births(shelf.npcs, vitals),
        dead=vitals.filter(pl.col("died_tick").is_not_null()).select("npc_id", "died_tick"),
        settlements=shelf.settlements,
        pois=shelf.pois,
        encounters=store.read("encounters", world_id),
        monsters=store.read("monsters", world_id),
        items=shelf.items,
        prices=_local_prices(store, world_id, shelf.settlements),
        regions=shelf.regions,
        factions=shelf.factions,
    )


def _with_births(npcs: pl.DataFrame, vitals: pl.DataFrame) -> pl.DataFrame:
    """`npcs` in id order with their vitals' born_tick (null for one without vitals): an as-of
    join on the ids the store reads in order (a hash join of a million people cost ~0.2 s)."""
    people = npcs if npcs["npc_id"].is_sorted() else npcs.sort("npc_id")
    births = vitals.select("npc_id", "born_tick", vitals_id="npc_id")
    births = births if births["npc_id"].is_sorted() else births.sort("npc_id")
    # The nearest vitals at or below each id: the person's own, or someone else's (no birth).
    nearest = people.join_asof(births, on="npc_id", strategy="backward")
    own = pl.col("vitals_id") == pl.col("npc_id")
    return nearest.with_columns(born_tick=pl.when(own).then("born_tick")).drop("vitals_id")


def _local_prices(store: WorldStore, world_id: str, settlements: pl.DataFrame) -> pl.DataFrame:
    """Each settlement's price of each good: its market's, else the mean of its region's
    markets, else the world's."""
    places = settlements.select("settlement_id", "region_id").sort("settlement_id")
    markets = store.read("markets", world_id).select("market_id", "settlement_id", "region_id")
    goods = store.read("market_goods", world_id).join(markets, on="market_id")
    own = goods.select("settlement_id", "good", "price")
    regional = goods.group_by("region_id", "good").agg(pl.col("price").mean().alias("regional"))
    worldwide = goods.group_by("good").agg(pl.col("price").mean().alias("worldwide")).sort("good")
    # Built in order (places by id, then goods by name; each join keeps its left side's), not
    # sorted after: sorting a medium world's ~10^5 rows by place and good was half the call.
    return (
        places.join(worldwide, how="cross", maintain_order="left_right")
        .join(regional, on=["region_id", "good"], how="left", maintain_order="left")
        .join(own, on=["settlement_id", "good"], how="left", maintain_order="left")
        .select(
            "settlement_id",
            "good",
            pl.coalesce("price", "regional", "worldwide").alias("price"),
        )
    )
