"""Names looked up by bisection over columns (`Roster`) are those of a dict of the same ids."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from worldloom.systems.narrative.names import Names, Roster


@settings(max_examples=60, deadline=None)
@given(
    named=st.dictionaries(st.integers(-50, 500), st.text(max_size=8), max_size=30),
    asked=st.lists(st.integers(-60, 510), max_size=30),
)
def test_a_roster_is_the_dict_of_its_columns(named: dict[int, str], asked: list[int]) -> None:
    ids = sorted(named)
    roster = Roster(
        pl.Series(ids, dtype=pl.Int64), pl.Series([named[i] for i in ids], dtype=pl.String)
    )
    assert dict(roster) == dict(sorted(named.items()))
    assert list(roster) == ids
    assert list(roster.values()) == [named[i] for i in ids]
    assert len(roster) == len(named)
    for entity in asked:
        assert roster.get(entity) == named.get(entity)
        assert (entity in roster) == (entity in named)
    names = Names(npc=roster)
    assert all(names.of("npc", entity) == named.get(entity) for entity in asked)


def test_a_roster_knows_no_id_that_is_not_a_number() -> None:
    roster = Roster(pl.Series([1, 2], dtype=pl.Int64), pl.Series(["Ada", "Bo"]))
    assert roster.get(None) is None  # type: ignore[call-overload]
    assert "1" not in roster
    assert roster[2] == "Bo"
    assert Names(npc=roster).known() == {"Ada", "Bo"}
