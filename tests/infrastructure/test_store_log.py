"""Log tables in the store: appended with a stage's replaced rows in one transaction, next ids."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from tests.infrastructure.test_store import calendar
from worldloom.infrastructure.store import StoreError, open_store, table_frame


def _events(first: int, count: int, *, tick: int = 0) -> pl.DataFrame:
    return table_frame(
        "events",
        {
            "event_id": list(range(first, first + count)),
            "tick": [tick] * count,
            "type": ["omen"] * count,
            "importance": [2] * count,
            "npc_id": [-1] * count,
            "faction_id": [-1] * count,
            "other_faction_id": [-1] * count,
            "settlement_id": [-1] * count,
            "region_id": [-1] * count,
            "poi_id": [-1] * count,
            "cause_ids": [[]] * count,
            "payload": ['{"portent":"comet","severity":0.5}'] * count,
        },
    )


def test_appended_rows_add_to_a_log_beside_replaced_rows(tmp_path: Path) -> None:
    with open_store(tmp_path / "w.duckdb") as store:
        assert store.next_id("events", "a", "event_id") == 0
        written = store.replace_rows(
            "a", {"calendar_months": calendar(12)}, append={"events": _events(0, 3)}
        )
        assert written == {"calendar_months": 12, "events": 3}
        store.replace_rows("a", {"calendar_months": calendar(12)}, append={"events": _events(3, 2)})
        events = store.read("events", "a")
        assert events["event_id"].to_list() == [0, 1, 2, 3, 4]
        assert events["npc_id"].null_count() == 5  # -1, a system's "none", is stored as null
        assert store.next_id("events", "a", "event_id") == 5
        assert store.next_id("events", "b", "event_id") == 0
        with pytest.raises(KeyError, match="no column"):
            store.next_id("events", "a", "dragon")


def test_a_failed_append_leaves_the_replaced_tables_as_they_were(tmp_path: Path) -> None:
    with open_store(tmp_path / "w.duckdb") as store:
        store.replace_rows("a", {"calendar_months": calendar(12)})
        bad = _events(0, 1).drop("payload")
        with pytest.raises(StoreError, match="missing columns"):
            store.replace_rows("a", {"calendar_months": calendar(3)}, append={"events": bad})
        assert store.read("calendar_months", "a").height == 12
        assert store.read("events", "a").height == 0
