"""The DuckDB store: migrations, transactional stage writes, reads, locks and version checks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.processes import held_for_writing
from worldloom.infrastructure.store import (
    SCHEMA_VERSION,
    TABLES,
    SchemaTooNewError,
    StoreError,
    UnknownWorldError,
    WorldLockedError,
    Writes,
    describe_tables,
    open_store,
    table_revision,
)


def calendar(months: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "month": list(range(1, months + 1)),
            "name": [f"M{i}" for i in range(months)],
            "days": [30] * months,
            "season": ["winter"] * months,
        }
    )


def test_new_file_is_migrated_to_the_current_schema(tmp_path: Path) -> None:
    with open_store(tmp_path / "w.duckdb") as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert set(store.row_counts("w")) == set(TABLES)


def test_replacing_rows_never_duplicates_and_keeps_other_worlds(tmp_path: Path) -> None:
    with open_store(tmp_path / "w.duckdb") as store:
        store.replace_rows("a", {"calendar_months": calendar(12)})
        store.replace_rows("b", {"calendar_months": calendar(3)})
        store.replace_rows("a", {"calendar_months": calendar(12)})
        assert store.read("calendar_months", "a").height == 12
        assert store.read("calendar_months", "b").height == 3
        store.replace_rows("a", {}, clear=["calendar_months"])
        assert store.read("calendar_months", "a").height == 0
        assert store.read("calendar_months", "b").height == 3


def test_clearing_takes_the_worlds_rows_from_the_tables_that_hold_some(tmp_path: Path) -> None:
    with open_store(tmp_path / "w.duckdb") as store:
        store.replace_rows("a", {"calendar_months": calendar(12)})
        store.replace_rows("b", {"calendar_months": calendar(3)})
        # No world has rows in the first two tables; both have some in the third.
        store.replace_rows("a", {}, clear=["events", "rivers", "calendar_months"])
        assert store.read("calendar_months", "a").height == 0
        assert store.read("calendar_months", "b").height == 3
        with pytest.raises(StoreError, match="unknown table 'nowhere'"):
            store.replace_rows("b", {}, clear=["calendar_months", "nowhere"])
        assert store.read("calendar_months", "b").height == 3


def test_a_failed_stage_write_leaves_the_previous_rows(tmp_path: Path) -> None:
    with open_store(tmp_path / "w.duckdb") as store:
        store.replace_rows("a", {"calendar_months": calendar(12)})
        duplicate = pl.concat([calendar(2), calendar(2)])
        with pytest.raises(duckdb.ConstraintException):
            store.replace_rows("a", {"calendar_months": duplicate})
        assert store.read("calendar_months", "a").height == 12


def chaos_loads(*regions: int) -> pl.DataFrame:
    return pl.DataFrame({"region_id": list(regions), "load": [1.0] * len(regions)})


def test_the_last_writes_are_asked_for_once_the_others_are_written_and_share_their_commit(
    tmp_path: Path,
) -> None:
    """`last` is called inside the transaction, after the other writes: another connection
    still sees the rows before, and afterwards sees both parts (appended and revised too)."""
    with open_store(tmp_path / "w.duckdb") as store:
        store.replace_rows("a", {"calendar_months": calendar(12), "chaos_load": chaos_loads(1)})
        seen: list[int] = []

        def last() -> Writes:
            outside = store._con.cursor()  # its own transaction: only what is committed
            count = "SELECT count(*) FROM calendar_months WHERE world_id = 'a'"
            seen.append(outside.execute(count).fetchall()[0][0])
            outside.close()
            loads = store.read("chaos_load", "a")
            return Writes(
                frames={"chaos_discovered": pl.DataFrame({"poi_id": [7]})},
                append={"chaos_events": pl.DataFrame({"record_id": [1], "event_id": [9]})},
                revise={"chaos_load": table_revision("chaos_load", loads, chaos_loads(1, 2))},
            )

        written = store.replace_rows("a", {"calendar_months": calendar(3)}, last=last)
        assert seen == [12]
        assert written == {
            "calendar_months": 3,
            "chaos_discovered": 1,
            "chaos_events": 1,
            "chaos_load": 1,
        }
        assert store.read("calendar_months", "a").height == 3
        assert store.read("chaos_discovered", "a")["poi_id"].to_list() == [7]
        assert store.read("chaos_events", "a")["event_id"].to_list() == [9]
        assert store.read("chaos_load", "a")["region_id"].to_list() == [1, 2]
        # Nothing more to write: the others alone.
        store.replace_rows("a", {"calendar_months": calendar(4)}, last=lambda: None)
        assert store.read("calendar_months", "a").height == 4


@pytest.mark.parametrize("clash", ["calendar_months", "chaos_load"])
def test_last_writes_of_a_table_already_written_or_cleared_store_nothing(
    tmp_path: Path, clash: str
) -> None:
    with open_store(tmp_path / "w.duckdb") as store:
        store.replace_rows("a", {"calendar_months": calendar(12), "chaos_load": chaos_loads(1)})
        frame = calendar(2) if clash == "calendar_months" else chaos_loads(5)
        with pytest.raises(ValueError, match=rf"both write \['{clash}'\]"):
            store.replace_rows(
                "a",
                {"calendar_months": calendar(3)},
                clear=["chaos_load"],
                last=lambda: Writes(frames={clash: frame}),
            )
        assert store.read("calendar_months", "a").height == 12
        assert store.read("chaos_load", "a").height == 1


def test_last_writes_that_fail_to_come_leave_the_previous_rows(tmp_path: Path) -> None:
    asked: list[str] = []

    def last() -> Writes:
        asked.append("last")
        raise RuntimeError("the side process ended")

    with open_store(tmp_path / "w.duckdb") as store:
        store.replace_rows("a", {"calendar_months": calendar(12)})
        with pytest.raises(RuntimeError, match="side process ended"):
            store.replace_rows("a", {"calendar_months": calendar(3)}, last=last)
        assert store.read("calendar_months", "a").height == 12
        # The others fail first: the last writes are not waited for.
        duplicate = pl.concat([calendar(2), calendar(2)])
        with pytest.raises(duckdb.ConstraintException):
            store.replace_rows("a", {"calendar_months": duplicate}, last=last)
        assert asked == ["last"]
        assert store.read("calendar_months", "a").height == 12


def test_reads_come_back_in_primary_key_order(tmp_path: Path) -> None:
    with open_store(tmp_path / "w.duckdb") as store:
        store.replace_rows("a", {"calendar_months": calendar(12).reverse()})
        assert store.read("calendar_months", "a")["month"].to_list() == list(range(1, 13))


def test_a_filtered_read_returns_only_the_matching_rows(tmp_path: Path) -> None:
    with open_store(tmp_path / "w.duckdb") as store:
        months = calendar(6).with_columns(
            pl.Series("season", ["winter", "spring", "spring", "summer", "spring", "winter"])
        )
        store.replace_rows("a", {"calendar_months": months})
        store.replace_rows(
            "b", {"calendar_months": calendar(3).with_columns(season=pl.lit("spring"))}
        )
        spring = store.read("calendar_months", "a", where={"season": "spring"})
        assert spring["month"].to_list() == [2, 3, 5]
        assert spring.columns == store.read("calendar_months", "a").columns
        both = store.read(
            "calendar_months", "a", where={"season": "spring", "days": 30, "month": 3}
        )
        assert both["month"].to_list() == [3]
        assert store.read("calendar_months", "a", where={"season": "autumn"}).height == 0
        with pytest.raises(KeyError, match="no column 'season; DROP'"):
            store.read("calendar_months", "a", where={"season; DROP": "x"})
        later = store.read("calendar_months", "a", where={"season": "spring"}, after={"month": 2})
        assert later["month"].to_list() == [3, 5]
        with pytest.raises(KeyError, match="no column 'month >'"):
            store.read("calendar_months", "a", after={"month >": 2})


def test_frames_with_wrong_columns_are_refused_by_name(tmp_path: Path) -> None:
    with open_store(tmp_path / "w.duckdb") as store:
        with pytest.raises(StoreError, match=r"calendar_months: missing columns \['season'\]"):
            store.replace_rows("a", {"calendar_months": calendar(2).drop("season")})
        with pytest.raises(StoreError, match="unknown table 'moons'"):
            store.replace_rows("a", {"moons": calendar(2)})


def test_runs_record_provenance(tmp_path: Path) -> None:
    with open_store(tmp_path / "w.duckdb") as store:
        store.start_run(
            run_id="r1",
            world_id="a",
            flow="terrain",
            parameters_json="{}",
            parameters_hash="h",
            code_version="0.1.0",
        )
        store.finish_run("r1", status="failed", error="ValueError: boom")
        run = store.read("runs", "a").row(0, named=True)
    assert run["status"] == "failed"
    assert run["error"] == "ValueError: boom"
    assert run["finished_at"] >= run["started_at"]


def test_read_only_open_of_a_missing_world_is_a_clear_error(tmp_path: Path) -> None:
    with (
        pytest.raises(UnknownWorldError, match="no world database"),
        open_store(tmp_path / "nope.duckdb", read_only=True),
    ):
        pass
    assert not (tmp_path / "nope.duckdb").exists()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with open_store(path):
        pass
    with duckdb.connect(str(path)) as connection:
        connection.execute("INSERT INTO schema_version VALUES (999, 'future', now())")
    with pytest.raises(SchemaTooNewError, match="schema version 999"), open_store(path):
        pass


def test_a_file_locked_by_another_process_names_the_holder(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with open_store(path):
        pass
    with (
        held_for_writing(path) as holder,
        pytest.raises(WorldLockedError, match=rf"locked by another process: .*PID {holder}"),
        open_store(path, wait_s=0.5),
    ):
        pass


def test_exported_tables_exclude_provenance() -> None:
    exported = describe_tables()
    assert "runs" not in exported
    assert exported["cells"] == ("cell_id",)
    assert exported["worlds"] == ()


def test_an_older_file_is_migrated_additively_keeping_its_rows(tmp_path: Path) -> None:
    """A file from schema 1 gains migration 2's table and columns; its rows stay."""
    path = tmp_path / "w.duckdb"
    with open_store(path) as store:
        store.replace_rows("a", {"calendar_months": calendar(12)})
    with duckdb.connect(str(path)) as connection:  # turn it back into a schema-1 file
        connection.execute("DROP TABLE llm_calls")
        connection.execute("DROP TABLE prose_baseline")
        connection.execute("ALTER TABLE regions DROP COLUMN description")
        connection.execute("ALTER TABLE regions DROP COLUMN rivers")
        connection.execute("ALTER TABLE worlds DROP COLUMN lore")
        connection.execute("DELETE FROM schema_version WHERE version > 1")
    with open_store(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.read("calendar_months", "a").height == 12
        assert "description" in store.read("regions", "a").columns
        assert store.read("llm_calls", "a").height == 0


def test_log_rows_append_and_refuse_duplicates(tmp_path: Path) -> None:
    row = {
        "run_id": "r1",
        "call_seq": 0,
        "stage": "prose",
        "entity": "region 0",
        "template": "region",
        "template_hash": "h",
        "provider": "none",
        "model": "",
        "cache_key": "k",
        "cache_hit": False,
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "latency_ms": 0.1,
        "attempts": 0,
        "outcome": "fallback",
        "fallback_reason": "provider_none",
        "detail": None,
    }
    with open_store(tmp_path / "w.duckdb") as store:
        store.append_rows("a", "llm_calls", pl.DataFrame([row]))
        store.append_rows("a", "llm_calls", pl.DataFrame([{**row, "call_seq": 1}]))
        assert store.read("llm_calls", "a")["call_seq"].to_list() == [0, 1]
        with pytest.raises(duckdb.ConstraintException):
            store.append_rows("a", "llm_calls", pl.DataFrame([row]))


def test_references_name_a_key_column_of_their_target() -> None:
    for table in TABLES.values():
        for ref in table.references:
            target = TABLES[ref.table]
            assert target.primary_key == ("world_id", ref.target), (table.name, ref)


def test_dangling_references_are_counted_per_column(tmp_path: Path) -> None:
    deities = pl.DataFrame(
        {
            "deity_id": [0, 1, 2],
            "religion_id": [7, 7, -1],
            "rank": [0, 1, 0],
            "name": ["A", "B", "C"],
            "epithet": ["", "", ""],
            "domains": [[], [], []],
        },
        schema_overrides={"rank": pl.Int16, "domains": pl.List(pl.String)},
    )
    with open_store(tmp_path / "w.duckdb") as store:
        store.replace_rows("a", {"deities": deities})
        # Religion 7 does not exist; -1 names no religion at all.
        assert store.dangling_references("a") == {"deities.religion_id": 2}
        assert store.dangling_references("b") == {}


def test_a_schema_6_file_says_none_with_null_after_migration(tmp_path: Path) -> None:
    """Before schema 7 a missing id was -1 in a NOT NULL column; after it, null."""
    path = tmp_path / "w.duckdb"
    with open_store(path):
        pass
    with duckdb.connect(str(path)) as connection:  # turn it back into a schema-6 file
        connection.execute("ALTER TABLE npcs ALTER COLUMN father_id SET NOT NULL")
        connection.execute(
            "INSERT INTO npcs (world_id, npc_id, settlement_id, name, family_name, age, sex, "
            "culture_id, religion_id, profession, strength, dexterity, constitution, "
            "intelligence, wisdom, charisma, skill_melee, skill_archery, skill_craft, "
            "skill_survival, skill_lore, skill_trade, household_id, father_id, mother_id, "
            "spouse_id, wealth, notable) VALUES ('a', 1, 0, 'A', 'B', 30, 'female', 0, 0, "
            "'farmer', 10, 10, 10, 10, 10, 10, 1, 1, 1, 1, 1, 1, 1, -1, 7, -1, 5, false)"
        )
        connection.execute("DELETE FROM schema_version WHERE version > 6")
    with open_store(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        row = store.read("npcs", "a").row(0, named=True)
    assert (row["father_id"], row["mother_id"], row["spouse_id"]) == (None, 7, None)
    with duckdb.connect(str(path)) as connection:  # and the column takes nulls from now on
        nullable = connection.execute(
            "SELECT is_nullable FROM information_schema.columns "
            "WHERE table_name = 'npcs' AND column_name = 'father_id'"
        ).fetchone()
    assert nullable == ("YES",)


def test_a_negative_id_in_a_nullable_column_is_stored_as_null(tmp_path: Path) -> None:
    religions = pl.DataFrame(
        {
            "religion_id": [0, 1],
            "kind": ["folk", "heresy"],
            "name": ["Old Ways", "New Ways"],
            "form": ["animism", "dualism"],
            "culture_id": [0, 0],
            "parent_id": [-1, 0],
            "origin_settlement_id": [-1, 3],
            "origin_region_id": [-1, 2],
            "description": ["", ""],
        }
    )
    with open_store(tmp_path / "w.duckdb") as store:
        store.replace_rows("a", {"religions": religions})
        stored = store.read("religions", "a")
    assert stored["parent_id"].to_list() == [None, 0]
    assert stored["origin_settlement_id"].to_list() == [None, 3]


def test_the_data_dictionary_is_in_duckdb_comments(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with open_store(path):
        pass
    with duckdb.connect(str(path), read_only=True) as connection:
        tables = dict(
            connection.execute("SELECT table_name, comment FROM duckdb_tables()").fetchall()
        )
        columns = {
            (table, column): comment
            for table, column, comment in connection.execute(
                "SELECT table_name, column_name, comment FROM duckdb_columns()"
            ).fetchall()
        }
    for table in TABLES.values():
        assert tables[table.name] == table.description
        for column in table.columns:
            assert columns[table.name, column.name].startswith(column.description)
            if column.unit:
                assert columns[table.name, column.name].endswith(f"[{column.unit}]")


def test_a_dictionary_out_of_date_is_written_again(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with open_store(path):
        pass
    table = next(iter(TABLES.values()))

    def comment() -> str:
        with duckdb.connect(str(path), read_only=True) as connection:
            rows = connection.execute(
                "SELECT comment FROM duckdb_tables() WHERE table_name = ?", [table.name]
            ).fetchall()
        return str(rows[0][0])

    with duckdb.connect(str(path)) as connection:
        connection.execute(f"COMMENT ON TABLE {table.name} IS 'stale'")
    with open_store(path):
        pass
    assert comment() == "stale"  # the file says this code documented it: not compared again
    with duckdb.connect(str(path)) as connection:
        connection.execute("COMMENT ON TABLE schema_version IS 'an older dictionary'")
    with open_store(path):
        pass
    assert comment() == table.description


INTERRUPTED_WRITES = """
import os, signal, sys, threading, time, traceback
from pathlib import Path
import polars as pl
from worldloom.infrastructure.store import open_store

def frames(rows):
    ids = pl.Series(range(rows), dtype=pl.Int64)
    return {{
        "chaos_load": pl.DataFrame({{"region_id": ids, "load": ids.cast(pl.Float64)}}),
        "chaos_events": pl.DataFrame({{"record_id": ids, "event_id": ids}}),
    }}

# Ctrl-C as a terminal sends it (a process started in the background may inherit it ignored).
signal.signal(signal.SIGINT, signal.default_int_handler)
big = frames({rows})
with open_store(Path(sys.argv[1])) as store:
    for delay in {delays}:
        store.replace_rows("w", frames(3))
        timer = threading.Timer(delay, os.kill, (os.getpid(), signal.SIGINT))
        try:
            timer.start()
            store.replace_rows("w", big)
            timer.join()
            time.sleep(5)  # lands here at the latest
        except (KeyboardInterrupt, RuntimeError) as stop:
            assert isinstance(stop, KeyboardInterrupt) or "interrupted" in str(stop), stop
            where = "write" if "replace_rows" in traceback.format_exc() else "after"
        counts = {{store.read(name, "w").height for name in big}}
        assert len(counts) == 1, counts  # both tables, or neither
        print(where, counts.pop(), flush=True)
"""


def test_ctrl_c_in_a_write_keeps_all_of_it_or_none(tmp_path: Path) -> None:
    rows, delays = 2_000_000, [0.0, 0.01, 0.03, 0.06, 0.1, 0.2, 0.3, 0.5, 0.8, 1.2, 2.0]
    program = INTERRUPTED_WRITES.format(rows=rows, delays=delays)
    done = subprocess.run(
        [sys.executable, "-c", program, str(tmp_path / "w.duckdb")],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr  # no ROLLBACK error hid an interrupt
    outcomes = [line.split() for line in done.stdout.splitlines()]
    assert len(outcomes) == len(delays)
    assert {count for _, count in outcomes} <= {"3", str(rows)}
    assert ["write", "3"] in outcomes  # some landed in a write, which left the old rows
