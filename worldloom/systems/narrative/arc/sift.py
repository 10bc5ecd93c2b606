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
    rows = _looking_up(patterns, candidates(patterns, parse_log(patterns, fresh)))
    window_clock = max(book.tick, int(fresh["tick"].max()))  # type: ignore[arg-type]
    waking = _waking(patterns, book.partials, rows, clock=window_clock)
    loaded = load_matches(waking)
    live = _live(patterns, rows, waking)
    runs = []
    for index, pattern in enumerate(patterns.patterns):
        machine = PatternRun(pattern, index, loaded.get(pattern.name, []))
        mine = candidate_rows(live.filter(pl.col("pattern") == index))
        for _, group in groupby(mine, key=attrgetter("event_id")):
            event = list(group)
            machine.expire(max(book.tick, event[0].clock))
            machine.feed(event)
        machine.expire(window_clock)
        runs.append(machine)
    return _book(patterns, book=book, runs=runs, names=names, fresh=fresh, clock=window_clock)


_ANCHORS = pl.Schema(
    {"pattern": pl.Int32, "name": pl.String, "kind": pl.String, "clause": pl.Int32}
    | {"var": pl.String, "term": pl.Int64}
)
"""Each clause's anchor (`anchors`; none: var and term null), by pattern index, kind, clause."""
_BINDS = pl.Schema({"pattern": pl.Int32, "clause": pl.Int32, "var": pl.String, "term": pl.Int64})
"""Each stage's bound variables and their terms, by pattern index and stage."""


def _looking_up(patterns: ArcPatterns, rows: pl.DataFrame) -> pl.DataFrame:
    """`rows` (`candidates`') with their pattern's `name` and the `binding` each looks open
    matches up by (its clause's anchor, `anchors`), as arc_partials encodes it (`var=id`);
    null when the row looks at every open match of its pattern."""
    anchored = [
        (index, pattern.name, kind, clause, *(anchor or (None, None)))
        for index, pattern in enumerate(patterns.patterns)
        for (kind, clause), anchor in anchors(pattern).items()
    ]
    return rows.join(
        pl.DataFrame(anchored, schema=_ANCHORS, orient="row"),
        on=["pattern", "kind", "clause"],
        how="left",
        maintain_order="left",
    ).select(*rows.columns, "name", binding=_encoded("var", "term"))


def _encoded(var: str, term: str) -> pl.Expr:
    """`var=id`, the id a row's term (a candidate row has every term set)."""
    value = pl.col("vals").list.get(pl.col(term)).cast(pl.String)
    return pl.concat_str(pl.col(var), pl.lit("="), value)


def _waking(
    patterns: ArcPatterns, partials: pl.DataFrame, rows: pl.DataFrame, *, clock: int
) -> pl.DataFrame:
    """The open matches a call can change: those its `rows` (`_looking_up`'s) look up and
    those whose window closes before `clock`; every other one stays as `partials` holds it.

    An open match no row looks up by one of its bindings, and whose window stays open, ends
    the call as it began: a run needs only the others (a world waits on thousands of matches).
    """
    deadlines: dict[str, list[Any]] = {"pattern": [], "pos": [], "window": []}
    for pattern in patterns.patterns:
        for pos, window in enumerate(windows(pattern)):
            deadlines["pattern"].append(pattern.name)
            deadlines["pos"].append(pos)
            deadlines["window"].append(window)
    everything = rows.filter(pl.col("binding").is_null())["name"].unique()
    wanted = rows.filter(pl.col("binding").is_not_null()).select("binding", pattern="name")
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


def _live(patterns: ArcPatterns, rows: pl.DataFrame, waking: pl.DataFrame) -> pl.DataFrame:
    """The `rows` (`_looking_up`'s) that may change a match: a first stage's (it may start
    one), those that look at every open match, and those that look up a binding a match may
    hold by then, a woken one's (`waking`) or one a stage row of an earlier event binds (an
    event looks matches up before it binds anything). The others, most of a year's, find no
    match and are left out: the windows closing at their events close at the next one read."""
    binds = [
        (index, number, var, stage.clause.terms.index(source))
        for index, pattern in enumerate(patterns.patterns)
        for number, stage in enumerate(pattern.stages)
        for var, source in stage.clause.bind
    ]
    bound = rows.filter(pl.col("kind") == "s").join(
        pl.DataFrame(binds, schema=_BINDS, orient="row"), on=["pattern", "clause"]
    )
    woken = waking.select(
        name="pattern", binding=pl.col("bindings").str.split(" "), since=pl.lit(-1, pl.Int64)
    )
    # Each binding a match may hold, from the first event that binds it (-1: before the call).
    held = (
        pl.concat(
            [
                bound.select("name", binding=_encoded("var", "term"), since="event_id"),
                woken.explode("binding"),
            ]
        )
        .group_by("name", "binding")
        .agg(pl.col("since").min())
    )
    first = (pl.col("kind") == "s") & (pl.col("clause") == 0)
    return rows.join(held, on=["name", "binding"], how="left", maintain_order="left").filter(
        first | pl.col("binding").is_null() | (pl.col("event_id") > pl.col("since"))
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
