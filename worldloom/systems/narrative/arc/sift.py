"""Story sifting: new events run through every pattern, resuming the book's open matches."""

from __future__ import annotations

from itertools import groupby
from operator import attrgetter
from typing import Any

import polars as pl

from worldloom.systems.narrative.arc.book import (
    ARC_EVENTS_SCHEMA,
    ARC_PARTIALS_SCHEMA,
    ARC_ROLES_SCHEMA,
    ARCS_SCHEMA,
    ArcBook,
    arc_frames,
    load_matches,
    partial_rows,
)
from worldloom.systems.narrative.arc.matcher import Match, PatternRun, anchors, windows
from worldloom.systems.narrative.arc.pattern import ArcPatterns
from worldloom.systems.narrative.arc.query import candidate_rows, candidates, parse_log
from worldloom.systems.narrative.names import Names


def sift_arcs(
    *, patterns: ArcPatterns, book: ArcBook, events: pl.DataFrame, names: Names
) -> ArcBook:
    """The book after reading `events` (those after `book.last_event_id`; older ones ignored).

    Events are read in event_id order. For each pattern and event: unless clauses end the open
    matches they hit; then the event advances at most one open match (the oldest it can, to
    the furthest stage it can reach); if it advanced none, a first-stage event starts a match
    unless one is open for the same key. A match ends when its window closes (the log reached
    a day past it) and completes at its last stage. Matches with `surface` stages are arcs;
    those that end below it leave nothing. The result is the same whatever windows the log is
    read in (ids: first event id * 64 + pattern index).

    Args:
        patterns: the sifting patterns (data/arcs.toml).
        book: the previous output (ArcBook() for none).
        events: events rows (the events table's columns, world_id optional).
        names: the world's names, for titles and summaries.
    """
    fresh = events.filter(pl.col("event_id") > book.last_event_id)
    if fresh.is_empty():
        return book
    rows = candidates(patterns, parse_log(patterns, fresh))
    window_clock = max(book.tick, int(fresh["tick"].max()))  # type: ignore[arg-type]
    loaded = load_matches(_waking(patterns, book.partials, rows, clock=window_clock))
    runs = []
    for index, pattern in enumerate(patterns.patterns):
        machine = PatternRun(pattern, index, loaded.get(pattern.name, []))
        mine = candidate_rows(rows.filter(pl.col("pattern") == index))
        for _, group in groupby(mine, key=attrgetter("event_id")):
            event = list(group)
            machine.expire(max(book.tick, event[0].clock))
            machine.feed(event)
        machine.expire(window_clock)
        runs.append(machine)
    return _book(patterns, book=book, runs=runs, names=names, fresh=fresh, clock=window_clock)


_ANCHORS = pl.Schema(
    {"index": pl.Int32, "pattern": pl.String, "kind": pl.String, "clause": pl.Int32}
    | {"var": pl.String, "term": pl.Int64}
)
"""Each clause's anchor (`anchors`: none, var and term null) by pattern index, kind, clause."""


def _waking(
    patterns: ArcPatterns, partials: pl.DataFrame, rows: pl.DataFrame, *, clock: int
) -> pl.DataFrame:
    """The open matches a call can change: those its `rows` (`candidates`') look up and those
    whose window closes before `clock`; every other one stays as `partials` holds it.

    A row looks open matches up by the binding its clause anchors on (`anchors`), as
    arc_partials encodes it (`var=id`), or at every open match of its pattern when its clause
    has no anchor. An open match no row looks up by one of its bindings, and whose window
    stays open, ends the call as it began: a run needs only the others (a world waits on
    thousands of matches).
    """
    anchored: list[tuple[int, str, str, int, str | None, int | None]] = []
    deadlines: dict[str, list[Any]] = {"pattern": [], "pos": [], "window": []}
    for index, pattern in enumerate(patterns.patterns):
        for (kind, clause), anchor in anchors(pattern).items():
            var, term = anchor if anchor is not None else (None, None)
            anchored.append((index, pattern.name, kind, clause, var, term))
        for pos, window in enumerate(windows(pattern)):
            deadlines["pattern"].append(pattern.name)
            deadlines["pos"].append(pos)
            deadlines["window"].append(window)
    looks = (
        rows.select("kind", "clause", "vals", index="pattern")
        .join(pl.DataFrame(anchored, schema=_ANCHORS, orient="row"), on=["index", "kind", "clause"])
    )  # fmt: skip
    everything = looks.filter(pl.col("var").is_null())["pattern"].unique()
    # A candidate row has every term set (`compile_candidates`).
    value = pl.col("vals").list.get(pl.col("term")).cast(pl.String)
    wanted = looks.filter(pl.col("var").is_not_null()).select(
        "pattern", binding=pl.concat_str(pl.col("var"), pl.lit("="), value)
    )
    bound = (
        partials.select("arc_id", "pattern", binding=pl.col("bindings").str.split(" "))
        .explode("binding")
        .join(wanted, on=["pattern", "binding"], how="semi")
    )
    # A match sits at its last event's stage (see load_matches).
    due = partials.select(
        "arc_id",
        "pattern",
        pos=pl.col("event_stages").list.last().cast(pl.Int64),
        last=pl.col("event_ticks").list.last(),
    ).join(
        pl.DataFrame(deadlines, schema={"pattern": pl.String, "pos": pl.Int64, "window": pl.Int64}),
        on=["pattern", "pos"],
    )
    ids = pl.concat(
        [bound["arc_id"], due.filter(pl.col("last") + pl.col("window") < clock)["arc_id"]]
    )
    return partials.filter(
        pl.col("pattern").is_in(everything.implode()) | pl.col("arc_id").is_in(ids.implode())
    )


def _book(
    patterns: ArcPatterns,
    *,
    book: ArcBook,
    runs: list[PatternRun],
    names: Names,
    fresh: pl.DataFrame,
    clock: int,
) -> ArcBook:
    arcs, arc_events, arc_roles = [], [], []
    changed: list[tuple[int, Match]] = [
        (run.index, m)
        for run in runs
        for m in (*run.closed, *run.open.values())
        if m.touched and m.pos + 1 >= run.pattern.surface
    ]
    for index, match in changed:
        arc, events, roles = arc_frames(patterns.patterns[index], match, names)
        arcs.append(arc)
        arc_events += events
        arc_roles += roles
    ids = pl.Series([m.arc_id for _, m in changed], dtype=pl.Int64)
    keep = ~pl.col("arc_id").is_in(ids.implode())
    touched = [m.arc_id for run in runs for m in (*run.closed, *run.open.values()) if m.touched]
    known = pl.col("pattern").is_in([p.name for p in patterns.patterns])
    # Open matches of a pattern no longer sifted are dropped: their rows are rewritten too.
    dropped = book.partials.filter(~known)["arc_id"].to_list()
    return ArcBook(
        arcs=pl.concat([book.arcs.filter(keep), pl.DataFrame(arcs, schema=ARCS_SCHEMA)]).sort(
            "arc_id"
        ),
        arc_events=pl.concat(
            [book.arc_events.filter(keep), pl.DataFrame(arc_events, schema=ARC_EVENTS_SCHEMA)]
        ).sort("arc_id", "stage", "event_id"),
        arc_roles=pl.concat(
            [book.arc_roles.filter(keep), pl.DataFrame(arc_roles, schema=ARC_ROLES_SCHEMA)]
        ).sort("arc_id", "role"),
        partials=_partials(patterns, book.partials, runs, touched=touched),
        last_event_id=int(fresh["event_id"].max()),  # type: ignore[arg-type]
        tick=clock,
        rewritten=tuple(sorted({*touched, *dropped})),
    )


def _partials(
    patterns: ArcPatterns, partials: pl.DataFrame, runs: list[PatternRun], *, touched: list[int]
) -> pl.DataFrame:
    """arc_partials after the call: the rows of the open matches no event touched, as they
    were (most of a world's open matches wait years for their next stage; most are never
    loaded), and the others written anew (`touched`: ended, completed or advanced)."""
    opened = ((run.index, m) for run in runs for m in run.open.values() if m.touched)
    known = pl.col("pattern").is_in([p.name for p in patterns.patterns])
    same = (
        partials.select(ARC_PARTIALS_SCHEMA.names())
        .cast(ARC_PARTIALS_SCHEMA)
        .filter(known & ~pl.col("arc_id").is_in(pl.Series(touched, dtype=pl.Int64).implode()))
    )
    return pl.concat([same, partial_rows(patterns, opened)]).sort("arc_id")
