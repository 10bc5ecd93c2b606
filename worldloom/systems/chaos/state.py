"""The storyteller's memory between periods: its load of recent events, the last record of each
kind in each region, which ruins came to light, and the next record id; as frames and back."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from worldloom.systems.chaos.table import KINDS

IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class ChaosState:
    """Everything a chaos roll carries over to the next one; a plain value.

    Attributes:
        load_regions: region ids with a load, ascending; `load` the importance of the events
            that struck each lately, fading (see `Personality.memory_days`).
        next_record_id: the id the next record gets (ids count up from 0, never reused).
        last_regions: region ids with a remembered event; `last_kinds` the kind's index in
            `KINDS`, `last_ticks` its tick and `last_records` its record id (one row per region
            and kind, the latest).
        discovered_pois: POI ids that came to light, ascending.
    """

    load_regions: IntArray
    load: NDArray[np.float64]
    next_record_id: int
    last_regions: IntArray
    last_kinds: IntArray
    last_ticks: IntArray
    last_records: IntArray
    discovered_pois: IntArray

    @classmethod
    def start(cls) -> ChaosState:
        """A storyteller that has seen nothing yet."""
        empty = np.zeros(0, dtype=np.int64)
        return cls(empty, np.zeros(0), 0, empty, empty, empty, empty, empty)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ChaosState):
            return NotImplemented
        return self.next_record_id == other.next_record_id and all(
            np.array_equal(getattr(self, name), getattr(other, name))
            for name in (
                "load_regions",
                "load",
                "last_regions",
                "last_kinds",
                "last_ticks",
                "last_records",
                "discovered_pois",
            )
        )

    __hash__ = None  # type: ignore[assignment]  # a value with arrays: equal, not hashable

    def to_frames(self) -> dict[str, pl.DataFrame]:
        """The state as tables to store: `chaos_state` (one row: next_record_id),
        `chaos_load` (region_id, load), `chaos_recent` (region_id, kind, tick, record_id) and
        `chaos_discovered` (poi_id)."""
        return {
            "chaos_state": pl.DataFrame(
                {"next_record_id": pl.Series([self.next_record_id], dtype=pl.Int64)}
            ),
            "chaos_load": pl.DataFrame(
                {
                    "region_id": pl.Series(self.load_regions, dtype=pl.Int64),
                    "load": pl.Series(self.load, dtype=pl.Float64),
                }
            ),
            "chaos_recent": pl.DataFrame(
                {
                    "region_id": pl.Series(self.last_regions, dtype=pl.Int64),
                    "kind": pl.Series(
                        [KINDS[k] for k in self.last_kinds.tolist()], dtype=pl.String
                    ),
                    "tick": pl.Series(self.last_ticks, dtype=pl.Int64),
                    "record_id": pl.Series(self.last_records, dtype=pl.Int64),
                }
            ),
            "chaos_discovered": pl.DataFrame(
                {"poi_id": pl.Series(self.discovered_pois, dtype=pl.Int64)}
            ),
        }

    @classmethod
    def from_frames(cls, frames: dict[str, pl.DataFrame]) -> ChaosState:
        """The state `to_frames` wrote (rows in any order).

        Raises:
            ValueError: a table is missing, the state table is not one row, or a kind is unknown.
        """
        missing = sorted(
            {"chaos_state", "chaos_load", "chaos_recent", "chaos_discovered"} - set(frames)
        )
        if missing:
            raise ValueError(f"ChaosState.from_frames: missing tables {missing}")
        head = frames["chaos_state"]
        if head.height != 1:
            raise ValueError("ChaosState.from_frames: chaos_state must hold exactly one row")
        recent = frames["chaos_recent"].sort("region_id", "kind")
        kinds = recent["kind"].to_list()
        unknown = sorted(set(kinds) - set(KINDS))
        if unknown:
            raise ValueError(f"ChaosState.from_frames: unknown kinds {unknown}")
        kind_index = np.array([KINDS.index(k) for k in kinds], dtype=np.int64)
        order = np.lexsort((kind_index, recent["region_id"].to_numpy()))
        load = frames["chaos_load"].sort("region_id")
        return cls(
            load_regions=load["region_id"].to_numpy().astype(np.int64),
            load=load["load"].to_numpy().astype(np.float64),
            next_record_id=int(head["next_record_id"][0]),
            last_regions=recent["region_id"].to_numpy().astype(np.int64)[order],
            last_kinds=kind_index[order],
            last_ticks=recent["tick"].to_numpy().astype(np.int64)[order],
            last_records=recent["record_id"].to_numpy().astype(np.int64)[order],
            discovered_pois=np.sort(
                frames["chaos_discovered"]["poi_id"].to_numpy().astype(np.int64)
            ),
        )
