"""SQL over frames: relations by name, results as frames, bad names refused."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from worldloom.infrastructure.store.frames import run_sql


def test_a_query_joins_the_frames_it_is_given_by_name() -> None:
    events = pl.DataFrame({"event_id": [1, 2, 3], "type": ["war", "battle", "peace"]})
    wanted = pl.DataFrame({"type": ["battle", "peace"]})
    rows = run_sql(
        "SELECT e.event_id FROM events e JOIN wanted USING (type) ORDER BY e.event_id",
        {"events": events, "wanted": wanted},
    )
    assert rows["event_id"].to_list() == [2, 3]


def test_an_empty_frame_keeps_its_columns() -> None:
    events = pl.DataFrame(schema={"event_id": pl.Int64, "tick": pl.Int64})
    rows = run_sql("SELECT event_id, tick FROM events", {"events": events})
    assert rows.height == 0
    assert rows.columns == ["event_id", "tick"]


@pytest.mark.parametrize("name", ["Events", "1events", "events; DROP", ""])
def test_a_relation_name_that_is_not_an_identifier_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not a lower-case SQL identifier"):
        run_sql("SELECT 1", {name: pl.DataFrame({"a": [1]})})


def test_a_query_that_does_not_run_names_its_problem() -> None:
    with pytest.raises(duckdb.Error, match="missing"):
        run_sql("SELECT * FROM missing", {})
