"""The populace: everyone the npcs table holds, the dead too, as far as a year of the living
needs them (`advance_people` reads and revises the living alone)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

Int = np.ndarray[Any, np.dtype[np.int64]]


@dataclass(frozen=True, slots=True)
class Everyone:
    """Everyone the npcs table holds, the dead too, as far as a year of the living needs them:
    a person's draws are keyed by their place among all ids, a child coming of age takes a
    parent's trade (a dead parent's too), a newborn a given name in use, a new id none held."""

    ids: Int
    """Every npc id, ascending."""
    professions: pl.Series
    """Each id's profession (as `ids`)."""
    names: pl.DataFrame
    """The given names in use: culture_id, sex, name (a name may repeat)."""

    @classmethod
    def of(cls, npcs: pl.DataFrame) -> Everyone:
        """Everyone in `npcs` (the whole table, in npc_id order)."""
        return cls(
            ids=npcs["npc_id"].to_numpy().astype(np.int64),
            professions=npcs["profession"],
            names=npcs.select("culture_id", "sex", "name"),
        )

    def places(self, ids: Int) -> Int:
        """Where each of `ids` stands among everyone's ids.

        Raises:
            ValueError: an id that is not among them.
        """
        at = np.searchsorted(self.ids, ids)
        found = at < self.ids.size
        found[found] = self.ids[at[found]] == ids[found]
        if not found.all():
            raise ValueError(f"npc ids {ids[~found][:5].tolist()} are not among everyone's")
        return np.asarray(at, dtype=np.int64)

    def professions_of(self, ids: Int) -> list[str | None]:
        """Each of `ids`' profession, None for an id no one holds (looked up at once: one by
        one, the thousands of children coming of age took a tenth of a year's people)."""
        if not self.ids.size:
            return [None] * ids.size
        at = np.minimum(np.searchsorted(self.ids, ids), self.ids.size - 1)
        held = self.ids[at] == ids
        found = self.professions.gather(at).to_list()
        return [p if h else None for p, h in zip(found, held.tolist(), strict=True)]
