"""The clauses filtered in Polars give the rows of the one-query SQL, and a sifting call names
every arc whose rows it changed (a store writes only those)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl
import pytest

from worldloom.infrastructure.store.frames import run_sql
from worldloom.systems.history import EventCatalog
from worldloom.systems.narrative.arc import (
    ArcBook,
    ArcPatterns,
    compile_candidates,
    sift,
    sift_arcs,
)
from worldloom.systems.narrative.arc.query import (
    _cast,
    candidate_rows,
    candidates,
    compile_log,
    parse_log,
)
from worldloom.systems.narrative.names import Names
from worldloom.systems.rng import Seeds

Log = Callable[[Sequence[Any]], pl.DataFrame]


def _log(seed: int, catalog: EventCatalog, patterns: ArcPatterns) -> list[Any]:
    """Events of the types the patterns read, with small ids (so clauses bind and collide),
    from a stream keyed by `seed`."""
    rng = Seeds(seed).stream("test.arc.log")

    def pick(options: Sequence[Any]) -> Any:
        return options[int(rng.integers(len(options)))]

    types = sorted({t for p in patterns.patterns for s in p.stages for t in s.clause.types})
    values: dict[str, Callable[[], Any]] = {
        "int": lambda: int(rng.integers(-1, 301)),
        "float": lambda: pick([0.0, 0.5, 50.0, 150.0]),
        "bool": lambda: bool(rng.random() < 0.5),
        "str": lambda: pick(["war", "hunger", "plague", "child", "vassalage", ""]),
    }
    events: list[Any] = []
    tick = 0
    for event_id in range(int(rng.integers(1, 61))):
        kind = pick([*types, "omen"])
        tick = max(0, tick + int(rng.integers(-40, 901)))
        columns = ("npc_id", "faction_id", "other_faction_id", "settlement_id", "region_id")
        actors: dict[str, Any] = {c: pick([None, 0, 1, 2]) for c in columns}
        # Causes are earlier events: the first event has none.
        causes = int(rng.integers(0, 3)) if event_id else 0
        actors["cause_ids"] = [int(rng.integers(event_id)) for _ in range(causes)]
        payload = {f.name: values[f.kind]() for f in catalog[kind].payload}
        events.append((tick, kind, actors, payload))
    return events


# Seeded logs, not Hypothesis's: three clean-clone runs of `make test` failed here on its
# "inconsistent data generation" (FlakyStrategyDefinition), derandomized or not, which no local
# run reproduced; the same 40 logs each run keep the check and make any failure repeatable.
@pytest.mark.parametrize("seed", range(40))
def test_the_clauses_in_polars_give_the_rows_of_the_sql(
    patterns: ArcPatterns, catalog: EventCatalog, make_log: Log, seed: int
) -> None:
    log = make_log(_log(seed, catalog, patterns))
    expected = run_sql(compile_candidates(patterns), {"events": log})
    parsed = parse_log(patterns, log)
    in_sql = run_sql(compile_log(patterns), {"events": log}).sort("event_id")
    assert parsed.schema == in_sql.schema
    assert parsed.equals(in_sql)
    found = candidates(patterns, parsed)
    assert found.schema == expected.schema
    assert found.equals(expected)


@pytest.mark.parametrize("seed", range(10))
def test_candidate_rows_hold_the_frames_values(
    patterns: ArcPatterns, catalog: EventCatalog, make_log: Log, seed: int
) -> None:
    rows = candidates(patterns, parse_log(patterns, make_log(_log(seed, catalog, patterns))))
    made = [(*row[:-2], list(row.cause_ids), list(row.vals)) for row in candidate_rows(rows)]
    assert made == rows.rows()
    assert any(row.cause_ids for row in candidate_rows(rows))


def test_a_log_without_payload_fields_read_is_parsed_as_in_sql(
    patterns: ArcPatterns, make_log: Log
) -> None:
    plain = ArcPatterns(patterns=(patterns["succession_crisis"],))
    log = make_log(
        [(5, "succession", {"faction_id": 2}, {}), (3, "war_declared", {"faction_id": 1}, {})]
    )
    parsed = parse_log(plain, log)
    in_sql = run_sql(compile_log(plain), {"events": log}).sort("event_id")
    assert parsed.columns == in_sql.columns
    assert parsed.equals(in_sql)


TEXTS = ["42", "42.0", "42.5", "-2.5", "0.5", "1e3", "9007199254740993", "inf", "true", "T",
         "yes", "n", "0", "1", "x", "", None]  # fmt: skip


@pytest.mark.parametrize(("kind", "sql"), [("int", "BIGINT"), ("float", "DOUBLE"),
                                            ("bool", "BOOLEAN"), ("str", "VARCHAR")])  # fmt: skip
def test_payload_texts_are_cast_as_duckdb_casts_them(kind: str, sql: str) -> None:
    texts = pl.Series("t", TEXTS, dtype=pl.String)
    expected = run_sql(f"SELECT TRY_CAST(t AS {sql}) AS t FROM texts", {"texts": texts.to_frame()})
    assert _cast(texts, kind).to_list() == expected["t"].to_list()


def test_an_empty_log_has_no_candidates(patterns: ArcPatterns, make_log: Log) -> None:
    found = candidates(patterns, run_sql(compile_log(patterns), {"events": make_log([])}))
    assert found.is_empty()
    assert found.schema == run_sql(compile_candidates(patterns), {"events": make_log([])}).schema


@pytest.mark.parametrize("seed", range(30))
def test_only_the_arcs_a_call_names_changed(
    patterns: ArcPatterns, catalog: EventCatalog, make_log: Log, names: Names, seed: int
) -> None:
    log = make_log(_log(seed, catalog, patterns))
    cut = int(Seeds(seed).stream("test.arc.cut").integers(log.height + 1))
    first = sift_arcs(patterns=patterns, book=ArcBook(), events=log[:cut], names=names)
    second = sift_arcs(patterns=patterns, book=first, events=log[cut:], names=names)
    named = pl.col("arc_id").is_in(pl.Series(second.rewritten, dtype=pl.Int64).implode())
    for frame in ("arcs", "arc_events", "arc_roles", "partials"):
        before, after = getattr(first, frame), getattr(second, frame)
        # What the call did not name is as it was; what it named is what it wrote.
        assert after.filter(~named).equals(before.filter(~named)), frame
        assert set(after["arc_id"]) - set(before["arc_id"]) <= set(second.rewritten), frame


def test_open_matches_of_a_pattern_no_longer_sifted_are_dropped_and_named(
    patterns: ArcPatterns, make_log: Log, names: Names
) -> None:
    log = make_log([(10, "border_incident", {"faction_id": 1, "other_faction_id": 2}, {})])
    book = sift_arcs(patterns=patterns, book=ArcBook(), events=log, names=names)
    assert book.partials.height
    gone = book.partials.with_columns(pattern=pl.lit("retired_pattern"))
    later = make_log([
        (10, "border_incident", {"faction_id": 1, "other_faction_id": 2}, {}),
        (20, "omen", {}, {}),
    ])  # fmt: skip
    after = sift_arcs(
        patterns=patterns,
        book=ArcBook(partials=gone, last_event_id=0, tick=book.tick),
        events=later,
        names=names,
    )
    assert not after.partials["pattern"].is_in(["retired_pattern"]).any()
    assert set(gone["arc_id"]) <= set(after.rewritten)


def test_the_rows_left_out_as_finding_no_match_change_nothing(
    patterns: ArcPatterns,
    catalog: EventCatalog,
    make_log: Log,
    names: Names,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def books(log: pl.DataFrame, cut: int) -> list[ArcBook]:
        first = sift_arcs(patterns=patterns, book=ArcBook(), events=log[:cut], names=names)
        return [first, sift_arcs(patterns=patterns, book=first, events=log[cut:], names=names)]

    logs = [make_log(_log(seed, catalog, patterns)) for seed in range(30)]
    cuts = [
        int(Seeds(seed).stream("test.arc.cut").integers(log.height + 1))
        for seed, log in enumerate(logs)
    ]
    left_out = 0
    live = sift._live

    def counted(patterns: ArcPatterns, rows: pl.DataFrame, waking: pl.DataFrame) -> pl.DataFrame:
        nonlocal left_out
        kept = live(patterns, rows, waking)
        left_out += rows.height - kept.height
        return kept

    monkeypatch.setattr(sift, "_live", counted)
    lean = [books(log, cut) for log, cut in zip(logs, cuts, strict=True)]
    monkeypatch.setattr(sift, "_live", lambda patterns, rows, waking: rows)
    full = [books(log, cut) for log, cut in zip(logs, cuts, strict=True)]
    assert left_out
    for ours, every in zip(lean, full, strict=True):
        for one, other in zip(ours, every, strict=True):
            for frame in ("arcs", "arc_events", "arc_roles", "partials"):
                assert getattr(one, frame).equals(getattr(other, frame)), frame
            assert (one.rewritten, one.tick) == (other.rewritten, other.tick)
