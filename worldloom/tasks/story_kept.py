"""What a run's side process keeps between the years it tells the stories of: the stories' own
tables as a year's stories left them, so that the next year need not read them back from its
copy of the world.

A medium world's 100th year's stories read ~0.3 s of their own rows (the living notables'
memories 0.16 s, the arcs' four tables 0.09 s, the rumors' beliefs 0.03 s...), rows the year
before held in memory a moment earlier, on the run's critical path (the next year's write
waits for the stories). Only the stories write these tables, and a year's stories are stored
(with the next segment) before the next year's copy is taken. The next year takes the rows
only if its copy's `narrative_state` is the one the kept year wrote and the tables hold as
many rows as it left; the rows are kept as the store returns them (`stored_rows`: the table's
types, in key order), so taken or read, a year gets the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from worldloom.infrastructure.store import WorldStore

KEPT = (
    "arcs",
    "arc_events",
    "arc_roles",
    "arc_partials",
    "rumors",
    "rumor_beliefs",
    "rumor_frontier",
    "reflections",
)
"""The stories' tables kept whole (reflections with the columns `remember` reads)."""
COUNTED = (*KEPT, "memories")
"""The tables whose rows are counted to check that the kept rows are the stored ones."""

Frames = dict[str, pl.DataFrame]


@dataclass(frozen=True, slots=True)
class StoryBooks:
    """The stories' own rows as a year's stories left them in the store."""

    state: pl.DataFrame
    """The narrative_state the year's stories wrote, as a read returns it."""
    counts: dict[str, int]
    """Rows the `COUNTED` tables hold once the year's stories are stored."""
    tables: Frames
    """The `KEPT` tables' rows, as a read returns them."""
    memories: pl.DataFrame
    """The memories (the columns `remember` reads) of the notables `remembered`, all of them."""
    remembered: pl.Series
    """The notables whose every memory `memories` holds (those alive as the year opened)."""

    def memories_of(self, store: WorldStore, world_id: str, npc_ids: pl.Series) -> pl.DataFrame:
        """The memories of the notables `npc_ids` as `store` would return them (in id order,
        the kept columns): those kept, and the others' read."""
        kept = self.memories.filter(pl.col("npc_id").is_in(npc_ids.implode()))
        missing = npc_ids.filter(~npc_ids.is_in(self.remembered.implode()))
        if missing.len() == 0:
            return kept
        read = store.read(
            "memories", world_id, columns=tuple(kept.columns), among={"npc_id": missing.to_list()}
        )
        return pl.concat([kept, read], rechunk=True).sort("memory_id")


class KeptBooks:
    """The stories' rows the side process's last year kept for its next (by world)."""

    def __init__(self) -> None:
        self._kept: dict[str, StoryBooks] = {}
        self.taken = 0
        """Years that took the rows kept for them."""

    def take(self, store: WorldStore, world_id: str, *, state: pl.DataFrame) -> StoryBooks | None:
        """The rows kept for `world_id`, if `state` (its narrative_state in `store`) is the one
        they were kept with and its tables hold as many rows; given once."""
        kept = self._kept.pop(world_id, None)
        if kept is None or not kept.state.equals(state):
            return None
        if store.row_counts(world_id, COUNTED) != kept.counts:
            return None
        self.taken += 1
        return kept

    def keep(self, world_id: str, books: StoryBooks) -> None:
        """Keep `books`, the rows a year's stories of `world_id` will leave once stored."""
        self._kept[world_id] = books
