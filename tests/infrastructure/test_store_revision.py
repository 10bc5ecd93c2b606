"""Tables revised in place: rows out by key and in, with the stage's other writes in one
transaction; a revision between two versions of a table turns the one into the other."""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.infrastructure.test_store import calendar
from worldloom.infrastructure.store import (
    Revision,
    RowRange,
    StoreError,
    open_store,
    table_frame,
    table_revision,
)


def _vitals(rows: list[tuple[int, int, int, str]]) -> pl.DataFrame:
    """npc_vitals rows (npc id, born, died, cause); -1 and '' say none, stored as null."""
    return table_frame(
        "npc_vitals",
        {
            "npc_id": [r[0] for r in rows],
            "born_tick": [r[1] if r[1] >= 0 else None for r in rows],
            "died_tick": [r[2] if r[2] >= 0 else None for r in rows],
            "death_cause": [r[3] or None for r in rows],
        },
    )


def _money(rows: list[tuple[int, int, int]]) -> pl.DataFrame:
    """money_supply rows (tick, market, money) of one day each: a two-column key."""
    return table_frame(
        "money_supply",
        {
            "tick": [r[0] for r in rows],
            "days": [1] * len(rows),
            "market_id": [r[1] for r in rows],
            "money": [r[2] for r in rows],
        },
    )


def test_a_revision_takes_rows_out_by_key_and_puts_rows_in(tmp_path: Path) -> None:
    with open_store(tmp_path / "w.duckdb") as store:
        store.replace_rows("a", {"money_supply": _money([(0, 0, 5), (0, 1, 6), (1, 0, 7)])})
        store.replace_rows("b", {"money_supply": _money([(0, 0, 9)])})
        written = store.replace_rows(
            "a",
            {"calendar_months": calendar(2)},
            append={"npc_vitals": _vitals([(1, 3, -1, "")])},
            revise={
                # (0, 1) goes; (1, 0) comes back changed; (2, 0) is new.
                "money_supply": Revision(
                    remove=_money([(0, 1, 0), (1, 0, 0)]).select("tick", "market_id"),
                    add=_money([(1, 0, 70), (2, 0, 8)]),
                )
            },
        )
        assert written == {"calendar_months": 2, "money_supply": 2, "npc_vitals": 1}
        kept = store.read("money_supply", "a").select("tick", "market_id", "money").rows()
        assert kept == [(0, 0, 5), (1, 0, 70), (2, 0, 8)]
        assert store.read("money_supply", "b")["money"].to_list() == [9]


@given(
    rows=st.sets(st.tuples(st.integers(0, 5), st.integers(0, 2)), max_size=12),
    before=st.integers(0, 6),
    market=st.integers(0, 2),
)
@settings(max_examples=15, deadline=None)
def test_dropped_ranges_take_out_exactly_the_rows_a_read_of_them_returns(
    rows: set[tuple[int, int]], before: int, market: int
) -> None:
    """A range dropped is a range read: what stays is what the reads of the ranges left out,
    another world's rows included."""
    ranges = (RowRange(before={"tick": before}), RowRange(where={"market_id": market}))
    stored = _money([(t, m, t * 10 + m) for t, m in sorted(rows)])
    with tempfile.TemporaryDirectory() as folder, open_store(Path(folder) / "w.duckdb") as store:
        store.replace_rows("a", {"money_supply": stored})
        store.replace_rows("b", {"money_supply": stored})
        read = [
            store.read("money_supply", "a", where=r.where, after=r.after, before=r.before)
            for r in ranges
        ]
        gone = {row for frame in read for row in frame.select("tick", "market_id").rows()}
        added = _money([(9, 0, 1)])
        store.replace_rows(
            "a", {}, revise={"money_supply": Revision(remove=_money([]), add=added, drop=ranges)}
        )
        left = store.read("money_supply", "a").select("tick", "market_id").rows()
        assert left == sorted((rows - gone) | {(9, 0)})
        assert store.read("money_supply", "b").height == len(rows)


def test_a_dropped_range_names_only_the_tables_columns(tmp_path: Path) -> None:
    wrong = Revision(_money([]), _money([]), drop=(RowRange(after={"tick; --": 0}),))
    with open_store(tmp_path / "w.duckdb") as store:
        store.replace_rows("a", {"money_supply": _money([(0, 0, 1)])})
        with pytest.raises(KeyError, match="no column"):
            store.replace_rows("a", {}, revise={"money_supply": wrong})
        assert store.read("money_supply", "a").height == 1


def test_a_failed_revision_leaves_every_table_of_the_write_as_it_was(tmp_path: Path) -> None:
    with open_store(tmp_path / "w.duckdb") as store:
        store.replace_rows("a", {"calendar_months": calendar(12), "money_supply": _money([])})
        store.replace_rows(
            "a", {}, revise={"money_supply": Revision(_money([]), _money([(0, 0, 1)]))}
        )
        # Rows appended under keys stored (appends come after the revisions): all undone.
        with pytest.raises(duckdb.ConstraintException, match="uplicate key"):
            store.replace_rows(
                "a",
                {},
                revise={"money_supply": Revision(_money([]), _money([(1, 0, 2)]))},
                append={"calendar_months": calendar(3)},
            )
        bad = Revision(remove=_money([]), add=_money([(1, 0, 2)]).drop("days"))
        with pytest.raises(StoreError, match="missing columns"):
            store.replace_rows("a", {"calendar_months": calendar(3)}, revise={"money_supply": bad})
        assert store.read("calendar_months", "a").height == 12
        assert store.read("money_supply", "a")["money"].to_list() == [1]


def test_a_read_before_a_bound_returns_only_the_smaller_rows(tmp_path: Path) -> None:
    with open_store(tmp_path / "w.duckdb") as store:
        store.replace_rows(
            "a", {"money_supply": _money([(t, m, t) for t in range(4) for m in (0, 1)])}
        )
        early = store.read("money_supply", "a", before={"tick": 2}, where={"market_id": 1})
        assert early.select("tick", "market_id").rows() == [(0, 1), (1, 1)]
        middle = store.read("money_supply", "a", after={"tick": 0}, before={"tick": 3})
        assert middle["tick"].unique().sort().to_list() == [1, 2]
        with pytest.raises(KeyError, match="no column 'tick <'"):
            store.read("money_supply", "a", before={"tick <": 2})


def test_a_revision_between_frames_of_other_columns_is_refused() -> None:
    vitals = _vitals([(1, 0, -1, "")])
    with pytest.raises(ValueError, match="revision of"):
        Revision.between(vitals, vitals.drop("death_cause"), key=("npc_id",))
    with pytest.raises(ValueError, match="revision of"):
        Revision.between(vitals, vitals, key=("person",))


_VITAL = st.tuples(
    st.integers(-1, 3), st.integers(-1, 3), st.sampled_from(["", "old_age", "plague"])
)
_TABLE = st.dictionaries(st.integers(0, 12), _VITAL, max_size=10)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(before=_TABLE, after=_TABLE, kept_in_place=st.booleans())
@example(  # a year's people: one aged, one unchanged, one born
    before={1: (1, -1, ""), 4: (2, -1, "")},
    after={1: (1, 3, "plague"), 4: (2, -1, ""), 9: (3, -1, "")},
    kept_in_place=True,
)
def test_the_revision_between_two_tables_turns_the_stored_one_into_the_other(
    before: dict[int, tuple[int, int, str]],
    after: dict[int, tuple[int, int, str]],
    kept_in_place: bool,
) -> None:
    """Rows in any order (joined by key), or every stored row in its place and the new ones
    after them (compared row by row): the same revision."""
    old = _vitals([(k, *v) for k, v in sorted(before.items())])
    new = _vitals([(k, *v) for k, v in sorted(after.items())])
    in_place = sorted(after, key=lambda k: (k not in before, k))
    given = _vitals([(k, *after[k]) for k in in_place]) if kept_in_place else new.reverse()
    revision = Revision.between(old, given, key=("npc_id",))
    # Only what differs is written: an unchanged row is neither removed nor added.
    same = {k for k in before if after.get(k) == before[k]}
    assert set(revision.add["npc_id"]) == set(after) - set(before)
    assert set(revision.remove["npc_id"]) == set(before) - set(after)
    assert set(revision.update["npc_id"]) == (set(before) & set(after)) - same
    with tempfile.TemporaryDirectory() as folder, open_store(Path(folder) / "w.duckdb") as store:
        store.replace_rows("a", {"npc_vitals": old})
        store.replace_rows("a", {}, revise={"npc_vitals": revision})
        assert store.read("npc_vitals", "a").equals(new)


def _provinces(rows: list[tuple[int, int, int]]) -> pl.DataFrame:
    """provinces rows (region, holder, tick): rows that all carry the day they describe."""
    return table_frame(
        "provinces",
        {
            "region_id": [r[0] for r in rows],
            "faction_id": [r[1] for r in rows],
            "is_core": [True] * len(rows),
            "tick": [r[2] for r in rows],
        },
    )


def test_a_stamp_moves_the_rows_left_in_place_to_the_new_day(tmp_path: Path) -> None:
    old = _provinces([(0, 1, 0), (1, 1, 0), (2, 2, 0)])
    new = _provinces([(0, 1, 365), (1, 2, 365), (3, 2, 365)])
    revision = Revision.between(old, new, key=("region_id",), stamp=("tick",))
    # Region 0 changed only its day: neither removed nor added, only stamped.
    assert revision.remove["region_id"].to_list() == [2]
    assert revision.add["region_id"].to_list() == [3]
    # Region 1 changed hands: only its holder is set.
    assert revision.update.rows() == [(1, 2)]
    assert revision.update.columns == ["region_id", "faction_id"]
    assert revision.stamp == {"tick": 365}
    with open_store(tmp_path / "w.duckdb") as store:
        store.replace_rows("a", {"provinces": old})
        store.replace_rows("b", {"provinces": old})
        store.replace_rows("a", {}, revise={"provinces": revision})
        assert store.read("provinces", "a").equals(new)
        assert store.read("provinces", "b").equals(old)
        for column in ("region_id", "holder"):
            wrong = Revision(remove=old.head(0), add=old.head(0), stamp={column: 1})
            with pytest.raises(KeyError, match=f"no column '{column}' to set"):
                store.replace_rows("a", {}, revise={"provinces": wrong})
        wrong = Revision(
            remove=old.head(0), add=old.head(0), update=pl.DataFrame({"region_id": [0], "x": [1]})
        )
        with pytest.raises(KeyError, match="no column 'x' to set"):
            store.replace_rows("a", {}, revise={"provinces": wrong})
        assert store.read("provinces", "a").equals(new)


def test_a_stamp_is_one_value_and_an_empty_table_has_none() -> None:
    old = _provinces([(0, 1, 0)])
    with pytest.raises(ValueError, match="stamped column 'tick' holds 2 values"):
        Revision.between(
            old, _provinces([(0, 1, 1), (1, 1, 2)]), key=("region_id",), stamp=("tick",)
        )
    gone = Revision.between(old, old.head(0), key=("region_id",), stamp=("tick",))
    assert (gone.remove["region_id"].to_list(), gone.add.height, dict(gone.stamp)) == ([0], 0, {})


def test_a_table_revision_compares_rows_as_the_table_holds_them(tmp_path: Path) -> None:
    """A system's -1 is the table's null, an Int64 frame holds an Int32 column's values: the
    same rows in a stage's shape change nothing."""
    stored = _vitals([(1, 3, -1, ""), (2, -1, 9, "plague")])
    with open_store(tmp_path / "w.duckdb") as store:
        store.replace_rows("a", {"npc_vitals": stored})
        read = store.read("npc_vitals", "a")
    staged = pl.DataFrame(
        {
            "npc_id": [2, 1],
            "born_tick": [-1, 3],
            "died_tick": [9, -1],
            "death_cause": ["plague", None],
        }
    )
    same = table_revision("npc_vitals", read, staged)
    assert (same.remove.height, same.add.height) == (0, 0)
    died = table_revision("npc_vitals", read, staged.with_columns(pl.Series("died_tick", [9, 12])))
    assert (died.remove.height, died.add.height) == (0, 0)
    assert died.update.rows() == [(1, 12)]
    with pytest.raises(StoreError, match="table npc_vitals: missing columns"):
        table_revision("npc_vitals", read, staged.drop("death_cause"))
    with pytest.raises(StoreError, match="npc_vitals: a value does not fit"):
        table_revision("npc_vitals", read, staged.with_columns(pl.lit("soon").alias("died_tick")))
    with pytest.raises(StoreError, match="unknown table"):
        table_revision("moons", read, staged)


def test_a_table_of_one_row_per_world_is_revised_whole(tmp_path: Path) -> None:
    counters = pl.DataFrame({"next_record_id": [4], "next_war_id": [1], "next_siege_id": [0]})
    with open_store(tmp_path / "w.duckdb") as store:
        store.replace_rows("a", {"war_counters": counters})
        store.replace_rows("b", {"war_counters": counters})
        read = store.read("war_counters", "a")
        assert table_revision("war_counters", read, counters).add.height == 0
        later = counters.with_columns(pl.lit(9).alias("next_record_id"))
        store.replace_rows(
            "a", {}, revise={"war_counters": table_revision("war_counters", read, later)}
        )
        assert store.read("war_counters", "a")["next_record_id"].to_list() == [9]
        assert store.read("war_counters", "b")["next_record_id"].to_list() == [4]
