"""Reads of a world's table: only some columns, only rows in any of some ranges, and reads
remembered within a stage until it writes their tables (and handed to the next stage)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.infrastructure.test_store_revision import _money
from worldloom.infrastructure.store import (
    RowRange,
    StoreError,
    open_store,
    stored_rows,
    table_frame,
)


def test_a_read_of_some_columns_returns_those_in_that_order(tmp_path: Path) -> None:
    with open_store(tmp_path / "w.duckdb") as store:
        store.replace_rows("a", {"money_supply": _money([(1, 0, 5), (0, 1, 6)])})
        frame = store.read("money_supply", "a", columns=("money", "tick"))
        assert frame.columns == ["money", "tick"]
        assert frame.rows() == [(6, 0), (5, 1)]  # still in key order
        with pytest.raises(KeyError, match="no column 'wealth'"):
            store.read("money_supply", "a", columns=("wealth",))


def test_a_read_within_ranges_returns_the_rows_of_any_of_them(tmp_path: Path) -> None:
    rows = [(t, m, t) for t in range(5) for m in (0, 1)]
    with open_store(tmp_path / "w.duckdb") as store:
        store.replace_rows("a", {"money_supply": _money(rows)})
        store.replace_rows("b", {"money_supply": _money(rows)})
        early_or_late = (
            RowRange(before={"tick": 1}),
            RowRange(where={"market_id": 1}, after={"tick": 3}),
        )
        read = store.read("money_supply", "a", within=early_or_late)
        assert read.select("tick", "market_id").rows() == [(0, 0), (0, 1), (4, 1)]
        # Ranges narrow the other bounds; a range without bounds holds every row.
        narrowed = store.read("money_supply", "a", where={"market_id": 0}, within=early_or_late)
        assert narrowed.select("tick", "market_id").rows() == [(0, 0)]
        assert store.read("money_supply", "a", within=(RowRange(),)).height == len(rows)


def test_reads_are_remembered_within_until_a_write(tmp_path: Path) -> None:
    with open_store(tmp_path / "w.duckdb") as store:
        store.replace_rows("a", {"money_supply": _money([(0, 0, 5)])})
        assert store.read("money_supply", "a") is not store.read("money_supply", "a")
        with store.remembering() as remembering:
            first = remembering.read("money_supply", "a")
            assert remembering.read("money_supply", "a") is first
            assert remembering.read("money_supply", "a", before={"tick": 0}).height == 0
            remembering.append_rows("a", "money_supply", _money([(1, 0, 7)]))
            assert remembering.read("money_supply", "a")["money"].to_list() == [5, 7]
            remembering.replace_rows("a", {"money_supply": _money([(2, 0, 9)])})
            assert remembering.read("money_supply", "a")["money"].to_list() == [9]
        assert store.read("money_supply", "a") is not store.read("money_supply", "a")


def test_a_write_forgets_the_reads_of_the_tables_it_wrote_only(tmp_path: Path) -> None:
    """Reads of tables a write left alone are still true and stay remembered; those of a
    table it wrote, or read as rows not among another table's that it wrote, are read again."""
    dead = ("npc_vitals", RowRange(after={"died_tick": -1}))
    bios = table_frame("notable_bios", {"npc_id": [1, 2], "text": ["one", "two"]})
    with open_store(tmp_path / "w.duckdb") as store:
        store.replace_rows(
            "a",
            {
                "money_supply": _money([(0, 0, 5)]),
                "npc_vitals": _vitals([(1, 5, None, None), (2, 6, None, None)]),
                "notable_bios": bios,
            },
        )
        with store.remembering() as remembering:
            money = remembering.read("money_supply", "a")
            living = remembering.read("notable_bios", "a", unless_in=dead)
            assert living["npc_id"].to_list() == [1, 2]
            remembering.replace_rows(
                "a", {"npc_vitals": _vitals([(1, 5, 9, "war"), (2, 6, None, None)])}
            )
            assert remembering.read("money_supply", "a") is money
            assert remembering.read("notable_bios", "a", unless_in=dead)["npc_id"].to_list() == [2]
            assert remembering.read("notable_bios", "a")["npc_id"].to_list() == [1, 2]
            # A write that fails forgets every read: what it did is undone, but not known.
            with pytest.raises(RuntimeError, match="no stories"):
                remembering.replace_rows(
                    "a", {"npc_vitals": _vitals([])}, last=_fails("no stories")
                )
            assert remembering.read("money_supply", "a") is not money
            assert remembering.read("npc_vitals", "a").height == 2  # rolled back


def _fails(message: str) -> Callable[[], None]:
    def fail() -> None:
        raise RuntimeError(message)

    return fail


def test_remembered_reads_go_to_another_store_of_the_file(tmp_path: Path) -> None:
    """A store hands the reads it remembers to the next one that opens the file (a simulate
    run's next segment); that store's own reads stay, and outside `remembering` nothing is."""
    path = tmp_path / "w.duckdb"
    with open_store(path) as store:
        store.replace_rows("a", {"money_supply": _money([(0, 0, 5)])})
        assert store.remembered() == {}
        with store.remembering() as remembering:
            money = remembering.read("money_supply", "a")
            early = remembering.read("money_supply", "a", before={"tick": 1})
            memory = remembering.remembered()
    with open_store(path) as again, again.remembering() as remembering:
        mine = remembering.read("money_supply", "a", before={"tick": 1})
        remembering.recall(memory)
        assert remembering.read("money_supply", "a") is money
        assert remembering.read("money_supply", "a", before={"tick": 1}) is mine
        assert mine is not early
    with open_store(path) as outside:
        outside.recall(memory)
        assert outside.read("money_supply", "a") is not money


def _vitals(rows: list[tuple[int, int | None, int | None, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"npc_id": pl.Int64, "born_tick": pl.Int64, "died_tick": pl.Int64,
                "death_cause": pl.String},
        orient="row",
    )  # fmt: skip


def test_a_read_unless_in_leaves_out_the_rows_keyed_in_another_range(tmp_path: Path) -> None:
    dead = ("npc_vitals", RowRange(after={"died_tick": -1}))
    with open_store(tmp_path / "w.duckdb") as store:
        store.replace_rows(
            "a",
            {"npc_vitals": _vitals([(1, 5, None, None), (2, None, 0, "war"), (3, 7, 9, "x")])},
        )
        store.replace_rows("b", {"npc_vitals": _vitals([(1, 5, 8, "war")])})
        # Only world a's dead count: its npc 1 lives though world b's died.
        assert store.read("npc_vitals", "a", unless_in=dead)["npc_id"].to_list() == [1]
        assert store.read("npc_vitals", "b", unless_in=dead).height == 0
        with pytest.raises(KeyError, match="not keyed by one column"):
            store.read("money_supply", "a", unless_in=dead)
        with pytest.raises(KeyError, match="no column 'alive'"):
            store.read("npc_vitals", "a", unless_in=("npc_vitals", RowRange({"alive": 1})))


def test_a_distinct_read_returns_each_row_once_in_column_order(tmp_path: Path) -> None:
    with open_store(tmp_path / "w.duckdb") as store:
        store.replace_rows(
            "a",
            {"npc_vitals": _vitals([(1, 5, 9, "war"), (2, 6, 9, "war"), (3, 7, 8, "plague")])},
        )
        distinct = store.read(
            "npc_vitals", "a", columns=("died_tick", "death_cause"), distinct=True
        )
        assert distinct.rows() == [(8, "plague"), (9, "war")]
        assert store.read("npc_vitals", "a", columns=("died_tick",)).height == 3


@pytest.mark.parametrize("columns", [None, ("died_tick",), ("death_cause", "npc_id")])
def test_rows_keyed_by_one_column_come_in_key_order_however_written(
    tmp_path: Path, columns: tuple[str, ...] | None
) -> None:
    """A table keyed by one column is sorted after the read, not by DuckDB: rows written out
    of order (appended, or rewritten in place) still come by key, with only the columns
    asked for, the key among them or not."""
    ids = [5, 1, 4, 2, 3]
    with open_store(tmp_path / "w.duckdb") as store:
        for npc in ids:
            store.append_rows("a", "npc_vitals", _vitals([(npc, npc, 10 * npc, f"c{npc}")]))
        store.append_rows("b", "npc_vitals", _vitals([(0, 0, 0, "other world")]))
        frame = store.read("npc_vitals", "a", columns=columns)
        assert frame.columns == list(columns or ("npc_id", "born_tick", "died_tick", "death_cause"))
        expected = _vitals([(n, n, 10 * n, f"c{n}") for n in sorted(ids)])
        assert frame.rows() == expected.select(frame.columns).rows()


def test_a_read_among_values_returns_the_rows_holding_one_of_them(tmp_path: Path) -> None:
    with open_store(tmp_path / "w.duckdb") as store:
        store.replace_rows(
            "a",
            {"npc_vitals": _vitals([(1, 5, 9, "war"), (2, 6, 9, "war"), (3, 7, 8, "plague")])},
        )
        store.replace_rows("b", {"npc_vitals": _vitals([(4, 5, 8, "war")])})
        among = store.read("npc_vitals", "a", among={"npc_id": [3, 1, 4, 7]})
        assert among["npc_id"].to_list() == [1, 3]  # world a's, in key order
        both = store.read("npc_vitals", "a", among={"npc_id": [1, 2], "born_tick": [6]})
        assert both["npc_id"].to_list() == [2]
        assert store.read("npc_vitals", "a", among={"npc_id": []}).height == 0
        with pytest.raises(KeyError, match="no column 'alive'"):
            store.read("npc_vitals", "a", among={"alive": [1]})


@pytest.mark.parametrize(
    "ranges",
    [
        (),
        (RowRange(),),
        (RowRange(before={"tick": 2}),),
        (RowRange(where={"market_id": 1}, after={"tick": 1}), RowRange(before={"tick": 1})),
        (RowRange(where={"market_id": 0}, after={"tick": 1}, before={"tick": 4}),),
        (RowRange(after={"tick": 9}),),
    ],
)
def test_ranges_hold_in_memory_the_rows_a_read_within_them_returns(
    tmp_path: Path, ranges: tuple[RowRange, ...]
) -> None:
    """Rows kept in memory are read as the store reads them: in any of the ranges, each
    bounding its columns by =, > and <; no range at all holds every row."""
    rows = [(t, m, 10 * t + m) for t in range(5) for m in (1, 0)]
    with open_store(tmp_path / "w.duckdb") as store:
        store.replace_rows("a", {"money_supply": _money(rows)})
        read = store.read("money_supply", "a", within=ranges)
        kept = store.read("money_supply", "a")
    assert kept.filter(RowRange.any_of(ranges)).equals(read)


def test_rows_stored_are_those_a_read_returns_in_its_types_and_order(tmp_path: Path) -> None:
    """`stored_rows` says what a write leaves, as a read returns it: the table's types and
    column order, keys in order, a system's -1 for "none" as null."""
    written = _vitals([(3, 7, -1, None), (1, 5, 9, "war"), (2, -1, 0, "plague")]).select(
        "death_cause", "npc_id", "died_tick", "born_tick"
    )
    with open_store(tmp_path / "w.duckdb") as store:
        store.replace_rows("a", {"npc_vitals": written, "money_supply": _money([(1, 1, 5)])})
        store.append_rows("a", "money_supply", _money([(0, 1, 6), (1, 0, 7)]))
        read = {name: store.read(name, "a") for name in ("npc_vitals", "money_supply")}
        assert store.row_counts("a", ["money_supply", "npc_vitals"]) == {
            "money_supply": 3,
            "npc_vitals": 3,
        }
        with pytest.raises(StoreError, match="unknown table"):
            store.row_counts("a", ["memoirs"])
    assert stored_rows("npc_vitals", written).equals(read["npc_vitals"])
    money = pl.concat([_money([(1, 1, 5)]), _money([(0, 1, 6), (1, 0, 7)])])
    assert stored_rows("money_supply", money).equals(read["money_supply"])
    # Rows in key order are taken as they are; a tie on the first column is ordered by the next.
    in_order = _money([(0, 1, 6), (1, 0, 7), (1, 1, 5)])
    assert stored_rows("money_supply", in_order).equals(read["money_supply"])
    tied = _money([(0, 1, 6), (1, 1, 5), (1, 0, 7)])
    assert stored_rows("money_supply", tied).equals(read["money_supply"])
    with pytest.raises(StoreError, match="unexpected"):
        stored_rows("npc_vitals", written.with_columns(pl.lit(1).alias("alive")))


@pytest.mark.parametrize("stored", ["in key order", "out of key order"])
def test_a_read_by_a_key_of_several_columns_is_in_duckdb_s_order(
    tmp_path: Path, stored: str
) -> None:
    """Rows are read as stored and sorted by Polars only when out of order: the order is
    DuckDB's own ORDER BY, strings by their bytes (capitals first, accents last)."""
    goods = ["Zinc", "apple", "bread", "Ale", "éclair", "Éclair"]
    rows = [(market, good) for market in (2, 0, 1) for good in goods]
    if stored == "in key order":
        rows.sort(key=lambda row: (row[0], row[1].encode()))
    frame = table_frame(
        "market_goods",
        {
            "market_id": [m for m, _ in rows],
            "good": [g for _, g in rows],
            "price": [1.0] * len(rows),
            "stock": list(range(len(rows))),
            "supply": [0] * len(rows),
            "demand": [0] * len(rows),
        },
    )
    path = tmp_path / "w.duckdb"
    with open_store(path) as store:
        store.replace_rows("a", {"market_goods": frame})
        read = store.read("market_goods", "a")
    with duckdb.connect(str(path), read_only=True) as connection:
        ordered = connection.execute(
            "SELECT market_id, good, stock FROM market_goods ORDER BY market_id, good"
        ).fetchall()

    assert read.select("market_id", "good", "stock").rows() == ordered
    assert read["good"].head(6).to_list() == ["Ale", "Zinc", "apple", "bread", "Éclair", "éclair"]
