"""What a simulate run's segment keeps in memory for the next: the rows of a year's biggest
reads as its write left them in the store, so the next segment need not read them back, and
the reads of the tables it did not write.

The living's `npcs` and `npc_vitals` rows and the daily market history (`market_prices`,
`trades`) were most of a medium world's reads at a year's start (~270k people and ~1.1M
price rows by year 100: 0.6-1 s on the run's critical path), rows the segment before held in
memory a moment earlier. A segment keeps them only as the store returns them (`stored_rows`:
the table's types, in key order) and only where it knows them whole: the living from the
year's frames, the daily rows from those it added and those it knew before. The next
segment takes them only if it starts at the tick they describe and the four tables hold as
many rows as they did after the write; within a run nothing else writes them (the world is
held, and the stories write their own tables). Taken or read, a segment gets the same rows.

The store's other reads a segment made (`WorldStore.remembering`) and its write left true, of
tables the year does not change (the terrain, regions, routes, cultures, the market links...),
go to the next segment with them: ~40 reads of ~2 ms make a small year's reads, a sixth of
them of such tables. They hold while nothing but the run's segments writes the world (its lock
keeps other runs out; a run that lets the file go to another process drops them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from worldloom.infrastructure.store import ReadMemory, Revision, RowRange, WorldStore, stored_rows

LIVING = ("npcs", "npc_vitals")
"""The tables a year reads the living's rows of (`load_year`)."""
DAILY = ("market_prices", "trades")
"""The history tables of a row a day (or a fill), which a year reads almost whole to roll up
(`read_rolling`), and which hold only the days since the last roll-up."""

Frames = dict[str, pl.DataFrame]


@dataclass(frozen=True, slots=True)
class KeptRows:
    """Rows a segment's write left in the store, as a read would return them."""

    tick: int
    """The world's tick after the write."""
    counts: dict[str, int]
    """Rows the `LIVING` and `DAILY` tables held after the write."""
    living: Frames | None
    """npcs and npc_vitals: the living's rows (None: not known)."""
    daily: Frames | None
    """market_prices and trades: all the world's rows (None: not known)."""
    reads: ReadMemory
    """The segment's store reads its write left true (`WorldStore.remembered`)."""


class KeptYears:
    """The rows a simulate run's last segment kept for the next one (given once)."""

    def __init__(self) -> None:
        self._kept: KeptRows | None = None
        self.taken = 0
        """Segments that took the rows kept for them."""

    def take(self, store: WorldStore, world_id: str, *, tick: int) -> KeptRows | None:
        """The rows kept, if the world is at their tick and its tables hold as many rows."""
        kept, self._kept = self._kept, None
        if kept is None or kept.tick != tick:
            return None
        if store.row_counts(world_id, [*LIVING, *DAILY]) != kept.counts:
            return None
        self.taken += 1
        return kept

    def keep(
        self,
        store: WorldStore,
        world_id: str,
        *,
        tick: int,
        living: Frames | None,
        daily: Frames | None,
    ) -> None:
        """Keep what the segment's write (just committed to `store`) left at `tick`, and the
        store's reads it left true."""
        if living is None and daily is None:
            self._kept = None
            return
        counts = store.row_counts(world_id, [*LIVING, *DAILY])
        self._kept = KeptRows(tick, counts, living, daily, store.remembered())

    def drop(self) -> None:
        """Keep nothing for the next segment (another process had the file meanwhile)."""
        self._kept = None


def living_rows(frames: Mapping[str, pl.DataFrame], *, dead: RowRange) -> Frames:
    """The living's rows of the year's `npcs` and `npc_vitals` frames once stored (their rows
    are the year's living and born; those `dead` says died, the year's dead, are left out)."""
    vitals = stored_rows("npc_vitals", frames["npc_vitals"])
    died = vitals.filter(dead.holds())["npc_id"]
    return {
        "npcs": stored_rows("npcs", frames["npcs"]).filter(~pl.col("npc_id").is_in(died)),
        "npc_vitals": vitals.filter(~pl.col("npc_id").is_in(died)),
    }


def daily_rows(before: Mapping[str, pl.DataFrame], revise: Mapping[str, Revision]) -> Frames:
    """The `DAILY` tables' rows after their revisions, from all their rows `before` (a daily
    table's revision drops ranges and adds rows, nothing else)."""
    after = {}
    for name in DAILY:
        revision = revise[name]
        if revision.remove.height or revision.update.height or revision.stamp:
            raise ValueError(f"{name}: a daily table's revision drops ranges and adds rows only")
        dropped = RowRange.any_of(revision.drop) if revision.drop else pl.lit(False)
        kept = before[name].filter(~dropped)
        after[name] = stored_rows(name, pl.concat([kept, revision.add], how="vertical_relaxed"))
    return after
